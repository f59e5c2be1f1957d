// SPDX-License-Identifier: GPL-2.0
#include "netlink/flow_codec.hpp"

#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"
#include "netlink/role_codec.hpp"

namespace hatcp::netlink {

Flow read_flow(nlattr* nest)
{
    const auto table = parse_nested<HATCP_FLOW_A_MAX>(nest, "HATCP_A_FLOW");
    Flow flow;
    if (const nlattr* attr = table[HATCP_FLOW_A_ROLE]; attr != nullptr) {
        flow.role = read_role(attr, "HATCP_FLOW_A_ROLE");
    }
    if (const nlattr* attr = table[HATCP_FLOW_A_SADDR_IPV4]; attr != nullptr) {
        flow.saddr.network_order = read_u32(attr, "HATCP_FLOW_A_SADDR_IPV4");
    }
    if (const nlattr* attr = table[HATCP_FLOW_A_DADDR_IPV4]; attr != nullptr) {
        flow.daddr.network_order = read_u32(attr, "HATCP_FLOW_A_DADDR_IPV4");
    }
    if (const nlattr* attr = table[HATCP_FLOW_A_SPORT]; attr != nullptr) {
        flow.sport = read_u16(attr, "HATCP_FLOW_A_SPORT");
    }
    if (const nlattr* attr = table[HATCP_FLOW_A_DPORT]; attr != nullptr) {
        flow.dport = read_u16(attr, "HATCP_FLOW_A_DPORT");
    }
    if (const nlattr* attr = table[HATCP_FLOW_A_STATE]; attr != nullptr) {
        flow.state = read_u32(attr, "HATCP_FLOW_A_STATE");
    }
    if (const nlattr* attr = table[HATCP_FLOW_A_PROTECTED]; attr != nullptr) {
        flow.is_protected = read_u8(attr, "HATCP_FLOW_A_PROTECTED") != 0;
    }
    return flow;
}

} // namespace hatcp::netlink
