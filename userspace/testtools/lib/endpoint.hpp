// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <netinet/in.h>

namespace hatcp::testtools {

// "ADDR:PORT" with a dotted-quad IPv4 address and a decimal port, e.g.
// "127.0.0.1:5000". No names are resolved: the tests name addresses.
[[nodiscard]] std::optional<sockaddr_in> parse_ipv4_endpoint(std::string_view text) noexcept;

// The same form back, "a.b.c.d:port": how both tools name a connection's
// ends, so the server's record of a client matches the client's own.
[[nodiscard]] std::string to_string(const sockaddr_in& address);

// A socket's own and its peer's address; nullopt if it has none (yet).
[[nodiscard]] std::optional<sockaddr_in> local_address(int fd) noexcept;
[[nodiscard]] std::optional<sockaddr_in> peer_address(int fd) noexcept;

} // namespace hatcp::testtools
