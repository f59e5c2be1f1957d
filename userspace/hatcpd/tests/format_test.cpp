// SPDX-License-Identifier: GPL-2.0
// The objects' JSON and text forms, exactly as hatcpctl prints them.
#include <array>
#include <cstring>
#include <string>
#include <vector>

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
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(), R"({"local":"10.0.0.1","remote":"10.0.0.2","dev":"eth1","port":7471,"keyed":false})");
    EXPECT_EQ(peer_text(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 dev eth1 port 7471\n");
}

TEST(Peer, JsonAndTextWithoutDevice)
{
    const Peer peer{Ipv4Address{be("10.0.0.1")}, Ipv4Address{be("10.0.0.2")}, std::nullopt};
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(), R"({"local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":false})");
    EXPECT_EQ(peer_text(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 port 7471\n");
}

TEST(Peer, PortAndKeyedShown)
{
    const Peer peer{.local = Ipv4Address{be("10.0.0.1")},
                    .remote = Ipv4Address{be("10.0.0.2")},
                    .port = 9000,
                    .keyed = true};
    EXPECT_EQ(peer_json(peer, fake_device_name).dump(),
              R"({"local":"10.0.0.1","remote":"10.0.0.2","port":9000,"keyed":true})");
    EXPECT_EQ(peer_text(peer, fake_device_name), "local 10.0.0.1 remote 10.0.0.2 port 9000 keyed\n");
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

TEST(Stats, UnknownCounterByNumber)
{
    const Stats stats{{{HATCP_STATS_A_POLICIES, 1}, {40, 18446744073709551615ULL}}};
    EXPECT_EQ(stats_json(stats).dump(), R"({"policies":1,"attr_40":18446744073709551615})");
    EXPECT_EQ(stats_text(stats), "policies 1\nattr_40 18446744073709551615\n");
    EXPECT_EQ(counter_name(HATCP_STATS_A_MAX + 1), "attr_" + std::to_string(HATCP_STATS_A_MAX + 1));
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

TEST(Flow, JsonAndText)
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
    EXPECT_EQ(flows_text(flows), "State        Role       Local                 Peer                  Protected\n"
                                 "ESTABLISHED  primary    10.0.0.10:443         192.0.2.7:51234       yes\n"
                                 "CLOSE_WAIT   replica    10.0.0.10:80          192.0.2.8:40000       no\n");
}

TEST(Flow, EmptyList)
{
    EXPECT_EQ(flows_json({}).dump(), "[]");
    EXPECT_EQ(flows_text({}), "State        Role       Local                 Peer                  Protected\n");
}

} // namespace
} // namespace hatcp
