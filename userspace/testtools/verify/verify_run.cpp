// SPDX-License-Identifier: GPL-2.0
#include "verify_run.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "endpoint.hpp"

namespace hatcp::testtools {

namespace {

constexpr std::uint64_t handled_key = 0;
constexpr std::uint64_t signal_key = 1;
constexpr std::uint64_t first_connection_key = 16;

// Work per readiness event and connection: a couple of reads and sends up
// to a byte budget, so a round of the loop over hundreds of busy connections stays
// short. Gaps are measured when a read returns, so a long round would show
// up as stalls that are the client's own.
constexpr int reads_per_event = 2;
constexpr std::uint64_t send_budget_per_event = std::uint64_t{512} * 1024;
constexpr std::size_t receive_buffer_size = std::size_t{256} * 1024;
constexpr std::size_t events_per_wait = 256;
constexpr std::uint64_t micros_per_milli = 1000;

bool is_reset(int error) noexcept
{
    return error == ECONNRESET || error == EPIPE;
}

std::string errno_text(int error)
{
    return std::strerror(error); // NOLINT(concurrency-mt-unsafe): one thread
}

int socket_error(int fd) noexcept
{
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        return errno;
    }
    return error;
}

} // namespace

std::string_view to_string(Outcome outcome) noexcept
{
    switch (outcome) {
    case Outcome::ok:
        return "ok";
    case Outcome::connect_error:
        return "connect_error";
    case Outcome::reset:
        return "reset";
    case Outcome::early_eof:
        return "early_eof";
    case Outcome::mismatch:
        return "mismatch";
    case Outcome::extra_bytes:
        return "extra_bytes";
    case Outcome::error:
        return "error";
    case Outcome::timeout:
        return "timeout";
    case Outcome::interrupted:
        return "interrupted";
    }
    return "?";
}

namespace {

std::string describe(const ConnectionResult& result)
{
    std::string who = result.local.empty() ? fmt::format("conn {}", result.index)
                                                 : fmt::format("conn {} ({})", result.index, result.local);
    const auto progress = fmt::format("after {} of {} reply bytes", result.received, result.expected_bytes);
    switch (result.outcome) {
    case Outcome::ok:
        return who + ": ok";
    case Outcome::connect_error:
        return fmt::format("{}: connect failed: {}", who, result.error);
    case Outcome::reset:
        return fmt::format("{}: reset by peer ({}) {}", who, result.error, progress);
    case Outcome::early_eof:
        return fmt::format("{}: early EOF {}", who, progress);
    case Outcome::mismatch:
        return fmt::format("{}: mismatch at reply offset {}: expected 0x{:02x}, got 0x{:02x}", who,
                           result.mismatch ? result.mismatch->offset : 0,
                           result.mismatch ? result.mismatch->expected : 0, result.mismatch ? result.mismatch->got : 0);
    case Outcome::extra_bytes:
        return fmt::format("{}: reply went on past its {} bytes", who, result.expected_bytes);
    case Outcome::error:
        return fmt::format("{}: {} {}", who, result.error, progress);
    case Outcome::timeout:
        return fmt::format("{}: unfinished at the timeout, {}", who, progress);
    case Outcome::interrupted:
        return fmt::format("{}: interrupted {}", who, progress);
    }
    return who;
}

} // namespace

std::string RunReport::reason() const
{
    if (passed()) {
        return {};
    }
    std::string text;
    if (interrupted) {
        text = "interrupted by a signal";
    } else if (timed_out) {
        text = fmt::format("timeout after {:.1f} s", options.timeout_s);
    }
    const auto first_failed = std::find_if(connections.begin(), connections.end(),
                                           [](const ConnectionResult& result) { return result.outcome != Outcome::ok; });
    if (first_failed != connections.end()) {
        text += (text.empty() ? "" : ": ") + describe(*first_failed);
        if (failed > 1) {
            text += fmt::format(" (and {} more failed)", failed - 1);
        }
    }
    if (launched < planned) {
        text += fmt::format("{}{} of {} connections never started", text.empty() ? "" : "; ", planned - launched,
                            planned);
    }
    return text;
}

