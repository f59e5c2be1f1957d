// SPDX-License-Identifier: GPL-2.0
#include "daemon/sockets.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace hatcp::daemon {

namespace {

[[noreturn]] void fail(const std::string& doing)
{
    throw std::system_error{errno, std::generic_category(), doing};
}

sockaddr_in inet(Ipv4Address address, std::uint16_t port)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = address.network_order;
    return sa;
}

sockaddr_un health_address(socklen_t& length)
{
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    // sun_path[0] stays NUL: the abstract namespace.
    std::memcpy(&sa.sun_path[1], health_socket_name.data(), health_socket_name.size());
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + health_socket_name.size());
    return sa;
}

template <typename Address>
const sockaddr* as_sockaddr(const Address& address)
{
    return reinterpret_cast<const sockaddr*>(&address); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

void set_timeout(int fd, int option, std::chrono::milliseconds timeout)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

void write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent <= 0) {
            return; // the client went away or stalled: its loss
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
}

Fd accept_one(int listen_fd)
{
    return Fd{::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC)};
}

} // namespace

Fd listen_tcp(const ListenAddress& address)
{
    Fd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (!fd.valid()) {
        fail("creating the metrics socket");
    }
    const int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    const sockaddr_in sa = inet(address.address, address.port);
    if (::bind(fd.get(), as_sockaddr(sa), sizeof(sa)) != 0) {
        fail(fmt::format("binding the metrics socket to {}:{}", address.address.to_string(), address.port));
    }
    if (::listen(fd.get(), 16) != 0) {
        fail("listening on the metrics socket");
    }
    return fd;
}

Fd listen_health()
{
    Fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (!fd.valid()) {
        fail("creating the health socket");
    }
    socklen_t length = 0;
    const sockaddr_un sa = health_address(length);
    if (::bind(fd.get(), as_sockaddr(sa), length) != 0) {
        if (errno == EADDRINUSE) {
            throw std::system_error{errno, std::generic_category(),
                                    "binding the health socket: another hatcpd runs in this network namespace"};
        }
        fail("binding the health socket");
    }
    if (::listen(fd.get(), 16) != 0) {
        fail("listening on the health socket");
    }
    return fd;
}

Fd bind_udp(Ipv4Address address, std::uint16_t port, const std::optional<std::string>& device)
{
    Fd fd{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (!fd.valid()) {
        fail("creating the sysctl exchange socket");
    }
    const int one = 1;
    setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
    if (device && setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, device->c_str(),
                             static_cast<socklen_t>(device->size())) != 0) {
        fail(fmt::format("binding the sysctl exchange socket to device {}", *device));
    }
    const sockaddr_in sa = inet(address, port);
    if (::bind(fd.get(), as_sockaddr(sa), sizeof(sa)) != 0) {
        fail(fmt::format("binding the sysctl exchange socket to {}:{}", address.to_string(), port));
    }
    return fd;
}

void serve_http_once(int listen_fd, const std::function<std::string()>& body)
{
    const Fd client = accept_one(listen_fd);
    if (!client.valid()) {
        return;
    }
    set_timeout(client.get(), SO_RCVTIMEO, std::chrono::milliseconds{1000});
    set_timeout(client.get(), SO_SNDTIMEO, std::chrono::milliseconds{1000});
    std::string request;
    std::array<char, 2048> buffer{};
    while (request.find("\r\n\r\n") == std::string::npos && request.find("\n\n") == std::string::npos &&
           request.size() < 8192) {
        const ssize_t got = ::recv(client.get(), buffer.data(), buffer.size(), 0);
        if (got <= 0) {
            return;
        }
        request.append(buffer.data(), static_cast<std::size_t>(got));
    }
    const auto line_end = request.find_first_of("\r\n");
    const std::string_view line = std::string_view{request}.substr(0, line_end);
    std::string status = "200 OK";
    std::string content;
    std::string type = "text/plain; version=0.0.4; charset=utf-8";
    if (!line.starts_with("GET ") && !line.starts_with("HEAD ")) {
        status = "405 Method Not Allowed";
        content = "only GET\n";
        type = "text/plain";
    } else {
        const std::string_view target = line.substr(line.find(' ') + 1);
        const std::string_view path = target.substr(0, target.find_first_of(" ?"));
        if (path == "/metrics" || path == "/") {
            content = body();
        } else {
            status = "404 Not Found";
            content = "hatcpd serves /metrics\n";
            type = "text/plain";
        }
    }
    const bool head = line.starts_with("HEAD ");
    write_all(client.get(), fmt::format("HTTP/1.0 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: "
                                         "close\r\n\r\n{}",
                                         status, type, content.size(), head ? "" : content));
}

void serve_health_once(int listen_fd, const std::function<std::string()>& line)
{
    const Fd client = accept_one(listen_fd);
    if (!client.valid()) {
        return;
    }
    set_timeout(client.get(), SO_SNDTIMEO, std::chrono::milliseconds{1000});
    write_all(client.get(), line() + "\n");
}

std::optional<std::string> ask_health(std::chrono::milliseconds timeout)
{
    const Fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (!fd.valid()) {
        return std::nullopt;
    }
    socklen_t length = 0;
    const sockaddr_un sa = health_address(length);
    if (::connect(fd.get(), as_sockaddr(sa), length) != 0) {
        return std::nullopt;
    }
    set_timeout(fd.get(), SO_RCVTIMEO, timeout);
    std::string answer;
    std::array<char, 1024> buffer{};
    while (answer.find('\n') == std::string::npos) {
        const ssize_t got = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
        if (got <= 0) {
            return std::nullopt;
        }
        answer.append(buffer.data(), static_cast<std::size_t>(got));
    }
    answer.resize(answer.find('\n'));
    return answer;
}

} // namespace hatcp::daemon
