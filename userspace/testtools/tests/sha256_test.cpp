// SPDX-License-Identifier: GPL-2.0
#include "sha256.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace hatcp::testtools {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text)
{
    return {text.begin(), text.end()};
}

// FIPS 180-2 appendix B and the empty message.
TEST(Sha256, KnownVectors)
{
    EXPECT_EQ(Sha256::of({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Sha256::of(bytes_of("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256::of(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsInPieces)
{
    Sha256 digest;
    const std::vector<std::uint8_t> piece(1000, 'a');
    for (int i = 0; i < 1000; ++i) {
        digest.update(piece);
    }
    EXPECT_EQ(digest.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, HexLeavesTheStreamOpen)
{
    Sha256 digest;
    digest.update(bytes_of("ab"));
    EXPECT_EQ(digest.hex(), Sha256::of(bytes_of("ab")));
    digest.update(bytes_of("c"));
    EXPECT_EQ(digest.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

} // namespace
} // namespace hatcp::testtools
