// SPDX-License-Identifier: GPL-2.0
#include "cli/stop_signals.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace hatcp::cli {

namespace {

constexpr std::array stop_signals{SIGINT, SIGTERM};

[[noreturn]] void fail(const char* what)
{
    throw std::system_error{errno, std::generic_category(), what};
}

} // namespace

StopSignals::StopSignals()
{
    sigset_t set{};
    sigemptyset(&set);
    for (const int signal : stop_signals) {
        struct sigaction action {};
        if (sigaction(signal, nullptr, &action) != 0) {
            fail("sigaction");
        }
        if (action.sa_handler == SIG_IGN) { // NOLINT(cppcoreguidelines-pro-type-union-access)
            action.sa_handler = SIG_DFL;    // NOLINT(cppcoreguidelines-pro-type-union-access)
            if (sigaction(signal, &action, nullptr) != 0) {
                fail("sigaction");
            }
        }
        sigaddset(&set, signal);
    }
    if (const int error = pthread_sigmask(SIG_BLOCK, &set, &previous_mask_); error != 0) {
        throw std::system_error{error, std::generic_category(), "pthread_sigmask"};
    }
    fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd_ < 0) {
        const int error = errno;
        pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
        throw std::system_error{error, std::generic_category(), "signalfd"};
    }
}

StopSignals::~StopSignals()
{
    // Take the signals that stopped us, or unblocking would deliver them
    // and kill the process instead of letting it exit 0.
    signalfd_siginfo info{};
    while (read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    }
    close(fd_);
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

} // namespace hatcp::cli
