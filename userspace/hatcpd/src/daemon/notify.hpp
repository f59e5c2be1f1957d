// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

// sd_notify(3) to the service manager; each is a no-op when NOTIFY_SOCKET
// is not set (started by hand).
namespace hatcp::daemon::notify {

void ready(std::string_view status);
void reloading(std::string_view status);
void stopping();
void status(std::string_view status);
void watchdog();

// Half of WatchdogSec when the manager asks for pings, as
// sd_watchdog_enabled(3) advises; nullopt when it does not.
std::optional<std::chrono::milliseconds> watchdog_interval();

} // namespace hatcp::daemon::notify
