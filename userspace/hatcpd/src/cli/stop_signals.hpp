// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <csignal>

namespace hatcp::cli {

// SIGINT and SIGTERM as a readable descriptor (signalfd), so `monitor` waits
// for them and for events in one poll() and then exits 0. While it lives,
// both signals are blocked; an ignored disposition is reset first, since a
// non-interactive shell starts background jobs with SIGINT ignored and the
// tests stop `monitor &` with kill -INT.
class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    StopSignals(StopSignals&&) = delete;
    StopSignals& operator=(StopSignals&&) = delete;

    [[nodiscard]] int fd() const noexcept { return fd_; }

private:
    sigset_t previous_mask_{};
    int fd_ = -1;
};

} // namespace hatcp::cli
