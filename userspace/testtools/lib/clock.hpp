// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <cstdint>

namespace hatcp::testtools {

// Every interval the tools measure (stalls, latencies, throughput, the
// --timeout bound) is on the monotonic clock, never wall time, which an NTP
// step during a failover test could move.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

[[nodiscard]] inline std::uint64_t micros_between(TimePoint from, TimePoint to) noexcept
{
    if (to <= from) {
        return 0;
    }
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(to - from).count());
}

[[nodiscard]] inline double seconds_between(TimePoint from, TimePoint to) noexcept
{
    return std::chrono::duration<double>(to - from).count();
}

// Milliseconds until deadline, rounded up so an epoll_wait with it never
// wakes before the deadline and spins; 0 once it has passed.
[[nodiscard]] inline int millis_until(TimePoint now, TimePoint deadline) noexcept
{
    if (deadline <= now) {
        return 0;
    }
    constexpr std::int64_t max_wait_ms = 60'000;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
    constexpr std::int64_t micros_per_milli = 1000;
    const std::int64_t millis = (micros + micros_per_milli - 1) / micros_per_milli;
    return static_cast<int>(millis < max_wait_ms ? millis : max_wait_ms);
}

} // namespace hatcp::testtools
