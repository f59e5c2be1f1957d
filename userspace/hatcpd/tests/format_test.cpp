// SPDX-License-Identifier: GPL-2.0
// The objects' JSON and text forms, exactly as hatcpctl prints them.
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/hatcp.h>
#include <nlohmann/json.hpp>

#include "genl_message.hpp"
#include "model/device.hpp"
#include "model/flow.hpp"
#include "model/ipv4_address.hpp"
#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"
#include "model/stats.hpp"

namespace hatcp {
namespace {

using test::be;

std::string fake_device_name(std::uint32_t ifindex)
{
    return ifindex == 3 ? "eth1" : "ifindex " + std::to_string(ifindex);
}

TEST(Ipv4Address, ParsesDottedQuadsOnly)
{
    EXPECT_EQ(Ipv4Address::parse("10.0.0.1")->to_string(), "10.0.0.1");
    EXPECT_EQ(Ipv4Address::parse("255.255.255.255")->to_string(), "255.255.255.255");
    for (const char* bad : {"", "10.0.0", "10.0.0.1.2", "256.0.0.1", "10.0.0.1 ", "::1", "10.0.0.1/24", "a.b.c.d"}) {
        EXPECT_FALSE(Ipv4Address::parse(bad)) << bad;
    }
}

TEST(Ipv4Address, KeepsNetworkOrder)
{
    const Ipv4Address address = *Ipv4Address::parse("10.1.2.3");
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &address.network_order, bytes.size());
    EXPECT_EQ(bytes, (std::array<std::uint8_t, 4>{10, 1, 2, 3}));
}

TEST(Role, Names)
{
    EXPECT_EQ(role_name(Role::standalone), "standalone");
    EXPECT_EQ(role_name(Role::primary), "primary");
    EXPECT_EQ(role_name(Role::replica), "replica");
    EXPECT_EQ(role_name(static_cast<Role>(HATCP_ROLE_MAX + 1)), "role_3");
    EXPECT_EQ(role_from_name("replica"), Role::replica);
    EXPECT_EQ(role_from_name("master"), std::nullopt);
    EXPECT_EQ(role_from_name("Primary"), std::nullopt);
}

TEST(Role, JsonAndText)
{
    EXPECT_EQ(role_json(Role::primary).dump(), R"({"role":"primary"})");
    EXPECT_EQ(role_text(Role::standalone), "standalone\n");
}

TEST(Peer, JsonAndTextWithDevice)
{
    const Peer peer{Ipv4Address{be("10.0.0.1")}, Ipv4Address{be("10.0.0.2")}, 3};
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(),
              R"({"local":"10.0.0.1","remote":"10.0.0.2","dev":"eth1","port":7471,"keyed":false,"reachable":false})");
    EXPECT_EQ(peer_text(peer, fake_device_name),
              "local 10.0.0.1 remote 10.0.0.2 dev eth1 port 7471 reachable no role unknown\n");
}

TEST(Peer, JsonAndTextWithoutDevice)
{
    const Peer peer{Ipv4Address{be("10.0.0.1")}, Ipv4Address{be("10.0.0.2")}, std::nullopt};
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(),
              R"({"local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":false,"reachable":false})");
    EXPECT_EQ(peer_text(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 port 7471 reachable no role unknown\n");
}

TEST(Peer, PortAndKeyedShown)
{
    const Peer peer{.local = Ipv4Address{be("10.0.0.1")},
                    .remote = Ipv4Address{be("10.0.0.2")},
                    .port = 9000,
                    .keyed = true};
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(),
              R"({"local":"10.0.0.1","remote":"10.0.0.2","port":9000,"keyed":true,"reachable":false})");
    EXPECT_EQ(peer_text(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 port 9000 keyed reachable no role unknown\n");
}

TEST(Peer, InsecureNoKeyShownWhenSet)
{
    const Peer peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .insecure_no_key = true};
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(),
              R"({"local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":false,"insecure_no_key":true,)"
              R"("reachable":false})");
    EXPECT_EQ(peer_text(peer, fake_device_name),
              "local 10.0.0.1 remote 10.0.0.2 port 7471 insecure-no-key reachable no role unknown\n");
}

