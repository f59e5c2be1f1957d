// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>
#include <string>

#include "daemon/status.hpp"

namespace hatcp::daemon {

// The Prometheus text exposition (version 0.0.4) of the kernel's counters
// and hatcpd's own state; `snapshot` is absent when the module is not
// loaded. The names are documented in hatcpd(8), METRICS.
std::string render_metrics(const DaemonStatus& status, const std::optional<KernelSnapshot>& snapshot);

} // namespace hatcp::daemon
