// SPDX-License-Identifier: GPL-2.0
#include "netlink/event_codec.hpp"

#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"
#include "netlink/errors.hpp"
#include "netlink/flow_codec.hpp"
#include "netlink/peer_codec.hpp"
#include "netlink/policy_codec.hpp"
#include "netlink/role_codec.hpp"

namespace hatcp::netlink {

std::optional<Event> decode_event_message(nlmsghdr* header)
{
    if (genl_command(header) != HATCP_CMD_EVENT) {
        return std::nullopt;
    }
    const auto table = parse_genl_message<HATCP_A_MAX>(header);
    if (table[HATCP_A_EVENT] == nullptr) {
        throw ProtocolError{"event without HATCP_A_EVENT"};
    }
    Event event;
    event.type = read_u32(table[HATCP_A_EVENT], "HATCP_A_EVENT");
    if (table[HATCP_A_ROLE] != nullptr) {
        event.role = read_role(table[HATCP_A_ROLE], "HATCP_A_ROLE");
    }
    if (table[HATCP_A_OLD_ROLE] != nullptr) {
        event.old_role = read_role(table[HATCP_A_OLD_ROLE], "HATCP_A_OLD_ROLE");
    }
    if (table[HATCP_A_PEER] != nullptr) {
        event.peer = read_peer(table[HATCP_A_PEER]);
    }
    if (table[HATCP_A_POLICY] != nullptr) {
        event.policy = read_policy(table[HATCP_A_POLICY]);
    }
    if (table[HATCP_A_FLOW] != nullptr) {
        event.flow = read_flow(table[HATCP_A_FLOW]);
    }
    return event;
}

} // namespace hatcp::netlink
