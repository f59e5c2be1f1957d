// SPDX-License-Identifier: GPL-2.0
// The values on the command line and their error lines.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/usage_error.hpp"
#include "cli/words.hpp"
#include "genl_message.hpp"

namespace hatcp::cli {
namespace {

// The message of the UsageError that `f` throws.
template <typename F>
std::string usage_error(F&& f)
{
    try {
        f();
    } catch (const UsageError& error) {
        return error.what();
    }
    return "(no error)";
}

TEST(Address, Good)
{
    EXPECT_EQ(parse_address("10.0.0.1").network_order, test::be("10.0.0.1"));
    EXPECT_EQ(parse_address("0.0.0.0").network_order, 0U);
}

TEST(Address, Bad)
{
    for (const std::string bad : {"10.9.0", "256.1.1.1", "1.2.3.4.5", "", "abc", " 10.0.0.1", "::1", "10.0.0.1/32",
                                  "10.0.0.1x", "0x0a.0.0.1"}) {
        EXPECT_EQ(usage_error([&] { parse_address(bad); }), "bad address \"" + bad + "\"");
    }
}

TEST(Port, Good)
{
    EXPECT_EQ(parse_port("1"), 1);
    EXPECT_EQ(parse_port("80"), 80);
    EXPECT_EQ(parse_port("65535"), 65535);
    EXPECT_EQ(parse_port("0080"), 80); // decimal, leading zeros and all
}

TEST(Port, Bad)
{
    for (const std::string bad :
         {"0", "65536", "80x", "", "-1", "+80", " 80", "80 ", "0x50", "8e1", "4294967376", "99999999999999999999999"}) {
        EXPECT_EQ(usage_error([&] { parse_port(bad); }), "bad port \"" + bad + "\"");
    }
}

TEST(Device, Known)
{
    EXPECT_EQ(parse_device("lo"), 1U);
}

TEST(Device, Unknown)
{
    EXPECT_EQ(usage_error([] { parse_device("nosuch0"); }), "no such device \"nosuch0\"");
    EXPECT_EQ(usage_error([] { parse_device(""); }), "no such device \"\"");
    EXPECT_EQ(usage_error([] { parse_device("a-name-longer-than-ifnamsiz"); }),
              "no such device \"a-name-longer-than-ifnamsiz\"");
}

TEST(RoleWord, KnownAndUnknown)
{
    EXPECT_EQ(parse_role("standalone"), Role::standalone);
    EXPECT_EQ(parse_role("primary"), Role::primary);
    EXPECT_EQ(parse_role("replica"), Role::replica);
    EXPECT_EQ(usage_error([] { parse_role("master"); }), "unknown role \"master\" (standalone, primary or replica)");
}

TEST(Keywords, AnyOrder)
{
    const KeywordValues values = parse_keywords({"port", "80", "addr", "10.0.0.1"}, {"addr", "port"}, "x");
    EXPECT_EQ(values, (KeywordValues{{"addr", "10.0.0.1"}, {"port", "80"}}));
    EXPECT_TRUE(parse_keywords({}, {"addr", "port"}, "x").empty());
}

TEST(Keywords, Mistakes)
{
    EXPECT_EQ(usage_error([] {
                  parse_keywords({"prot", "80"}, {"addr", "port"}, "policy add");
              }),
              "unknown word \"prot\" (usage: hatcpctl policy add)");
    EXPECT_EQ(usage_error([] {
                  parse_keywords({"addr"}, {"addr", "port"}, "policy add");
              }),
              "\"addr\" needs a value (usage: hatcpctl policy add)");
    EXPECT_EQ(usage_error([] {
                  parse_keywords({"port", "1", "port", "2"}, {"addr", "port"}, "policy add");
              }),
              "\"port\" given twice (usage: hatcpctl policy add)");
}

} // namespace
} // namespace hatcp::cli
