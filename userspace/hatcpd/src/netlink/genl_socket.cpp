// SPDX-License-Identifier: GPL-2.0
#include "netlink/genl_socket.hpp"

#include <fmt/format.h>
#include <linux/hatcp.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <sys/socket.h>

#include "netlink/errors.hpp"

namespace hatcp::netlink {

SocketPtr open_genl_socket()
{
    SocketPtr socket = make_socket();
    if (const int result = genl_connect(socket.get()); result < 0) {
        throw TransportError{"connecting a generic netlink socket", result};
    }
    // The kernel's reasons for refusing a request come as extended acks.
    // Kernels before 4.12 lack the option; they send no reasons anyway.
    const int on = 1;
    (void)setsockopt(nl_socket_get_fd(socket.get()), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    return socket;
}

GenlSocket::GenlSocket() : socket_{open_genl_socket()}
{
    const int family = genl_ctrl_resolve(socket_.get(), HATCP_GENL_NAME);
    if (family == -NLE_OBJ_NOTFOUND) {
        throw FamilyNotFound{};
    }
    if (family < 0) {
        throw TransportError{"resolving the hatcp family", family};
    }
    family_ = family;

    // Our exchanges ask for acks themselves and check sequence numbers per
    // request (see exchange.hpp).
    nl_socket_disable_auto_ack(socket_.get());
}

int GenlSocket::resolve_group(const char* name) const
{
    const int group = genl_ctrl_resolve_grp(socket_.get(), HATCP_GENL_NAME, name);
    if (group < 0) {
        throw ProtocolError{fmt::format("the hatcp family has no multicast group \"{}\"", name)};
    }
    return group;
}

} // namespace hatcp::netlink
