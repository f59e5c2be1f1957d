// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <openssl/evp.h>

namespace hatcp::testtools {

// Streaming SHA-256 (OpenSSL's libcrypto) of one direction of one
// connection. Both tools report these digests in lowercase hex, the form
// `sha256sum` prints, so a test compares the server's view of a connection
// with the client's (or the primary's with the replica's) by string
// equality, and a person can check one against a file with sha256sum.
// SHA-256 rather than a 64-bit hash: libcrypto runs it at memory speed here
// (SHA-NI) and a collision is out of the question however many runs compare.
class Sha256 {
public:
    // Throws std::runtime_error if libcrypto cannot allocate or init.
    Sha256();

    void update(std::span<const std::uint8_t> bytes);
    // The digest of everything so far, leaving the stream open for more
    // (the server reports connections that are still open at shutdown).
    [[nodiscard]] std::string hex() const;

    // The digest of bytes, in one go.
    [[nodiscard]] static std::string of(std::span<const std::uint8_t> bytes);

private:
    struct ContextDeleter {
        void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
    };
    std::unique_ptr<EVP_MD_CTX, ContextDeleter> context_;
};

} // namespace hatcp::testtools
