// SPDX-License-Identifier: GPL-2.0
// Replies and dump messages as the kernel sends them, including attributes
// that only a newer kernel knows, through the decoders.
#include <cstdint>
#include <optional>
#include <vector>

#include <gtest/gtest.h>
#include <linux/hatcp.h>

#include "genl_message.hpp"
#include "netlink/errors.hpp"
#include "netlink/replies.hpp"

namespace hatcp::netlink {
namespace {

using test::be;
using test::MessageBuilder;

// Attribute numbers no version of this hatcpctl knows.
constexpr int future_attr = 42;
constexpr int future_nested_attr = 200;

TEST(RoleReply, EachRole)
{
    for (const Role role : {Role::standalone, Role::primary, Role::replica}) {
        MessageBuilder message{HATCP_CMD_GET_ROLE};
        message.u32(HATCP_A_ROLE, static_cast<std::uint32_t>(role));
        EXPECT_EQ(decode_role_reply(message.header()), role);
    }
}

TEST(RoleReply, UnknownRoleIsKeptByNumber)
{
    MessageBuilder message{HATCP_CMD_GET_ROLE};
    message.u32(HATCP_A_ROLE, 9);
    EXPECT_EQ(role_name(decode_role_reply(message.header())), "role_9");
}

TEST(RoleReply, UnknownTopLevelAttributeIsIgnored)
{
    MessageBuilder message{HATCP_CMD_GET_ROLE};
    message.u64(future_attr, 1).u32(HATCP_A_ROLE, HATCP_ROLE_REPLICA).string(future_attr + 1, "new");
    EXPECT_EQ(decode_role_reply(message.header()), Role::replica);
}

TEST(RoleReply, MissingRoleIsAnError)
{
    const MessageBuilder message{HATCP_CMD_GET_ROLE};
    EXPECT_THROW(decode_role_reply(message.header()), ProtocolError);
}

TEST(RoleReply, WrongLengthIsAnError)
{
    MessageBuilder message{HATCP_CMD_GET_ROLE};
    message.u16(HATCP_A_ROLE, 1);
    EXPECT_THROW(decode_role_reply(message.header()), ProtocolError);
}

TEST(RoleReply, MessageShorterThanGenlHeaderIsAnError)
{
    const MessagePtr message{nlmsg_alloc_simple(test::test_family, 0)};
    EXPECT_THROW(decode_role_reply(nlmsg_hdr(message.get())), ProtocolError);
}

TEST(PeerReply, WithDevice)
{
    MessageBuilder message{HATCP_CMD_GET_PEER};
    message.begin(HATCP_A_PEER)
        .u32(HATCP_PEER_A_LOCAL_IPV4, be("10.0.0.1"))
        .u32(HATCP_PEER_A_REMOTE_IPV4, be("10.0.0.2"))
        .u32(HATCP_PEER_A_IFINDEX, 3)
        .end();
    EXPECT_EQ(decode_peer_reply(message.header()), (Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = 3}));
}

TEST(PeerReply, PortAndKeyed)
{
    MessageBuilder message{HATCP_CMD_GET_PEER};
    message.begin(HATCP_A_PEER)
        .u32(HATCP_PEER_A_LOCAL_IPV4, be("10.0.0.1"))
        .u32(HATCP_PEER_A_REMOTE_IPV4, be("10.0.0.2"))
        .u16(HATCP_PEER_A_PORT, 9000)
        .u8(HATCP_PEER_A_KEYED, 1)
        .end();
    const auto peer = decode_peer_reply(message.header());
    ASSERT_TRUE(peer);
    EXPECT_EQ(peer->port, 9000);
    EXPECT_TRUE(peer->keyed);
    EXPECT_FALSE(peer->key);
}

// REACHABLE and ROLE, each sent or not, as the peer comes and goes.
TEST(PeerReply, ReachableAndRole)
{
    struct Case {
        std::optional<std::uint8_t> reachable;
        std::optional<std::uint32_t> role;
        bool want_reachable = false;
        std::optional<Role> want_role;
    };
    for (const Case& sent : {
             Case{1, HATCP_ROLE_REPLICA, true, Role::replica},
             Case{0, HATCP_ROLE_PRIMARY, false, Role::primary},   // lost: the role its last heartbeat stated
             Case{0, std::nullopt, false, std::nullopt},          // before the first heartbeat
             Case{std::nullopt, std::nullopt, false, std::nullopt}, // a module that says neither
             Case{1, 9, true, static_cast<Role>(9)},              // a newer role, kept by number
         }) {
        MessageBuilder message{HATCP_CMD_GET_PEER};
        test::begin_peer(message);
        if (sent.reachable) {
            message.u8(HATCP_PEER_A_REACHABLE, *sent.reachable);
        }
        if (sent.role) {
            message.u32(HATCP_PEER_A_ROLE, *sent.role);
        }
        message.end();
        const auto peer = decode_peer_reply(message.header());
        ASSERT_TRUE(peer);
        EXPECT_EQ(peer->reachable, sent.want_reachable);
        EXPECT_EQ(peer->role, sent.want_role);
    }
}

TEST(PeerReply, WrongLengthRoleIsAnError)
{
    MessageBuilder message{HATCP_CMD_GET_PEER};
    test::begin_peer(message).u8(HATCP_PEER_A_ROLE, HATCP_ROLE_REPLICA).end();
    EXPECT_THROW(decode_peer_reply(message.header()), ProtocolError);
}

TEST(PeerReply, AbsentMeansNoPeer)
{
    const MessageBuilder message{HATCP_CMD_GET_PEER};
    EXPECT_EQ(decode_peer_reply(message.header()), std::nullopt);
}

TEST(PeerReply, UnknownNestedAttributeIsIgnored)
{
    MessageBuilder message{HATCP_CMD_GET_PEER};
    message.begin(HATCP_A_PEER)
        .u32(future_nested_attr, 99)
        .u32(HATCP_PEER_A_LOCAL_IPV4, be("10.0.0.1"))
        .u32(HATCP_PEER_A_REMOTE_IPV4, be("10.0.0.2"))
        .bytes(future_nested_attr + 1, {1, 2, 3})
        .end();
    EXPECT_EQ(decode_peer_reply(message.header()),
              (Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = std::nullopt}));
}

