// SPDX-License-Identifier: GPL-2.0
#include "model/stats.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <linux/hatcp.h>

namespace hatcp {

namespace {

// Every counter of enum hatcp_stats_attr, named after its enumerator.
constexpr std::array<std::pair<std::uint16_t, std::string_view>, 15> counter_names{{
    {HATCP_STATS_A_POLICIES, "policies"},
    {HATCP_STATS_A_FLOWS, "flows"},
    {HATCP_STATS_A_ROLE_CHANGES, "role_changes"},
    {HATCP_STATS_A_PROMOTIONS, "promotions"},
    {HATCP_STATS_A_DEMOTIONS, "demotions"},
    {HATCP_STATS_A_CONFIG_REJECTED, "config_rejected"},
    {HATCP_STATS_A_MALFORMED, "malformed"},
    {HATCP_STATS_A_CHAN_TX, "chan_tx"},
    {HATCP_STATS_A_CHAN_RX, "chan_rx"},
    {HATCP_STATS_A_CHAN_TX_ERRORS, "chan_tx_errors"},
    {HATCP_STATS_A_CHAN_DROP_NOT_PEER, "chan_drop_not_peer"},
    {HATCP_STATS_A_CHAN_DROP_MALFORMED, "chan_drop_malformed"},
    {HATCP_STATS_A_CHAN_DROP_BAD_MAC, "chan_drop_bad_mac"},
    {HATCP_STATS_A_CHAN_DROP_REPLAY, "chan_drop_replay"},
    {HATCP_STATS_A_PEER_LAST_RX_MS, "peer_last_rx_ms"},
}};

// A new counter in the uapi must get a name here.
static_assert(counter_names.size() == HATCP_STATS_A_MAX - HATCP_STATS_A_PAD);

} // namespace

std::string counter_name(std::uint16_t attribute)
{
    for (const auto& [known, name] : counter_names) {
        if (known == attribute) {
            return std::string{name};
        }
    }
    return fmt::format("attr_{}", attribute);
}

Json stats_json(const Stats& stats)
{
    Json object = Json::object();
    for (const Counter& counter : stats.counters) {
        object[counter_name(counter.attribute)] = counter.value;
    }
    return object;
}

std::string stats_text(const Stats& stats)
{
    std::string text;
    for (const Counter& counter : stats.counters) {
        text += fmt::format("{} {}\n", counter_name(counter.attribute), counter.value);
    }
    return text;
}

} // namespace hatcp
