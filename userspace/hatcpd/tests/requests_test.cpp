// SPDX-License-Identifier: GPL-2.0
// Every request, built and then parsed back attribute by attribute.
#include <array>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/hatcp.h>
#include <netlink/genl/genl.h>

#include "genl_message.hpp"
#include "netlink/attribute_io.hpp"
#include "netlink/peer_codec.hpp"
#include "netlink/policy_codec.hpp"
#include "netlink/requests.hpp"
#include "netlink/role_codec.hpp"

namespace hatcp::netlink {
namespace {

using test::be;
using test::test_family;

const genlmsghdr& genl_header(const MessagePtr& message)
{
    return *static_cast<const genlmsghdr*>(nlmsg_data(nlmsg_hdr(message.get())));
}

// The types of the top-level attributes, in order.
std::vector<int> attribute_types(const MessagePtr& message)
{
    std::vector<int> types;
    auto* header = static_cast<genlmsghdr*>(nlmsg_data(nlmsg_hdr(message.get())));
    int remaining = genlmsg_attrlen(header, 0);
    for (nlattr* attr = genlmsg_attrdata(header, 0); nla_ok(attr, remaining) != 0; attr = nla_next(attr, &remaining)) {
        types.push_back(attr->nla_type);
    }
    return types;
}

// The raw bytes of an attribute, to check byte order.
std::vector<std::uint8_t> payload(const nlattr* attr)
{
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(nla_len(attr)));
    std::memcpy(bytes.data(), nla_data(attr), bytes.size());
    return bytes;
}

void expect_header(const MessagePtr& message, std::uint8_t command, int flags)
{
    const nlmsghdr* header = nlmsg_hdr(message.get());
    EXPECT_EQ(header->nlmsg_type, test_family);
    EXPECT_EQ(header->nlmsg_flags, flags);
    EXPECT_EQ(genl_header(message).cmd, command);
    EXPECT_EQ(genl_header(message).version, HATCP_GENL_VERSION);
    EXPECT_EQ(genl_header(message).reserved, 0);
}

// Test names: the uapi's command names.
std::string command_name(const testing::TestParamInfo<std::uint8_t>& info)
{
    static const std::array<const char*, HATCP_CMD_MAX + 1> names{
        "UNSPEC",     "GET_ROLE",   "SET_ROLE",  "GET_PEER", "SET_PEER", "DEL_PEER", "ADD_POLICY",
        "DEL_POLICY", "GET_POLICY", "GET_STATS", "GET_FLOW", "PROMOTE",  "DEMOTE",   "EVENT",
        "MIGRATE"};
    return names.at(info.param);
}

class CommandWithoutAttributes : public testing::TestWithParam<std::uint8_t> {};

TEST_P(CommandWithoutAttributes, IsAnAcknowledgedRequestWithNoAttributes)
{
    const MessagePtr message = build_command(test_family, GetParam());
    expect_header(message, GetParam(), NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_TRUE(attribute_types(message).empty());
}

INSTANTIATE_TEST_SUITE_P(Requests, CommandWithoutAttributes,
                         testing::Values(HATCP_CMD_GET_ROLE, HATCP_CMD_GET_PEER, HATCP_CMD_DEL_PEER,
                                         HATCP_CMD_GET_STATS, HATCP_CMD_PROMOTE, HATCP_CMD_DEMOTE,
                                         HATCP_CMD_MIGRATE),
                         command_name);

class DumpCommand : public testing::TestWithParam<std::uint8_t> {};

TEST_P(DumpCommand, IsADumpRequest)
{
    const MessagePtr message = build_dump(test_family, GetParam());
    expect_header(message, GetParam(), NLM_F_REQUEST | NLM_F_DUMP);
    EXPECT_TRUE(attribute_types(message).empty());
}

INSTANTIATE_TEST_SUITE_P(Requests, DumpCommand, testing::Values(HATCP_CMD_GET_POLICY, HATCP_CMD_GET_FLOW),
                         command_name);

class SetRole : public testing::TestWithParam<Role> {};

TEST_P(SetRole, CarriesTheRoleAsU32)
{
    const MessagePtr message = build_set_role(test_family, GetParam());
    expect_header(message, HATCP_CMD_SET_ROLE, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(attribute_types(message), std::vector<int>{HATCP_A_ROLE});
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_ROLE], nullptr);
    EXPECT_EQ(nla_len(table[HATCP_A_ROLE]), 4);
    EXPECT_EQ(nla_get_u32(table[HATCP_A_ROLE]), static_cast<std::uint32_t>(GetParam()));
    EXPECT_EQ(read_role(table[HATCP_A_ROLE], "role"), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Requests, SetRole, testing::Values(Role::standalone, Role::primary, Role::replica),
                         [](const testing::TestParamInfo<Role>& info) { return role_name(info.param); });

TEST(SetPeer, RoundTripWithDevice)
{
    const Peer peer{Ipv4Address{be("10.0.0.1")}, Ipv4Address{be("10.0.0.2")}, 7};
    const MessagePtr message = build_set_peer(test_family, peer);
    expect_header(message, HATCP_CMD_SET_PEER, NLM_F_REQUEST | NLM_F_ACK);
    // The kernel's strict validation wants NLA_F_NESTED on nests.
    EXPECT_EQ(attribute_types(message), std::vector<int>{HATCP_A_PEER | NLA_F_NESTED});
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_PEER], nullptr);
    EXPECT_EQ(read_peer(table[HATCP_A_PEER]), peer);