TEST(Peer, ReachableAndRoleShown)
{
    Peer peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .reachable = true};
    for (const Role role : {Role::primary, Role::replica, Role::standalone}) {
        peer.role = role;
        EXPECT_EQ(peer_json(peer, fake_device_name).dump(),
                  fmt::format(R"({{"local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":false,"reachable":true,)"
                              R"("role":"{}"}})",
                              role_name(role)));
        EXPECT_EQ(peer_text(peer, fake_device_name),
                  fmt::format("local 10.0.0.1 remote 10.0.0.2 port 7471 reachable yes role {}\n", role_name(role)));
    }
    // Unreachable, with the role its last heartbeat stated.
    peer.reachable = false;
    peer.role = Role::primary;
    EXPECT_EQ(peer_text(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 port 7471 reachable no role primary\n");
}

TEST(Peer, ConfigWordsLeaveOutWhatTheKernelReports)
{
    const Peer peer{.local = Ipv4Address{be("10.0.0.1")},
                    .remote = Ipv4Address{be("10.0.0.2")},
                    .keyed = true,
                    .reachable = true,
                    .role = Role::replica};
    EXPECT_EQ(peer_config_words(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 port 7471 keyed");
}

TEST(Peer, UnsetPeer)
{
    EXPECT_EQ(peer_json(std::nullopt, fake_device_name).dump(), "{}");
    EXPECT_EQ(peer_text(std::nullopt, fake_device_name), "none\n");
}

TEST(Peer, DeviceThatIsGone)
{
    const Peer peer{Ipv4Address{be("10.0.0.1")}, Ipv4Address{be("10.0.0.2")}, 999};
    EXPECT_EQ(peer_json(peer, fake_device_name)["dev"], "ifindex 999");
}

TEST(Device, SystemLookupBothWays)
{
    // Every network namespace has lo, and it is always ifindex 1.
    EXPECT_EQ(system_device_index("lo"), 1U);
    EXPECT_EQ(system_device_name(1), "lo");
    EXPECT_EQ(system_device_index("nosuch-dev0"), std::nullopt);
    EXPECT_EQ(system_device_name(0), "ifindex 0");
    EXPECT_EQ(system_device_name(0x7ffffff0), "ifindex 2147483632");
}

TEST(Policy, JsonAndText)
{
    const std::vector<Policy> policies{{Ipv4Address{be("10.0.0.10")}, 443}, {std::nullopt, 80}};
    EXPECT_EQ(policies_json(policies).dump(), R"([{"addr":"10.0.0.10","port":443},{"port":80}])");
    EXPECT_EQ(policies_text(policies), "addr 10.0.0.10 port 443\nport 80\n");
}

TEST(Policy, EmptyList)
{
    EXPECT_EQ(policies_json({}).dump(), "[]");
    EXPECT_EQ(policies_text({}), "");
}

TEST(Stats, EveryKnownCounterHasItsName)
{
    const Stats stats{{{HATCP_STATS_A_POLICIES, 1},
                       {HATCP_STATS_A_FLOWS, 0},
                       {HATCP_STATS_A_ROLE_CHANGES, 2},
                       {HATCP_STATS_A_PROMOTIONS, 1},
                       {HATCP_STATS_A_DEMOTIONS, 0},
                       {HATCP_STATS_A_CONFIG_REJECTED, 3},
                       {HATCP_STATS_A_MALFORMED, 4},
                       {HATCP_STATS_A_CHAN_TX, 5},
                       {HATCP_STATS_A_CHAN_RX, 6},
                       {HATCP_STATS_A_CHAN_TX_ERRORS, 7},
                       {HATCP_STATS_A_CHAN_DROP_NOT_PEER, 8},
                       {HATCP_STATS_A_CHAN_DROP_MALFORMED, 9},
                       {HATCP_STATS_A_CHAN_DROP_BAD_MAC, 10},
                       {HATCP_STATS_A_CHAN_DROP_REPLAY, 11},
                       {HATCP_STATS_A_PEER_LAST_RX_MS, 12}}};
    EXPECT_EQ(stats_json(stats).dump(), R"({"policies":1,"flows":0,"role_changes":2,"promotions":1,)"
                                        R"("demotions":0,"config_rejected":3,"malformed":4,"chan_tx":5,)"
                                        R"("chan_rx":6,"chan_tx_errors":7,"chan_drop_not_peer":8,)"
                                        R"("chan_drop_malformed":9,"chan_drop_bad_mac":10,)"
                                        R"("chan_drop_replay":11,"peer_last_rx_ms":12})");
    EXPECT_EQ(stats_text(stats), "policies 1\nflows 0\nrole_changes 2\npromotions 1\ndemotions 0\n"
                                 "config_rejected 3\nmalformed 4\nchan_tx 5\nchan_rx 6\nchan_tx_errors 7\n"
                                 "chan_drop_not_peer 8\nchan_drop_malformed 9\nchan_drop_bad_mac 10\n"
                                 "chan_drop_replay 11\npeer_last_rx_ms 12\n");
}

TEST(Stats, DataPathCountersAndGauges)
{
    const Stats stats{{{HATCP_STATS_A_FLOWS_PROTECTED, 1},
                       {HATCP_STATS_A_FLOWS_UNPROTECTED, 2},
                       {HATCP_STATS_A_UNPROT_SYNCOOKIE, 3},
                       {HATCP_STATS_A_UNPROT_FASTOPEN, 4},
                       {HATCP_STATS_A_UNPROT_MD5, 5},
                       {HATCP_STATS_A_UNPROT_REFUSED, 6},
                       {HATCP_STATS_A_UNPROT_TIMEOUT, 7},
                       {HATCP_STATS_A_UNPROT_NO_PEER, 8},
                       {HATCP_STATS_A_UNPROT_TABLE_FULL, 9},
                       {HATCP_STATS_A_UNPROT_MIDSTREAM, 10},
                       {HATCP_STATS_A_SEG_REPLICATED, 11},
                       {HATCP_STATS_A_SEG_RELEASED, 12},
                       {HATCP_STATS_A_SEG_HOLD_TIMEOUT, 13},
                       {HATCP_STATS_A_SEG_HOLD_FULL, 14},
                       {HATCP_STATS_A_SEG_SEND_FAILED, 15},
                       {HATCP_STATS_A_SEG_UNPROTECTED, 16},
                       {HATCP_STATS_A_HELD_SEGS, 17},
                       {HATCP_STATS_A_HELD_BYTES, 18},
                       {HATCP_STATS_A_REPL_QUEUED, 19},
                       {HATCP_STATS_A_REPL_INJECTED, 20},
                       {HATCP_STATS_A_REPL_RETRIED, 21},
                       {HATCP_STATS_A_REPL_DUPLICATE, 22},
                       {HATCP_STATS_A_REPL_QUEUE_FULL, 23},
                       {HATCP_STATS_A_REPL_UNKNOWN_FLOW, 24},
                       {HATCP_STATS_A_REPL_BAD_SEGMENT, 25},
                       {HATCP_STATS_A_REPL_ALIGN_FAILED, 26},
                       {HATCP_STATS_A_REPL_SUPPRESSED, 27},
                       {HATCP_STATS_A_QUEUED_SEGS, 28},
                       {HATCP_STATS_A_QUEUED_BYTES, 29},
                       {HATCP_STATS_A_CHAN_DROP_STALE, 30},
                       {HATCP_STATS_A_CHAN_DROP_UNEXPECTED, 31},
                       {HATCP_STATS_A_CHAN_REASM_TIMEOUT, 32},
                       {HATCP_STATS_A_CHAN_DROP_REASM, 0xffffffffffffffffULL}}};
    EXPECT_EQ(stats_json(stats).dump(),
              R"({"flows_protected":1,"flows_unprotected":2,"unprot_syncookie":3,"unprot_fastopen":4,)"
              R"("unprot_md5":5,"unprot_refused":6,"unprot_timeout":7,"unprot_no_peer":8,)"
              R"("unprot_table_full":9,"unprot_midstream":10,"seg_replicated":11,"seg_released":12,)"
              R"("seg_hold_timeout":13,"seg_hold_full":14,"seg_send_failed":15,"seg_unprotected":16,)"
              R"("held_segs":17,"held_bytes":18,"repl_queued":19,"repl_injected":20,"repl_retried":21,)"
              R"("repl_duplicate":22,"repl_queue_full":23,"repl_unknown_flow":24,"repl_bad_segment":25,)"
              R"("repl_align_failed":26,"repl_suppressed":27,"queued_segs":28,"queued_bytes":29,)"
              R"("chan_drop_stale":30,"chan_drop_unexpected":31,"chan_reasm_timeout":32,)"
              R"("chan_drop_reasm":18446744073709551615})");
    EXPECT_EQ(stats_text(Stats{{{HATCP_STATS_A_SEG_HOLD_TIMEOUT, 13}, {HATCP_STATS_A_CHAN_DROP_STALE, 30}}}),
              "seg_hold_timeout 13\nchan_drop_stale 30\n");
}

TEST(Stats, HandoverCounters)
{
    const Stats stats{{{HATCP_STATS_A_HANDOVER_KEPT, 3},
                       {HATCP_STATS_A_HANDOVER_SEGS, 17},
                       {HATCP_STATS_A_PROMOTE_KEPT, 2}}};
    EXPECT_EQ(stats_json(stats).dump(), R"({"handover_kept":3,"handover_segs":17,"promote_kept":2})");
    EXPECT_EQ(stats_text(stats), "handover_kept 3\nhandover_segs 17\npromote_kept 2\n");
}

TEST(Stats, EveryUapiCounterIsNamed)
{
    for (int attribute = HATCP_STATS_A_PAD + 1; attribute <= HATCP_STATS_A_MAX; ++attribute) {
        const std::string name = counter_name(static_cast<std::uint16_t>(attribute));
        EXPECT_NE(name.rfind("attr_", 0), 0U) << attribute;
        EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos) << name;
    }
}

TEST(Stats, UnknownCounterByNumber)
{
    constexpr std::uint16_t unknown = HATCP_STATS_A_MAX + 1;
    const std::string name = "attr_" + std::to_string(unknown);
    const Stats stats{{{HATCP_STATS_A_POLICIES, 1}, {unknown, 18446744073709551615ULL}}};
    EXPECT_EQ(stats_json(stats).dump(), R"({"policies":1,")" + name + R"(":18446744073709551615})");
    EXPECT_EQ(stats_text(stats), "policies 1\n" + name + " 18446744073709551615\n");
    EXPECT_EQ(counter_name(unknown), name);
}

TEST(Flow, StateNames)
{
    const std::vector<std::string> names{"ESTABLISHED", "SYN_SENT",  "SYN_RECV", "FIN_WAIT1",
                                         "FIN_WAIT2",   "TIME_WAIT", "CLOSE",    "CLOSE_WAIT",
                                         "LAST_ACK",    "LISTEN",    "CLOSING",  "NEW_SYN_RECV"};
    for (std::uint32_t state = 1; state <= names.size(); ++state) {
        EXPECT_EQ(tcp_state_name(state), names.at(state - 1));
    }
    EXPECT_EQ(tcp_state_name(0), "STATE_0");
    EXPECT_EQ(tcp_state_name(13), "STATE_13");
}

TEST(Flow, UnprotectedReasonNames)
{
    const std::vector<std::string> names{"none",    "syncookie", "fastopen",   "md5",      "refused",
                                         "timeout", "no_peer",   "table_full", "midstream"};
    for (std::uint32_t reason = 0; reason < names.size(); ++reason) {
        EXPECT_EQ(unprotected_reason_name(reason), names.at(reason));
    }
    EXPECT_EQ(unprotected_reason_name(HATCP_UNPROT_MAX + 1), "unknown(" + std::to_string(HATCP_UNPROT_MAX + 1) + ")");
    EXPECT_EQ(unprotected_reason_name(4294967295U), "unknown(4294967295)");
}

// Flows as a kernel without the data-path fields sends them: the JSON keys
// are those of before, and nothing is null.
TEST(Flow, JsonAndTextWithoutDataPathFields)
{
    const std::vector<Flow> flows{
        {Role::primary, Ipv4Address{be("192.0.2.7")}, 51234, Ipv4Address{be("10.0.0.10")}, 443, 1, true},
        {Role::replica, Ipv4Address{be("192.0.2.8")}, 40000, Ipv4Address{be("10.0.0.10")}, 80, 8, false},
    };
    EXPECT_EQ(flows_json(flows).dump(),
              R"([{"role":"primary","saddr":"192.0.2.7","sport":51234,"daddr":"10.0.0.10","dport":443,)"
              R"("state":"ESTABLISHED","protected":true},)"
              R"({"role":"replica","saddr":"192.0.2.8","sport":40000,"daddr":"10.0.0.10","dport":80,)"
              R"("state":"CLOSE_WAIT","protected":false}])");
    EXPECT_EQ(flows_text(flows),
              "Role       Client                   Service               State        Protected        Held/Queued\n"
              "primary    192.0.2.7:51234       -> 10.0.0.10:443         ESTABLISHED  yes              -\n"
              "replica    192.0.2.8:40000       -> 10.0.0.10:80          CLOSE_WAIT   no               -\n");
}

Flow primary_flow()
{
    Flow flow{Role::primary, Ipv4Address{be("192.0.2.7")}, 51234, Ipv4Address{be("10.0.0.10")}, 443, 1, true};
    flow.unprotected_reason = HATCP_UNPROT_NONE;
    flow.held_segs = 3;
    flow.held_bytes = 4200;
    flow.snd_una = 1000;
    flow.snd_nxt = 2000;
    flow.rcv_nxt = 4294967295U;
    flow.tsval = 0;
    return flow;
}

Flow replica_flow()
{
    Flow flow{Role::replica, Ipv4Address{be("192.0.2.8")}, 40000, Ipv4Address{be("10.0.0.10")}, 80, 1, true};
    flow.unprotected_reason = HATCP_UNPROT_NONE;
    flow.queued_segs = 2;
    flow.queued_bytes = 1000;
    flow.lag_bytes = 10;
    return flow;
}

TEST(Flow, JsonWithDataPathFields)
{
    EXPECT_EQ(flow_json(primary_flow()).dump(),
              R"({"role":"primary","saddr":"192.0.2.7","sport":51234,"daddr":"10.0.0.10","dport":443,)"
              R"("state":"ESTABLISHED","protected":true,"unprotected_reason":"none","held_segs":3,)"
              R"("held_bytes":4200,"snd_una":1000,"snd_nxt":2000,"rcv_nxt":4294967295,"tsval":0})");
    EXPECT_EQ(flow_json(replica_flow()).dump(),
              R"({"role":"replica","saddr":"192.0.2.8","sport":40000,"daddr":"10.0.0.10","dport":80,)"
              R"("state":"ESTABLISHED","protected":true,"unprotected_reason":"none","queued_segs":2,)"
              R"("queued_bytes":1000,"lag_bytes":10})");
}

TEST(Flow, EveryFieldInJsonInUapiOrder)
{
    Flow flow = replica_flow();
    flow.held_segs = 1;
    flow.held_bytes = 2;
    flow.snd_una = 3;
    flow.snd_nxt = 4;
    flow.rcv_nxt = 5;
    flow.tsval = 6;
    const Json json = flow_json(flow);
    std::vector<std::string> keys;
    for (const auto& [key, value] : json.items()) {
        keys.push_back(key);
        EXPECT_FALSE(value.is_null()) << key;
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"role", "saddr", "sport", "daddr", "dport", "state", "protected",
                                              "unprotected_reason", "held_segs", "held_bytes", "queued_segs",
                                              "queued_bytes", "lag_bytes", "snd_una", "snd_nxt", "rcv_nxt",
                                              "tsval"}));
}

