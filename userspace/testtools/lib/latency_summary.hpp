// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hatcp::testtools {

// Percentiles of a set of latencies in microseconds, by the nearest-rank
// method (the p-th percentile is the smallest sample that at least p% of the
// samples do not exceed), so every figure reported is one that was measured.
struct LatencySummary {
    std::size_t count = 0;
    std::uint64_t p50_us = 0;
    std::uint64_t p99_us = 0;
    std::uint64_t max_us = 0;
    double mean_us = 0;
};

// Sorts samples in place. An empty set gives a summary of zeros.
[[nodiscard]] LatencySummary summarize_latencies(std::vector<std::uint64_t>& samples);

// The nearest-rank percentile (0 < percent <= 100) of sorted samples.
[[nodiscard]] std::uint64_t nearest_rank(const std::vector<std::uint64_t>& sorted, double percent) noexcept;

} // namespace hatcp::testtools