    const auto nest = parse_nested<HATCP_PEER_A_MAX>(table[HATCP_A_PEER], "peer");
    EXPECT_EQ(payload(nest[HATCP_PEER_A_LOCAL_IPV4]), (std::vector<std::uint8_t>{10, 0, 0, 1})); // be32
    EXPECT_EQ(payload(nest[HATCP_PEER_A_REMOTE_IPV4]), (std::vector<std::uint8_t>{10, 0, 0, 2}));
    EXPECT_EQ(nla_get_u32(nest[HATCP_PEER_A_IFINDEX]), 7U);
}

TEST(SetPeer, PortAndKeyAreSentKeyedIsNot)
{
    Peer peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .port = 9000};
    peer.key = ChannelKey{};
    peer.key->fill(0xab);
    peer.keyed = true; // output only: must not reach the kernel
    const MessagePtr message = build_set_peer(test_family, peer);
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_PEER], nullptr);
    const auto nest = parse_nested<HATCP_PEER_A_MAX>(table[HATCP_A_PEER], "peer");
    ASSERT_NE(nest[HATCP_PEER_A_PORT], nullptr);
    EXPECT_EQ(nla_get_u16(nest[HATCP_PEER_A_PORT]), 9000U);
    ASSERT_NE(nest[HATCP_PEER_A_KEY], nullptr);
    EXPECT_EQ(payload(nest[HATCP_PEER_A_KEY]), std::vector<std::uint8_t>(HATCP_KEY_LEN, 0xab));
    EXPECT_EQ(nest[HATCP_PEER_A_KEYED], nullptr);
}

TEST(SetPeer, InsecureNoKeyIsAFlagBothWays)
{
    Peer peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}};
    peer.insecure_no_key = true;
    const MessagePtr message = build_set_peer(test_family, peer);
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_PEER], nullptr);
    const auto nest = parse_nested<HATCP_PEER_A_MAX>(table[HATCP_A_PEER], "peer");
    ASSERT_NE(nest[HATCP_PEER_A_INSECURE_NO_KEY], nullptr);
    EXPECT_EQ(nla_len(nest[HATCP_PEER_A_INSECURE_NO_KEY]), 0);
    EXPECT_EQ(nest[HATCP_PEER_A_KEY], nullptr);
    EXPECT_TRUE(read_peer(table[HATCP_A_PEER]).insecure_no_key);
    // Absent: not set.
    const MessagePtr plain = build_set_peer(test_family, Peer{.local = peer.local, .remote = peer.remote});
    const auto plain_table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(plain.get()));
    EXPECT_FALSE(read_peer(plain_table[HATCP_A_PEER]).insecure_no_key);
}

