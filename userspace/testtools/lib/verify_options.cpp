// SPDX-License-Identifier: GPL-2.0
#include "verify_options.hpp"

#include <limits>

#include <CLI/CLI.hpp>

#include "byte_size.hpp"
#include "endpoint.hpp"
#include "option_values.hpp"

namespace hatcp::testtools {

ParsedOptions<VerifyOptions> parse_verify_options(const std::vector<std::string>& words)
{
    VerifyOptions options;
    std::string target_text;
    std::string bytes_text = std::to_string(VerifyOptions::default_bytes);
    std::string chunk_text = std::to_string(VerifyOptions::default_chunk);
    std::string pattern_text{to_string(options.pattern)};
    constexpr double max_timeout_s = 7 * 24 * 3600.0;
    constexpr double min_timeout_s = 0.001;
    constexpr std::uint64_t max_round_trips = 1'000'000'000;
    constexpr std::uint64_t max_connect_only = 100'000'000;

    CLI::App app{"Verifying client for hatcp-echod: sends a reproducible stream on each connection and checks "
                 "every byte of the reply against the transform (exit 0 only if all were byte-exact).",
                 "hatcp-verify"};
    app.add_option("--connect", target_text, "Server to connect to")
        ->required()
        ->check(ipv4_endpoint(false));
    app.add_option("--conns", options.conns,
                   "Parallel connections (with --connect-only: how many are in flight)")
        ->check(unsigned_decimal())
        ->check(CLI::Range(std::uint32_t{1}, VerifyOptions::max_conns))
        ->capture_default_str();
    auto* bytes = app.add_option("--bytes", bytes_text,
                                 "Bytes each connection sends and expects back (suffix k, M, G; default 1M, "
                                 "16 with --connect-only)")
                      ->check(byte_size_in(1, std::numeric_limits<std::uint64_t>::max()));
    app.add_option("--seed", options.seed, "Seed of the payload streams")
        ->check(unsigned_decimal())
        ->capture_default_str();
    app.add_option("--pattern", pattern_text, "Payload: counter or random (a seeded stream per connection)")
        ->check(CLI::IsMember({"counter", "random"}))
        ->capture_default_str();
    app.add_option("--chunk", chunk_text, "Largest single write; the message size with --rr (suffix k, M)")
        ->check(byte_size_in(1, VerifyOptions::max_chunk))
        ->capture_default_str();
    app.add_flag("--half-close", options.half_close,
                 "shutdown(SHUT_WR) after sending everything, then read until EOF");
    app.add_option("--stall-ms", options.stall_ms, "Report gaps between received bytes longer than this")
        ->check(unsigned_decimal())
        ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max() / 1000))
        ->capture_default_str();
    app.add_option("--timeout", options.timeout_s, "Bound on the whole run, in seconds")
        ->check(CLI::Range(min_timeout_s, max_timeout_s))
        ->capture_default_str();
    app.add_flag("--json", options.json, "Print the report as one JSON object");
    auto* rr = app.add_option("--rr", options.round_trips,
                              "Request/response: N round trips of --chunk bytes per connection, with latencies")
                   ->check(unsigned_decimal())
                   ->check(CLI::Range(std::uint64_t{1}, max_round_trips));
    auto* connect_only = app.add_option("--connect-only", options.connect_only,
                                        "Open, verify and close N short connections; connections per second")
                             ->check(unsigned_decimal())
                             ->check(CLI::Range(std::uint64_t{1}, max_connect_only));
    rr->excludes(connect_only);
    rr->excludes(bytes);

    const Argv argv{words};
    if (auto status = run_parser(app, argv.argc(), argv.argv()); status.exit_code >= 0) {
        return {.options = std::nullopt, .exit_code = status.exit_code, .message = std::move(status.message)};
    }

    // Every value was checked by its validator, so these conversions hold.
    options.target = *parse_ipv4_endpoint(target_text);
    options.pattern = *parse_pattern_kind(pattern_text);
    options.chunk = *parse_byte_size(chunk_text);
    options.bytes = *parse_byte_size(bytes_text);
    if (options.round_trips > 0) {
        options.mode = VerifyMode::request_response;
        options.bytes = options.round_trips * options.chunk;
    } else if (options.connect_only > 0) {
        options.mode = VerifyMode::connect_only;
        if (bytes->count() == 0) {
            options.bytes = VerifyOptions::default_connect_only_bytes;
        }
    }
    return {.options = options, .exit_code = 0, .message = {}};
}

} // namespace hatcp::testtools
