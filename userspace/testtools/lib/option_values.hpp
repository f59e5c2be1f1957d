// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace hatcp::testtools {

// CLI11 checks for the value forms both tools take, so a bad value is
// refused while parsing, with the option's name in the message.

// A byte count (see parse_byte_size) within [min, max].
[[nodiscard]] CLI::Validator byte_size_in(std::uint64_t min, std::uint64_t max);

// Decimal digits only: CLI11 reads "-1" into an unsigned option as 2^64 - 1
// (strtoull), which no test means.
[[nodiscard]] CLI::Validator unsigned_decimal();

// An IPv4 ADDR:PORT (see parse_ipv4_endpoint); port 0 only if allowed
// (a server may ask for any free port, a client must name one).
[[nodiscard]] CLI::Validator ipv4_endpoint(bool allow_port_zero);

// Runs parse on app, turning CLI11's outcome into an exit code and text:
// 0 and the help after --help, usage_exit_code and a one-line error
// (prefixed with the program's name) on a bad command line, -1 to go on.
struct ParseStatus {
    int exit_code = -1;
    std::string message;
};
[[nodiscard]] ParseStatus run_parser(CLI::App& app, int argc, const char* const* argv);

} // namespace hatcp::testtools
