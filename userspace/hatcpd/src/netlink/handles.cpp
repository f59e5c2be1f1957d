// SPDX-License-Identifier: GPL-2.0
#include "netlink/handles.hpp"

#include <netlink/errno.h>

#include "netlink/errors.hpp"

namespace hatcp::netlink {

SocketPtr make_socket()
{
    SocketPtr socket{nl_socket_alloc()};
    if (!socket) {
        throw TransportError{"allocating a socket", NLE_NOMEM};
    }
    return socket;
}

MessagePtr make_message()
{
    MessagePtr message{nlmsg_alloc()};
    if (!message) {
        throw TransportError{"allocating a message", NLE_NOMEM};
    }
    return message;
}

CallbacksPtr make_callbacks()
{
    CallbacksPtr callbacks{nl_cb_alloc(NL_CB_DEFAULT)};
    if (!callbacks) {
        throw TransportError{"allocating callbacks", NLE_NOMEM};
    }
    return callbacks;
}

} // namespace hatcp::netlink
