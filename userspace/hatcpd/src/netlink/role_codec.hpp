// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string_view>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "model/role.hpp"

namespace hatcp::netlink {

// A role is a u32 holding enum hatcp_role (HATCP_A_ROLE, HATCP_A_OLD_ROLE,
// HATCP_FLOW_A_ROLE, HATCP_PEER_A_ROLE).
void put_role(nl_msg* message, int type, Role role);
Role read_role(const nlattr* attr, std::string_view what);

} // namespace hatcp::netlink
