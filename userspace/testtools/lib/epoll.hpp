// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <span>

#include <sys/epoll.h>

#include "fd.hpp"

namespace hatcp::testtools {

// The one readiness loop both tools run on (level-triggered). Each
// registration carries a 64-bit key of the caller's choosing instead of the
// descriptor, so an event for a connection that was closed earlier in the
// same batch can never be taken for a new one that reused its number.
class Epoll {
public:
    // Throws std::system_error.
    Epoll();

    // Each throws std::system_error.
    void add(int fd, std::uint32_t events, std::uint64_t key);
    void modify(int fd, std::uint32_t events, std::uint64_t key);
    // Closing a descriptor removes it too; this is for one that stays open.
    void remove(int fd) noexcept;

    // Waits at most timeout_ms (-1: no bound) and returns how many events
    // were stored; 0 on timeout or EINTR. Throws std::system_error.
    int wait(std::span<epoll_event> events, int timeout_ms);

private:
    Fd fd_;
};

} // namespace hatcp::testtools
