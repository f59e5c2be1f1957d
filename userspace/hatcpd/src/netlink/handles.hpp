// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <memory>

#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

// Owning handles for libnl's objects, so every exit path frees them.
namespace hatcp::netlink {

struct SocketDeleter {
    void operator()(nl_sock* socket) const noexcept { nl_socket_free(socket); }
};
struct MessageDeleter {
    void operator()(nl_msg* message) const noexcept { nlmsg_free(message); }
};
struct CallbacksDeleter {
    void operator()(nl_cb* callbacks) const noexcept { nl_cb_put(callbacks); }
};

using SocketPtr = std::unique_ptr<nl_sock, SocketDeleter>;
using MessagePtr = std::unique_ptr<nl_msg, MessageDeleter>;
using CallbacksPtr = std::unique_ptr<nl_cb, CallbacksDeleter>;

// Each throws TransportError when libnl cannot allocate.
SocketPtr make_socket();
MessagePtr make_message();
// A callback set with libnl's defaults, for one exchange to customise.
CallbacksPtr make_callbacks();

} // namespace hatcp::netlink