TEST(PeerReply, MissingRemoteIsAnError)
{
    MessageBuilder message{HATCP_CMD_GET_PEER};
    message.begin(HATCP_A_PEER).u32(HATCP_PEER_A_LOCAL_IPV4, be("10.0.0.1")).end();
    EXPECT_THROW(decode_peer_reply(message.header()), ProtocolError);
}

TEST(PeerReply, ShortAddressIsAnError)
{
    MessageBuilder message{HATCP_CMD_GET_PEER};
    message.begin(HATCP_A_PEER)
        .bytes(HATCP_PEER_A_LOCAL_IPV4, {10, 0, 0})
        .u32(HATCP_PEER_A_REMOTE_IPV4, be("10.0.0.2"))
        .end();
    EXPECT_THROW(decode_peer_reply(message.header()), ProtocolError);
}

// A dump is one message per policy; decode each as the exchange does.
TEST(PolicyDump, MessagesWithUnknownAttributes)
{
    std::vector<MessageBuilder> parts;
    parts.emplace_back(HATCP_CMD_GET_POLICY, test::test_family, NLM_F_MULTI);
    parts.back().begin(HATCP_A_POLICY).u16(HATCP_POLICY_A_PORT, 80).u32(future_nested_attr, 5).end();
    parts.emplace_back(HATCP_CMD_GET_POLICY, test::test_family, NLM_F_MULTI);
    parts.back()
        .u32(future_attr, 1)
        .begin(HATCP_A_POLICY)
        .u32(HATCP_POLICY_A_ADDR_IPV4, be("10.0.0.10"))
        .u16(HATCP_POLICY_A_PORT, 443)
        .end();

    std::vector<Policy> policies;
    policies.reserve(parts.size());
    for (const MessageBuilder& part : parts) {
        policies.push_back(decode_policy_message(part.header()));
    }
    EXPECT_EQ(policies, (std::vector<Policy>{{std::nullopt, 80}, {Ipv4Address{be("10.0.0.10")}, 443}}));
}

TEST(PolicyDump, MissingPortIsAnError)
{
    MessageBuilder message{HATCP_CMD_GET_POLICY};
    message.begin(HATCP_A_POLICY).u32(HATCP_POLICY_A_ADDR_IPV4, be("10.0.0.10")).end();
    EXPECT_THROW(decode_policy_message(message.header()), ProtocolError);
}

TEST(PolicyDump, MessageWithoutPolicyIsAnError)
{
    const MessageBuilder message{HATCP_CMD_GET_POLICY};
    EXPECT_THROW(decode_policy_message(message.header()), ProtocolError);
}

