// SPDX-License-Identifier: GPL-2.0
// The Prometheus text: documented names, one HELP/TYPE per family with its
// samples together, reasons as labels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <linux/hatcp.h>

#include "daemon/metrics.hpp"

namespace hatcp::daemon {
namespace {

using testing::HasSubstr;
using testing::Not;

KernelSnapshot sample()
{
    KernelSnapshot snap;
    snap.role = Role::primary;
    snap.stats.counters = {
        {HATCP_STATS_A_FLOWS_PROTECTED, 5},    {HATCP_STATS_A_CHAN_DROP_BAD_MAC, 2},
        {HATCP_STATS_A_PEER_LAST_RX_MS, 1250}, {HATCP_STATS_A_CHAN_DROP_REPLAY, 3},
        {HATCP_STATS_A_HELD_BYTES, 1400},      {HATCP_STATS_A_PROMOTIONS, 1},
        {HATCP_STATS_A_UNPROT_SYNCOOKIE, 4},   {999, 7},
        {HATCP_STATS_A_UNPROT_FAILOVER, 6},    {HATCP_STATS_A_DRAIN_FLOWS, 2},
        {HATCP_STATS_A_REPL_WIRE_DROP, 9},     {HATCP_STATS_A_CHAN_DROP_REFLECTED, 11},
        {HATCP_STATS_A_CHAN_SESSIONS, 12},     {HATCP_STATS_A_CHAN_HELLO_OLD, 13},
    };
    Flow a;
    a.lag_bytes = 10;
    Flow b;
    b.lag_bytes = 30;
    snap.flows = {a, b};
    return snap;
}

TEST(DaemonMetrics, KernelCounters)
{
    DaemonStatus status;
    status.config_applied = true;
    status.reloads = 2;
    const std::string text = render_metrics(status, sample());
    EXPECT_THAT(text, HasSubstr("hatcpd_module_loaded 1\n"));
    EXPECT_THAT(text, HasSubstr("hatcpd_config_applied 1\n"));
    EXPECT_THAT(text, HasSubstr("hatcpd_reloads_total 2\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE hatcp_flows_protected_total counter\nhatcp_flows_protected_total 5\n"));
    // Both drop reasons under one HELP/TYPE, together, though the kernel
    // sent another counter between them.
    EXPECT_THAT(text, HasSubstr("# HELP hatcp_channel_drops_total Channel messages dropped, by reason.\n"
                                "# TYPE hatcp_channel_drops_total counter\n"
                                "hatcp_channel_drops_total{reason=\"bad_mac\"} 2\n"
                                "hatcp_channel_drops_total{reason=\"replay\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_peer_last_heartbeat_seconds 1.250\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_peer_heard 1\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_held_bytes 1400\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_promotions_total 1\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_flows_unprotected_by_reason_total{reason=\"syncookie\"} 4\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_kernel_counter{name=\"attr_999\"} 7\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_flows_unprotected_by_reason_total{reason=\"failover\"} 6\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE hatcp_draining_flows gauge\nhatcp_draining_flows 2\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE hatcp_replica_wire_drops_total counter\nhatcp_replica_wire_drops_total 9\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_channel_drops_total{reason=\"reflected\"} 11\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE hatcp_channel_sessions_total counter\nhatcp_channel_sessions_total 12\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_channel_hellos_refused_total{reason=\"old\"} 13\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_replica_lag_bytes_max 30\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_replica_lag_bytes_sum 40\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_role{role=\"primary\"} 1\nhatcp_role{role=\"replica\"} 0\n"));
}

TEST(DaemonMetrics, EveryFamilyDeclaredOnce)
{
    const std::string text = render_metrics({}, sample());
    std::size_t at = 0;
    int drops = 0;
    while ((at = text.find("# TYPE hatcp_channel_drops_total ", at)) != std::string::npos) {
        ++drops;
        ++at;
    }
    EXPECT_EQ(drops, 1);
}

TEST(DaemonMetrics, NoModule)
{
    const std::string text = render_metrics({}, std::nullopt);
    EXPECT_THAT(text, HasSubstr("hatcpd_module_loaded 0\n"));
    EXPECT_THAT(text, Not(HasSubstr("hatcp_flows_protected_total")));
}

TEST(DaemonMetrics, NeverHeardHasNoHeartbeatAge)
{
    KernelSnapshot snap;
    snap.stats.counters = {{HATCP_STATS_A_CHAN_TX, 3}};
    const std::string text = render_metrics({}, snap);
    EXPECT_THAT(text, HasSubstr("hatcp_peer_heard 0\n"));
    EXPECT_THAT(text, HasSubstr("hatcp_channel_messages_sent_total 3\n"));
    EXPECT_THAT(text, Not(HasSubstr("hatcp_peer_last_heartbeat_seconds")));
}

} // namespace
} // namespace hatcp::daemon
