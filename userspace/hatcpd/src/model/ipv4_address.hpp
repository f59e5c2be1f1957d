// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hatcp {

// An IPv4 address held in network byte order, exactly as the uapi's be32
// attributes carry it, so it crosses the netlink boundary untouched.
struct Ipv4Address {
    std::uint32_t network_order = 0;

    // Dotted quad only (inet_pton), e.g. "10.0.0.1".
    static std::optional<Ipv4Address> parse(std::string_view text);

    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const Ipv4Address&, const Ipv4Address&) = default;
};

} // namespace hatcp
