// SPDX-License-Identifier: GPL-2.0
#include "endpoint.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace hatcp::testtools {
namespace {

TEST(Endpoint, ParsesAndFormats)
{
    const auto address = parse_ipv4_endpoint("127.0.0.1:5000");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->sin_family, AF_INET);
    EXPECT_EQ(ntohs(address->sin_port), 5000);
    EXPECT_EQ(ntohl(address->sin_addr.s_addr), 0x7f000001U);
    EXPECT_EQ(to_string(*address), "127.0.0.1:5000");
    EXPECT_EQ(to_string(*parse_ipv4_endpoint("0.0.0.0:0")), "0.0.0.0:0");
    EXPECT_EQ(to_string(*parse_ipv4_endpoint("10.1.2.3:65535")), "10.1.2.3:65535");
}

TEST(Endpoint, Refused)
{
    for (const char* text : {"", ":", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536", "127.0.0.1:-1",
                             "127.0.0.1:+1", "127.0.0.1:80x", "localhost:80", "1.2.3:80", "1.2.3.4.5:80",
                             "256.0.0.1:80", "::1:80", "[::1]:80", " 127.0.0.1:80", "127.0.0.1:80 "}) {
        EXPECT_EQ(parse_ipv4_endpoint(text), std::nullopt) << '"' << text << '"';
    }
}

} // namespace
} // namespace hatcp::testtools