TEST(StatsReply, KnownCountersInOrderPaddingSkipped)
{
    MessageBuilder message{HATCP_CMD_GET_STATS};
    message.begin(HATCP_A_STATS)
        .u32(HATCP_STATS_A_POLICIES, 1)
        .u32(HATCP_STATS_A_FLOWS, 0)
        .bytes(HATCP_STATS_A_PAD, {})
        .u64(HATCP_STATS_A_ROLE_CHANGES, 2)
        .u64(HATCP_STATS_A_PROMOTIONS, 1)
        .u64(HATCP_STATS_A_DEMOTIONS, 0)
        .u64(HATCP_STATS_A_CONFIG_REJECTED, 3)
        .u64(HATCP_STATS_A_MALFORMED, 0x100000000ULL)
        .end();
    const Stats stats = decode_stats_reply(message.header());
    EXPECT_EQ(stats.counters, (std::vector<Counter>{{HATCP_STATS_A_POLICIES, 1},
                                                    {HATCP_STATS_A_FLOWS, 0},
                                                    {HATCP_STATS_A_ROLE_CHANGES, 2},
                                                    {HATCP_STATS_A_PROMOTIONS, 1},
                                                    {HATCP_STATS_A_DEMOTIONS, 0},
                                                    {HATCP_STATS_A_CONFIG_REJECTED, 3},
                                                    {HATCP_STATS_A_MALFORMED, 0x100000000ULL}}));
}

TEST(StatsReply, CountersFromANewerKernelAreKept)
{
    MessageBuilder message{HATCP_CMD_GET_STATS};
    message.begin(HATCP_A_STATS)
        .u32(HATCP_STATS_A_POLICIES, 4)
        .u64(future_nested_attr, 12)
        .u32(future_nested_attr + 1, 13)
        .bytes(future_nested_attr + 2, {1, 2, 3}) // not a number: skipped
        .end();
    const Stats stats = decode_stats_reply(message.header());
    EXPECT_EQ(
        stats.counters,
        (std::vector<Counter>{{HATCP_STATS_A_POLICIES, 4}, {future_nested_attr, 12}, {future_nested_attr + 1, 13}}));
}

TEST(StatsReply, DataPathCountersAndGaugesAsU64)
{
    MessageBuilder message{HATCP_CMD_GET_STATS};
    message.begin(HATCP_A_STATS);
    std::vector<Counter> expected;
    for (int attribute = HATCP_STATS_A_FLOWS_PROTECTED; attribute <= HATCP_STATS_A_REPL_SOURCE_FULL; ++attribute) {
        const std::uint64_t value = 0x100000000ULL * static_cast<std::uint64_t>(attribute) + 1;
        message.u64(attribute, value);
        expected.push_back({static_cast<std::uint16_t>(attribute), value});
    }
    message.end();
    const Stats stats = decode_stats_reply(message.header());
    EXPECT_EQ(stats.counters.size(), 54U);
    EXPECT_EQ(stats.counters, expected);
}

TEST(StatsReply, MissingStatsIsAnError)
{
    const MessageBuilder message{HATCP_CMD_GET_STATS};
    EXPECT_THROW(decode_stats_reply(message.header()), ProtocolError);
}

TEST(FlowDump, AllAttributesAndUnknownOnes)
{
    MessageBuilder message{HATCP_CMD_GET_FLOW, test::test_family, NLM_F_MULTI};
    message.begin(HATCP_A_FLOW)
        .u32(HATCP_FLOW_A_ROLE, HATCP_ROLE_PRIMARY)
        .u32(HATCP_FLOW_A_SADDR_IPV4, be("192.0.2.7"))
        .u32(HATCP_FLOW_A_DADDR_IPV4, be("10.0.0.10"))
        .u16(HATCP_FLOW_A_SPORT, 51234)
        .u16(HATCP_FLOW_A_DPORT, 443)
        .u32(HATCP_FLOW_A_STATE, 1)
        .u8(HATCP_FLOW_A_PROTECTED, 1)
        .u64(future_nested_attr, 77)
        .string(future_nested_attr + 1, "later")
        .end();
    const Flow expected{Role::primary, Ipv4Address{be("192.0.2.7")}, 51234, Ipv4Address{be("10.0.0.10")}, 443, 1, true};
    EXPECT_EQ(decode_flow_message(message.header()), expected);
}

