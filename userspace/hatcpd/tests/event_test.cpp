// SPDX-License-Identifier: GPL-2.0
// Events: decoding from crafted multicast messages, and their JSON and text.
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/hatcp.h>
#include <nlohmann/json.hpp>

#include "genl_message.hpp"
#include "model/event.hpp"
#include "netlink/ctrl_codec.hpp"
#include "netlink/errors.hpp"
#include "netlink/event_codec.hpp"

namespace hatcp {
namespace {

using netlink::decode_event_message;
using test::be;
using test::MessageBuilder;

std::string fake_device_name(std::uint32_t ifindex)
{
    return "dev" + std::to_string(ifindex);
}

TEST(EventDecode, RoleChanged)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_ROLE_CHANGED)
        .u32(HATCP_A_ROLE, HATCP_ROLE_PRIMARY)
        .u32(HATCP_A_OLD_ROLE, HATCP_ROLE_REPLICA);
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_EQ(*event, (Event{HATCP_EVENT_ROLE_CHANGED, Role::primary, Role::replica, std::nullopt, std::nullopt}));
    EXPECT_EQ(event_json(*event, fake_device_name).dump(),
              R"({"event":"role_changed","role":"primary","old_role":"replica"})");
    EXPECT_EQ(event_text(*event, fake_device_name), "role_changed role primary old_role replica");
}

TEST(EventDecode, PeerChanged)
{
    // Set just now: no heartbeat yet, so no ROLE.
    MessageBuilder message{HATCP_CMD_EVENT};
    test::begin_peer(message.u32(HATCP_A_EVENT, HATCP_EVENT_PEER_CHANGED))
        .u32(HATCP_PEER_A_IFINDEX, 4)
        .u8(HATCP_PEER_A_REACHABLE, 0)
        .end();
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    ASSERT_TRUE(event->peer);
    EXPECT_EQ(event->peer->role, std::nullopt);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(),
              R"({"event":"peer_changed","local":"10.0.0.1","remote":"10.0.0.2","dev":"dev4","port":7471,"keyed":false,)"
              R"("reachable":false})");
    EXPECT_EQ(event_text(*event, fake_device_name),
              "peer_changed local 10.0.0.1 remote 10.0.0.2 dev dev4 port 7471 reachable no role unknown");
}

TEST(EventDecode, PeerDeleted)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_PEER_CHANGED);
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_FALSE(event->peer);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(), R"({"event":"peer_changed"})");
    EXPECT_EQ(event_text(*event, fake_device_name), "peer_changed none");
}

TEST(EventDecode, PolicyAddedForAnyAddress)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_POLICY_ADDED).begin(HATCP_A_POLICY).u16(HATCP_POLICY_A_PORT, 80).end();
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(), R"({"event":"policy_added","port":80})");
    EXPECT_EQ(event_text(*event, fake_device_name), "policy_added port 80");
}

TEST(EventDecode, PolicyDeletedWithAddress)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_POLICY_DELETED)
        .begin(HATCP_A_POLICY)
        .u32(HATCP_POLICY_A_ADDR_IPV4, be("10.0.0.10"))
        .u16(HATCP_POLICY_A_PORT, 80)
        .end();
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(),
              R"({"event":"policy_deleted","addr":"10.0.0.10","port":80})");
    EXPECT_EQ(event_text(*event, fake_device_name), "policy_deleted addr 10.0.0.10 port 80");
}

TEST(EventDecode, UnknownEventKeepsItsNumberAndDropsTheRest)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, 17).u32(HATCP_A_ROLE, HATCP_ROLE_PRIMARY).u64(42, 1);
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_EQ(event->type, 17U);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(), R"({"event":"event_17"})");
    EXPECT_EQ(event_text(*event, fake_device_name), "event_17");
}

TEST(EventDecode, UnknownAttributesAreIgnored)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(42, 5)
        .u32(HATCP_A_EVENT, HATCP_EVENT_ROLE_CHANGED)
        .u32(HATCP_A_ROLE, HATCP_ROLE_STANDALONE)
        .u32(HATCP_A_OLD_ROLE, HATCP_ROLE_PRIMARY);
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(),
              R"({"event":"role_changed","role":"standalone","old_role":"primary"})");
}

