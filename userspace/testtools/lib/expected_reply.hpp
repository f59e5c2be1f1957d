// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "payload_pattern.hpp"
#include "reply_transform.hpp"

namespace hatcp::testtools {

// The first reply byte that is not what the transform says.
struct Mismatch {
    std::uint64_t offset = 0; // from the start of the connection's reply
    std::uint8_t expected = 0;
    std::uint8_t got = 0;
};

// The client's independent computation of one connection's reply: it
// regenerates what was sent at the reply's offset and runs the transform
// over it, so the check needs no copy of the sent bytes and does not care
// how the reply was cut into reads.
class ExpectedReply {
public:
    explicit ExpectedReply(PayloadPattern pattern) noexcept : pattern_(pattern) {}

    // Checks the next received.size() bytes of the reply. After a mismatch
    // offset() is where the good prefix ends and the checker is spent: the
    // connection has failed and nothing after it is checked.
    [[nodiscard]] std::optional<Mismatch> check(std::span<const std::uint8_t> received) noexcept;

    // The expected next bytes (for tests and for reporting), advancing.
    void next(std::span<std::uint8_t> out) noexcept;

    // How many reply bytes have been checked good.
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
    PayloadPattern pattern_;
    ReplyTransform transform_;
    std::uint64_t offset_ = 0;
};

} // namespace hatcp::testtools
