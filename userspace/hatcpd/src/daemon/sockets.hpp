// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "daemon/config.hpp"
#include "fd.hpp"

namespace hatcp::daemon {

// The health socket's abstract name. Abstract unix sockets belong to a
// network namespace, so each namespace's hatcpd answers its own, and a
// health check run with `ip netns exec NS` reaches the right one.
inline constexpr std::string_view health_socket_name = "hatcpd/health";

// Each throws std::system_error with what it was doing.
Fd listen_tcp(const ListenAddress& address);
Fd listen_health();
// A UDP socket on address:port (IP_FREEBIND: the address may come later),
// bound to `device` when given.
Fd bind_udp(Ipv4Address address, std::uint16_t port, const std::optional<std::string>& device);

// Accepts one connection on a listening socket and answers an HTTP GET of
// /metrics (or /) with `body()` as Prometheus text; anything else gets 404
// or 405. A client gets one second to send its request.
void serve_http_once(int listen_fd, const std::function<std::string()>& body);

// Accepts one health connection and writes `line()` and a newline.
void serve_health_once(int listen_fd, const std::function<std::string()>& line);

// The client: connects to this namespace's hatcpd and reads its line;
// nullopt when nobody listens or it does not answer within `timeout`.
std::optional<std::string> ask_health(std::chrono::milliseconds timeout);

} // namespace hatcp::daemon
