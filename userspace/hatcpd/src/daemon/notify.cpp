// SPDX-License-Identifier: GPL-2.0
#include "daemon/notify.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

namespace hatcp::daemon::notify {

namespace {

void send(const std::string& state)
{
    // A failure to notify is not hatcpd's to handle: the manager's problem.
    sd_notify(0, state.c_str());
}

std::uint64_t monotonic_usec()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U) + (static_cast<std::uint64_t>(now.tv_nsec) / 1000U);
}

} // namespace

std::optional<std::chrono::milliseconds> watchdog_interval()
{
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        return std::chrono::milliseconds{std::max<std::uint64_t>(usec / 2000U, 1U)};
    }
    return std::nullopt;
}

void ready(std::string_view status)
{
    send(fmt::format("READY=1\nSTATUS={}", status));
}

void reloading(std::string_view status)
{
    // MONOTONIC_USEC lets systemd 253's Type=notify-reload match the reply.
    send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS={}", monotonic_usec(), status));
}

void stopping()
{
    send("STOPPING=1\nSTATUS=stopping");
}

void status(std::string_view status)
{
    send(fmt::format("STATUS={}", status));
}

void watchdog()
{
    send("WATCHDOG=1");
}

} // namespace hatcp::daemon::notify
