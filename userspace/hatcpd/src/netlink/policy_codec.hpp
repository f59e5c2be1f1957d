// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "model/policy.hpp"

namespace hatcp::netlink {

// HATCP_A_POLICY: PORT (u16, host order), ADDR_IPV4 (be32) only when the
// policy is for one address.
void put_policy(nl_msg* message, const Policy& policy);

// The inside of a HATCP_A_POLICY nest; PORT must be there.
Policy read_policy(nlattr* nest);

} // namespace hatcp::netlink