TEST(EventDecode, OtherCommandsAreNotEvents)
{
    MessageBuilder message{HATCP_CMD_GET_ROLE};
    message.u32(HATCP_A_ROLE, HATCP_ROLE_PRIMARY);
    EXPECT_EQ(decode_event_message(message.header()), std::nullopt);
}

TEST(EventDecode, EventWithoutTypeIsAnError)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_ROLE, HATCP_ROLE_PRIMARY);
    EXPECT_THROW(decode_event_message(message.header()), netlink::ProtocolError);
}

TEST(EventDecode, PeerReachabilityCarriesThePeer)
{
    for (const std::uint32_t type : {HATCP_EVENT_PEER_REACHABLE, HATCP_EVENT_PEER_UNREACHABLE}) {
        const bool reachable = type == HATCP_EVENT_PEER_REACHABLE;
        MessageBuilder message{HATCP_CMD_EVENT};
        test::begin_peer(message.u32(HATCP_A_EVENT, type))
            .u16(HATCP_PEER_A_PORT, 7471)
            .u8(HATCP_PEER_A_KEYED, 1)
            .u8(HATCP_PEER_A_REACHABLE, reachable ? 1 : 0)
            .u32(HATCP_PEER_A_ROLE, HATCP_ROLE_REPLICA)
            .end();
        const auto event = decode_event_message(message.header());
        ASSERT_TRUE(event);
        ASSERT_TRUE(event->peer);
        EXPECT_EQ(event->peer->reachable, reachable);
        EXPECT_EQ(event->peer->role, Role::replica);
        const std::string name = event_name(type);
        EXPECT_EQ(event_json(*event, fake_device_name).dump(),
                  fmt::format(R"({{"event":"{}","local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":true,)"
                              R"("reachable":{},"role":"replica"}})",
                              name, reachable));
        EXPECT_EQ(event_text(*event, fake_device_name),
                  fmt::format("{} local 10.0.0.1 remote 10.0.0.2 port 7471 keyed reachable {} role replica", name,
                              reachable ? "yes" : "no"));
    }
}

TEST(EventDecode, FlowUnprotectedCarriesTheFlow)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_FLOW_UNPROTECTED)
        .begin(HATCP_A_FLOW)
        .u32(HATCP_FLOW_A_ROLE, HATCP_ROLE_PRIMARY)
        .u32(HATCP_FLOW_A_SADDR_IPV4, be("192.0.2.7"))
        .u32(HATCP_FLOW_A_DADDR_IPV4, be("10.0.0.10"))
        .u16(HATCP_FLOW_A_SPORT, 51234)
        .u16(HATCP_FLOW_A_DPORT, 443)
        .u32(HATCP_FLOW_A_STATE, 12)
        .u8(HATCP_FLOW_A_PROTECTED, 0)
        .u32(HATCP_FLOW_A_UNPROT_REASON, HATCP_UNPROT_SYNCOOKIE)
        .end();
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    ASSERT_TRUE(event->flow);
    EXPECT_EQ(event->flow->unprotected_reason, HATCP_UNPROT_SYNCOOKIE);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(),
              R"({"event":"flow_unprotected","role":"primary","saddr":"192.0.2.7","sport":51234,)"
              R"("daddr":"10.0.0.10","dport":443,"state":"NEW_SYN_RECV","protected":false,)"
              R"("unprotected_reason":"syncookie"})");
    EXPECT_EQ(event_text(*event, fake_device_name),
              "flow_unprotected role primary client 192.0.2.7:51234 service 10.0.0.10:443 state NEW_SYN_RECV "
              "reason syncookie");
}

