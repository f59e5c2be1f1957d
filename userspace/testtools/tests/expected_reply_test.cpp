// SPDX-License-Identifier: GPL-2.0
#include "expected_reply.hpp"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "sha256.hpp"
#include "test_random.hpp"

namespace hatcp::testtools {
namespace {

// What the server would send back for count bytes of pattern: the pattern
// transformed in one go.
std::vector<std::uint8_t> server_reply(const PayloadPattern& pattern, std::size_t count)
{
    std::vector<std::uint8_t> bytes(count);
    pattern.fill(0, bytes);
    ReplyTransform transform;
    transform.apply_in_place(bytes);
    return bytes;
}

// The sent stream and the reply, from the Python definitions in the headers.
TEST(ExpectedReply, DigestsMatchTheIndependentDefinition)
{
    const PayloadPattern pattern{PatternKind::random, 1, 0};
    std::vector<std::uint8_t> sent(100'000);
    pattern.fill(0, sent);
    EXPECT_EQ(Sha256::of(sent), "b4ef0669055cb7e27af3fa9886b8493a80c0209aa6e0f188e15f89caa3263133");
    EXPECT_EQ(Sha256::of(server_reply(pattern, sent.size())),
              "92d10d06959593aa622a76fa527763e0fcad42dc2470e43528ab7487e3911149");
}

TEST(ExpectedReply, AcceptsTheReplyCutAnywhere)
{
    const PayloadPattern pattern{PatternKind::random, 5, 2};
    const auto reply = server_reply(pattern, 50'000);
    // Pieces across the checker's 4096-byte blocks and the pattern's words.
    for (const std::size_t piece : {1, 3, 7, 8, 4095, 4096, 4097, 10'000, 50'000}) {
        ExpectedReply expected{pattern};
        for (std::size_t done = 0; done < reply.size(); done += piece) {
            const std::size_t count = std::min(piece, reply.size() - done);
            ASSERT_FALSE(expected.check(std::span{reply}.subspan(done, count))) << "piece " << piece;
        }
        EXPECT_EQ(expected.offset(), reply.size());
    }
}

TEST(ExpectedReply, RandomPiecesLikeTcpReads)
{
    const PayloadPattern pattern{PatternKind::counter, 0, 0};
    const auto reply = server_reply(pattern, 300'000);
    TestRandom random{1};
    ExpectedReply expected{pattern};
    std::size_t done = 0;
    while (done < reply.size()) {
        const std::size_t count = std::min<std::size_t>(random.between(1, 20'000), reply.size() - done);
        ASSERT_FALSE(expected.check(std::span{reply}.subspan(done, count)));
        done += count;
    }
}

// Checks reply in pieces of 1000 bytes, up to the first mismatch.
std::optional<Mismatch> check_in_pieces(ExpectedReply& expected, const std::vector<std::uint8_t>& reply)
{
    constexpr std::size_t piece = 1000;
    for (std::size_t done = 0; done < reply.size(); done += piece) {
        if (auto mismatch = expected.check(std::span{reply}.subspan(done, std::min(piece, reply.size() - done)))) {
            return mismatch;
        }
    }
    return std::nullopt;
}

// Corrupts reply at `at` (and at its last byte, a later difference that
// must not be the one reported) and checks what the checker says.
void expect_mismatch_reported_at(const PayloadPattern& pattern, const std::vector<std::uint8_t>& reply, std::size_t at)
{
    auto corrupted = reply;
    corrupted.at(at) ^= 0x5a;
    corrupted.back() ^= 0x01;
    ExpectedReply expected{pattern};
    const auto mismatch = check_in_pieces(expected, corrupted);
    ASSERT_TRUE(mismatch) << at;
    EXPECT_EQ(mismatch->offset, at);
    EXPECT_EQ(mismatch->expected, reply.at(at));
    EXPECT_EQ(mismatch->got, corrupted.at(at));
    EXPECT_EQ(expected.offset(), at);
}

TEST(ExpectedReply, ReportsTheFirstWrongByte)
{
    const PayloadPattern pattern{PatternKind::random, 1, 0};
    const auto reply = server_reply(pattern, 20'000);
    for (const std::size_t at : {0, 1, 4095, 4096, 12'345, 19'998}) {
        expect_mismatch_reported_at(pattern, reply, at);
    }
}

// A plain echo returns the input, not its transform: caught at once.
TEST(ExpectedReply, PlainEchoIsCaught)
{
    const PayloadPattern pattern{PatternKind::random, 1, 0};
    std::vector<std::uint8_t> echoed(64);
    pattern.fill(0, echoed);
    ExpectedReply expected{pattern};
    const auto mismatch = expected.check(echoed);
    ASSERT_TRUE(mismatch);
    EXPECT_LT(mismatch->offset, 4U);
}

TEST(ExpectedReply, NextGivesTheReply)
{
    const PayloadPattern pattern{PatternKind::random, 3, 3};
    const auto reply = server_reply(pattern, 1000);
    ExpectedReply expected{pattern};
    std::vector<std::uint8_t> first(300);
    std::vector<std::uint8_t> rest(700);
    expected.next(first);
    expected.next(rest);
    first.insert(first.end(), rest.begin(), rest.end());
    EXPECT_EQ(first, reply);
}

} // namespace
} // namespace hatcp::testtools
