// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <netlink/attr.h>

#include "model/stats.hpp"

namespace hatcp::netlink {

// The inside of a HATCP_A_STATS nest: every numeric attribute in order,
// known or not; padding and non-numeric attributes are skipped.
Stats read_stats(nlattr* nest);

} // namespace hatcp::netlink
