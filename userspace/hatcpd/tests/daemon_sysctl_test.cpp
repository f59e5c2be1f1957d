// SPDX-License-Identifier: GPL-2.0
// Sysctl comparison and the exchange's messages: authenticated under the
// channel key, refused when tampered with or keyed differently.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/sysctl_message.hpp"
#include "daemon/sysctls.hpp"

namespace hatcp::daemon {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

Sysctls some_values()
{
    return {{"tcp_sack", "1"}, {"tcp_rmem", "4096 131072 6291456"}, {"tcp_timestamps", "1"}};
}

TEST(DaemonSysctl, CompareNamesEachDifference)
{
    Sysctls peer = some_values();
    EXPECT_THAT(compare_sysctls(some_values(), peer), IsEmpty()); // absent on both counts as equal
    peer = some_values();
    peer["tcp_sack"] = "0";
    peer["tcp_rmem"] = "4096 87380 6291456";
    Sysctls here = some_values();
    for (const auto& spec : compared_sysctls()) {
        here.try_emplace(spec.name, "1");
        peer.try_emplace(spec.name, "1");
    }
    EXPECT_THAT(compare_sysctls(here, peer),
                ElementsAre(SysctlMismatch{"tcp_sack", "1", "0", true},
                            SysctlMismatch{"tcp_rmem", "4096 131072 6291456", "4096 87380 6291456", false}));
    EXPECT_THAT(compare_sysctls(here, here), IsEmpty());
    EXPECT_EQ(describe(SysctlMismatch{"tcp_sack", "1", "0", true}),
              "net.ipv4.tcp_sack differs: here 1, peer 0 (critical: the replica's sockets could not match the "
              "primary's)");
}

TEST(DaemonSysctl, ReadNormalisesWhitespace)
{
    const auto dir = std::filesystem::temp_directory_path() / "hatcpd-sysctl-test";
    std::filesystem::create_directories(dir);
    std::ofstream{dir / "tcp_rmem"} << "4096\t131072\t6291456\n";
    std::ofstream{dir / "tcp_sack"} << "1\n";
    const Sysctls values = read_sysctls(dir.string());
    std::filesystem::remove_all(dir);
    EXPECT_EQ(values.at("tcp_rmem"), "4096 131072 6291456");
    EXPECT_EQ(values.at("tcp_sack"), "1");
    EXPECT_EQ(values.at("tcp_ecn"), "absent");
    EXPECT_EQ(values.size(), compared_sysctls().size());
}

TEST(DaemonSysctl, MessageRoundTripKeyed)
{
    ChannelKey key{};
    key.at(3) = 9;
    const SysctlMessage message{true, random_nonce(), some_values()};
    const std::string wire = encode(message, key);
    std::string why;
    const auto back = decode(wire, key, why);
    ASSERT_TRUE(back) << why;
    EXPECT_TRUE(back->answer);
    EXPECT_EQ(back->nonce, message.nonce);
    EXPECT_EQ(back->values, message.values);
}

TEST(DaemonSysctl, MessageRoundTripUnkeyed)
{
    const SysctlMessage message{false, random_nonce(), some_values()};
    std::string why;
    const auto back = decode(encode(message, std::nullopt), std::nullopt, why);
    ASSERT_TRUE(back) << why;
    EXPECT_FALSE(back->answer);
    EXPECT_EQ(back->values, message.values);
}

TEST(DaemonSysctl, RefusesTamperedOrOtherKey)
{
    ChannelKey key{};
    const std::string wire = encode({false, random_nonce(), some_values()}, key);
    std::string why;

    std::string tampered = wire;
    tampered.replace(tampered.find("tcp_sack 1"), 10, "tcp_sack 0");
    EXPECT_FALSE(decode(tampered, key, why));
    EXPECT_EQ(why, "bad tag: the peer's channel key differs");

    ChannelKey other{};
    other.at(0) = 1;
    EXPECT_FALSE(decode(wire, other, why));
    EXPECT_EQ(why, "bad tag: the peer's channel key differs");

    EXPECT_FALSE(decode(wire, std::nullopt, why));
    EXPECT_EQ(why, "tagged, and this node has no channel key");

    EXPECT_FALSE(decode(encode({false, random_nonce(), some_values()}, std::nullopt), key, why));
    EXPECT_EQ(why, "untagged, and this node has a channel key");

    EXPECT_FALSE(decode("GET / HTTP/1.0\r\n", std::nullopt, why));
    EXPECT_EQ(why, "not a hatcpd sysctl message");

    EXPECT_FALSE(decode("hatcpd-sysctl 1\ntype query\nnonce 12\n", std::nullopt, why));
    EXPECT_EQ(why, "missing type or nonce");
}

TEST(DaemonSysctl, NoncesDiffer)
{
    const std::string a = random_nonce();
    EXPECT_EQ(a.size(), 32U);
    EXPECT_NE(a, random_nonce());
}

} // namespace
} // namespace hatcp::daemon
