// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <netinet/in.h>
#include <nlohmann/json.hpp>

#include "clock.hpp"
#include "echod_options.hpp"
#include "epoll.hpp"
#include "fd.hpp"
#include "reply_transform.hpp"
#include "sha256.hpp"
#include "stats_sink.hpp"
#include "stop_signals.hpp"

namespace hatcp::testtools {

// What hatcp-echod counts over its whole run.
struct ServerTotals {
    std::uint64_t accepted = 0;
    std::uint64_t closed_eof = 0; // the client half-closed (or closed) and got all it was owed
    std::uint64_t resets = 0;     // ECONNRESET or EPIPE
    std::uint64_t errors = 0;     // any other socket error
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
};

// The server's view of one connection. bytes_out and sha256_out count what
// was handed to the socket, so they equal what the client received unless
// the connection broke.
struct ServerConnection {
    std::uint64_t key = 0;
    std::uint64_t id = 0; // accept order, from 1
    Fd fd;
    std::string client; // the client's ADDR:PORT, which names the connection
    std::string server;
    TimePoint accepted_at;
    ReplyTransform transform;
    Sha256 in_digest;
    Sha256 out_digest;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    // Transformed bytes the socket would not take yet; reading waits for
    // them, so a client that does not read cannot make the server buffer.
    std::vector<std::uint8_t> pending;
    bool peer_eof = false;
    bool parked = false; // inside --delay-us after a read
    std::uint32_t interest = 0;
    std::string end;   // how it ended: eof, reset, error; "open" at shutdown
    std::string error; // strerror text for reset and error
};

// The JSON line that records a connection (see README.md).
[[nodiscard]] nlohmann::json connection_record(const ServerConnection& connection, TimePoint now);

// hatcp-echod's event loop: one thread, level-triggered epoll, no timeouts
// but the --delay-us timer, so an idle server sleeps.
class EchoServer {
public:
    // Binds and listens. Throws std::system_error.
    EchoServer(const EchodOptions& options, StatsSink& sink);

    [[nodiscard]] sockaddr_in bound_address() const noexcept { return bound_; }

    // Serves until SIGINT or SIGTERM; returns the signal's number.
    int run(const StopSignals& stop);

    // At shutdown: a record per connection still open ("end": "open").
    void record_open_connections();
    [[nodiscard]] const ServerTotals& totals() const noexcept { return totals_; }
    [[nodiscard]] std::size_t open_connections() const noexcept { return connections_.size(); }

private:
    void accept_connections();
    void on_connection_event(ServerConnection& connection, std::uint32_t events);
    void read_and_reply(ServerConnection& connection);
    // Sends bytes; keeps what the socket will not take in pending.
    void send_reply(ServerConnection& connection, std::span<const std::uint8_t> bytes);
    void flush_pending(ServerConnection& connection);
    void update_interest(ServerConnection& connection);
    void close_connection(std::uint64_t key);
    void park(ServerConnection& connection);
    void on_timer();
    void arm_timer();
    void set_accepting(bool accepting);

    EchodOptions options_;
    StatsSink& sink_;
    Epoll epoll_;
    Fd listener_;
    Fd timer_;
    sockaddr_in bound_{};
    bool accepting_ = true;
    TimePoint accept_resume_at_{}; // after EMFILE and friends, retry then
    bool accept_paused_by_error_ = false;
    std::uint64_t next_key_;
    std::unordered_map<std::uint64_t, std::unique_ptr<ServerConnection>> connections_;
    // Every pause has the same length, so deadlines come in order: a FIFO.
    std::deque<std::pair<TimePoint, std::uint64_t>> parked_;
    std::vector<std::uint8_t> read_buffer_;
    ServerTotals totals_;
};

} // namespace hatcp::testtools
