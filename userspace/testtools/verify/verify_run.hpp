// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clock.hpp"
#include "epoll.hpp"
#include "expected_reply.hpp"
#include "fd.hpp"
#include "latency_summary.hpp"
#include "payload_pattern.hpp"
#include "sha256.hpp"
#include "stop_signals.hpp"
#include "verify_options.hpp"

namespace hatcp::testtools {

// How one connection ended. Only `ok` is byte-exact and complete.
enum class Outcome {
    ok,
    connect_error, // connect() failed (refused, unreachable, timed out)
    reset,         // ECONNRESET (or EPIPE) after connecting
    early_eof,     // a clean EOF before the whole reply came
    mismatch,      // a reply byte differs from the transform's
    extra_bytes,   // the reply went on past what was sent
    error,         // any other socket error
    timeout,       // still going when --timeout ran out
    interrupted,   // still going at SIGINT or SIGTERM
};

[[nodiscard]] std::string_view to_string(Outcome outcome) noexcept;

// A gap longer than --stall-ms between two receipts on one connection (the
// first gap runs from the first send): where the stream stood when it ended,
// and how long it was.
struct StallEvent {
    std::uint64_t offset = 0;  // reply bytes received before the gap
    double at_s = 0;           // when the gap began, from the start of the run
    std::uint64_t gap_ms = 0;
    bool unfinished = false;   // still open when the connection ended
};

struct ConnectionResult {
    static constexpr std::size_t max_stall_events = 256;

    std::uint64_t index = 0;
    std::string local; // this end's ADDR:PORT: the server's "client"
    Outcome outcome = Outcome::ok;
    std::string error;
    std::optional<Mismatch> mismatch;
    std::uint64_t expected_bytes = 0;
    std::uint64_t sent = 0;
    std::uint64_t received = 0; // counts only bytes checked good
    std::string sha256_sent;
    std::string sha256_received;
    std::uint64_t connect_us = 0;
    double duration_s = 0; // connected to finished
    std::uint64_t longest_gap_us = 0;
    std::uint64_t stalls = 0;
    std::vector<StallEvent> stall_events; // the first max_stall_events
    LatencySummary latency;               // --rr: this connection's round trips
};

struct RunReport {
    VerifyOptions options;
    std::string target;
    double started_at_s = 0; // wall clock (Unix seconds) when the run began: stall_events' at_s are from it
    double elapsed_s = 0;
    std::uint64_t planned = 0;  // connections the run was to make
    std::uint64_t launched = 0;
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::unordered_map<Outcome, std::uint64_t> outcomes;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t stalls = 0;
    std::uint64_t longest_gap_us = 0;
    bool timed_out = false;
    bool interrupted = false;
    // Every connection's result in stream and --rr mode; with
    // --connect-only only the failed ones (there may be millions).
    std::vector<ConnectionResult> connections;
    LatencySummary latency; // --rr: round trips; --connect-only: connect to verified close
    LatencySummary connect_latency;

    [[nodiscard]] bool passed() const noexcept { return ok == planned && failed == 0; }
    // One line: why the run failed (empty if it passed).
    [[nodiscard]] std::string reason() const;
};

// One connection in flight.
struct ClientConnection {
    ClientConnection(std::uint64_t key, std::uint64_t index, const VerifyOptions& options);

    std::uint64_t key;
    Fd fd;
    PayloadPattern pattern;
    ExpectedReply expected;
    Sha256 sent_digest;
    Sha256 received_digest;
    ConnectionResult result;
    bool connected = false;
    bool write_shut = false;
    std::uint32_t interest = 0;
    TimePoint started;
    TimePoint connected_at;
    // Gap measurement: from the first send, between receipts.
    bool expecting = false;
    TimePoint last_receipt;
    // --rr: the message in flight is [message_begin, message_end).
    std::uint64_t message_begin = 0;
    std::uint64_t message_end = 0;
    TimePoint message_started;
    std::vector<std::uint64_t> latencies_us;
    bool finished = false;
};

// hatcp-verify's event loop: opens the connections, sends, checks every
// reply byte as it arrives, and ends at the last connection, the --timeout
// or a stop signal, whichever comes first.
class VerifyRun {
public:
    explicit VerifyRun(const VerifyOptions& options);
    [[nodiscard]] RunReport run(const StopSignals& stop);

private:
    // One event, if its connection is still connecting (connecting) or is
    // connected (!connecting); marks the event handled.
    void handle(epoll_event& event, const StopSignals& stop, bool connecting);
    void launch();
    void on_event(ClientConnection& connection, std::uint32_t events);
    void on_connected(ClientConnection& connection);
    void send_more(ClientConnection& connection);
    void receive(ClientConnection& connection);
    void take_reply(ClientConnection& connection, std::span<const std::uint8_t> bytes, TimePoint now);
    void finish(ClientConnection& connection, Outcome outcome, std::string error = {});
    void fail_with_errno(ClientConnection& connection, int error);
    void update_interest(ClientConnection& connection);
    void record_gap(ClientConnection& connection, TimePoint now, bool unfinished);
    void end_all(Outcome outcome);
    void collect(ClientConnection& connection);
    [[nodiscard]] std::uint64_t send_limit(const ClientConnection& connection) const noexcept;

    VerifyOptions options_;
    Epoll epoll_;
    RunReport report_;
    std::uint64_t planned_;
    std::uint64_t concurrency_;
    std::uint64_t next_key_;
    TimePoint run_started_;
    std::unordered_map<std::uint64_t, std::unique_ptr<ClientConnection>> active_;
    std::vector<std::uint8_t> send_buffer_;
    std::vector<std::uint8_t> receive_buffer_;
    std::vector<std::uint64_t> latencies_us_;
    std::vector<std::uint64_t> connect_latencies_us_;
};

} // namespace hatcp::testtools