TEST(SetPeer, ReachableAndRoleAreNeverSent)
{
    Peer peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}};
    peer.reachable = true;    // output only
    peer.role = Role::replica; // output only
    const MessagePtr message = build_set_peer(test_family, peer);
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_PEER], nullptr);
    const auto nest = parse_nested<HATCP_PEER_A_MAX>(table[HATCP_A_PEER], "peer");
    EXPECT_EQ(nest[HATCP_PEER_A_REACHABLE], nullptr);
    EXPECT_EQ(nest[HATCP_PEER_A_ROLE], nullptr);
}

TEST(SetPeer, NoKeyNoKeyAttributeDefaultPort)
{
    const Peer peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}};
    const MessagePtr message = build_set_peer(test_family, peer);
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    const auto nest = parse_nested<HATCP_PEER_A_MAX>(table[HATCP_A_PEER], "peer");
    EXPECT_EQ(nest[HATCP_PEER_A_KEY], nullptr);
    ASSERT_NE(nest[HATCP_PEER_A_PORT], nullptr);
    EXPECT_EQ(nla_get_u16(nest[HATCP_PEER_A_PORT]), HATCP_CHANNEL_PORT);
}

TEST(SetPeer, RoundTripWithoutDevice)
{
    const Peer peer{Ipv4Address{be("192.0.2.1")}, Ipv4Address{be("198.51.100.2")}, std::nullopt};
    const MessagePtr message = build_set_peer(test_family, peer);
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_PEER], nullptr);
    EXPECT_EQ(read_peer(table[HATCP_A_PEER]), peer);
    const auto nest = parse_nested<HATCP_PEER_A_MAX>(table[HATCP_A_PEER], "peer");
    EXPECT_EQ(nest[HATCP_PEER_A_IFINDEX], nullptr);
}

struct PolicyCase {
    const char* name;
    bool add;
    Policy policy;
};

void PrintTo(const PolicyCase& policy_case, std::ostream* out)
{
    *out << policy_case.name;
}

class PolicyRequest : public testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyRequest, RoundTrip)
{
    const auto& [name, add, policy] = GetParam();
    const MessagePtr message = add ? build_add_policy(test_family, policy) : build_del_policy(test_family, policy);
    expect_header(message, add ? HATCP_CMD_ADD_POLICY : HATCP_CMD_DEL_POLICY, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(attribute_types(message), std::vector<int>{HATCP_A_POLICY | NLA_F_NESTED});
    const auto table = parse_genl_message<HATCP_A_MAX>(nlmsg_hdr(message.get()));
    ASSERT_NE(table[HATCP_A_POLICY], nullptr);
    EXPECT_EQ(read_policy(table[HATCP_A_POLICY]), policy);

    const auto nest = parse_nested<HATCP_POLICY_A_MAX>(table[HATCP_A_POLICY], "policy");
    ASSERT_NE(nest[HATCP_POLICY_A_PORT], nullptr);
    EXPECT_EQ(nla_len(nest[HATCP_POLICY_A_PORT]), 2);
    EXPECT_EQ(nla_get_u16(nest[HATCP_POLICY_A_PORT]), policy.port); // host order
    if (policy.addr) {
        ASSERT_NE(nest[HATCP_POLICY_A_ADDR_IPV4], nullptr);
        EXPECT_EQ(nla_get_u32(nest[HATCP_POLICY_A_ADDR_IPV4]), policy.addr->network_order);
    } else {
        EXPECT_EQ(nest[HATCP_POLICY_A_ADDR_IPV4], nullptr); // any address: no attribute at all
    }
}

INSTANTIATE_TEST_SUITE_P(Requests, PolicyRequest,
                         testing::Values(PolicyCase{"AddAnyAddress", true, Policy{std::nullopt, 80}},
                                         PolicyCase{"AddOneAddress", true, Policy{Ipv4Address{be("10.0.0.10")}, 443}},
                                         PolicyCase{"DelAnyAddress", false, Policy{std::nullopt, 65535}},
                                         PolicyCase{"DelOneAddress", false, Policy{Ipv4Address{be("192.0.2.10")}, 1}}),
                         [](const testing::TestParamInfo<PolicyCase>& info) { return std::string{info.param.name}; });

} // namespace
} // namespace hatcp::netlink
