// SPDX-License-Identifier: GPL-2.0
#include "byte_size.hpp"

#include <gtest/gtest.h>

namespace hatcp::testtools {
namespace {

TEST(ByteSize, Plain)
{
    EXPECT_EQ(parse_byte_size("1"), 1U);
    EXPECT_EQ(parse_byte_size("0"), 0U);
    EXPECT_EQ(parse_byte_size("18446744073709551615"), 18446744073709551615ULL);
}

TEST(ByteSize, BinarySuffixes)
{
    EXPECT_EQ(parse_byte_size("64k"), 65536U);
    EXPECT_EQ(parse_byte_size("64K"), 65536U);
    EXPECT_EQ(parse_byte_size("1M"), 1048576U);
    EXPECT_EQ(parse_byte_size("200m"), 200U * 1048576U);
    EXPECT_EQ(parse_byte_size("4G"), 4ULL << 30U);
    EXPECT_EQ(parse_byte_size("17179869183G"), 17179869183ULL << 30U);
}

TEST(ByteSize, Refused)
{
    for (const char* text : {"", "k", "-1", "+1", " 1", "1 ", "1.5M", "1MB", "1KiB", "0x10", "1T", "abc",
                             "18446744073709551616", "17179869184G"}) {
        EXPECT_EQ(parse_byte_size(text), std::nullopt) << '"' << text << '"';
    }
}

} // namespace
} // namespace hatcp::testtools
