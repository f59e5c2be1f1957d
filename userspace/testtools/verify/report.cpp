// SPDX-License-Identifier: GPL-2.0
#include "report.hpp"

#include <array>

#include <fmt/format.h>

namespace hatcp::testtools {

namespace {

constexpr double mega = 1e6;

std::string_view to_string(VerifyMode mode) noexcept
{
    switch (mode) {
    case VerifyMode::stream:
        return "stream";
    case VerifyMode::request_response:
        return "rr";
    case VerifyMode::connect_only:
        return "connect_only";
    }
    return "?";
}

double per_second(double amount, double seconds) noexcept
{
    return seconds > 0 ? amount / seconds : 0.0;
}

nlohmann::json latency_json(const LatencySummary& summary)
{
    return {{"count", summary.count},
            {"p50", summary.p50_us},
            {"p99", summary.p99_us},
            {"max", summary.max_us},
            {"mean", summary.mean_us}};
}

nlohmann::json connection_json(const ConnectionResult& result, VerifyMode mode)
{
    nlohmann::json stalls = nlohmann::json::array();
    for (const auto& stall : result.stall_events) {
        stalls.push_back({{"offset", stall.offset},
                          {"at_s", stall.at_s},
                          {"gap_ms", stall.gap_ms},
                          {"unfinished", stall.unfinished}});
    }
    nlohmann::json record{
        {"index", result.index},
        {"local", result.local},
        {"outcome", to_string(result.outcome)},
        {"expected_bytes", result.expected_bytes},
        {"sent", result.sent},
        {"received", result.received},
        {"sha256_sent", result.sha256_sent},
        {"sha256_received", result.sha256_received},
        {"connect_us", result.connect_us},
        {"duration_s", result.duration_s},
        {"mb_per_s", per_second(static_cast<double>(result.received), result.duration_s) / mega},
        {"longest_gap_ms", static_cast<double>(result.longest_gap_us) / 1e3},
        {"stalls", result.stalls},
        {"stall_events", stalls},
    };
    if (!result.error.empty()) {
        record["error"] = result.error;
    }
    if (result.mismatch) {
        record["mismatch"] = {{"offset", result.mismatch->offset},
                              {"expected", result.mismatch->expected},
                              {"got", result.mismatch->got}};
    }
    if (mode == VerifyMode::request_response) {
        record["latency_us"] = latency_json(result.latency);
    }
    return record;
}

constexpr std::array all_outcomes{Outcome::ok,          Outcome::connect_error, Outcome::reset,
                                  Outcome::early_eof,   Outcome::mismatch,      Outcome::extra_bytes,
                                  Outcome::error,       Outcome::timeout,       Outcome::interrupted};

std::uint64_t count_of(const RunReport& report, Outcome outcome)
{
    const auto found = report.outcomes.find(outcome);
    return found == report.outcomes.end() ? 0 : found->second;
}

} // namespace

nlohmann::json to_json(const RunReport& report)
{
    const VerifyOptions& options = report.options;
    nlohmann::json outcomes = nlohmann::json::object();
    for (const Outcome outcome : all_outcomes) {
        outcomes[std::string{to_string(outcome)}] = count_of(report, outcome);
    }
    nlohmann::json connections = nlohmann::json::array();
    for (const auto& result : report.connections) {
        connections.push_back(connection_json(result, options.mode));
    }
    nlohmann::json json{
        {"tool", "hatcp-verify"},
        {"mode", to_string(options.mode)},
        {"target", report.target},
        {"conns", options.conns},
        {"planned", report.planned},
        {"launched", report.launched},
        {"bytes_per_conn", options.bytes},
        {"chunk", options.chunk},
        {"pattern", to_string(options.pattern)},
        {"seed", options.seed},
        {"half_close", options.half_close},
        {"stall_ms", options.stall_ms},
        {"timeout_s", options.timeout_s},
        {"started_at_s", report.started_at_s},
        {"elapsed_s", report.elapsed_s},
        {"ok", report.ok},
        {"failed", report.failed},
        {"outcomes", outcomes},
        {"bytes_sent", report.bytes_sent},
        {"bytes_received", report.bytes_received},
        {"mb_per_s", per_second(static_cast<double>(report.bytes_received), report.elapsed_s) / mega},
        {"stalls", report.stalls},
        {"longest_gap_ms", static_cast<double>(report.longest_gap_us) / 1e3},
        {"connect_us", latency_json(report.connect_latency)},
        {"timed_out", report.timed_out},
        {"interrupted", report.interrupted},
        {"digest", "sha256"},
        {"verdict", report.passed() ? "pass" : "fail"},
        {"reason", report.reason()},
        {"connections", connections},
    };
    if (options.mode == VerifyMode::request_response) {
        json["round_trips"] = options.round_trips;
        json["latency_us"] = latency_json(report.latency);
    }
    if (options.mode == VerifyMode::connect_only) {
        json["connections_per_s"] = per_second(static_cast<double>(report.ok), report.elapsed_s);
        json["latency_us"] = latency_json(report.latency);
    }
    return json;
}

void print_text(const RunReport& report, std::ostream& out)
{
    const VerifyOptions& options = report.options;
    out << fmt::format("hatcp-verify: {} mode, {} connection(s) to {}, {} bytes each, chunk {}, pattern {}, seed {}{}\n",
                       to_string(options.mode), report.planned, report.target, options.bytes, options.chunk,
                       to_string(options.pattern), options.seed, options.half_close ? ", half-close" : "");
    for (const auto& result : report.connections) {
        out << fmt::format("conn {} {} {}: sent {} received {} of {}, {:.1f} MB/s, connect {} us, longest gap {:.1f} ms, "
                           "stalls>{}ms {}\n",
                           result.index, result.local.empty() ? "-" : result.local, to_string(result.outcome),
                           result.sent, result.received, result.expected_bytes,
                           per_second(static_cast<double>(result.received), result.duration_s) / mega,
                           result.connect_us, static_cast<double>(result.longest_gap_us) / 1e3, options.stall_ms,
                           result.stalls);
        out << fmt::format("  sha256 sent {} received {}\n", result.sha256_sent, result.sha256_received);
        if (result.mismatch) {
            out << fmt::format("  mismatch at reply offset {}: expected 0x{:02x}, got 0x{:02x}\n",
                               result.mismatch->offset, result.mismatch->expected, result.mismatch->got);
        }
        if (!result.error.empty()) {
            out << fmt::format("  error: {}\n", result.error);
        }
        for (const auto& stall : result.stall_events) {
            out << fmt::format("  stall: {} ms{} at reply offset {}, from t={:.3f} s\n", stall.gap_ms,
                               stall.unfinished ? " (unfinished)" : "", stall.offset, stall.at_s);
        }
        if (options.mode == VerifyMode::request_response) {
            out << fmt::format("  latency us: p50 {} p99 {} max {}\n", result.latency.p50_us, result.latency.p99_us,
                               result.latency.max_us);
        }
    }
    out << fmt::format("total: {}/{} ok in {:.3f} s; sent {} received {} bytes, {:.1f} MB/s; connect errors {}, resets {}, "
                       "early EOF {}, mismatches {}, extra bytes {}, errors {}, timeouts {}; stalls>{}ms {}, longest gap "
                       "{:.1f} ms\n",
                       report.ok, report.planned, report.elapsed_s, report.bytes_sent, report.bytes_received,
                       per_second(static_cast<double>(report.bytes_received), report.elapsed_s) / mega,
                       count_of(report, Outcome::connect_error), count_of(report, Outcome::reset),
                       count_of(report, Outcome::early_eof), count_of(report, Outcome::mismatch),
                       count_of(report, Outcome::extra_bytes), count_of(report, Outcome::error),
                       count_of(report, Outcome::timeout) + count_of(report, Outcome::interrupted), options.stall_ms,
                       report.stalls, static_cast<double>(report.longest_gap_us) / 1e3);
    out << fmt::format("connect us: p50 {} p99 {} max {}\n", report.connect_latency.p50_us,
                       report.connect_latency.p99_us, report.connect_latency.max_us);
    if (options.mode == VerifyMode::request_response) {
        out << fmt::format("round trips: {} latency us: p50 {} p99 {} max {} mean {:.1f}\n", report.latency.count,
                           report.latency.p50_us, report.latency.p99_us, report.latency.max_us, report.latency.mean_us);
    }
    if (options.mode == VerifyMode::connect_only) {
        out << fmt::format("connections per second: {:.0f}; connect-to-verified-close us: p50 {} p99 {} max {}\n",
                           per_second(static_cast<double>(report.ok), report.elapsed_s), report.latency.p50_us,
                           report.latency.p99_us, report.latency.max_us);
    }
    out << (report.passed() ? "verdict: PASS\n" : fmt::format("verdict: FAIL: {}\n", report.reason()));
}

} // namespace hatcp::testtools
