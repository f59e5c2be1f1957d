// SPDX-License-Identifier: GPL-2.0
#include "epoll.hpp"

#include <cerrno>
#include <climits>
#include <system_error>

namespace hatcp::testtools {

namespace {

[[noreturn]] void fail(const char* what)
{
    throw std::system_error{errno, std::generic_category(), what};
}

} // namespace

Epoll::Epoll() : fd_(epoll_create1(EPOLL_CLOEXEC))
{
    if (!fd_.valid()) {
        fail("epoll_create1");
    }
}

void Epoll::add(int fd, std::uint32_t events, std::uint64_t key)
{
    epoll_event event{.events = events, .data = {.u64 = key}};
    if (epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        fail("epoll_ctl(ADD)");
    }
}

void Epoll::modify(int fd, std::uint32_t events, std::uint64_t key)
{
    epoll_event event{.events = events, .data = {.u64 = key}};
    if (epoll_ctl(fd_.get(), EPOLL_CTL_MOD, fd, &event) != 0) {
        fail("epoll_ctl(MOD)");
    }
}

void Epoll::remove(int fd) noexcept
{
    epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

int Epoll::wait(std::span<epoll_event> events, int timeout_ms)
{
    const int capacity = events.size() > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(events.size());
    const int count = epoll_wait(fd_.get(), events.data(), capacity, timeout_ms);
    if (count < 0) {
        if (errno == EINTR) {
            return 0;
        }
        fail("epoll_wait");
    }
    return count;
}

} // namespace hatcp::testtools