ClientConnection::ClientConnection(std::uint64_t key, std::uint64_t index, const VerifyOptions& options)
    : key(key),
      pattern(options.pattern, options.seed, index),
      expected(pattern),
      message_end(std::min(options.chunk, options.bytes))
{
    result.index = index;
    result.expected_bytes = options.bytes;
}

VerifyRun::VerifyRun(const VerifyOptions& options)
    : options_(options),
      planned_(options.mode == VerifyMode::connect_only ? options.connect_only : options.conns),
      concurrency_(options.conns),
      next_key_(first_connection_key),
      send_buffer_(static_cast<std::size_t>(std::min(options.chunk, options.bytes))),
      receive_buffer_(receive_buffer_size)
{
    report_.options = options;
    report_.target = to_string(options.target);
    report_.planned = planned_;
}

RunReport VerifyRun::run(const StopSignals& stop)
{
    epoll_.add(stop.fd(), EPOLLIN, signal_key);
    run_started_ = Clock::now();
    report_.started_at_s = std::chrono::duration<double>{std::chrono::system_clock::now().time_since_epoch()}.count();
    const TimePoint deadline =
        run_started_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>{options_.timeout_s});
    std::array<epoll_event, events_per_wait> events{};

    // Bounded: each pass either launches, waits until the deadline or a
    // signal, or handles events; the deadline ends it all.
    while (report_.launched < planned_ || !active_.empty()) {
        while (report_.launched < planned_ && active_.size() < concurrency_) {
            launch();
        }
        if (active_.empty()) {
            continue;
        }
        const TimePoint now = Clock::now();
        if (now >= deadline) {
            report_.timed_out = true;
            end_all(Outcome::timeout);
            break;
        }
        const int count = epoll_.wait(events, millis_until(now, deadline));
        const auto ready = std::span{events}.first(static_cast<std::size_t>(count));
        // Connections that just connected first: they cost little, and their
        // connect time should not include a round of everyone else's data.
        for (const bool connecting : {true, false}) {
            for (auto& event : ready) {
                handle(event, stop, connecting);
            }
        }
        if (report_.interrupted) {
            end_all(Outcome::interrupted);
            break;
        }
    }

    report_.elapsed_s = seconds_between(run_started_, Clock::now());
    std::sort(report_.connections.begin(), report_.connections.end(),
              [](const ConnectionResult& a, const ConnectionResult& b) { return a.index < b.index; });
    report_.latency = summarize_latencies(latencies_us_);
    report_.connect_latency = summarize_latencies(connect_latencies_us_);
    return std::move(report_);
}

void VerifyRun::handle(epoll_event& event, const StopSignals& stop, bool connecting)
{
    if (event.data.u64 == signal_key) {
        if (!connecting && stop.take() != 0) {
            report_.interrupted = true;
        }
        return;
    }
    const auto found = active_.find(event.data.u64);
    if (found == active_.end() || found->second->connected == connecting) {
        return;
    }
    event.data.u64 = handled_key; // not again in the second pass
    on_event(*found->second, event.events);
    if (found->second->finished) {
        active_.erase(found);
    }
}

void VerifyRun::launch()
{
    const std::uint64_t index = report_.launched++;
    auto owned = std::make_unique<ClientConnection>(next_key_++, index, options_);
    ClientConnection& connection = *owned;
    connection.started = Clock::now();
    connection.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!connection.fd.valid()) {
        finish(connection, Outcome::connect_error, "socket: " + errno_text(errno));
        return;
    }
    const int one = 1;
    // Each message is one send, so Nagle would only add latency.
    setsockopt(connection.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    const int status = connect(connection.fd.get(), reinterpret_cast<const sockaddr*>(&options_.target),
                               sizeof options_.target);
    if (status != 0 && errno != EINPROGRESS) {
        finish(connection, Outcome::connect_error, errno_text(errno));
        return;
    }
    connection.interest = EPOLLOUT;
    epoll_.add(connection.fd.get(), connection.interest, connection.key);
    if (status == 0) {
        on_connected(connection);
    }
    if (!connection.finished) {
        active_.emplace(connection.key, std::move(owned));
    }
}

