// SPDX-License-Identifier: GPL-2.0
#include "echo_server.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "endpoint.hpp"

namespace hatcp::testtools {

namespace {

constexpr std::uint64_t listener_key = 0;
constexpr std::uint64_t signal_key = 1;
constexpr std::uint64_t timer_key = 2;
constexpr std::uint64_t first_connection_key = 16;

// Per readiness event, so one busy connection cannot starve the others.
constexpr int accepts_per_event = 64;
constexpr int reads_per_event = 4;
constexpr std::size_t events_per_wait = 256;
constexpr auto accept_retry_after = std::chrono::milliseconds{100};

[[noreturn]] void fail_system(const char* what)
{
    throw std::system_error{errno, std::generic_category(), what};
}

bool is_reset(int error) noexcept
{
    return error == ECONNRESET || error == EPIPE;
}

// Ends the connection for a socket error: reset (ECONNRESET, EPIPE) or error.
void fail(ServerConnection& connection, int error)
{
    connection.end = is_reset(error) ? "reset" : "error";
    connection.error = std::strerror(error); // NOLINT(concurrency-mt-unsafe): one thread
}

void set_nodelay(int fd) noexcept
{
    // Replies go out as soon as they are made: Nagle would hold back the
    // tail of a reply cut in two by a partial read, and --rr latencies with it.
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace

nlohmann::json connection_record(const ServerConnection& connection, TimePoint now)
{
    nlohmann::json record{
        {"type", "connection"},
        {"id", connection.id},
        {"client", connection.client},
        {"server", connection.server},
        {"end", connection.end},
        {"bytes_in", connection.bytes_in},
        {"bytes_out", connection.bytes_out},
        {"pending_out", connection.pending.size()},
        {"sha256_in", connection.in_digest.hex()},
        {"sha256_out", connection.out_digest.hex()},
        {"duration_s", seconds_between(connection.accepted_at, now)},
    };
    if (!connection.error.empty()) {
        record["error"] = connection.error;
    }
    return record;
}

EchoServer::EchoServer(const EchodOptions& options, StatsSink& sink)
    : options_(options),
      sink_(sink),
      listener_(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)),
      next_key_(first_connection_key),
      read_buffer_(options.read_size)
{
    if (!listener_.valid()) {
        fail_system("socket");
    }
    const int one = 1;
    if (setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
        fail_system("setsockopt(SO_REUSEADDR)");
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (bind(listener_.get(), reinterpret_cast<const sockaddr*>(&options_.listen), sizeof options_.listen) != 0) {
        fail_system("bind");
    }
    if (listen(listener_.get(), options_.backlog) != 0) {
        fail_system("listen");
    }
    bound_ = local_address(listener_.get()).value_or(options_.listen);
    epoll_.add(listener_.get(), EPOLLIN, listener_key);

    timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer_.valid()) {
        fail_system("timerfd_create");
    }
    epoll_.add(timer_.get(), EPOLLIN, timer_key);
}

int EchoServer::run(const StopSignals& stop)
{
    epoll_.add(stop.fd(), EPOLLIN, signal_key);
    std::array<epoll_event, events_per_wait> events{};
    for (;;) {
        // No timeout: the timer descriptor wakes us for --delay-us and for an
        // accept retry, a signal for the stop; otherwise there is nothing to do.
        const int count = epoll_.wait(events, -1);
        for (int i = 0; i < count; ++i) {
            const auto& event = events.at(static_cast<std::size_t>(i));
            const std::uint64_t key = event.data.u64;
            if (key == signal_key) {
                if (const int signal = stop.take(); signal != 0) {
                    return signal;
                }
            } else if (key == listener_key) {
                accept_connections();
            } else if (key == timer_key) {
                on_timer();
            } else if (const auto found = connections_.find(key); found != connections_.end()) {
                on_connection_event(*found->second, event.events);
                if (!found->second->end.empty()) {
                    close_connection(key);
                }
            }
        }
    }
}

void EchoServer::accept_connections()
{
    for (int i = 0; i < accepts_per_event && accepting_; ++i) {
        sockaddr_in peer{};
        socklen_t length = sizeof peer;
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        Fd fd{accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC)};
        if (!fd.valid()) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            // Out of descriptors or memory: a level-triggered listener would
            // spin, so stop accepting for a while and let the backlog hold them.
            set_accepting(false);
            accept_paused_by_error_ = true;
            accept_resume_at_ = Clock::now() + accept_retry_after;
            arm_timer();
            return;
        }
        set_nodelay(fd.get());
        auto connection = std::make_unique<ServerConnection>();
        connection->key = next_key_++;
        connection->id = ++totals_.accepted;
        connection->client = to_string(peer);
        connection->server = to_string(local_address(fd.get()).value_or(bound_));
        connection->accepted_at = Clock::now();
        connection->fd = std::move(fd);
        connection->interest = EPOLLIN;
        epoll_.add(connection->fd.get(), connection->interest, connection->key);
        connections_.emplace(connection->key, std::move(connection));
        if (options_.max_conns != 0 && connections_.size() >= options_.max_conns) {
            set_accepting(false);
        }
    }
}

