// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <netinet/in.h>

#include "parsed_options.hpp"

namespace hatcp::testtools {

struct EchodOptions {
    static constexpr int default_backlog = 4096;
    static constexpr std::uint64_t default_read_size = std::uint64_t{64} * 1024;
    static constexpr std::uint64_t max_read_size = std::uint64_t{16} * 1024 * 1024;
    static constexpr std::uint64_t max_delay_us = 60'000'000;

    sockaddr_in listen{};
    int backlog = default_backlog;
    // Pause after every read of a connection, in microseconds (0: none).
    std::uint64_t delay_us = 0;
    // Open connections at most; the rest wait in the backlog (0: no limit).
    std::uint64_t max_conns = 0;
    // Largest single read, so --delay-us bounds the rate at read_size/delay.
    std::uint64_t read_size = default_read_size;
    // JSON lines: each connection as it ends, the open ones and a summary at
    // shutdown. "-" is stdout, empty is none.
    std::string stats_path;
    // Written (atomically) with the bound ADDR:PORT once listening.
    std::string ready_file;
};

[[nodiscard]] ParsedOptions<EchodOptions> parse_echod_options(const std::vector<std::string>& words);

} // namespace hatcp::testtools
