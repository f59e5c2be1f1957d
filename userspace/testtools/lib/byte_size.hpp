// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hatcp::testtools {

// A byte count as the options take it: decimal digits and an optional
// binary suffix k, M or G (either case; 1k = 1024, 1M = 2^20, 1G = 2^30),
// e.g. "1", "64k", "200M", "4G". Nothing else (no sign, spaces, fraction or
// a value past 2^64 - 1): nullopt.
[[nodiscard]] std::optional<std::uint64_t> parse_byte_size(std::string_view text) noexcept;

} // namespace hatcp::testtools
