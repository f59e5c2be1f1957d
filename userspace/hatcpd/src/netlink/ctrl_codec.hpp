// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string_view>

#include <linux/netlink.h>

namespace hatcp::netlink {

// True for the generic netlink controller's CTRL_CMD_DELFAMILY notification
// about the family `name`: the module that registered it is going away.
bool is_family_removal(nlmsghdr* header, std::string_view name);

} // namespace hatcp::netlink
