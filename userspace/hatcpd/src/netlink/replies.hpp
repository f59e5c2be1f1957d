// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>

#include <linux/netlink.h>

#include "model/flow.hpp"
#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"
#include "model/stats.hpp"

// Decoders for the kernel's replies, one whole genl message each. They throw
// ProtocolError when a required attribute is missing or malformed, and skip
// attributes a newer kernel added.
namespace hatcp::netlink {

// HATCP_CMD_GET_ROLE reply: HATCP_A_ROLE.
Role decode_role_reply(nlmsghdr* header);

// HATCP_CMD_GET_PEER reply: HATCP_A_PEER, or nothing when no peer is set.
std::optional<Peer> decode_peer_reply(nlmsghdr* header);

// One message of the HATCP_CMD_GET_POLICY dump: HATCP_A_POLICY.
Policy decode_policy_message(nlmsghdr* header);

// HATCP_CMD_GET_STATS reply: HATCP_A_STATS.
Stats decode_stats_reply(nlmsghdr* header);

// One message of the HATCP_CMD_GET_FLOW dump: HATCP_A_FLOW.
Flow decode_flow_message(nlmsghdr* header);

} // namespace hatcp::netlink
