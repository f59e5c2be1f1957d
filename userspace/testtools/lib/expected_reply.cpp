// SPDX-License-Identifier: GPL-2.0
#include "expected_reply.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace hatcp::testtools {

namespace {

// Checked a block at a time from the stack: a client with thousands of
// connections keeps no buffer per connection.
constexpr std::size_t block_size = 4096;

} // namespace

std::optional<Mismatch> ExpectedReply::check(std::span<const std::uint8_t> received) noexcept
{
    std::array<std::uint8_t, block_size> expected{};
    while (!received.empty()) {
        const std::size_t count = std::min(received.size(), expected.size());
        const auto block = std::span{expected}.first(count);
        pattern_.fill(offset_, block);
        transform_.apply_in_place(block);
        const auto got = received.first(count);
        const auto [want, have] = std::mismatch(block.begin(), block.end(), got.begin());
        if (want != block.end()) {
            const auto good = static_cast<std::uint64_t>(want - block.begin());
            offset_ += good;
            return Mismatch{.offset = offset_, .expected = *want, .got = *have};
        }
        offset_ += count;
        received = received.subspan(count);
    }
    return std::nullopt;
}

void ExpectedReply::next(std::span<std::uint8_t> out) noexcept
{
    pattern_.fill(offset_, out);
    transform_.apply_in_place(out);
    offset_ += out.size();
}

} // namespace hatcp::testtools
