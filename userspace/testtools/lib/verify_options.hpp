// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <netinet/in.h>

#include "parsed_options.hpp"
#include "payload_pattern.hpp"

namespace hatcp::testtools {

enum class VerifyMode {
    stream,           // each connection sends --bytes, replies read concurrently
    request_response, // --rr N: N messages of --chunk bytes, one at a time
    connect_only,     // --connect-only N: N short connections, --conns at a time
};

struct VerifyOptions {
    static constexpr std::uint64_t default_bytes = std::uint64_t{1024} * 1024;
    static constexpr std::uint64_t default_connect_only_bytes = 16;
    static constexpr std::uint64_t default_chunk = std::uint64_t{64} * 1024;
    static constexpr std::uint64_t max_chunk = std::uint64_t{64} * 1024 * 1024;
    static constexpr std::uint32_t max_conns = 100'000;
    static constexpr std::uint64_t default_stall_ms = 1000;
    static constexpr double default_timeout_s = 60;

    sockaddr_in target{};
    VerifyMode mode = VerifyMode::stream;
    // Connections at once; in connect-only mode, how many are in flight.
    std::uint32_t conns = 1;
    // Bytes each connection sends (and expects back); with --rr, rr * chunk.
    std::uint64_t bytes = default_bytes;
    std::uint64_t seed = 1;
    PatternKind pattern = PatternKind::random;
    // Largest single send(); the message size with --rr.
    std::uint64_t chunk = default_chunk;
    bool half_close = false;
    std::uint64_t stall_ms = default_stall_ms;
    double timeout_s = default_timeout_s;
    bool json = false;
    std::uint64_t round_trips = 0;      // --rr
    std::uint64_t connect_only = 0;     // --connect-only: connections in all
};

[[nodiscard]] ParsedOptions<VerifyOptions> parse_verify_options(const std::vector<std::string>& words);

} // namespace hatcp::testtools
