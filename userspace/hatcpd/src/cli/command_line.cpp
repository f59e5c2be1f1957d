// SPDX-License-Identifier: GPL-2.0
#include "cli/command_line.hpp"

#include <algorithm>
#include <functional>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <linux/hatcp.h>

#include "cli/usage_error.hpp"
#include "cli/words.hpp"

namespace hatcp::cli {

namespace {

constexpr std::string_view usage_summary = R"(Commands:
  role set primary|replica|standalone
  role show
  peer set local ADDR remote ADDR [dev IFNAME] [port PORT] [key FILE | insecure-no-key]
  peer show
  peer del
  policy add [addr ADDR] port PORT
  policy del [addr ADDR] port PORT
  policy list
  stats
  flows
  promote
  demote
  migrate
  monitor

migrate is for a planned switchover, run on the primary: this node becomes
the replica and keeps its connections as shadows. The peer must be a live
replica; it is then promoted (by keepalived, or "hatcpctl promote" on it),
which keeps them protected.

-j prints JSON from show, list, stats, flows and monitor; it may come before
or after the command. hatcpctl acts on the caller's network namespace.)";

std::string version_text()
{
    return fmt::format("hatcpctl {} (hatcp generic netlink version {})", HATCP_VERSION, HATCP_GENL_VERSION);
}

// CLI11 messages may span lines; hatcpctl's errors are one line.
std::string one_line(std::string text)
{
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    return text;
}

using Words = std::vector<std::string>;
using MakeCommand = std::function<Command(const Words& words)>;

// What a command takes after its words: nothing, its own words (checked by
// its MakeCommand, which knows their grammar), or -j.
enum class Takes { nothing, words, json };

// A command at the end of the word tree, e.g. "peer set".
struct Leaf {
    CLI::App* app = nullptr;
    std::string usage; // "peer set local ADDR remote ADDR [dev IFNAME] [port PORT] [key FILE | insecure-no-key]"
    MakeCommand make;
};

Command make_set_role(const Words& words)
{
    if (words.empty()) {
        throw UsageError{"missing role (usage: hatcpctl role set primary|replica|standalone)"};
    }
    if (words.size() > 1) {
        throw UsageError{
            fmt::format("unknown word \"{}\" (usage: hatcpctl role set primary|replica|standalone)", words[1])};
    }
    return SetRole{parse_role(words.front())};
}

Command make_set_peer(const Words& words)
{
    constexpr std::string_view usage =
        "peer set local ADDR remote ADDR [dev IFNAME] [port PORT] [key FILE | insecure-no-key]";
    // A word without a value; the rest are keyword-value pairs.
    Words pairs;
    bool insecure_no_key = false;
    for (const auto& word : words) {
        if (word == "insecure-no-key") {
            insecure_no_key = true;
        } else {
            pairs.push_back(word);
        }
    }
    const KeywordValues values = parse_keywords(pairs, {"local", "remote", "dev", "port", "key"}, usage);
    for (const char* required : {"local", "remote"}) {
        if (!values.contains(required)) {
            throw UsageError{fmt::format("missing \"{} ADDR\" (usage: hatcpctl {})", required, usage)};
        }
    }
    Peer peer;
    peer.local = parse_address(values.at("local"));
    peer.remote = parse_address(values.at("remote"));
    if (const auto dev = values.find("dev"); dev != values.end()) {
        peer.ifindex = parse_device(dev->second);
    }
    if (const auto port = values.find("port"); port != values.end()) {
        peer.port = parse_port(port->second);
    }
    if (const auto key = values.find("key"); key != values.end()) {
        if (insecure_no_key) {
            throw UsageError{
                fmt::format(R"("key FILE" and "insecure-no-key" exclude each other (usage: hatcpctl {}))", usage)};
        }
        peer.key = parse_key_file(key->second);
    }
    peer.insecure_no_key = insecure_no_key;
    return SetPeer{peer};
}

Policy make_policy(const Words& words, std::string_view usage)
{
    const KeywordValues values = parse_keywords(words, {"addr", "port"}, usage);
    const auto port = values.find("port");
    if (port == values.end()) {
        throw UsageError{fmt::format("missing \"port PORT\" (usage: hatcpctl {})", usage)};
    }
    Policy policy;
    if (const auto addr = values.find("addr"); addr != values.end()) {
        policy.addr = parse_address(addr->second);
    }
    policy.port = parse_port(port->second);
    return policy;
}

// The CLI11 tree for hatcpctl's words, with what each leaf turns into.
class Grammar {
public:
    Grammar()
    {
        app_.allow_extras(); // we report unknown words ourselves, by name
        app_.require_subcommand(0, 1);
        app_.set_version_flag("--version", version_text());
        add_json_flag(&app_);

        CLI::App* role = add_group("role", "Show or set this node's role");
        add_leaf(role, "set", "Set the role", "role set primary|replica|standalone", make_set_role, Takes::words);
        add_leaf(role, "show", "Show the role", "role show", constant(ShowRole{}), Takes::json);

        CLI::App* peer = add_group("peer", "Show, set or delete the replication peer");
        add_leaf(peer, "set", "Set both ends of the replication channel",
                 "peer set local ADDR remote ADDR [dev IFNAME] [port PORT] [key FILE | insecure-no-key]", make_set_peer,
                 Takes::words);
        add_leaf(peer, "show", "Show the peer", "peer show", constant(ShowPeer{}), Takes::json);
        add_leaf(peer, "del", "Delete the peer", "peer del", constant(DeletePeer{}));

        CLI::App* policy = add_group("policy", "Add, delete or list protected services");
        add_leaf(
            policy, "add", "Protect a service", "policy add [addr ADDR] port PORT",
            [](const Words& words) {
                return Command{AddPolicy{make_policy(words, "policy add [addr ADDR] port PORT")}};
            },
            Takes::words);
        add_leaf(
            policy, "del", "Stop protecting a service", "policy del [addr ADDR] port PORT",
            [](const Words& words) {
                return Command{DeletePolicy{make_policy(words, "policy del [addr ADDR] port PORT")}};
            },
            Takes::words);
        add_leaf(policy, "list", "List protected services", "policy list", constant(ListPolicies{}), Takes::json);

        add_leaf(&app_, "stats", "Show counters", "stats", constant(ShowStats{}), Takes::json);
        add_leaf(&app_, "flows", "List tracked connections", "flows", constant(ShowFlows{}), Takes::json);
        add_leaf(&app_, "promote", "Become primary (from replica)", "promote", constant(Promote{}));
        add_leaf(&app_, "demote", "Become replica (from primary)", "demote", constant(Demote{}));
        add_leaf(&app_, "migrate", "Planned switchover to the replica peer (on the primary)",
                 "migrate", constant(Migrate{}));
        add_leaf(&app_, "monitor", "Print events until SIGINT or SIGTERM", "monitor", constant(Monitor{}), Takes::json);
        // Last, so the subcommands do not inherit it.
        app_.footer(std::string{usage_summary});
    }

