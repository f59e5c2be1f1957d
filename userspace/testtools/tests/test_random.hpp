// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "payload_pattern.hpp"

namespace hatcp::testtools {

// Reproducible test inputs (splitmix64): the tests must fail the same way
// every run, so nothing here is seeded from the clock.
class TestRandom {
public:
    explicit TestRandom(std::uint64_t seed) noexcept : state_(seed) {}

    std::uint64_t next() noexcept
    {
        constexpr std::uint64_t gamma = 0x9e3779b97f4a7c15ULL;
        state_ += gamma;
        return PayloadPattern::mix(state_);
    }

    // In [low, high].
    std::uint64_t between(std::uint64_t low, std::uint64_t high) noexcept { return low + next() % (high - low + 1); }

    std::vector<std::uint8_t> bytes(std::size_t count)
    {
        std::vector<std::uint8_t> out(count);
        for (auto& byte : out) {
            byte = static_cast<std::uint8_t>(next());
        }
        return out;
    }

private:
    std::uint64_t state_;
};

} // namespace hatcp::testtools
