// SPDX-License-Identifier: GPL-2.0
#include "byte_size.hpp"

#include <charconv>
#include <limits>

namespace hatcp::testtools {

std::optional<std::uint64_t> parse_byte_size(std::string_view text) noexcept
{
    constexpr std::uint64_t kibi = 1024;
    std::uint64_t unit = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 'k':
        case 'K':
            unit = kibi;
            break;
        case 'm':
        case 'M':
            unit = kibi * kibi;
            break;
        case 'g':
        case 'G':
            unit = kibi * kibi * kibi;
            break;
        default:
            break;
        }
        if (unit != 1) {
            text.remove_suffix(1);
        }
    }
    // from_chars takes no sign for unsigned, no spaces and no empty input.
    std::uint64_t value = 0;
    const auto* const end = text.data() + text.size(); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [rest, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || rest != end) {
        return std::nullopt;
    }
    if (value > std::numeric_limits<std::uint64_t>::max() / unit) {
        return std::nullopt;
    }
    return value * unit;
}

} // namespace hatcp::testtools
