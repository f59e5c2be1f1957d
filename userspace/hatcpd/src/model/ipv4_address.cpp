// SPDX-License-Identifier: GPL-2.0
#include "model/ipv4_address.hpp"

#include <array>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace hatcp {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text)
{
    const std::string terminated{text}; // inet_pton wants a C string
    in_addr addr{};
    if (inet_pton(AF_INET, terminated.c_str(), &addr) != 1) {
        return std::nullopt;
    }
    return Ipv4Address{addr.s_addr};
}

std::string Ipv4Address::to_string() const
{
    in_addr addr{};
    addr.s_addr = network_order;
    std::array<char, INET_ADDRSTRLEN> buffer{};
    // Cannot fail: the family is AF_INET and the buffer is big enough.
    inet_ntop(AF_INET, &addr, buffer.data(), buffer.size());
    return std::string{buffer.data()};
}

} // namespace hatcp
