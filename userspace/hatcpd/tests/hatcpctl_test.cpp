// SPDX-License-Identifier: GPL-2.0
// hatcpctl from the command line to the output, against a fake kernel.
#include <cerrno>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/hatcp.h>

#include "cli/hatcpctl.hpp"
#include "fake_control.hpp"
#include "genl_message.hpp"
#include "netlink/errors.hpp"

namespace hatcp::cli {
namespace {

using test::be;

class Hatcpctl : public testing::Test {
protected:
    // Runs hatcpctl with `args`; the output lands in out_ and err_.
    int run(const std::vector<std::string>& args)
    {
        out_.str("");
        err_.str("");
        Environment environment;
        environment.connect = [this]() -> std::unique_ptr<Control> {
            ++connections_;
            if (!module_loaded_) {
                throw netlink::FamilyNotFound{};
            }
            return std::make_unique<test::FakeControl>(state_);
        };
        environment.device_name = [](std::uint32_t ifindex) { return "dev" + std::to_string(ifindex); };
        return run_hatcpctl(args, environment, out_, err_);
    }

    test::FakeKernelState state_;
    bool module_loaded_ = true;
    int connections_ = 0;
    std::ostringstream out_;
    std::ostringstream err_;
};

TEST_F(Hatcpctl, RoleShow)
{
    state_.role = Role::replica;
    EXPECT_EQ(run({"role", "show"}), 0);
    EXPECT_EQ(out_.str(), "replica\n");
    EXPECT_EQ(run({"role", "show", "-j"}), 0);
    EXPECT_EQ(out_.str(), "{\"role\":\"replica\"}\n");
    EXPECT_EQ(run({"-j", "role", "show"}), 0);
    EXPECT_EQ(out_.str(), "{\"role\":\"replica\"}\n");
    EXPECT_EQ(err_.str(), "");
}

TEST_F(Hatcpctl, RoleSet)
{
    EXPECT_EQ(run({"role", "set", "primary"}), 0);
    EXPECT_EQ(state_.role_set, Role::primary);
    EXPECT_EQ(out_.str(), "");
}

TEST_F(Hatcpctl, PeerShowUnset)
{
    EXPECT_EQ(run({"peer", "show", "-j"}), 0);
    EXPECT_EQ(out_.str(), "{}\n");
    EXPECT_EQ(run({"peer", "show"}), 0);
    EXPECT_EQ(out_.str(), "none\n");
}

TEST_F(Hatcpctl, PeerShowSet)
{
    state_.peer = Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = 4};
    EXPECT_EQ(run({"peer", "show", "-j"}), 0);
    EXPECT_EQ(out_.str(), "{\"local\":\"10.0.0.1\",\"remote\":\"10.0.0.2\",\"dev\":\"dev4\",\"port\":7471,\"keyed\":false,"
                          "\"reachable\":false}\n");
    EXPECT_EQ(run({"peer", "show"}), 0);
    EXPECT_EQ(out_.str(), "local 10.0.0.1 remote 10.0.0.2 dev dev4 port 7471 reachable no role unknown\n");
}

TEST_F(Hatcpctl, PeerShowReachableWithRole)
{
    state_.peer = Peer{.local = Ipv4Address{be("10.0.0.1")},
                       .remote = Ipv4Address{be("10.0.0.2")},
                       .keyed = true,
                       .reachable = true,
                       .role = Role::replica};
    EXPECT_EQ(run({"peer", "show", "-j"}), 0);
    EXPECT_EQ(out_.str(), R"({"local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":true,"reachable":true,)"
                          R"("role":"replica"})"
                          "\n");
    EXPECT_EQ(run({"peer", "show"}), 0);
    EXPECT_EQ(out_.str(), "local 10.0.0.1 remote 10.0.0.2 port 7471 keyed reachable yes role replica\n");
}

TEST_F(Hatcpctl, PeerSetAndDel)
{
    EXPECT_EQ(run({"peer", "set", "local", "10.0.0.1", "remote", "10.0.0.2", "dev", "lo"}), 0);
    EXPECT_EQ(state_.peer_set, (Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = 1}));
    EXPECT_EQ(run({"peer", "del"}), 0);
    EXPECT_EQ(state_.calls.back(), "delete_peer");
}