void VerifyRun::on_event(ClientConnection& connection, std::uint32_t events)
{
    if (!connection.connected) {
        if (const int error = socket_error(connection.fd.get()); error != 0) {
            finish(connection, Outcome::connect_error, errno_text(error));
        } else if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0U) {
            on_connected(connection);
        }
        return;
    }
    const std::uint64_t message_before = connection.message_end;
    // An error is read after whatever data came before it: recv returns the
    // queued bytes first and the error after.
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0U) {
        receive(connection);
    }
    if (!connection.finished && (events & EPOLLERR) != 0U) {
        const int error = socket_error(connection.fd.get());
        fail_with_errno(connection, error != 0 ? error : ECONNRESET);
    }
    if (connection.finished) {
        return;
    }
    // Send when the socket has room, and at once when --rr's next message is due.
    if ((events & EPOLLOUT) != 0U || connection.message_end != message_before) {
        send_more(connection);
    }
    if (!connection.finished) {
        update_interest(connection);
    }
}

void VerifyRun::on_connected(ClientConnection& connection)
{
    const TimePoint now = Clock::now();
    connection.connected = true;
    connection.connected_at = now;
    connection.result.local = to_string(local_address(connection.fd.get()).value_or(sockaddr_in{}));
    connection.result.connect_us = micros_between(connection.started, now);
    connect_latencies_us_.push_back(connection.result.connect_us);
    // The first send waits for the next round (EPOLLOUT fires at once), so
    // a burst of connects is timed without everyone's first chunk in between.
    update_interest(connection);
}

std::uint64_t VerifyRun::send_limit(const ClientConnection& connection) const noexcept
{
    return options_.mode == VerifyMode::request_response ? connection.message_end : options_.bytes;
}

void VerifyRun::send_more(ClientConnection& connection)
{
    ConnectionResult& result = connection.result;
    const std::uint64_t budget_end = result.sent + std::max<std::uint64_t>(send_budget_per_event, options_.chunk);
    while (result.sent < budget_end) {
        const std::uint64_t limit = std::min(send_limit(connection), budget_end);
        if (result.sent >= limit) {
            break;
        }
        const TimePoint now = Clock::now();
        if (result.sent == connection.message_begin) {
            connection.message_started = now;
        }
        // The pattern is positional: what a partial send left is simply
        // generated again next time, so nothing is kept between sends.
        const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(send_buffer_.size(), limit - result.sent));
        const auto bytes = std::span{send_buffer_}.first(count);
        connection.pattern.fill(result.sent, bytes);
        const ssize_t sent = send(connection.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail_with_errno(connection, errno);
                return;
            }
            break;
        }
        connection.sent_digest.update(bytes.first(static_cast<std::size_t>(sent)));
        result.sent += static_cast<std::uint64_t>(sent);
        report_.bytes_sent += static_cast<std::uint64_t>(sent);
        if (!connection.expecting) {
            connection.expecting = true;
            connection.last_receipt = now;
        }
    }
    if (result.sent == options_.bytes && options_.half_close && !connection.write_shut) {
        shutdown(connection.fd.get(), SHUT_WR);
        connection.write_shut = true;
    }
}

void VerifyRun::receive(ClientConnection& connection)
{
    for (int i = 0; i < reads_per_event && !connection.finished; ++i) {
        const ssize_t count = recv(connection.fd.get(), receive_buffer_.data(), receive_buffer_.size(), 0);
        if (count == 0) {
            if (connection.result.received == options_.bytes) {
                finish(connection, Outcome::ok); // --half-close: the server's EOF
            } else {
                finish(connection, Outcome::early_eof);
            }
            return;
        }
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail_with_errno(connection, errno);
            }
            return;
        }
        take_reply(connection, std::span{receive_buffer_}.first(static_cast<std::size_t>(count)), Clock::now());
    }
}

