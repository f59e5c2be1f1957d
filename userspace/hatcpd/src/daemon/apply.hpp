// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "control/control.hpp"
#include "daemon/config.hpp"

namespace hatcp::daemon {

// The configuration cannot be applied in this namespace as it stands (a
// device it names does not exist). The kernel's own refusals arrive as
// netlink::KernelError.
class ApplyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using DeviceIndexer = std::function<std::optional<std::uint32_t>(std::string_view name)>;

// The peer as the kernel takes it; throws ApplyError for an unknown device.
Peer kernel_peer(const PeerConfig& peer, const DeviceIndexer& device_index);

// Brings the module's state in line with `want`, touching only what
// differs, so live flows of unchanged services never notice: a policy that
// stays is never deleted and re-added, an unchanged peer is not re-set.
//
// The role belongs to keepalived once hatcpd has started (promote/demote),
// so it is set only when `previous` is null (start, or the module came
// back empty) or when the operator changed `role` in the file since
// `previous`. Returns one line per change made, for the log.
std::vector<std::string> apply_config(Control& control, const DaemonConfig& want, const DaemonConfig* previous,
                                      const DeviceIndexer& device_index);

// What in the kernel differs from `want` (role aside): empty when the
// configuration is in place. The health check uses it to notice state
// changed behind hatcpd's back.
std::vector<std::string> config_drift(Control& control, const DaemonConfig& want, const DeviceIndexer& device_index);

} // namespace hatcp::daemon
