// SPDX-License-Identifier: GPL-2.0
#include "daemon/health.hpp"

#include <fmt/format.h>

namespace hatcp::daemon {

namespace {

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items) {
        out += out.empty() ? "" : "; ";
        out += item;
    }
    return out;
}

const char* level_name(HealthLevel level)
{
    switch (level) {
    case HealthLevel::healthy: return "healthy";
    case HealthLevel::unhealthy: return "unhealthy";
    case HealthLevel::degraded: return "degraded";
    }
    return "unhealthy";
}

} // namespace

HealthVerdict judge_health(const DaemonStatus& status, const std::optional<KernelSnapshot>& snapshot,
                           const HealthBounds& bounds)
{
    if (!status.module_loaded || !snapshot) {
        return {HealthLevel::unhealthy, "hatcp module not loaded"};
    }
    if (!status.config_applied) {
        return {HealthLevel::unhealthy, fmt::format("configuration not applied: {}", status.apply_error)};
    }
    if (!status.drift.empty()) {
        return {HealthLevel::unhealthy, fmt::format("configuration changed behind hatcpd: {}", joined(status.drift))};
    }
    if (!status.sysctl_refusals.empty()) {
        return {HealthLevel::unhealthy, fmt::format("sysctls differ from the peer's: {}", joined(status.sysctl_refusals))};
    }
    const std::string role = role_name(snapshot->role);
    if (!status.peer_configured) {
        return {HealthLevel::healthy, fmt::format("role {}, no peer configured", role)};
    }
    const auto last_rx = peer_last_rx_ms(snapshot->stats);
    if (!last_rx) {
        return {HealthLevel::degraded, fmt::format("role {}, peer unreachable: never heard", role)};
    }
    if (*last_rx > static_cast<std::uint64_t>(bounds.peer_timeout.count())) {
        return {HealthLevel::degraded,
                fmt::format("role {}, peer unreachable: last heard {} ms ago (bound {} ms)", role, *last_rx,
                            bounds.peer_timeout.count())};
    }
    const std::uint64_t lag = max_lag_bytes(snapshot->flows);
    if (lag > bounds.max_lag_bytes) {
        return {HealthLevel::degraded,
                fmt::format("role {}, replica lags {} bytes (bound {})", role, lag, bounds.max_lag_bytes)};
    }
    return {HealthLevel::healthy,
            fmt::format("role {}, peer heard {} ms ago, {} flows, lag {} bytes", role, *last_rx,
                        snapshot->flows.size(), lag)};
}

std::string health_line(const HealthVerdict& verdict)
{
    return fmt::format("{}: {}", level_name(verdict.level), verdict.reason);
}

std::optional<HealthVerdict> parse_health_line(const std::string& line)
{
    for (const auto level : {HealthLevel::healthy, HealthLevel::unhealthy, HealthLevel::degraded}) {
        const std::string prefix = fmt::format("{}: ", level_name(level));
        if (line.starts_with(prefix)) {
            return HealthVerdict{level, line.substr(prefix.size())};
        }
    }
    return std::nullopt;
}

} // namespace hatcp::daemon