TEST_F(Hatcpctl, Policies)
{
    EXPECT_EQ(run({"policy", "add", "addr", "10.0.0.10", "port", "443"}), 0);
    EXPECT_EQ(state_.policy_added, (Policy{Ipv4Address{be("10.0.0.10")}, 443}));
    EXPECT_EQ(run({"policy", "del", "port", "80"}), 0);
    EXPECT_EQ(state_.policy_deleted, (Policy{std::nullopt, 80}));

    state_.policies = {{Ipv4Address{be("10.0.0.10")}, 443}, {std::nullopt, 80}};
    EXPECT_EQ(run({"policy", "list", "-j"}), 0);
    EXPECT_EQ(out_.str(), "[{\"addr\":\"10.0.0.10\",\"port\":443},{\"port\":80}]\n");
    EXPECT_EQ(run({"policy", "list"}), 0);
    EXPECT_EQ(out_.str(), "addr 10.0.0.10 port 443\nport 80\n");
}

TEST_F(Hatcpctl, EmptyLists)
{
    EXPECT_EQ(run({"policy", "list", "-j"}), 0);
    EXPECT_EQ(out_.str(), "[]\n");
    EXPECT_EQ(run({"policy", "list"}), 0);
    EXPECT_EQ(out_.str(), "");
    EXPECT_EQ(run({"flows", "-j"}), 0);
    EXPECT_EQ(out_.str(), "[]\n");
}

TEST_F(Hatcpctl, Stats)
{
    state_.stats.counters = {{HATCP_STATS_A_POLICIES, 1},
                             {HATCP_STATS_A_ROLE_CHANGES, 2},
                             {HATCP_STATS_A_HELD_BYTES, 3},
                             {HATCP_STATS_A_CHAN_DROP_STALE, 4},
                             {200, 9}};
    EXPECT_EQ(run({"-j", "stats"}), 0);
    EXPECT_EQ(out_.str(),
              "{\"policies\":1,\"role_changes\":2,\"held_bytes\":3,\"chan_drop_stale\":4,\"attr_200\":9}\n");
    EXPECT_EQ(run({"stats"}), 0);
    EXPECT_EQ(out_.str(), "policies 1\nrole_changes 2\nheld_bytes 3\nchan_drop_stale 4\nattr_200 9\n");
}

TEST_F(Hatcpctl, Flows)
{
    state_.flows = {{Role::primary, Ipv4Address{be("192.0.2.7")}, 5000, Ipv4Address{be("10.0.0.10")}, 443, 12, true}};
    EXPECT_EQ(run({"flows", "-j"}), 0);
    EXPECT_EQ(out_.str(), "[{\"role\":\"primary\",\"saddr\":\"192.0.2.7\",\"sport\":5000,\"daddr\":\"10.0.0.10\","
                          "\"dport\":443,\"state\":\"NEW_SYN_RECV\",\"protected\":true}]\n");
}

TEST_F(Hatcpctl, FlowsWithDataPathFields)
{
    Flow held{Role::primary, Ipv4Address{be("192.0.2.7")}, 5000, Ipv4Address{be("10.0.0.10")}, 443, 1, true};
    held.unprotected_reason = HATCP_UNPROT_NONE;
    held.held_segs = 2;
    held.held_bytes = 2896;
    held.snd_una = 10;
    held.snd_nxt = 20;
    held.rcv_nxt = 30;
    held.tsval = 40;
    Flow refused{Role::primary, Ipv4Address{be("192.0.2.8")}, 5001, Ipv4Address{be("10.0.0.10")}, 443, 1, false};
    refused.unprotected_reason = HATCP_UNPROT_REFUSED;
    state_.flows = {held, refused};
    EXPECT_EQ(run({"flows", "-j"}), 0);
    EXPECT_EQ(out_.str(),
              R"([{"role":"primary","saddr":"192.0.2.7","sport":5000,"daddr":"10.0.0.10","dport":443,)"
              R"("state":"ESTABLISHED","protected":true,"unprotected_reason":"none","held_segs":2,"held_bytes":2896,)"
              R"("snd_una":10,"snd_nxt":20,"rcv_nxt":30,"tsval":40},)"
              R"({"role":"primary","saddr":"192.0.2.8","sport":5001,"daddr":"10.0.0.10","dport":443,)"
              R"("state":"ESTABLISHED","protected":false,"unprotected_reason":"refused"}])"
              "\n");
    EXPECT_EQ(run({"flows"}), 0);
    EXPECT_EQ(out_.str(),
              "Role       Client                   Service               State        Protected        Held/Queued\n"
              "primary    192.0.2.7:5000        -> 10.0.0.10:443         ESTABLISHED  yes              "
              "held 2 segs 2896 B\n"
              "primary    192.0.2.8:5001        -> 10.0.0.10:443         ESTABLISHED  no (refused)     -\n");
}

