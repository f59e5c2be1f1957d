// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "model/peer.hpp"

namespace hatcp::netlink {

// HATCP_A_PEER: LOCAL_IPV4 and REMOTE_IPV4 (be32), IFINDEX (u32) if bound,
// PORT, KEY if set, the INSECURE_NO_KEY flag if asked for. Never the
// output-only KEYED, REACHABLE, ROLE.
void put_peer(nl_msg* message, const Peer& peer);

// The inside of a HATCP_A_PEER nest; LOCAL and REMOTE must be there. Absent
// KEYED, REACHABLE and INSECURE_NO_KEY read as false, an absent ROLE as
// nullopt.
Peer read_peer(nlattr* nest);

} // namespace hatcp::netlink
