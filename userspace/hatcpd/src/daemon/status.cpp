// SPDX-License-Identifier: GPL-2.0
#include "daemon/status.hpp"

#include <algorithm>

#include <linux/hatcp.h>

namespace hatcp::daemon {

std::uint64_t max_lag_bytes(const std::vector<Flow>& flows)
{
    std::uint64_t lag = 0;
    for (const auto& flow : flows) {
        lag = std::max<std::uint64_t>(lag, flow.lag_bytes.value_or(0));
    }
    return lag;
}

std::optional<std::uint64_t> peer_last_rx_ms(const Stats& stats)
{
    for (const auto& counter : stats.counters) {
        if (counter.attribute == HATCP_STATS_A_PEER_LAST_RX_MS) {
            return counter.value;
        }
    }
    return std::nullopt;
}

} // namespace hatcp::daemon
