// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/status.hpp"

namespace hatcp::daemon {

// The health check's answer, also its exit status (`hatcpd --health`):
//   healthy   0  module loaded, configuration applied, peer reachable,
//                replica lag within the bound
//   unhealthy 1  this node cannot serve protected connections: module
//                absent, configuration not applied or changed behind
//                hatcpd's back, critical sysctls differ from the peer's,
//                or hatcpd itself not answering
//   degraded  3  this node is fine but protection is not: the peer is
//                unreachable, or this replica lags beyond the bound
// (2 is a bad command line.)
enum class HealthLevel : std::uint8_t { healthy = 0, unhealthy = 1, degraded = 3 };

struct HealthVerdict {
    HealthLevel level = HealthLevel::healthy;
    std::string reason;

    friend bool operator==(const HealthVerdict&, const HealthVerdict&) = default;
};

struct HealthBounds {
    std::chrono::milliseconds peer_timeout{1000};
    std::uint64_t max_lag_bytes = 0;
};

// `snapshot` is absent when the module could not be asked.
HealthVerdict judge_health(const DaemonStatus& status, const std::optional<KernelSnapshot>& snapshot,
                           const HealthBounds& bounds);

// "healthy: ...", the line the check prints.
std::string health_line(const HealthVerdict& verdict);

// Parses health_line() back (the client side of the socket).
std::optional<HealthVerdict> parse_health_line(const std::string& line);

} // namespace hatcp::daemon