TEST(EventDecode, FlowUnprotectedWithUnknownReason)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_FLOW_UNPROTECTED)
        .begin(HATCP_A_FLOW)
        .u32(HATCP_FLOW_A_SADDR_IPV4, be("192.0.2.8"))
        .u16(HATCP_FLOW_A_SPORT, 1024)
        .u32(HATCP_FLOW_A_DADDR_IPV4, be("10.0.0.10"))
        .u16(HATCP_FLOW_A_DPORT, 80)
        .u32(HATCP_FLOW_A_UNPROT_REASON, 99)
        .end();
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_EQ(event_json(*event, fake_device_name)["unprotected_reason"], "unknown(99)");
    EXPECT_EQ(event_text(*event, fake_device_name),
              "flow_unprotected role standalone client 192.0.2.8:1024 service 10.0.0.10:80 state STATE_0 "
              "reason unknown(99)");
}

TEST(EventDecode, FlowUnprotectedWithoutFlowIsOnlyItsName)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_FLOW_UNPROTECTED);
    const auto event = decode_event_message(message.header());
    ASSERT_TRUE(event);
    EXPECT_FALSE(event->flow);
    EXPECT_EQ(event_json(*event, fake_device_name).dump(), R"({"event":"flow_unprotected"})");
    EXPECT_EQ(event_text(*event, fake_device_name), "flow_unprotected");
}

TEST(EventDecode, FlowUnprotectedWithMalformedFlowIsAnError)
{
    MessageBuilder message{HATCP_CMD_EVENT};
    message.u32(HATCP_A_EVENT, HATCP_EVENT_FLOW_UNPROTECTED)
        .begin(HATCP_A_FLOW)
        .u16(HATCP_FLOW_A_UNPROT_REASON, 1)
        .end();
    EXPECT_THROW(decode_event_message(message.header()), netlink::ProtocolError);
}

TEST(EventNames, KnownAndUnknown)
{
    EXPECT_EQ(event_name(HATCP_EVENT_ROLE_CHANGED), "role_changed");
    EXPECT_EQ(event_name(HATCP_EVENT_PEER_CHANGED), "peer_changed");
    EXPECT_EQ(event_name(HATCP_EVENT_POLICY_ADDED), "policy_added");
    EXPECT_EQ(event_name(HATCP_EVENT_POLICY_DELETED), "policy_deleted");
    EXPECT_EQ(event_name(0), "event_0");
    EXPECT_EQ(event_name(HATCP_EVENT_PEER_REACHABLE), "peer_reachable");
    EXPECT_EQ(event_name(HATCP_EVENT_PEER_UNREACHABLE), "peer_unreachable");
    EXPECT_EQ(event_name(HATCP_EVENT_FLOW_UNPROTECTED), "flow_unprotected");
    EXPECT_EQ(event_name(HATCP_EVENT_MAX + 1), "event_" + std::to_string(HATCP_EVENT_MAX + 1));
}

TEST(FamilyRemoval, DelFamilyOfHatcp)
{
    MessageBuilder message{CTRL_CMD_DELFAMILY, GENL_ID_CTRL};
    message.u16(CTRL_ATTR_FAMILY_ID, 0x1d).string(CTRL_ATTR_FAMILY_NAME, "hatcp");
    EXPECT_TRUE(netlink::is_family_removal(message.header(), "hatcp"));
}

TEST(FamilyRemoval, OtherFamilyOrCommandOrSender)
{
    MessageBuilder other_family{CTRL_CMD_DELFAMILY, GENL_ID_CTRL};
    other_family.string(CTRL_ATTR_FAMILY_NAME, "hatcpx");
    EXPECT_FALSE(netlink::is_family_removal(other_family.header(), "hatcp"));

    MessageBuilder new_family{CTRL_CMD_NEWFAMILY, GENL_ID_CTRL};
    new_family.string(CTRL_ATTR_FAMILY_NAME, "hatcp");
    EXPECT_FALSE(netlink::is_family_removal(new_family.header(), "hatcp"));

    MessageBuilder not_ctrl{CTRL_CMD_DELFAMILY, test::test_family};
    not_ctrl.string(CTRL_ATTR_FAMILY_NAME, "hatcp");
    EXPECT_FALSE(netlink::is_family_removal(not_ctrl.header(), "hatcp"));

    const MessageBuilder no_name{CTRL_CMD_DELFAMILY, GENL_ID_CTRL};
    EXPECT_FALSE(netlink::is_family_removal(no_name.header(), "hatcp"));
}

} // namespace
} // namespace hatcp