TEST(Flow, UnprotectedWithReasonKnownAndUnknown)
{
    Flow flow{Role::primary, Ipv4Address{be("192.0.2.9")}, 1024, Ipv4Address{be("10.0.0.10")}, 443, 3, false};
    flow.unprotected_reason = HATCP_UNPROT_SYNCOOKIE;
    EXPECT_EQ(flow_json(flow)["unprotected_reason"], "syncookie");
    EXPECT_EQ(flows_text({flow}),
              "Role       Client                   Service               State        Protected        Held/Queued\n"
              "primary    192.0.2.9:1024        -> 10.0.0.10:443         SYN_RECV     no (syncookie)   -\n");
    EXPECT_EQ(flow_words(flow),
              "role primary client 192.0.2.9:1024 service 10.0.0.10:443 state SYN_RECV reason syncookie");

    flow.unprotected_reason = 42;
    EXPECT_EQ(flow_json(flow)["unprotected_reason"], "unknown(42)");
    EXPECT_EQ(flow_words(flow),
              "role primary client 192.0.2.9:1024 service 10.0.0.10:443 state SYN_RECV reason unknown(42)");

    flow.unprotected_reason.reset();
    EXPECT_FALSE(flow_json(flow).contains("unprotected_reason"));
    EXPECT_EQ(flow_words(flow), "role primary client 192.0.2.9:1024 service 10.0.0.10:443 state SYN_RECV");
}

