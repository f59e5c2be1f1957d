// SPDX-License-Identifier: GPL-2.0
#include "netlink/replies.hpp"

#include <string_view>

#include <fmt/format.h>
#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"
#include "netlink/errors.hpp"
#include "netlink/flow_codec.hpp"
#include "netlink/peer_codec.hpp"
#include "netlink/policy_codec.hpp"
#include "netlink/role_codec.hpp"
#include "netlink/stats_codec.hpp"

namespace hatcp::netlink {

namespace {

using TopLevel = AttributeTable<HATCP_A_MAX>;

nlattr* required(const TopLevel& table, int type, std::string_view name)
{
    nlattr* attr = table.at(static_cast<std::size_t>(type));
    if (attr == nullptr) {
        throw ProtocolError{fmt::format("reply without {}", name)};
    }
    return attr;
}

} // namespace

Role decode_role_reply(nlmsghdr* header)
{
    const auto table = parse_genl_message<HATCP_A_MAX>(header);
    return read_role(required(table, HATCP_A_ROLE, "HATCP_A_ROLE"), "HATCP_A_ROLE");
}

std::optional<Peer> decode_peer_reply(nlmsghdr* header)
{
    const auto table = parse_genl_message<HATCP_A_MAX>(header);
    if (table[HATCP_A_PEER] == nullptr) {
        return std::nullopt;
    }
    return read_peer(table[HATCP_A_PEER]);
}

Policy decode_policy_message(nlmsghdr* header)
{
    const auto table = parse_genl_message<HATCP_A_MAX>(header);
    return read_policy(required(table, HATCP_A_POLICY, "HATCP_A_POLICY"));
}

Stats decode_stats_reply(nlmsghdr* header)
{
    const auto table = parse_genl_message<HATCP_A_MAX>(header);
    return read_stats(required(table, HATCP_A_STATS, "HATCP_A_STATS"));
}

Flow decode_flow_message(nlmsghdr* header)
{
    const auto table = parse_genl_message<HATCP_A_MAX>(header);
    return read_flow(required(table, HATCP_A_FLOW, "HATCP_A_FLOW"));
}

} // namespace hatcp::netlink
