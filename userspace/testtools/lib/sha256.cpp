// SPDX-License-Identifier: GPL-2.0
#include "sha256.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace hatcp::testtools {

namespace {

std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> new_context()
{
    return {EVP_MD_CTX_new(), EVP_MD_CTX_free};
}

} // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new())
{
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error{"SHA-256: cannot initialise libcrypto's digest"};
    }
}

void Sha256::update(std::span<const std::uint8_t> bytes)
{
    if (!bytes.empty() && EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()) != 1) {
        throw std::runtime_error{"SHA-256: digest update failed"};
    }
}

std::string Sha256::hex() const
{
    // Finish a copy, so this stream can go on.
    const auto copy = new_context();
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (!copy || EVP_MD_CTX_copy_ex(copy.get(), context_.get()) != 1 ||
        EVP_DigestFinal_ex(copy.get(), digest.data(), &length) != 1) {
        throw std::runtime_error{"SHA-256: cannot finish the digest"};
    }
    static constexpr std::string_view digits = "0123456789abcdef";
    static constexpr unsigned nibble_bits = 4;
    static constexpr unsigned nibble_mask = 0xf;
    std::string text;
    text.reserve(2 * static_cast<std::size_t>(length));
    for (unsigned int i = 0; i < length; ++i) {
        text.push_back(digits.at(digest.at(i) >> nibble_bits));
        text.push_back(digits.at(digest.at(i) & nibble_mask));
    }
    return text;
}

std::string Sha256::of(std::span<const std::uint8_t> bytes)
{
    Sha256 digest;
    digest.update(bytes);
    return digest.hex();
}

} // namespace hatcp::testtools
