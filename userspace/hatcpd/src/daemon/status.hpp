// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/flow.hpp"
#include "model/role.hpp"
#include "model/stats.hpp"

namespace hatcp::daemon {

// What hatcpd knows besides the kernel's counters: whether it could talk
// to the module and put its configuration there, and what the peer's
// hatcpd said about sysctls. Metrics and the health check read it.
struct DaemonStatus {
    bool module_loaded = false;
    bool config_applied = false;
    std::string apply_error;              // why not, when not
    std::vector<std::string> drift;       // config_drift() at the last look
    bool peer_configured = false;
    std::vector<std::string> sysctl_refusals; // critical mismatches, refuse mode
    std::uint64_t sysctl_mismatches = 0;  // all mismatches at the last comparison
    bool peer_sysctls_known = false;
    std::uint64_t reloads = 0;
    std::uint64_t reload_failures = 0;
    std::uint64_t applies = 0;            // whole applications (start, module back)
};

// The kernel's view at one moment, read when a scrape or health check asks.
struct KernelSnapshot {
    Role role = Role::standalone;
    Stats stats;
    std::vector<Flow> flows;
};

// The largest lag_bytes of any flow (replica), 0 with none.
std::uint64_t max_lag_bytes(const std::vector<Flow>& flows);

// peer_last_rx_ms, when the kernel sent it.
std::optional<std::uint64_t> peer_last_rx_ms(const Stats& stats);

} // namespace hatcp::daemon
