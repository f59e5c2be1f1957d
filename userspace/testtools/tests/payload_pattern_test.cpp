// SPDX-License-Identifier: GPL-2.0
#include "payload_pattern.hpp"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace hatcp::testtools {
namespace {

std::vector<std::uint8_t> stream(const PayloadPattern& pattern, std::uint64_t offset, std::size_t count)
{
    std::vector<std::uint8_t> bytes(count);
    pattern.fill(offset, bytes);
    return bytes;
}

// From the Python definition in payload_pattern.hpp.
TEST(PayloadPattern, RandomKnownVectors)
{
    EXPECT_EQ(stream(PayloadPattern{PatternKind::random, 1, 0}, 0, 20),
              (std::vector<std::uint8_t>{0x91, 0xa7, 0xaa, 0xbf, 0x6d, 0xbb, 0x8b, 0x52, 0xec, 0x96,
                                         0xbd, 0x5e, 0x9c, 0x78, 0xee, 0x8f, 0x78, 0xff, 0x44, 0xa0}));
    EXPECT_EQ(stream(PayloadPattern{PatternKind::random, 42, 7}, 0, 20),
              (std::vector<std::uint8_t>{0x6e, 0x1f, 0x46, 0x3e, 0x5c, 0xf0, 0xe8, 0x58, 0xbb, 0x01,
                                         0xe3, 0x57, 0xef, 0x9c, 0xc4, 0x20, 0x6e, 0x8f, 0xfc, 0xaf}));
}

TEST(PayloadPattern, CounterCounts)
{
    EXPECT_EQ(stream(PayloadPattern{PatternKind::counter, 0, 0}, 254, 4), (std::vector<std::uint8_t>{254, 255, 0, 1}));
    EXPECT_EQ(stream(PayloadPattern{PatternKind::counter, 10, 3}, 0, 2), (std::vector<std::uint8_t>{13, 14}));
}

TEST(PayloadPattern, AnyOffsetMatchesTheWholeStream)
{
    for (const auto kind : {PatternKind::counter, PatternKind::random}) {
        const PayloadPattern pattern{kind, 9, 4};
        const auto whole = stream(pattern, 0, 200);
        for (std::size_t offset = 0; offset < 100; ++offset) {
            for (const std::size_t count : {0, 1, 7, 8, 9, 17, 100}) {
                const auto part = stream(pattern, offset, count);
                ASSERT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + static_cast<std::ptrdiff_t>(offset)))
                    << to_string(kind) << " offset " << offset << " count " << count;
            }
        }
    }
}

TEST(PayloadPattern, ConnectionsAndSeedsDiffer)
{
    const auto a = stream(PayloadPattern{PatternKind::random, 1, 0}, 0, 64);
    EXPECT_NE(a, stream(PayloadPattern{PatternKind::random, 1, 1}, 0, 64));
    EXPECT_NE(a, stream(PayloadPattern{PatternKind::random, 2, 0}, 0, 64));
    EXPECT_EQ(a, stream(PayloadPattern{PatternKind::random, 1, 0}, 0, 64));
}

TEST(PayloadPattern, Names)
{
    EXPECT_EQ(parse_pattern_kind("counter"), PatternKind::counter);
    EXPECT_EQ(parse_pattern_kind("random"), PatternKind::random);
    EXPECT_EQ(parse_pattern_kind("Random"), std::nullopt);
    EXPECT_EQ(to_string(PatternKind::random), "random");
}

} // namespace
} // namespace hatcp::testtools
