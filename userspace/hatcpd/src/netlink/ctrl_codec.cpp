// SPDX-License-Identifier: GPL-2.0
#include "netlink/ctrl_codec.hpp"

#include <cstring>
#include <string>

#include <linux/genetlink.h>

#include "netlink/attribute_io.hpp"

namespace hatcp::netlink {

bool is_family_removal(nlmsghdr* header, std::string_view name)
{
    if (header->nlmsg_type != GENL_ID_CTRL || genl_command(header) != CTRL_CMD_DELFAMILY) {
        return false;
    }
    const auto table = parse_genl_message<CTRL_ATTR_MAX>(header);
    const nlattr* family_name = table[CTRL_ATTR_FAMILY_NAME];
    if (family_name == nullptr) {
        return false;
    }
    const auto* data = static_cast<const char*>(nla_data(family_name));
    return std::string_view{data, ::strnlen(data, static_cast<std::size_t>(nla_len(family_name)))} == name;
}

} // namespace hatcp::netlink
