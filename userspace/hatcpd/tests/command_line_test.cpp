// SPDX-License-Identifier: GPL-2.0
// hatcpctl's word grammar: every command, -j in both places, and the
// one-line usage errors.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/command_line.hpp"
#include "cli/usage_error.hpp"
#include "genl_message.hpp"

namespace hatcp::cli {
namespace {

using test::be;
using Args = std::vector<std::string>;

Invocation parse(const Args& args)
{
    std::ostringstream out;
    const ParseOutcome outcome = parse_command_line(args, out);
    EXPECT_TRUE(std::holds_alternative<Invocation>(outcome));
    EXPECT_EQ(out.str(), "");
    return std::get<Invocation>(outcome);
}

std::string usage_error(const Args& args)
{
    std::ostringstream out;
    try {
        parse_command_line(args, out);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "(no error)";
}

template <typename T>
T parse_as(const Args& args)
{
    const Invocation invocation = parse(args);
    EXPECT_TRUE(std::holds_alternative<T>(invocation.command));
    return std::get<T>(invocation.command);
}

TEST(CommandLine, RoleSet)
{
    EXPECT_EQ(parse_as<SetRole>({"role", "set", "primary"}).role, Role::primary);
    EXPECT_EQ(parse_as<SetRole>({"role", "set", "replica"}).role, Role::replica);
    EXPECT_EQ(parse_as<SetRole>({"role", "set", "standalone"}).role, Role::standalone);
}

// A file under the test's temporary directory holding `text`.
std::string key_file(const std::string& name, const std::string& text)
{
    std::string path = testing::TempDir() + "hatcp-key-" + name;
    std::ofstream{path, std::ios::binary} << text;
    return path;
}

TEST(CommandLine, PeerSetPortAndKey)
{
    const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
    const auto command = parse_as<SetPeer>({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "port",
                                               "9000", "key", key_file("good", hex + "\n")});
    EXPECT_EQ(command.peer.port, 9000);
    ASSERT_TRUE(command.peer.key);
    for (std::size_t i = 0; i < command.peer.key->size(); ++i) {
        EXPECT_EQ(command.peer.key->at(i), i);
    }
    const auto plain = parse_as<SetPeer>({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2"});
    EXPECT_EQ(plain.peer.port, HATCP_CHANNEL_PORT);
    EXPECT_FALSE(plain.peer.key);
    // No trailing newline is fine too.
    EXPECT_TRUE(parse_as<SetPeer>({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "key",
                                   key_file("bare", hex)})
                    .peer.key);
}

TEST(CommandLine, PeerSetInsecureNoKey)
{
    const auto command =
        parse_as<SetPeer>({"peer", "set", "local", "10.0.0.1", "insecure-no-key", "remote", "10.0.0.2"});
    EXPECT_TRUE(command.peer.insecure_no_key);
    EXPECT_FALSE(command.peer.key);
    EXPECT_FALSE(parse_as<SetPeer>({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2"}).peer.insecure_no_key);
    const std::string path = key_file("opt-out", std::string(64, 'a'));
    EXPECT_EQ(usage_error({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "key", path, "insecure-no-key"}),
              R"("key FILE" and "insecure-no-key" exclude each other (usage: hatcpctl peer set local ADDR remote ADDR )"
              "[dev IFNAME] [port PORT] [key FILE | insecure-no-key])");
}

TEST(CommandLine, PeerSetBadKeyFiles)
{
    const auto error = [](const std::string& path) {
        return usage_error({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "key", path});
    };
    const std::string hex(64, 'a');
    for (const std::string& text : {hex.substr(1), hex + "a", std::string(63, 'a') + "g", hex + "\n\n",
                                    std::string{}, std::string(32, '\x01'), " " + hex}) {
        const std::string path = key_file("bad", text);
        EXPECT_EQ(error(path), "bad key file \"" + path + "\": want 64 hex digits (32 bytes)") << text;
    }
    EXPECT_EQ(error("/nonexistent/key"), "cannot read key file \"/nonexistent/key\": No such file or directory");
    EXPECT_EQ(usage_error({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "port", "0"}),
              "bad port \"0\"");
}

TEST(CommandLine, CommandsWithoutValues)
{
    parse_as<ShowRole>({"role", "show"});
    parse_as<ShowPeer>({"peer", "show"});
    parse_as<DeletePeer>({"peer", "del"});
    parse_as<ListPolicies>({"policy", "list"});
    parse_as<ShowStats>({"stats"});
    parse_as<ShowFlows>({"flows"});
    parse_as<Promote>({"promote"});
    parse_as<Demote>({"demote"});
    parse_as<Migrate>({"migrate"});
    parse_as<Monitor>({"monitor"});
}

TEST(CommandLine, PeerSet)
{
    EXPECT_EQ(parse_as<SetPeer>({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "dev", "lo"}).peer,
              (Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = 1}));
    EXPECT_EQ(parse_as<SetPeer>({"peer", "set", "remote", "10.0.0.2", "local", "10.0.0.1"}).peer,
              (Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = std::nullopt}));
}

TEST(CommandLine, PolicyAddAndDel)
{
    EXPECT_EQ(parse_as<AddPolicy>({"policy", "add", "port", "80"}).policy, (Policy{std::nullopt, 80}));
    EXPECT_EQ(parse_as<AddPolicy>({"policy", "add", "addr", "10.0.0.10", "port", "443"}).policy,
              (Policy{Ipv4Address{be("10.0.0.10")}, 443}));
    EXPECT_EQ(parse_as<DeletePolicy>({"policy", "del", "port", "443", "addr", "10.0.0.10"}).policy,
              (Policy{Ipv4Address{be("10.0.0.10")}, 443}));
}

TEST(CommandLine, JsonBeforeOrAfterTheCommand)
{
    for (const Args& args : std::vector<Args>{{"-j", "stats"},
                                              {"stats", "-j"},
                                              {"--json", "stats"},
                                              {"stats", "--json"},
                                              {"-j", "role", "show"},
                                              {"role", "show", "-j"},
                                              {"peer", "show", "-j"},
                                              {"policy", "list", "-j"},
                                              {"-j", "policy", "list"},
                                              {"flows", "-j"},
                                              {"monitor", "-j"},
                                              {"-j", "monitor"}}) {
        EXPECT_TRUE(parse(args).json) << args.front() << ' ' << args.back();
    }
    EXPECT_FALSE(parse({"stats"}).json);
}

TEST(CommandLine, JsonOnlyWhereThereIsOutput)
{
    EXPECT_EQ(usage_error({"promote", "-j"}), "unknown word \"-j\" (usage: hatcpctl promote)");
    EXPECT_EQ(usage_error({"policy", "add", "port", "80", "-j"}),
              "unknown word \"-j\" (usage: hatcpctl policy add [addr ADDR] port PORT)");
}

TEST(CommandLine, BadValues)
{
    EXPECT_EQ(usage_error({"policy", "add", "port", "0"}), "bad port \"0\"");
    EXPECT_EQ(usage_error({"policy", "add", "port", "65536"}), "bad port \"65536\"");
    EXPECT_EQ(usage_error({"policy", "del", "port", "80x"}), "bad port \"80x\"");
    EXPECT_EQ(usage_error({"policy", "add", "addr", "10.0.0", "port", "80"}), "bad address \"10.0.0\"");
    EXPECT_EQ(usage_error({"peer", "set", "local", "10.9.0", "remote", "10.9.0.1"}), "bad address \"10.9.0\"");
    EXPECT_EQ(usage_error({"peer", "set", "local", "10.9.0.1", "remote", "10.9.0.2", "dev", "nosuch0"}),
              "no such device \"nosuch0\"");
    EXPECT_EQ(usage_error({"role", "set", "master"}), "unknown role \"master\" (standalone, primary or replica)");
}

TEST(CommandLine, UnknownWords)
{
    EXPECT_EQ(usage_error({"frob"}), "unknown word \"frob\" (try \"hatcpctl --help\")");
    EXPECT_EQ(usage_error({"role", "frob"}), "unknown word \"frob\" (try \"hatcpctl --help\")");
    EXPECT_EQ(usage_error({"stats", "flows"}), "unknown word \"flows\" (usage: hatcpctl stats)");
    EXPECT_EQ(usage_error({"role", "show", "set"}), "unknown word \"set\" (usage: hatcpctl role show)");
    EXPECT_EQ(usage_error({"role", "set", "primary", "now"}),
              "unknown word \"now\" (usage: hatcpctl role set primary|replica|standalone)");
    EXPECT_EQ(usage_error({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "via", "x"}),
              "unknown word \"via\" (usage: hatcpctl peer set local ADDR remote ADDR [dev IFNAME] [port PORT] [key FILE | insecure-no-key])");
    EXPECT_EQ(usage_error({"--frob"}), "unknown word \"--frob\" (try \"hatcpctl --help\")");
}

TEST(CommandLine, MissingWords)
{
    EXPECT_EQ(usage_error({}), "missing command (try \"hatcpctl --help\")");
    EXPECT_EQ(usage_error({"-j"}), "missing command (try \"hatcpctl --help\")");
    EXPECT_EQ(usage_error({"role"}), "\"role\" needs one of: set, show");
    EXPECT_EQ(usage_error({"peer"}), "\"peer\" needs one of: set, show, del");
    EXPECT_EQ(usage_error({"policy"}), "\"policy\" needs one of: add, del, list");
    EXPECT_EQ(usage_error({"role", "set"}), "missing role (usage: hatcpctl role set primary|replica|standalone)");
    EXPECT_EQ(usage_error({"peer", "set", "local", "10.0.0.1"}),
              "missing \"remote ADDR\" (usage: hatcpctl peer set local ADDR remote ADDR [dev IFNAME] [port PORT] [key FILE | insecure-no-key])");
    EXPECT_EQ(usage_error({"policy", "add"}),
              "missing \"port PORT\" (usage: hatcpctl policy add [addr ADDR] port PORT)");
    EXPECT_EQ(usage_error({"policy", "del", "port"}),
              "\"port\" needs a value (usage: hatcpctl policy del [addr ADDR] port PORT)");
}

TEST(CommandLine, ParserErrorsAreOneLine)
{
    const std::string error = usage_error({"--json=maybe", "stats"});
    EXPECT_NE(error.find("--json"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(CommandLine, WordsThatAreAlsoCommandNames)
{
    // A value may look like a command without being taken for one.
    EXPECT_EQ(usage_error({"peer", "set", "local", "show", "remote", "10.0.0.2"}), "bad address \"show\"");
    EXPECT_EQ(usage_error({"role", "set", "stats"}), "unknown role \"stats\" (standalone, primary or replica)");
}

TEST(CommandLine, Help)
{
    for (const Args& args : std::vector<Args>{{"-h"}, {"--help"}, {"-j", "--help"}}) {
        std::ostringstream out;
        const ParseOutcome outcome = parse_command_line(args, out);
        ASSERT_TRUE(std::holds_alternative<EarlyExit>(outcome));
        EXPECT_EQ(std::get<EarlyExit>(outcome).status, 0);
        EXPECT_NE(out.str().find("peer set local ADDR remote ADDR [dev IFNAME]"), std::string::npos) << out.str();
        EXPECT_NE(out.str().find("monitor"), std::string::npos);
    }
}

TEST(CommandLine, SubcommandHelp)
{
    std::ostringstream out;
    const ParseOutcome outcome = parse_command_line({"policy", "add", "--help"}, out);
    ASSERT_TRUE(std::holds_alternative<EarlyExit>(outcome));
    EXPECT_EQ(std::get<EarlyExit>(outcome).status, 0);
    EXPECT_NE(out.str().find("policy add [addr ADDR] port PORT"), std::string::npos) << out.str();
}

TEST(CommandLine, Version)
{
    std::ostringstream out;
    const ParseOutcome outcome = parse_command_line({"--version"}, out);
    ASSERT_TRUE(std::holds_alternative<EarlyExit>(outcome));
    EXPECT_EQ(std::get<EarlyExit>(outcome).status, 0);
    EXPECT_EQ(out.str().rfind("hatcpctl ", 0), 0U) << out.str();
    EXPECT_EQ(out.str().back(), '\n');
}

} // namespace
} // namespace hatcp::cli