void EchoServer::on_connection_event(ServerConnection& connection, std::uint32_t events)
{
    if ((events & EPOLLERR) != 0U) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(connection.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        fail(connection, error != 0 ? error : ECONNRESET);
        return;
    }
    if ((events & EPOLLHUP) != 0U && connection.parked) {
        // Nothing more will come in; reading now finds out how it ended.
        connection.parked = false;
    }
    if (!connection.pending.empty()) {
        flush_pending(connection);
    }
    if (connection.end.empty() && connection.pending.empty() && !connection.parked && !connection.peer_eof) {
        read_and_reply(connection);
    }
    if (!connection.end.empty()) {
        return;
    }
    if (connection.peer_eof && connection.pending.empty()) {
        // The client has sent everything and has everything it is owed:
        // end our side too, and the close sends nothing more.
        shutdown(connection.fd.get(), SHUT_WR);
        connection.end = "eof";
        return;
    }
    update_interest(connection);
}

void EchoServer::read_and_reply(ServerConnection& connection)
{
    for (int i = 0; i < reads_per_event; ++i) {
        const ssize_t count = recv(connection.fd.get(), read_buffer_.data(), read_buffer_.size(), 0);
        if (count == 0) {
            connection.peer_eof = true;
            return;
        }
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail(connection, errno);
            }
            return;
        }
        const auto bytes = std::span{read_buffer_}.first(static_cast<std::size_t>(count));
        connection.in_digest.update(bytes);
        connection.bytes_in += bytes.size();
        totals_.bytes_in += bytes.size();
        connection.transform.apply_in_place(bytes);
        send_reply(connection, bytes);
        if (!connection.end.empty() || !connection.pending.empty()) {
            return;
        }
        if (options_.delay_us != 0) {
            park(connection);
            return;
        }
    }
}

void EchoServer::send_reply(ServerConnection& connection, std::span<const std::uint8_t> bytes)
{
    while (!bytes.empty()) {
        const ssize_t count = send(connection.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            fail(connection, errno);
            break; // what was not sent stays in pending for the record
        }
        const auto sent = bytes.first(static_cast<std::size_t>(count));
        connection.out_digest.update(sent);
        connection.bytes_out += sent.size();
        totals_.bytes_out += sent.size();
        bytes = bytes.subspan(sent.size());
    }
    connection.pending.assign(bytes.begin(), bytes.end());
}

void EchoServer::flush_pending(ServerConnection& connection)
{
    // Moved out first: send_reply refills pending with whatever is left.
    const std::vector<std::uint8_t> pending = std::move(connection.pending);
    send_reply(connection, pending);
}

void EchoServer::update_interest(ServerConnection& connection)
{
    std::uint32_t wanted = 0;
    if (!connection.pending.empty()) {
        wanted = EPOLLOUT;
    } else if (!connection.parked && !connection.peer_eof) {
        wanted = EPOLLIN;
    }
    if (wanted != connection.interest) {
        epoll_.modify(connection.fd.get(), wanted, connection.key);
        connection.interest = wanted;
    }
}

void EchoServer::close_connection(std::uint64_t key)
{
    const auto found = connections_.find(key);
    if (found == connections_.end()) {
        return;
    }
    const ServerConnection& connection = *found->second;
    if (connection.end == "eof") {
        ++totals_.closed_eof;
    } else if (connection.end == "reset") {
        ++totals_.resets;
    } else {
        ++totals_.errors;
    }
    sink_.write(connection_record(connection, Clock::now()));
    connections_.erase(found); // closes the socket, which leaves the epoll set
    if (!accepting_ && !accept_paused_by_error_) {
        set_accepting(true);
    }
}

void EchoServer::park(ServerConnection& connection)
{
    connection.parked = true;
    const bool was_empty = parked_.empty();
    parked_.emplace_back(Clock::now() + std::chrono::microseconds{options_.delay_us}, connection.key);
    if (was_empty) {
        arm_timer();
    }
}

void EchoServer::on_timer()
{
    std::uint64_t expirations = 0;
    while (read(timer_.get(), &expirations, sizeof expirations) > 0) {
    }
    const TimePoint now = Clock::now();
    while (!parked_.empty() && parked_.front().first <= now) {
        const std::uint64_t key = parked_.front().second;
        parked_.pop_front();
        if (const auto found = connections_.find(key); found != connections_.end()) {
            found->second->parked = false;
            update_interest(*found->second);
        }
    }
    if (accept_paused_by_error_ && accept_resume_at_ <= now) {
        accept_paused_by_error_ = false;
        set_accepting(options_.max_conns == 0 || connections_.size() < options_.max_conns);
    }
    arm_timer();
}

void EchoServer::arm_timer()
{
    // The earliest of the first parked connection's deadline and an accept
    // retry; a zero it_value would disarm, so at least a nanosecond.
    TimePoint deadline = TimePoint::max();
    if (!parked_.empty()) {
        deadline = parked_.front().first;
    }
    if (accept_paused_by_error_ && accept_resume_at_ < deadline) {
        deadline = accept_resume_at_;
    }
    itimerspec spec{};
    if (deadline != TimePoint::max()) {
        const auto wait = std::max(std::chrono::nanoseconds{1},
                                   std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()));
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
        spec.it_value.tv_sec = static_cast<time_t>(seconds.count());
        spec.it_value.tv_nsec = static_cast<long>((wait - seconds).count());
    }
    timerfd_settime(timer_.get(), 0, &spec, nullptr);
}

void EchoServer::set_accepting(bool accepting)
{
    if (accepting != accepting_) {
        epoll_.modify(listener_.get(), accepting ? EPOLLIN : 0U, listener_key);
        accepting_ = accepting;
    }
}

void EchoServer::record_open_connections()
{
    const TimePoint now = Clock::now();
    for (auto& [key, connection] : connections_) {
        connection->end = "open";
        sink_.write(connection_record(*connection, now));
    }
}

} // namespace hatcp::testtools
