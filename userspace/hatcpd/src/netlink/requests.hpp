// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>

#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"
#include "netlink/handles.hpp"

// Builders for every request hatcp understands. `family` is the id the
// kernel gave the "hatcp" generic netlink family; the genl header carries
// HATCP_GENL_VERSION. Port and sequence number are filled in when sending.
namespace hatcp::netlink {

// A request the kernel answers and acknowledges (NLM_F_REQUEST | NLM_F_ACK),
// without attributes: GET_ROLE, GET_PEER, DEL_PEER, GET_STATS, PROMOTE, DEMOTE,
// MIGRATE.
MessagePtr build_command(int family, std::uint8_t command);

// A dump request (NLM_F_REQUEST | NLM_F_DUMP): GET_POLICY, GET_FLOW.
MessagePtr build_dump(int family, std::uint8_t command);

// HATCP_CMD_SET_ROLE with HATCP_A_ROLE.
MessagePtr build_set_role(int family, Role role);

// HATCP_CMD_SET_PEER with HATCP_A_PEER.
MessagePtr build_set_peer(int family, const Peer& peer);

// HATCP_CMD_ADD_POLICY / HATCP_CMD_DEL_POLICY with HATCP_A_POLICY.
MessagePtr build_add_policy(int family, const Policy& policy);
MessagePtr build_del_policy(int family, const Policy& policy);

} // namespace hatcp::netlink