TEST_F(Hatcpctl, PromoteDemote)
{
    EXPECT_EQ(run({"promote"}), 0);
    EXPECT_EQ(run({"demote"}), 0);
    EXPECT_EQ(state_.calls, (std::vector<std::string>{"promote", "demote"}));
}

TEST_F(Hatcpctl, Migrate)
{
    EXPECT_EQ(run({"migrate"}), 0);
    EXPECT_EQ(state_.calls, std::vector<std::string>{"migrate"});
    EXPECT_EQ(out_.str(), "");
    EXPECT_EQ(err_.str(), "");
}

TEST_F(Hatcpctl, MigrateRefusedWithoutALiveReplica)
{
    state_.fail = [] { throw netlink::KernelError{EHOSTUNREACH, "the peer is not a live replica"}; };
    EXPECT_EQ(run({"migrate"}), 1);
    EXPECT_EQ(out_.str(), "");
    EXPECT_EQ(err_.str(), "hatcpctl: the peer is not a live replica (No route to host)\n");
}

TEST_F(Hatcpctl, MigrateTakesNoWords)
{
    EXPECT_EQ(run({"migrate", "now"}), 2);
    EXPECT_EQ(err_.str(), "hatcpctl: unknown word \"now\" (usage: hatcpctl migrate)\n");
    EXPECT_EQ(connections_, 0);
}

TEST_F(Hatcpctl, ModuleNotLoaded)
{
    module_loaded_ = false;
    EXPECT_EQ(run({"role", "show"}), 1);
    EXPECT_EQ(out_.str(), "");
    EXPECT_EQ(err_.str(), "hatcpctl: hatcp module not loaded (generic netlink family \"hatcp\" not found)\n");
}

TEST_F(Hatcpctl, KernelRefusalWithExtack)
{
    state_.fail = [] { throw netlink::KernelError{EINVAL, "set a peer before leaving standalone"}; };
    EXPECT_EQ(run({"role", "set", "primary"}), 1);
    EXPECT_EQ(err_.str(), "hatcpctl: set a peer before leaving standalone (Invalid argument)\n");
}

TEST_F(Hatcpctl, PermissionDenied)
{
    state_.fail = [] { throw netlink::KernelError{EPERM, ""}; };
    EXPECT_EQ(run({"stats", "-j"}), 1);
    EXPECT_EQ(out_.str(), "");
    EXPECT_EQ(err_.str(), "hatcpctl: operation not permitted (CAP_NET_ADMIN needed in this network namespace)\n");
}

TEST_F(Hatcpctl, UsageErrorsNeverReachTheKernel)
{
    module_loaded_ = false;
    EXPECT_EQ(run({"policy", "add", "port", "0"}), 2);
    EXPECT_EQ(err_.str(), "hatcpctl: bad port \"0\"\n");
    EXPECT_EQ(run({"frob"}), 2);
    EXPECT_EQ(err_.str(), "hatcpctl: unknown word \"frob\" (try \"hatcpctl --help\")\n");
    EXPECT_EQ(connections_, 0);
}

TEST_F(Hatcpctl, HelpAndVersionNeverReachTheKernel)
{
    module_loaded_ = false;
    EXPECT_EQ(run({"--help"}), 0);
    EXPECT_NE(out_.str().find("Commands:"), std::string::npos);
    EXPECT_EQ(run({"--version"}), 0);
    EXPECT_EQ(out_.str().rfind("hatcpctl ", 0), 0U);
    EXPECT_EQ(err_.str(), "");
    EXPECT_EQ(connections_, 0);
}

} // namespace
} // namespace hatcp::cli
