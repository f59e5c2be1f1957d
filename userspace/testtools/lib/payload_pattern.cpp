// SPDX-License-Identifier: GPL-2.0
#include "payload_pattern.hpp"

#include <bit>
#include <cstddef>
#include <cstring>

namespace hatcp::testtools {

namespace {

constexpr std::uint64_t golden_gamma = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t word_bytes = 8;
constexpr unsigned bits_per_byte = 8;

} // namespace

std::string_view to_string(PatternKind kind) noexcept
{
    return kind == PatternKind::counter ? "counter" : "random";
}

std::optional<PatternKind> parse_pattern_kind(std::string_view text) noexcept
{
    if (text == "counter") {
        return PatternKind::counter;
    }
    if (text == "random") {
        return PatternKind::random;
    }
    return std::nullopt;
}

std::uint64_t PayloadPattern::mix(std::uint64_t z) noexcept
{
    constexpr unsigned shift1 = 30;
    constexpr unsigned shift2 = 27;
    constexpr unsigned shift3 = 31;
    constexpr std::uint64_t multiplier1 = 0xbf58476d1ce4e5b9ULL;
    constexpr std::uint64_t multiplier2 = 0x94d049bb133111ebULL;
    z = (z ^ (z >> shift1)) * multiplier1;
    z = (z ^ (z >> shift2)) * multiplier2;
    return z ^ (z >> shift3);
}

PayloadPattern::PayloadPattern(PatternKind kind, std::uint64_t seed, std::uint64_t connection) noexcept
    : kind_(kind),
      // counter: the start value; random: the stream's key.
      base_(kind == PatternKind::counter ? seed + connection : mix(seed + mix(connection + 1)))
{
}

std::uint64_t PayloadPattern::word(std::uint64_t index) const noexcept
{
    return mix(base_ + (index + 1) * golden_gamma);
}

void PayloadPattern::fill(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept
{
    if (kind_ == PatternKind::counter) {
        std::uint64_t value = base_ + offset;
        for (auto& byte : out) {
            byte = static_cast<std::uint8_t>(value++);
        }
        return;
    }
    std::size_t done = 0;
    std::uint64_t position = offset;
    // A partial first word, whole words (stored as they are on a
    // little-endian host: the hot path of a multi-gigabyte run), a partial
    // last word.
    const auto byte_at = [this](std::uint64_t at) {
        return static_cast<std::uint8_t>(word(at / word_bytes) >> ((at % word_bytes) * bits_per_byte));
    };
    while (done < out.size() && position % word_bytes != 0) {
        out[done++] = byte_at(position++);
    }
    if constexpr (std::endian::native == std::endian::little) {
        for (; out.size() - done >= word_bytes; done += word_bytes, position += word_bytes) {
            const std::uint64_t value = word(position / word_bytes);
            std::memcpy(out.subspan(done, word_bytes).data(), &value, word_bytes);
        }
    }
    while (done < out.size()) {
        out[done++] = byte_at(position++);
    }
}

} // namespace hatcp::testtools
