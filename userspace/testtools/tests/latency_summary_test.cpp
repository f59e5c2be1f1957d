// SPDX-License-Identifier: GPL-2.0
#include "latency_summary.hpp"

#include <numeric>

#include <gtest/gtest.h>

namespace hatcp::testtools {
namespace {

TEST(LatencySummary, NearestRank)
{
    std::vector<std::uint64_t> samples(100);
    std::iota(samples.rbegin(), samples.rend(), 1); // 100 .. 1, unsorted on purpose
    const auto summary = summarize_latencies(samples);
    EXPECT_EQ(summary.count, 100U);
    EXPECT_EQ(summary.p50_us, 50U);
    EXPECT_EQ(summary.p99_us, 99U);
    EXPECT_EQ(summary.max_us, 100U);
    EXPECT_DOUBLE_EQ(summary.mean_us, 50.5);
}

TEST(LatencySummary, SmallSets)
{
    std::vector<std::uint64_t> one{7};
    const auto single = summarize_latencies(one);
    EXPECT_EQ(single.p50_us, 7U);
    EXPECT_EQ(single.p99_us, 7U);
    std::vector<std::uint64_t> three{30, 10, 20};
    const auto summary = summarize_latencies(three);
    EXPECT_EQ(summary.p50_us, 20U);
    EXPECT_EQ(summary.p99_us, 30U);
    std::vector<std::uint64_t> none;
    EXPECT_EQ(summarize_latencies(none).count, 0U);
}

} // namespace
} // namespace hatcp::testtools
