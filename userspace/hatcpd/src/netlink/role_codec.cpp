// SPDX-License-Identifier: GPL-2.0
#include "netlink/role_codec.hpp"

#include "netlink/attribute_io.hpp"

namespace hatcp::netlink {

void put_role(nl_msg* message, int type, Role role)
{
    put_u32(message, type, static_cast<std::uint32_t>(role));
}

Role read_role(const nlattr* attr, std::string_view what)
{
    return static_cast<Role>(read_u32(attr, what));
}

} // namespace hatcp::netlink
