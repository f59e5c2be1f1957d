// SPDX-License-Identifier: GPL-2.0
#include "daemon/signals.hpp"

#include <cerrno>
#include <system_error>

#include <sys/signalfd.h>

namespace hatcp::daemon {

DaemonSignals::DaemonSignals()
{
    sigset_t mask{};
    sigemptyset(&mask);
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
        sigaddset(&mask, signal);
        // Background jobs of a non-interactive shell start with SIGINT ignored.
        std::signal(signal, SIG_DFL); // NOLINT(cert-err33-c): cannot fail for these
    }
    if (sigprocmask(SIG_BLOCK, &mask, &previous_mask_) != 0) {
        throw std::system_error{errno, std::generic_category(), "blocking signals"};
    }
    fd_.reset(signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_.valid()) {
        throw std::system_error{errno, std::generic_category(), "signalfd"};
    }
}

DaemonSignals::~DaemonSignals()
{
    sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
}

int DaemonSignals::take() const noexcept
{
    signalfd_siginfo info{};
    if (::read(fd_.get(), &info, sizeof(info)) != static_cast<ssize_t>(sizeof(info))) {
        return 0;
    }
    return static_cast<int>(info.ssi_signo);
}

} // namespace hatcp::daemon