TEST(Flow, TextShowsHeldAndQueued)
{
    Flow unprotected{Role::replica, Ipv4Address{be("192.0.2.9")}, 1024, Ipv4Address{be("10.0.0.10")}, 80, 1, false};
    unprotected.unprotected_reason = HATCP_UNPROT_TABLE_FULL;
    Flow held_segs_only = primary_flow();
    held_segs_only.held_bytes.reset();
    EXPECT_EQ(flows_text({primary_flow(), replica_flow(), unprotected, held_segs_only}),
              "Role       Client                   Service               State        Protected        Held/Queued\n"
              "primary    192.0.2.7:51234       -> 10.0.0.10:443         ESTABLISHED  yes              "
              "held 3 segs 4200 B\n"
              "replica    192.0.2.8:40000       -> 10.0.0.10:80          ESTABLISHED  yes              "
              "queued 2 segs 1000 B, lag 10 B\n"
              "replica    192.0.2.9:1024        -> 10.0.0.10:80          ESTABLISHED  no (table_full)  -\n"
              "primary    192.0.2.7:51234       -> 10.0.0.10:443         ESTABLISHED  yes              held 3 segs\n");
}

TEST(Flow, EmptyList)
{
    EXPECT_EQ(flows_json({}).dump(), "[]");
    EXPECT_EQ(flows_text({}),
              "Role       Client                   Service               State        Protected        Held/Queued\n");
}

} // namespace
} // namespace hatcp