TEST(FlowDump, AbsentAttributesKeepDefaults)
{
    MessageBuilder message{HATCP_CMD_GET_FLOW};
    message.begin(HATCP_A_FLOW).u16(HATCP_FLOW_A_DPORT, 80).u8(HATCP_FLOW_A_PROTECTED, 0).end();
    Flow expected;
    expected.dport = 80;
    EXPECT_EQ(decode_flow_message(message.header()), expected);
}

TEST(FlowDump, DataPathAttributes)
{
    MessageBuilder message{HATCP_CMD_GET_FLOW, test::test_family, NLM_F_MULTI};
    message.begin(HATCP_A_FLOW)
        .u32(HATCP_FLOW_A_ROLE, HATCP_ROLE_REPLICA)
        .u32(HATCP_FLOW_A_SADDR_IPV4, be("192.0.2.7"))
        .u32(HATCP_FLOW_A_DADDR_IPV4, be("10.0.0.10"))
        .u16(HATCP_FLOW_A_SPORT, 51234)
        .u16(HATCP_FLOW_A_DPORT, 443)
        .u32(HATCP_FLOW_A_STATE, 1)
        .u8(HATCP_FLOW_A_PROTECTED, 0)
        .u32(HATCP_FLOW_A_UNPROT_REASON, HATCP_UNPROT_MIDSTREAM)
        .u32(HATCP_FLOW_A_HELD_SEGS, 1)
        .u32(HATCP_FLOW_A_HELD_BYTES, 2)
        .u32(HATCP_FLOW_A_QUEUED_SEGS, 3)
        .u32(HATCP_FLOW_A_QUEUED_BYTES, 4)
        .u32(HATCP_FLOW_A_LAG_BYTES, 5)
        .u32(HATCP_FLOW_A_SND_UNA, 6)
        .u32(HATCP_FLOW_A_SND_NXT, 7)
        .u32(HATCP_FLOW_A_RCV_NXT, 8)
        .u32(HATCP_FLOW_A_TSVAL, 0xffffffffU)
        .end();
    Flow expected{Role::replica, Ipv4Address{be("192.0.2.7")}, 51234, Ipv4Address{be("10.0.0.10")}, 443, 1, false};
    expected.unprotected_reason = HATCP_UNPROT_MIDSTREAM;
    expected.held_segs = 1;
    expected.held_bytes = 2;
    expected.queued_segs = 3;
    expected.queued_bytes = 4;
    expected.lag_bytes = 5;
    expected.snd_una = 6;
    expected.snd_nxt = 7;
    expected.rcv_nxt = 8;
    expected.tsval = 0xffffffffU;
    EXPECT_EQ(decode_flow_message(message.header()), expected);
}

TEST(FlowDump, UnknownReasonKeepsItsNumberAndZeroIsNotAbsent)
{
    MessageBuilder message{HATCP_CMD_GET_FLOW};
    message.begin(HATCP_A_FLOW)
        .u32(HATCP_FLOW_A_UNPROT_REASON, 77)
        .u32(HATCP_FLOW_A_HELD_SEGS, 0)
        .u32(HATCP_FLOW_A_HELD_BYTES, 0)
        .end();
    const Flow flow = decode_flow_message(message.header());
    EXPECT_EQ(flow.unprotected_reason, 77U);
    EXPECT_EQ(flow.held_segs, 0U);
    EXPECT_EQ(flow.held_bytes, 0U);
    EXPECT_EQ(flow.queued_segs, std::nullopt);
    EXPECT_EQ(flow.lag_bytes, std::nullopt);
    EXPECT_EQ(flow.tsval, std::nullopt);
}

TEST(FlowDump, DataPathAttributeOfWrongLengthIsAnError)
{
    for (const int type : {HATCP_FLOW_A_UNPROT_REASON, HATCP_FLOW_A_HELD_SEGS, HATCP_FLOW_A_LAG_BYTES,
                           HATCP_FLOW_A_TSVAL}) {
        MessageBuilder message{HATCP_CMD_GET_FLOW};
        message.begin(HATCP_A_FLOW).u64(type, 1).end();
        EXPECT_THROW(decode_flow_message(message.header()), ProtocolError) << type;
    }
}

TEST(FlowDump, WrongLengthIsAnError)
{
    MessageBuilder message{HATCP_CMD_GET_FLOW};
    message.begin(HATCP_A_FLOW).u32(HATCP_FLOW_A_SPORT, 80).end();
    EXPECT_THROW(decode_flow_message(message.header()), ProtocolError);
}

} // namespace
} // namespace hatcp::netlink
