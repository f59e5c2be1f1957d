// SPDX-License-Identifier: GPL-2.0
#include "reply_transform.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "test_random.hpp"

namespace hatcp::testtools {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text)
{
    return {text.begin(), text.end()};
}

std::vector<std::uint8_t> transformed(const std::vector<std::uint8_t>& in)
{
    std::vector<std::uint8_t> out(in.size());
    ReplyTransform transform;
    transform.apply(in, out);
    return out;
}

std::vector<std::uint8_t> random_bytes(std::size_t count, std::uint64_t seed)
{
    return TestRandom{seed}.bytes(count);
}

// Vectors from the Python definition in reply_transform.hpp, so a change of
// the transform (which would break comparing old and new tool versions) fails.
TEST(ReplyTransform, KnownVectors)
{
    EXPECT_EQ(transformed(bytes_of("a")), (std::vector<std::uint8_t>{0xe4}));
    EXPECT_EQ(transformed(bytes_of("hello, world")),
              (std::vector<std::uint8_t>{0xed, 0x39, 0x53, 0x40, 0x46, 0x04, 0x98, 0xc0, 0xdf, 0x42, 0x3d, 0x26}));
    EXPECT_EQ(transformed(std::vector<std::uint8_t>(16, 0)),
              (std::vector<std::uint8_t>{0x85, 0x71, 0x06, 0x33, 0x5c, 0x08, 0xe6, 0x18, 0x90, 0xab, 0x4a, 0xfb, 0xa9,
                                         0x51, 0x0c, 0x8c}));
}

TEST(ReplyTransform, StateIsFnv1a64OfThePrefix)
{
    ReplyTransform transform;
    EXPECT_EQ(transform.state(), 0xcbf29ce484222325ULL);
    auto in = bytes_of("a");
    transform.apply_in_place(in);
    EXPECT_EQ(transform.state(), 0xaf63dc4c8601ec8cULL); // FNV-1a 64 of "a"
    auto more = bytes_of("hello, world");
    ReplyTransform other;
    other.apply_in_place(more);
    EXPECT_EQ(other.state(), 0x17a1a4f267be633dULL);
}

TEST(ReplyTransform, DeterministicAcrossInstances)
{
    const auto in = random_bytes(100'000, 1);
    EXPECT_EQ(transformed(in), transformed(in));
}

TEST(ReplyTransform, PrefixPropertyAtEverySplit)
{
    const auto in = random_bytes(300, 2);
    const auto whole = transformed(in);
    for (std::size_t split = 0; split <= in.size(); ++split) {
        ReplyTransform transform;
        std::vector<std::uint8_t> out(in.size());
        const auto input = std::span{in};
        const auto output = std::span{out};
        transform.apply(input.first(split), output.first(split));
        transform.apply(input.subspan(split), output.subspan(split));
        ASSERT_EQ(out, whole) << "split at " << split;
    }
}

TEST(ReplyTransform, PrefixPropertyInRandomPieces)
{
    const auto in = random_bytes(1 << 20, 3);
    const auto whole = transformed(in);
    TestRandom random{4};
    ReplyTransform transform;
    std::vector<std::uint8_t> out = in;
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t count = std::min<std::size_t>(random.between(0, 70'000), out.size() - done);
        transform.apply_in_place(std::span{out}.subspan(done, count));
        done += count;
    }
    EXPECT_EQ(out, whole);
}

TEST(ReplyTransform, InPlaceEqualsCopy)
{
    const auto in = random_bytes(5000, 5);
    auto in_place = in;
    ReplyTransform transform;
    transform.apply_in_place(in_place);
    EXPECT_EQ(in_place, transformed(in));
}

// How a reply changes when input byte `at` does.
struct ChangeEffect {
    bool prefix_same = false;   // every byte before it
    bool byte_changed = false;  // the byte itself
    bool next_changed = false;  // the byte after it
    std::size_t tail = 0;       // bytes after it
    std::size_t tail_changed = 0;
};

ChangeEffect change_effect(const std::vector<std::uint8_t>& in, std::size_t at, std::uint8_t flip)
{
    auto changed = in;
    changed.at(at) = static_cast<std::uint8_t>(changed.at(at) ^ flip);
    const auto a = transformed(in);
    const auto b = transformed(changed);
    ChangeEffect effect;
    effect.prefix_same = std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(at), b.begin());
    effect.byte_changed = a.at(at) != b.at(at);
    effect.next_changed = a.at(at + 1) != b.at(at + 1);
    effect.tail = in.size() - at - 1;
    for (std::size_t i = at + 1; i < in.size(); ++i) {
        effect.tail_changed += a.at(i) != b.at(i) ? 1 : 0;
    }
    return effect;
}

// A byte changed anywhere changes the reply from there on: the byte itself,
// the very next one almost always (1 in 256 may agree by chance) and, over
// any run of bytes after it, nearly all of them.
TEST(ReplyTransform, EveryOutputByteDependsOnEveryEarlierInputByte)
{
    constexpr int trials = 2000;
    constexpr std::size_t length = 64;
    constexpr std::size_t long_tail = 16;
    int next_byte_changed = 0;
    TestRandom random{6};
    for (int trial = 0; trial < trials; ++trial) {
        const auto in = random.bytes(length);
        const auto at = static_cast<std::size_t>(random.between(0, length - 2));
        const auto effect = change_effect(in, at, static_cast<std::uint8_t>(random.between(1, 255)));
        ASSERT_TRUE(effect.prefix_same);
        ASSERT_TRUE(effect.byte_changed);
        next_byte_changed += effect.next_changed ? 1 : 0;
        // Over 16 bytes or more at least 80% differ (failing is ~1e-20 likely).
        ASSERT_TRUE(effect.tail < long_tail || effect.tail_changed * 10 >= effect.tail * 8) << trial;
    }
    EXPECT_GE(next_byte_changed, trials * 97 / 100);
}

// Dropping or swapping bytes (what a broken replica might do) is caught too.
TEST(ReplyTransform, ReorderingChangesTheReply)
{
    const auto in = bytes_of("abcdefgh");
    auto swapped = in;
    std::swap(swapped.at(2), swapped.at(3));
    const auto a = transformed(in);
    const auto b = transformed(swapped);
    EXPECT_NE(std::vector(a.begin() + 4, a.end()), std::vector(b.begin() + 4, b.end()));
}

} // namespace
} // namespace hatcp::testtools
