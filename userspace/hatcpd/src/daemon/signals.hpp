// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <csignal>

#include "fd.hpp"

namespace hatcp::daemon {

// SIGTERM, SIGINT and SIGHUP as a signalfd for the event loop: handled
// between two events, never in a handler. Blocked while this lives.
class DaemonSignals {
public:
    DaemonSignals();
    ~DaemonSignals();
    DaemonSignals(const DaemonSignals&) = delete;
    DaemonSignals& operator=(const DaemonSignals&) = delete;
    DaemonSignals(DaemonSignals&&) = delete;
    DaemonSignals& operator=(DaemonSignals&&) = delete;

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    // The next pending signal, or 0.
    [[nodiscard]] int take() const noexcept;

private:
    sigset_t previous_mask_{};
    Fd fd_;
};

} // namespace hatcp::daemon
