// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hatcp::daemon {

// sd_notify(3) to the service manager; each is a no-op when NOTIFY_SOCKET
// is not set (started by hand).
class Notifier {
public:
    Notifier();

    void ready(std::string_view status) const;
    void reloading(std::string_view status) const;
    void stopping() const;
    void status(std::string_view status) const;
    void watchdog() const;

    // Half of WatchdogSec when the manager asks for pings, as sd_watchdog_enabled(3) advises.
    [[nodiscard]] std::optional<std::chrono::milliseconds> watchdog_interval() const { return watchdog_interval_; }

private:
    std::optional<std::chrono::milliseconds> watchdog_interval_;
};

} // namespace hatcp::daemon
