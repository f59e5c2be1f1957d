// SPDX-License-Identifier: GPL-2.0
#include "stop_signals.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace hatcp {

namespace {

constexpr std::array stop_signal_numbers{SIGINT, SIGTERM};

[[noreturn]] void fail(int error, const char* what)
{
    throw std::system_error{error, std::generic_category(), what};
}

} // namespace

StopSignals::StopSignals()
{
    sigset_t set{};
    sigemptyset(&set);
    for (const int signal : stop_signal_numbers) {
        struct sigaction action {};
        if (sigaction(signal, nullptr, &action) != 0) {
            fail(errno, "sigaction");
        }
        if (action.sa_handler == SIG_IGN) { // NOLINT(cppcoreguidelines-pro-type-union-access)
            action.sa_handler = SIG_DFL;    // NOLINT(cppcoreguidelines-pro-type-union-access)
            if (sigaction(signal, &action, nullptr) != 0) {
                fail(errno, "sigaction");
            }
        }
        sigaddset(&set, signal);
    }
    if (const int error = pthread_sigmask(SIG_BLOCK, &set, &previous_mask_); error != 0) {
        fail(error, "pthread_sigmask");
    }
    fd_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_.valid()) {
        const int error = errno;
        pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
        fail(error, "signalfd");
    }
}

StopSignals::~StopSignals()
{
    // Drain the signals that stopped us, or unblocking would deliver them
    // and kill the process before it exits with its own status.
    while (take() != 0) {
    }
    fd_.reset();
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

int StopSignals::take() const noexcept
{
    signalfd_siginfo info{};
    if (read(fd_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) {
        return 0;
    }
    return static_cast<int>(info.ssi_signo);
}

} // namespace hatcp
