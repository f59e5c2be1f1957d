// SPDX-License-Identifier: GPL-2.0
#include "latency_summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hatcp::testtools {

std::uint64_t nearest_rank(const std::vector<std::uint64_t>& sorted, double percent) noexcept
{
    if (sorted.empty()) {
        return 0;
    }
    constexpr double hundred = 100.0;
    const double rank = std::ceil(percent / hundred * static_cast<double>(sorted.size()));
    const auto index = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size()))) - 1;
    return sorted[index];
}

LatencySummary summarize_latencies(std::vector<std::uint64_t>& samples)
{
    LatencySummary summary;
    if (samples.empty()) {
        return summary;
    }
    std::sort(samples.begin(), samples.end());
    constexpr double median = 50.0;
    constexpr double tail = 99.0;
    summary.count = samples.size();
    summary.p50_us = nearest_rank(samples, median);
    summary.p99_us = nearest_rank(samples, tail);
    summary.max_us = samples.back();
    const double total = std::accumulate(samples.begin(), samples.end(), 0.0,
                                         [](double sum, std::uint64_t sample) { return sum + static_cast<double>(sample); });
    summary.mean_us = total / static_cast<double>(samples.size());
    return summary;
}

} // namespace hatcp::testtools
