// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <span>

namespace hatcp::testtools {

// The reply transform, version 1: what hatcp-echod sends back on every
// connection, and what hatcp-verify expects. Every output byte depends on
// every input byte before it, so a replica that saw one byte differently,
// lost one or saw them reordered answers differently from there on, and the
// client notices within a byte or two.
//
// For the bytes in[0], in[1], ... that one connection carried, in order:
//
//   s_0     = 0xcbf29ce484222325                      (FNV-1a 64 offset basis)
//   s_{i+1} = (s_i XOR in[i]) * 0x00000100000001b3    (FNV-1a 64 step, mod 2^64)
//   k_i     = ((s_i XOR (s_i >> 32)) * 0x9e3779b97f4a7c15 mod 2^64) >> 56
//   out[i]  = in[i] XOR k_i
//
// s_i is the FNV-1a 64-bit hash of in[0..i-1]. k_i is the top byte of a
// multiplicative mix of it: the top byte of s_i alone changes only two or
// three bytes after an input byte does (the FNV prime is sparse), the mix
// folds every bit of s_i into it at once.
//
// The output is a function of the byte stream only, never of how it was cut
// into reads: transforming "ab" then "cd" gives what transforming "abcd"
// does (the prefix property). In Python:
//
//   s, out = 0xcbf29ce484222325, bytearray()
//   for b in data:
//       out.append(b ^ ((((s ^ (s >> 32)) * 0x9e3779b97f4a7c15) & M64) >> 56))
//       s = ((s ^ b) * 0x100000001b3) & M64          # M64 = 2**64 - 1
class ReplyTransform {
public:
    static constexpr std::uint64_t initial_state = 0xcbf29ce484222325ULL;
    static constexpr std::uint64_t fnv_prime = 0x00000100000001b3ULL;
    static constexpr std::uint64_t mix_multiplier = 0x9e3779b97f4a7c15ULL;

    // Transforms the next bytes of the stream, as many as both in and out
    // hold, from in into out (which may be the same bytes).
    void apply(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept;
    // In place, for a buffer that is sent right after.
    void apply_in_place(std::span<std::uint8_t> bytes) noexcept;

    // s_i for the next byte: the FNV-1a 64 hash of every byte so far.
    [[nodiscard]] std::uint64_t state() const noexcept { return state_; }

private:
    std::uint64_t state_ = initial_state;
};

} // namespace hatcp::testtools
