// SPDX-License-Identifier: GPL-2.0
#include "model/flow.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <linux/hatcp.h>

namespace hatcp {

namespace {

// Indexed by the kernel's TCP_* state (include/net/tcp_states.h); these
// are not in any uapi header.
constexpr std::array<std::string_view, 13> tcp_state_names{
    "",             // 0
    "ESTABLISHED",  // 1
    "SYN_SENT",     // 2
    "SYN_RECV",     // 3
    "FIN_WAIT1",    // 4
    "FIN_WAIT2",    // 5
    "TIME_WAIT",    // 6
    "CLOSE",        // 7
    "CLOSE_WAIT",   // 8
    "LAST_ACK",     // 9
    "LISTEN",       // 10
    "CLOSING",      // 11
    "NEW_SYN_RECV", // 12
};

// Indexed by enum hatcp_unprot_reason.
constexpr std::array<std::string_view, 12> unprotected_reason_names{
    "none",       // HATCP_UNPROT_NONE
    "syncookie",  // HATCP_UNPROT_SYNCOOKIE
    "fastopen",   // HATCP_UNPROT_FASTOPEN
    "md5",        // HATCP_UNPROT_MD5
    "refused",    // HATCP_UNPROT_REFUSED
    "timeout",    // HATCP_UNPROT_TIMEOUT
    "no_peer",    // HATCP_UNPROT_NO_PEER
    "table_full", // HATCP_UNPROT_TABLE_FULL
    "midstream",  // HATCP_UNPROT_MIDSTREAM
    "failover",   // HATCP_UNPROT_FAILOVER
    "send_failed", // HATCP_UNPROT_SEND_FAILED
    "ipv6",        // HATCP_UNPROT_IPV6 (counted, no flow carries it)
};

// A new reason in the uapi must get a name here.
static_assert(unprotected_reason_names.size() == HATCP_UNPROT_MAX + 1);
static_assert(HATCP_UNPROT_NONE == 0 && HATCP_UNPROT_SEND_FAILED == 10);

// The optional numbers of a flow with their JSON keys, in uapi order.
using OptionalField = std::optional<std::uint32_t> Flow::*;
constexpr std::array<std::pair<std::string_view, OptionalField>, 9> number_fields{{
    {"held_segs", &Flow::held_segs},
    {"held_bytes", &Flow::held_bytes},
    {"queued_segs", &Flow::queued_segs},
    {"queued_bytes", &Flow::queued_bytes},
    {"lag_bytes", &Flow::lag_bytes},
    {"snd_una", &Flow::snd_una},
    {"snd_nxt", &Flow::snd_nxt},
    {"rcv_nxt", &Flow::rcv_nxt},
    {"tsval", &Flow::tsval},
}};

// The table of `flows`: the same widths for the header and every row, with
// an arrow from client to service.
constexpr std::string_view table_header = "{:<10} {:<21}    {:<21} {:<12} {:<16} {}\n";
constexpr std::string_view table_row = "{:<10} {:<21} -> {:<21} {:<12} {:<16} {}\n";

std::string endpoint(const Ipv4Address& addr, std::uint16_t port)
{
    return fmt::format("{}:{}", addr.to_string(), port);
}

// "yes", or "no" with the reason when the kernel gave one.
std::string protection(const Flow& flow)
{
    if (flow.is_protected) {
        return "yes";
    }
    if (flow.unprotected_reason && *flow.unprotected_reason != HATCP_UNPROT_NONE) {
        return fmt::format("no ({})", unprotected_reason_name(*flow.unprotected_reason));
    }
    return "no";
}

// "3 segs 4200 B", or only the half that is known.
std::string amount(const std::optional<std::uint32_t>& segs, const std::optional<std::uint32_t>& bytes)
{
    if (segs && bytes) {
        return fmt::format("{} segs {} B", *segs, *bytes);
    }
    return segs ? fmt::format("{} segs", *segs) : fmt::format("{} B", bytes.value_or(0));
}

// "held 3 segs 4200 B" on a primary, "queued 2 segs 1000 B, lag 10 B" on a
// replica, "-" when the kernel sent neither.
std::string backlog(const Flow& flow)
{
    std::string text;
    const auto add = [&text](const std::string& part) {
        text += (text.empty() ? "" : ", ") + part;
    };
    if (flow.held_segs || flow.held_bytes) {
        add("held " + amount(flow.held_segs, flow.held_bytes));
    }
    if (flow.queued_segs || flow.queued_bytes) {
        add("queued " + amount(flow.queued_segs, flow.queued_bytes));
    }
    if (flow.lag_bytes) {
        add(fmt::format("lag {} B", *flow.lag_bytes));
    }
    return text.empty() ? "-" : text;
}

} // namespace

std::string tcp_state_name(std::uint32_t state)
{
    if (state != 0 && state < tcp_state_names.size()) {
        return std::string{tcp_state_names.at(state)};
    }
    return fmt::format("STATE_{}", state);
}

std::string unprotected_reason_name(std::uint32_t reason)
{
    if (reason < unprotected_reason_names.size()) {
        return std::string{unprotected_reason_names.at(reason)};
    }
    return fmt::format("unknown({})", reason);
}

void add_flow_fields(Json& object, const Flow& flow)
{
    object["role"] = role_name(flow.role);
    object["saddr"] = flow.saddr.to_string();
    object["sport"] = flow.sport;
    object["daddr"] = flow.daddr.to_string();
    object["dport"] = flow.dport;
    object["state"] = tcp_state_name(flow.state);
    object["protected"] = flow.is_protected;
    if (flow.unprotected_reason) {
        object["unprotected_reason"] = unprotected_reason_name(*flow.unprotected_reason);
    }
    for (const auto& [key, field] : number_fields) {
        if (const auto& value = flow.*field; value) {
            object[std::string{key}] = *value;
        }
    }
}

Json flow_json(const Flow& flow)
{
    Json object = Json::object();
    add_flow_fields(object, flow);
    return object;
}

std::string flow_words(const Flow& flow)
{
    std::string words =
        fmt::format("role {} client {} service {} state {}", role_name(flow.role), endpoint(flow.saddr, flow.sport),
                    endpoint(flow.daddr, flow.dport), tcp_state_name(flow.state));
    if (flow.unprotected_reason) {
        words += fmt::format(" reason {}", unprotected_reason_name(*flow.unprotected_reason));
    }
    return words;
}

Json flows_json(const std::vector<Flow>& flows)
{
    Json array = Json::array();
    for (const Flow& flow : flows) {
        array.push_back(flow_json(flow));
    }
    return array;
}

std::string flows_text(const std::vector<Flow>& flows)
{
    std::string text = fmt::format(table_header, "Role", "Client", "Service", "State", "Protected", "Held/Queued");
    for (const Flow& flow : flows) {
        text += fmt::format(table_row, role_name(flow.role), endpoint(flow.saddr, flow.sport),
                            endpoint(flow.daddr, flow.dport), tcp_state_name(flow.state), protection(flow),
                            backlog(flow));
    }
    return text;
}

} // namespace hatcp