    ParseOutcome parse(const std::vector<std::string>& args, std::ostream& out)
    {
        std::vector<std::string> reversed{args.rbegin(), args.rend()}; // CLI11 consumes from the back
        try {
            app_.parse(reversed);
        } catch (const CLI::Success& done) {
            return EarlyExit{app_.exit(done, out, out)};
        } catch (const CLI::ParseError& error) {
            throw UsageError{one_line(error.what())};
        }

        const auto leaf = std::find_if(leaves_.begin(), leaves_.end(), [](const Leaf& l) { return l.app->parsed(); });
        if (const auto extras = app_.remaining(true); !extras.empty()) {
            const std::string hint =
                leaf == leaves_.end() ? std::string{"try \"hatcpctl --help\""} : "usage: hatcpctl " + leaf->usage;
            throw UsageError{fmt::format("unknown word \"{}\" ({})", extras.front(), hint)};
        }
        if (leaf == leaves_.end()) {
            throw UsageError{missing_command()};
        }
        return Invocation{leaf->make(words_), json_};
    }

private:
    template <typename T>
    static MakeCommand constant(T command)
    {
        return [command](const Words& /*words*/) { return Command{command}; };
    }

    void add_json_flag(CLI::App* app) { app->add_flag("-j,--json", json_, "Print JSON"); }

    CLI::App* add_group(const char* name, const char* description)
    {
        CLI::App* group = app_.add_subcommand(name, description);
        groups_.push_back({group, {}});
        return group;
    }

    void add_leaf(CLI::App* parent, const char* name, const char* description, std::string usage, MakeCommand make,
                  Takes takes = Takes::nothing)
    {
        CLI::App* leaf = parent->add_subcommand(name, description);
        if (takes == Takes::json) {
            add_json_flag(leaf);
        } else if (takes == Takes::words) {
            leaf->add_option("ARGS", words_, usage);
        }
        for (Group& group : groups_) {
            if (group.app == parent) {
                group.leaf_names.emplace_back(name);
            }
        }
        leaves_.push_back({leaf, std::move(usage), std::move(make)});
    }

    // No leaf was reached: name what is missing.
    [[nodiscard]] std::string missing_command() const
    {
        for (const Group& group : groups_) {
            if (group.app->parsed()) {
                return fmt::format("\"{}\" needs one of: {}", group.app->get_name(), fmt::join(group.leaf_names, ", "));
            }
        }
        return "missing command (try \"hatcpctl --help\")";
    }

    // A word with commands under it, e.g. "peer".
    struct Group {
        CLI::App* app = nullptr;
        std::vector<std::string> leaf_names;
    };

    CLI::App app_{"Control hatcp (HA/TCP) in the caller's network namespace.", "hatcpctl"};
    std::vector<Group> groups_;
    std::vector<Leaf> leaves_;
    Words words_;
    bool json_ = false;
};

} // namespace

ParseOutcome parse_command_line(const std::vector<std::string>& args, std::ostream& out)
{
    Grammar grammar;
    return grammar.parse(args, out);
}

} // namespace hatcp::cli
