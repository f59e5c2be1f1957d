// SPDX-License-Identifier: GPL-2.0
#include "reply_transform.hpp"

#include <cstddef>

namespace hatcp::testtools {

namespace {

constexpr unsigned mix_fold_shift = 32;
constexpr unsigned top_byte_shift = 56;

// The loop both directions share. The state chain (xor, multiply) is the
// only serial dependency; the key's multiply runs beside it.
void transform(std::uint64_t& state_ref, const std::uint8_t* in, std::uint8_t* out,
               std::size_t count) noexcept
{
    std::uint64_t state = state_ref;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint8_t byte = in[i]; // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        const auto key = static_cast<std::uint8_t>(
            ((state ^ (state >> mix_fold_shift)) * ReplyTransform::mix_multiplier) >> top_byte_shift);
        out[i] = static_cast<std::uint8_t>(byte ^ key); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        state = (state ^ byte) * ReplyTransform::fnv_prime;
    }
    state_ref = state;
}

} // namespace

void ReplyTransform::apply(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept
{
    const std::size_t count = in.size() < out.size() ? in.size() : out.size();
    transform(state_, in.data(), out.data(), count);
}

void ReplyTransform::apply_in_place(std::span<std::uint8_t> bytes) noexcept
{
    transform(state_, bytes.data(), bytes.data(), bytes.size());
}

} // namespace hatcp::testtools