void VerifyRun::take_reply(ClientConnection& connection, std::span<const std::uint8_t> bytes, TimePoint now)
{
    ConnectionResult& result = connection.result;
    record_gap(connection, now, false);
    connection.last_receipt = now;

    const std::uint64_t owed = options_.bytes - result.received;
    const auto due = bytes.first(static_cast<std::size_t>(std::min<std::uint64_t>(owed, bytes.size())));
    if (const auto mismatch = connection.expected.check(due)) {
        // The good prefix still counts, so the digest and the byte count
        // say where the streams parted.
        const auto good = static_cast<std::size_t>(mismatch->offset - result.received);
        connection.received_digest.update(due.first(good));
        result.received += good;
        report_.bytes_received += good;
        result.mismatch = mismatch;
        finish(connection, Outcome::mismatch);
        return;
    }
    connection.received_digest.update(due);
    result.received += due.size();
    report_.bytes_received += due.size();
    if (due.size() < bytes.size()) {
        finish(connection, Outcome::extra_bytes);
        return;
    }

    if (options_.mode == VerifyMode::request_response && result.received == connection.message_end) {
        connection.latencies_us.push_back(micros_between(connection.message_started, now));
        connection.message_begin = connection.message_end;
        connection.message_end = std::min(connection.message_end + options_.chunk, options_.bytes);
    }
    if (result.received == options_.bytes && !options_.half_close) {
        finish(connection, Outcome::ok);
    }
}

void VerifyRun::record_gap(ClientConnection& connection, TimePoint now, bool unfinished)
{
    if (!connection.expecting) {
        return;
    }
    ConnectionResult& result = connection.result;
    const std::uint64_t gap_us = micros_between(connection.last_receipt, now);
    result.longest_gap_us = std::max(result.longest_gap_us, gap_us);
    if (gap_us > options_.stall_ms * micros_per_milli) {
        ++result.stalls;
        if (result.stall_events.size() < ConnectionResult::max_stall_events) {
            result.stall_events.push_back(StallEvent{
                .offset = result.received,
                .at_s = seconds_between(run_started_, connection.last_receipt),
                .gap_ms = gap_us / micros_per_milli,
                .unfinished = unfinished,
            });
        }
    }
}

void VerifyRun::fail_with_errno(ClientConnection& connection, int error)
{
    finish(connection, is_reset(error) ? Outcome::reset : Outcome::error, errno_text(error));
}

void VerifyRun::update_interest(ClientConnection& connection)
{
    std::uint32_t wanted = EPOLLIN;
    if (connection.result.sent < send_limit(connection)) {
        wanted |= EPOLLOUT;
    }
    if (wanted != connection.interest) {
        epoll_.modify(connection.fd.get(), wanted, connection.key);
        connection.interest = wanted;
    }
}

void VerifyRun::finish(ClientConnection& connection, Outcome outcome, std::string error)
{
    if (connection.finished) {
        return;
    }
    const TimePoint now = Clock::now();
    connection.finished = true;
    ConnectionResult& result = connection.result;
    if (outcome == Outcome::timeout || outcome == Outcome::interrupted) {
        // The gap still open counts: a connection that stalled for good
        // must show it.
        record_gap(connection, now, true);
    }
    result.outcome = outcome;
    result.error = std::move(error);
    result.sha256_sent = connection.sent_digest.hex();
    result.sha256_received = connection.received_digest.hex();
    result.duration_s = connection.connected ? seconds_between(connection.connected_at, now) : 0.0;
    if (options_.mode == VerifyMode::request_response) {
        latencies_us_.insert(latencies_us_.end(), connection.latencies_us.begin(), connection.latencies_us.end());
        result.latency = summarize_latencies(connection.latencies_us);
    } else if (options_.mode == VerifyMode::connect_only && outcome == Outcome::ok) {
        latencies_us_.push_back(micros_between(connection.started, now));
    }
    connection.fd.reset();
    collect(connection);
}

void VerifyRun::collect(ClientConnection& connection)
{
    ConnectionResult& result = connection.result;
    ++report_.outcomes[result.outcome];
    if (result.outcome == Outcome::ok) {
        ++report_.ok;
    } else {
        ++report_.failed;
    }
    report_.stalls += result.stalls;
    report_.longest_gap_us = std::max(report_.longest_gap_us, result.longest_gap_us);
    if (options_.mode != VerifyMode::connect_only || result.outcome != Outcome::ok) {
        report_.connections.push_back(std::move(result));
    }
}

void VerifyRun::end_all(Outcome outcome)
{
    for (auto& [key, connection] : active_) {
        finish(*connection, outcome);
    }
    active_.clear();
}

} // namespace hatcp::testtools
