// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hatcp::testtools {

// What hatcp-verify sends. Both patterns are positional (byte i is a
// function of the seed, the connection's index and i alone), so the sender
// and the checker each generate the stream at their own offset and nothing
// sent has to be kept for the check, however many gigabytes go by.
//
//   counter: byte i = (seed + connection + i) mod 256
//   random:  byte i = byte (i mod 8), little-endian, of word w = i / 8,
//            word w = mix(key + (w + 1) * 0x9e3779b97f4a7c15),
//            key    = mix(seed + mix(connection + 1))
//            where mix is splitmix64's finaliser:
//              z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
//              z = (z ^ (z >> 27)) * 0x94d049bb133111eb
//              z =  z ^ (z >> 31)                       (all mod 2^64)
//
// So every connection carries a different stream and a run with the same
// --seed sends the same bytes again.
enum class PatternKind { counter, random };

[[nodiscard]] std::string_view to_string(PatternKind kind) noexcept;
[[nodiscard]] std::optional<PatternKind> parse_pattern_kind(std::string_view text) noexcept;

class PayloadPattern {
public:
    PayloadPattern(PatternKind kind, std::uint64_t seed, std::uint64_t connection) noexcept;

    // The bytes at [offset, offset + out.size()) of the stream.
    void fill(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept;

    [[nodiscard]] static std::uint64_t mix(std::uint64_t z) noexcept;

private:
    [[nodiscard]] std::uint64_t word(std::uint64_t index) const noexcept;

    PatternKind kind_;
    std::uint64_t base_;
};

} // namespace hatcp::testtools
