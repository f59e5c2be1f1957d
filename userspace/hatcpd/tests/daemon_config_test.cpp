// SPDX-License-Identifier: GPL-2.0
// hatcpd.toml: what a good file gives, and the exact error of each bad one.
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "daemon/config.hpp"

namespace hatcp::daemon {
namespace {

const std::string path = "/etc/hatcp/hatcpd.toml";

std::string error_of(const std::string& text)
{
    try {
        parse_config(text, path);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "accepted";
}

TEST(DaemonConfig, FullFile)
{
    const DaemonConfig config = parse_config(R"(
role = "replica"

[peer]
local = "10.0.9.2"
remote = "10.0.9.1"
device = "chan0"
port = 7500
insecure_no_key = true

[[service]]
address = "10.0.1.10"
ports = [7000, 443]

[[service]]
ports = [80]

[timers]
module_poll_ms = 500
peer_timeout_ms = 800
sysctl_start_wait_ms = 100
sysctl_interval_ms = 2000

[health]
max_lag_bytes = 1000

[metrics]
listen = "0.0.0.0:9100"

[sysctl]
port = 7501
on_mismatch = "warn"
)",
                                               path);
    EXPECT_EQ(config.role, Role::replica);
    ASSERT_TRUE(config.peer);
    EXPECT_EQ(config.peer->local.to_string(), "10.0.9.2");
    EXPECT_EQ(config.peer->remote.to_string(), "10.0.9.1");
    EXPECT_EQ(config.peer->device, "chan0");
    EXPECT_EQ(config.peer->port, 7500);
    EXPECT_FALSE(config.peer->key);
    EXPECT_TRUE(config.peer->insecure_no_key);
    ASSERT_EQ(config.policies.size(), 3U);
    EXPECT_EQ(policy_words(config.policies[0]), "addr 10.0.1.10 port 7000");
    EXPECT_EQ(policy_words(config.policies[1]), "addr 10.0.1.10 port 443");
    EXPECT_EQ(policy_words(config.policies[2]), "port 80");
    EXPECT_EQ(config.timers.module_poll.count(), 500);
    EXPECT_EQ(config.timers.peer_timeout.count(), 800);
    EXPECT_EQ(config.timers.sysctl_start_wait.count(), 100);
    EXPECT_EQ(config.timers.sysctl_interval.count(), 2000);
    EXPECT_EQ(config.max_lag_bytes, 1000U);
    ASSERT_TRUE(config.metrics_listen);
    EXPECT_EQ(config.metrics_listen->address.to_string(), "0.0.0.0");
    EXPECT_EQ(config.metrics_listen->port, 9100);
    EXPECT_EQ(config.sysctl_port, 7501);
    EXPECT_EQ(config.on_mismatch, MismatchAction::warn);
}

TEST(DaemonConfig, Defaults)
{
    const DaemonConfig config = parse_config("role = \"standalone\"\n", path);
    EXPECT_EQ(config.role, Role::standalone);
    EXPECT_FALSE(config.peer);
    EXPECT_TRUE(config.policies.empty());
    ASSERT_TRUE(config.metrics_listen);
    EXPECT_EQ(config.metrics_listen->address.to_string(), "127.0.0.1");
    EXPECT_EQ(config.metrics_listen->port, 9471);
    EXPECT_EQ(config.sysctl_port, 7472);
    EXPECT_EQ(config.on_mismatch, MismatchAction::refuse);
    EXPECT_EQ(config.timers.peer_timeout.count(), 1000);
    EXPECT_EQ(config.max_lag_bytes, 16U << 20U);
}

TEST(DaemonConfig, MetricsOff)
{
    EXPECT_FALSE(parse_config("role = \"standalone\"\n[metrics]\nlisten = \"\"\n", path).metrics_listen);
}

TEST(DaemonConfig, KeyFileIsRead)
{
    char name[] = "/tmp/hatcpd-key-XXXXXX"; // NOLINT(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays)
    const int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    std::ofstream{name} << std::string(62, '0') << "ff\n";
    const DaemonConfig config = parse_config(
        std::string{"role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\nkey_file = \""} + name +
            "\"\n",
        path);
    std::remove(name); // NOLINT(cert-err33-c)
    ASSERT_TRUE(config.peer && config.peer->key);
    EXPECT_EQ(config.peer->key->back(), 0xff);
    EXPECT_EQ(config.peer->key->front(), 0);
}

struct BadFile {
    const char* name;
    const char* text;
    const char* error;
};

class DaemonConfigBad : public testing::TestWithParam<BadFile> {};

TEST_P(DaemonConfigBad, RefusedWithFileLineFieldReason)
{
    EXPECT_EQ(error_of(GetParam().text), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Files, DaemonConfigBad,
    testing::Values(
        BadFile{"empty", "", "/etc/hatcp/hatcpd.toml:1:1: role: missing (primary, replica or standalone)"},
        BadFile{"syntax", "role = \"primary\n",
                "/etc/hatcp/hatcpd.toml:1:16: (syntax): Error while parsing string: unescaped control characters other "
                "than TAB (U+0009) are explicitly prohibited"},
        BadFile{"bad_role", "\n\nrole = \"master\"\n",
                "/etc/hatcp/hatcpd.toml:3:8: role: \"master\" is not one of primary, replica, standalone"},
        BadFile{"role_not_string", "role = 1\n", "/etc/hatcp/hatcpd.toml:1:8: role: must be a string, not an integer"},
        BadFile{"unknown_top", "role = \"standalone\"\nrol = 3\n",
                "/etc/hatcp/hatcpd.toml:2:1: rol: unknown field (known here: role, peer, service, timers, health, "
                "metrics, sysctl)"},
        BadFile{"primary_without_peer", "role = \"primary\"\n",
                "/etc/hatcp/hatcpd.toml:1:8: role: primary needs a [peer] table"},
        BadFile{"peer_missing_remote", "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\n",
                "/etc/hatcp/hatcpd.toml:2:1: peer.remote: missing (the channel's address on this node and on the "
                "peer)"},
        BadFile{"peer_bad_address", "role = \"primary\"\n[peer]\nlocal = \"10.0.0.300\"\nremote = \"10.0.0.2\"\n",
                "/etc/hatcp/hatcpd.toml:3:9: peer.local: \"10.0.0.300\" is not an IPv4 address (dotted quad)"},
        BadFile{"peer_same", "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.1\"\n",
                "/etc/hatcp/hatcpd.toml:4:10: peer.remote: must differ from peer.local"},
        BadFile{"peer_port_range",
                "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\nport = 0\n",
                "/etc/hatcp/hatcpd.toml:5:8: peer.port: 0 is out of range 1..65535"},
        BadFile{"peer_device_long",
                "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\ndevice = "
                "\"averyveryverylongname\"\n",
                "/etc/hatcp/hatcpd.toml:5:10: peer.device: \"averyveryverylongname\" is not a network device name"},
        BadFile{"peer_typo",
                "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\nkeyfile = \"/k\"\n",
                "/etc/hatcp/hatcpd.toml:5:1: peer.keyfile: unknown field (known here: local, remote, device, port, "
                "key_file, insecure_no_key)"},
        BadFile{"primary_without_key", "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\n",
                "/etc/hatcp/hatcpd.toml:1:8: role: primary needs peer.key_file (a channel key); for lab use only: "
                "peer.insecure_no_key = true"},
        BadFile{"insecure_not_bool",
                "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\ninsecure_no_key = 1\n",
                "/etc/hatcp/hatcpd.toml:5:19: peer.insecure_no_key: must be true or false"},
        BadFile{"key_file_missing",
                "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\nkey_file = "
                "\"/nonexistent/hatcp.key\"\n",
                "/etc/hatcp/hatcpd.toml:5:12: peer.key_file: cannot read key file \"/nonexistent/hatcp.key\": No "
                "such file or directory"},
        BadFile{"service_not_array", "role = \"standalone\"\nservice = 1\n",
                "/etc/hatcp/hatcpd.toml:2:11: service: must be an array of tables ([[service]])"},
        BadFile{"service_no_ports", "role = \"standalone\"\n[[service]]\naddress = \"10.0.1.10\"\n",
                "/etc/hatcp/hatcpd.toml:2:1: service[1].ports: missing (the TCP ports to protect)"},
        BadFile{"service_empty_ports", "role = \"standalone\"\n[[service]]\nports = []\n",
                "/etc/hatcp/hatcpd.toml:3:9: service[1].ports: must be a non-empty array of ports"},
        BadFile{"service_port_string", "role = \"standalone\"\n[[service]]\nports = [80, \"443\"]\n",
                "/etc/hatcp/hatcpd.toml:3:14: service[1].ports[2]: must be an integer, not a string"},
        BadFile{"service_port_range", "role = \"standalone\"\n[[service]]\nports = [65536]\n",
                "/etc/hatcp/hatcpd.toml:3:10: service[1].ports[1]: 65536 is out of range 1..65535"},
        BadFile{"service_duplicate",
                "role = \"standalone\"\n[[service]]\nports = [80]\n[[service]]\nports = [443, 80]\n",
                "/etc/hatcp/hatcpd.toml:5:15: service[2].ports[2]: port 80 is listed twice"},
        BadFile{"timer_small", "role = \"standalone\"\n[timers]\nmodule_poll_ms = 5\n",
                "/etc/hatcp/hatcpd.toml:3:18: timers.module_poll_ms: 5 is out of range 10..3600000"},
        BadFile{"peer_timeout_short", "role = \"standalone\"\n[timers]\npeer_timeout_ms = 200\n",
                "/etc/hatcp/hatcpd.toml:3:19: timers.peer_timeout_ms: must be at least 300 (three of the kernel's "
                "100 ms heartbeats)"},
        BadFile{"lag_negative", "role = \"standalone\"\n[health]\nmax_lag_bytes = -1\n",
                "/etc/hatcp/hatcpd.toml:3:17: health.max_lag_bytes: -1 is out of range 0..9223372036854775807"},
        BadFile{"metrics_listen", "role = \"standalone\"\n[metrics]\nlisten = \"localhost:9471\"\n",
                "/etc/hatcp/hatcpd.toml:3:10: metrics.listen: \"localhost:9471\" is not ADDRESS:PORT (e.g. "
                "127.0.0.1:9471), nor \"\" to turn metrics off"},
        BadFile{"metrics_port_zero", "role = \"standalone\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n",
                "/etc/hatcp/hatcpd.toml:3:10: metrics.listen: \"127.0.0.1:0\" is not ADDRESS:PORT (e.g. "
                "127.0.0.1:9471), nor \"\" to turn metrics off"},
        BadFile{"metrics_not_table", "role = \"standalone\"\nmetrics = \"on\"\n",
                "/etc/hatcp/hatcpd.toml:2:11: metrics: must be a table, not a string"},
        BadFile{"mismatch_word", "role = \"standalone\"\n[sysctl]\non_mismatch = \"ignore\"\n",
                "/etc/hatcp/hatcpd.toml:3:15: sysctl.on_mismatch: \"ignore\" is not refuse or warn"},
        BadFile{"sysctl_port_is_channel",
                "role = \"primary\"\n[peer]\nlocal = \"10.0.0.1\"\nremote = \"10.0.0.2\"\ninsecure_no_key = true\n"
                "[sysctl]\nport = 7471\n",
                "/etc/hatcp/hatcpd.toml:6:1: sysctl.port: 7471 is the channel's port (peer.port); pick another"}),
    [](const testing::TestParamInfo<BadFile>& info) { return std::string{info.param.name}; });

TEST(DaemonConfig, UnreadableFile)
{
    try {
        load_config("/nonexistent/hatcpd.toml");
        FAIL() << "accepted";
    } catch (const ConfigError& error) {
        EXPECT_STREQ(error.what(), "/nonexistent/hatcpd.toml:0:0: (file): cannot read: No such file or directory");
        EXPECT_EQ(error.field(), "(file)");
    }
}

TEST(DaemonConfig, ErrorParts)
{
    try {
        parse_config("role = \"standalone\"\n[[service]]\nports = [0]\n", path);
        FAIL() << "accepted";
    } catch (const ConfigError& error) {
        EXPECT_EQ(error.file(), path);
        EXPECT_EQ(error.line(), 3U);
        EXPECT_EQ(error.field(), "service[1].ports[1]");
        EXPECT_EQ(error.reason(), "0 is out of range 1..65535");
    }
}

} // namespace
} // namespace hatcp::daemon
