// SPDX-License-Identifier: GPL-2.0
#include "netlink/flow_codec.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"
#include "netlink/role_codec.hpp"

namespace hatcp::netlink {

namespace {

// The optional u32 attributes of a flow and where they go.
using OptionalField = std::optional<std::uint32_t> Flow::*;
struct OptionalU32 {
    int type;
    std::string_view what;
    OptionalField field;
};
constexpr std::array<OptionalU32, 10> optional_u32s{{
    {HATCP_FLOW_A_UNPROT_REASON, "HATCP_FLOW_A_UNPROT_REASON", &Flow::unprotected_reason},
    {HATCP_FLOW_A_HELD_SEGS, "HATCP_FLOW_A_HELD_SEGS", &Flow::held_segs},
    {HATCP_FLOW_A_HELD_BYTES, "HATCP_FLOW_A_HELD_BYTES", &Flow::held_bytes},
    {HATCP_FLOW_A_QUEUED_SEGS, "HATCP_FLOW_A_QUEUED_SEGS", &Flow::queued_segs},
    {HATCP_FLOW_A_QUEUED_BYTES, "HATCP_FLOW_A_QUEUED_BYTES", &Flow::queued_bytes},
    {HATCP_FLOW_A_LAG_BYTES, "HATCP_FLOW_A_LAG_BYTES", &Flow::lag_bytes},
    {HATCP_FLOW_A_SND_UNA, "HATCP_FLOW_A_SND_UNA", &Flow::snd_una},
    {HATCP_FLOW_A_SND_NXT, "HATCP_FLOW_A_SND_NXT", &Flow::snd_nxt},
    {HATCP_FLOW_A_RCV_NXT, "HATCP_FLOW_A_RCV_NXT", &Flow::rcv_nxt},
    {HATCP_FLOW_A_TSVAL, "HATCP_FLOW_A_TSVAL", &Flow::tsval},
}};

} // namespace

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
    for (const auto& [type, what, field] : optional_u32s) {
        if (const nlattr* attr = table.at(static_cast<std::size_t>(type)); attr != nullptr) {
            flow.*field = read_u32(attr, what);
        }
    }
    return flow;
}

} // namespace hatcp::netlink
