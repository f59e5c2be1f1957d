// SPDX-License-Identifier: GPL-2.0
#include "endpoint.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/socket.h>

namespace hatcp::testtools {

std::optional<sockaddr_in> parse_ipv4_endpoint(std::string_view text) noexcept
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
        return std::nullopt;
    }
    // inet_pton needs a terminated string; a dotted quad is at most 15 chars.
    const auto host = text.substr(0, colon);
    std::array<char, INET_ADDRSTRLEN> host_text{};
    if (host.size() >= host_text.size()) {
        return std::nullopt;
    }
    host.copy(host_text.data(), host.size());

    const auto port_text = text.substr(colon + 1);
    std::uint16_t port = 0;
    const auto* const end = port_text.data() + port_text.size(); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [rest, error] = std::from_chars(port_text.data(), end, port);
    if (error != std::errc{} || rest != end) {
        return std::nullopt;
    }

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, host_text.data(), &address.sin_addr) != 1) {
        return std::nullopt;
    }
    return address;
}

std::string to_string(const sockaddr_in& address)
{
    std::array<char, INET_ADDRSTRLEN> host{};
    if (inet_ntop(AF_INET, &address.sin_addr, host.data(), host.size()) == nullptr) {
        return "?";
    }
    return fmt::format("{}:{}", host.data(), ntohs(address.sin_port));
}

namespace {

template <typename GetName>
std::optional<sockaddr_in> socket_name(int fd, GetName get_name) noexcept
{
    sockaddr_in address{};
    socklen_t length = sizeof address;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (get_name(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        address.sin_family != AF_INET) {
        return std::nullopt;
    }
    return address;
}

} // namespace

std::optional<sockaddr_in> local_address(int fd) noexcept
{
    return socket_name(fd, ::getsockname);
}

std::optional<sockaddr_in> peer_address(int fd) noexcept
{
    return socket_name(fd, ::getpeername);
}

} // namespace hatcp::testtools
