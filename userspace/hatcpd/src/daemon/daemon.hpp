// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>
#include <string>

namespace hatcp::daemon {

struct DaemonOptions {
    std::string config_path = "/etc/hatcp/hatcpd.toml";
    // Enter /run/netns/NAME first, and exit (for the service manager to
    // restart hatcpd) when that namespace is deleted or recreated.
    std::optional<std::string> netns;
};

// Runs hatcpd until SIGTERM/SIGINT; returns the exit status: 0 after a
// stop, 1 when it cannot start (bad configuration, critical sysctls
// differing from the peer's, sockets) or its namespace was recreated.
int run_daemon(const DaemonOptions& options);

} // namespace hatcp::daemon
