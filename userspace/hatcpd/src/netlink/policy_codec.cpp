// SPDX-License-Identifier: GPL-2.0
#include "netlink/policy_codec.hpp"

#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"
#include "netlink/errors.hpp"

namespace hatcp::netlink {

void put_policy(nl_msg* message, const Policy& policy)
{
    nlattr* nest = start_nest(message, HATCP_A_POLICY);
    if (policy.addr) {
        put_u32(message, HATCP_POLICY_A_ADDR_IPV4, policy.addr->network_order);
    }
    put_u16(message, HATCP_POLICY_A_PORT, policy.port);
    end_nest(message, nest);
}

Policy read_policy(nlattr* nest)
{
    const auto table = parse_nested<HATCP_POLICY_A_MAX>(nest, "HATCP_A_POLICY");
    const nlattr* port = table[HATCP_POLICY_A_PORT];
    if (port == nullptr) {
        throw ProtocolError{"HATCP_A_POLICY without PORT"};
    }
    Policy policy;
    policy.port = read_u16(port, "HATCP_POLICY_A_PORT");
    if (const nlattr* addr = table[HATCP_POLICY_A_ADDR_IPV4]; addr != nullptr) {
        policy.addr = Ipv4Address{read_u32(addr, "HATCP_POLICY_A_ADDR_IPV4")};
    }
    return policy;
}

} // namespace hatcp::netlink
