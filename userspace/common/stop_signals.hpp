// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <csignal>

#include "fd.hpp"

namespace hatcp {

// SIGINT and SIGTERM as a readable descriptor (signalfd) in the tools' epoll
// loop, so a stop is handled between two events and the final report is
// written, never from a signal handler. While it lives both are blocked; an
// ignored disposition is reset first, since a non-interactive shell starts
// background jobs (`hatcp-echod &`) with SIGINT ignored.
class StopSignals {
public:
    // Throws std::system_error.
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    StopSignals(StopSignals&&) = delete;
    StopSignals& operator=(StopSignals&&) = delete;

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    // The signal that arrived, or 0 if none is pending.
    [[nodiscard]] int take() const noexcept;

private:
    sigset_t previous_mask_{};
    Fd fd_;
};

} // namespace hatcp
