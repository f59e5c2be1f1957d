// SPDX-License-Identifier: GPL-2.0
// The health verdict: each condition the check names, and the line format.
#include <gtest/gtest.h>

#include <linux/hatcp.h>

#include "daemon/health.hpp"

namespace hatcp::daemon {
namespace {

DaemonStatus good_status()
{
    DaemonStatus status;
    status.module_loaded = true;
    status.config_applied = true;
    status.peer_configured = true;
    return status;
}

KernelSnapshot snapshot(std::optional<std::uint64_t> last_rx_ms, std::uint32_t lag = 0)
{
    KernelSnapshot snap;
    snap.role = Role::replica;
    snap.stats.counters.push_back({HATCP_STATS_A_POLICIES, 1});
    if (last_rx_ms) {
        snap.stats.counters.push_back({HATCP_STATS_A_PEER_LAST_RX_MS, *last_rx_ms});
    }
    Flow flow;
    flow.lag_bytes = lag;
    snap.flows.push_back(flow);
    return snap;
}

const HealthBounds bounds{std::chrono::milliseconds{1000}, 4096};

TEST(DaemonHealth, Healthy)
{
    EXPECT_EQ(judge_health(good_status(), snapshot(42, 100), bounds),
              (HealthVerdict{HealthLevel::healthy, "role replica, peer heard 42 ms ago, 1 flows, lag 100 bytes"}));
}

TEST(DaemonHealth, ModuleMissing)
{
    DaemonStatus status = good_status();
    status.module_loaded = false;
    EXPECT_EQ(judge_health(status, std::nullopt, bounds),
              (HealthVerdict{HealthLevel::unhealthy, "hatcp module not loaded"}));
}

TEST(DaemonHealth, NotApplied)
{
    DaemonStatus status = good_status();
    status.config_applied = false;
    status.apply_error = "peer.device: no device \"eth9\" in this network namespace";
    EXPECT_EQ(judge_health(status, snapshot(1), bounds).reason,
              "configuration not applied: peer.device: no device \"eth9\" in this network namespace");
    EXPECT_EQ(judge_health(status, snapshot(1), bounds).level, HealthLevel::unhealthy);
}

TEST(DaemonHealth, Drift)
{
    DaemonStatus status = good_status();
    status.drift = {"policy missing: port 80", "no peer set"};
    EXPECT_EQ(judge_health(status, snapshot(1), bounds),
              (HealthVerdict{HealthLevel::unhealthy,
                             "configuration changed behind hatcpd: policy missing: port 80; no peer set"}));
}

TEST(DaemonHealth, SysctlRefusal)
{
    DaemonStatus status = good_status();
    status.sysctl_refusals = {"tcp_sack here 1 peer 0"};
    EXPECT_EQ(judge_health(status, snapshot(1), bounds),
              (HealthVerdict{HealthLevel::unhealthy, "sysctls differ from the peer's: tcp_sack here 1 peer 0"}));
}

TEST(DaemonHealth, PeerNeverHeard)
{
    EXPECT_EQ(judge_health(good_status(), snapshot(std::nullopt), bounds),
              (HealthVerdict{HealthLevel::degraded, "role replica, peer unreachable: never heard"}));
}

TEST(DaemonHealth, PeerSilentTooLong)
{
    EXPECT_EQ(judge_health(good_status(), snapshot(1001), bounds),
              (HealthVerdict{HealthLevel::degraded, "role replica, peer unreachable: last heard 1001 ms ago (bound "
                                                    "1000 ms)"}));
    EXPECT_EQ(judge_health(good_status(), snapshot(1000), bounds).level, HealthLevel::healthy);
}

TEST(DaemonHealth, LagBeyondBound)
{
    EXPECT_EQ(judge_health(good_status(), snapshot(5, 4097), bounds),
              (HealthVerdict{HealthLevel::degraded, "role replica, replica lags 4097 bytes (bound 4096)"}));
    EXPECT_EQ(judge_health(good_status(), snapshot(5, 4096), bounds).level, HealthLevel::healthy);
}

TEST(DaemonHealth, NoPeerConfigured)
{
    DaemonStatus status = good_status();
    status.peer_configured = false;
    EXPECT_EQ(judge_health(status, snapshot(std::nullopt), bounds),
              (HealthVerdict{HealthLevel::healthy, "role replica, no peer configured"}));
}

TEST(DaemonHealth, LineRoundTrip)
{
    for (const auto level : {HealthLevel::healthy, HealthLevel::unhealthy, HealthLevel::degraded}) {
        const HealthVerdict verdict{level, "why: because"};
        EXPECT_EQ(parse_health_line(health_line(verdict)), verdict);
    }
    EXPECT_EQ(health_line({HealthLevel::degraded, "x"}), "degraded: x");
    EXPECT_FALSE(parse_health_line("fine"));
}

} // namespace
} // namespace hatcp::daemon
