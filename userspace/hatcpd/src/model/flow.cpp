// SPDX-License-Identifier: GPL-2.0
#include "model/flow.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

constexpr std::string_view table_row = "{:<12} {:<10} {:<21} {:<21} {}\n";

std::string endpoint(const Ipv4Address& addr, std::uint16_t port)
{
    return fmt::format("{}:{}", addr.to_string(), port);
}

} // namespace

std::string tcp_state_name(std::uint32_t state)
{
    if (state != 0 && state < tcp_state_names.size()) {
        return std::string{tcp_state_names.at(state)};
    }
    return fmt::format("STATE_{}", state);
}

Json flow_json(const Flow& flow)
{
    return Json{
        {"role", role_name(flow.role)},
        {"saddr", flow.saddr.to_string()},
        {"sport", flow.sport},
        {"daddr", flow.daddr.to_string()},
        {"dport", flow.dport},
        {"state", tcp_state_name(flow.state)},
        {"protected", flow.is_protected},
    };
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
    // Like ss: the service is the local end, the client the peer.
    std::string text = fmt::format(table_row, "State", "Role", "Local", "Peer", "Protected");
    for (const Flow& flow : flows) {
        text +=
            fmt::format(table_row, tcp_state_name(flow.state), role_name(flow.role), endpoint(flow.daddr, flow.dport),
                        endpoint(flow.saddr, flow.sport), flow.is_protected ? "yes" : "no");
    }
    return text;
}

} // namespace hatcp
