// SPDX-License-Identifier: GPL-2.0
#include "daemon/sysctl_message.hpp"

#include <array>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

namespace hatcp::daemon {

namespace {

constexpr std::string_view magic = "hatcpd-sysctl 1\n";
// Domain separation: the channel key also keys the kernel's BLAKE2s tags.
constexpr std::string_view mac_context = "hatcpd sysctl exchange v1\n";
constexpr std::size_t mac_hex_len = 64;

std::string hex(const unsigned char* bytes, std::size_t size)
{
    std::string out;
    out.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        out += fmt::format("{:02x}", bytes[i]); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    }
    return out;
}

std::string mac_of(std::string_view body, const ChannelKey& key)
{
    std::string input{mac_context};
    input += body;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(input.data()), // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
             input.size(), digest.data(), &size) == nullptr) {
        throw std::runtime_error{"HMAC-SHA256 failed"};
    }
    return hex(digest.data(), size);
}

bool valid_nonce(std::string_view nonce)
{
    return nonce.size() == 32 && nonce.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

std::string encode(const SysctlMessage& message, const std::optional<ChannelKey>& key)
{
    std::string body{magic};
    body += fmt::format("type {}\nnonce {}\n", message.answer ? "answer" : "query", message.nonce);
    for (const auto& [name, value] : message.values) {
        body += fmt::format("{} {}\n", name, value);
    }
    if (key) {
        body += fmt::format("mac {}\n", mac_of(body, *key));
    }
    return body;
}

std::optional<SysctlMessage> decode(std::string_view datagram, const std::optional<ChannelKey>& key,
                                    std::string& why)
{
    if (!datagram.starts_with(magic)) {
        why = "not a hatcpd sysctl message";
        return std::nullopt;
    }
    std::string_view body = datagram;
    const auto mac_at = datagram.rfind("mac ");
    const bool tagged = mac_at != std::string_view::npos && (mac_at == 0 || datagram[mac_at - 1] == '\n');
    if (tagged != key.has_value()) {
        why = key ? "untagged, and this node has a channel key" : "tagged, and this node has no channel key";
        return std::nullopt;
    }
    if (tagged) {
        body = datagram.substr(0, mac_at);
        const std::string_view mac = datagram.substr(mac_at + 4);
        const std::string want = mac_of(body, *key);
        if (mac.size() != mac_hex_len + 1 || mac.back() != '\n' ||
            CRYPTO_memcmp(mac.data(), want.data(), mac_hex_len) != 0) {
            why = "bad tag: the peer's channel key differs";
            return std::nullopt;
        }
    }
    SysctlMessage message;
    std::istringstream lines{std::string{body.substr(magic.size())}};
    std::string line;
    bool typed = false;
    while (std::getline(lines, line)) {
        const auto space = line.find(' ');
        if (space == std::string::npos || space == 0) {
            why = fmt::format("malformed line \"{}\"", line);
            return std::nullopt;
        }
        const std::string name = line.substr(0, space);
        std::string value = line.substr(space + 1);
        if (name == "type") {
            if (value != "query" && value != "answer") {
                why = fmt::format("unknown type \"{}\"", value);
                return std::nullopt;
            }
            message.answer = value == "answer";
            typed = true;
        } else if (name == "nonce") {
            message.nonce = std::move(value);
        } else {
            message.values[name] = std::move(value);
        }
    }
    if (!typed || !valid_nonce(message.nonce)) {
        why = "missing type or nonce";
        return std::nullopt;
    }
    return message;
}

std::string random_nonce()
{
    std::array<unsigned char, 16> bytes{};
    if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
        throw std::runtime_error{"getrandom failed"};
    }
    return hex(bytes.data(), bytes.size());
}

} // namespace hatcp::daemon
