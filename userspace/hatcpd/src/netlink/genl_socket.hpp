// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "netlink/handles.hpp"

namespace hatcp::netlink {

// A connected generic netlink socket in the caller's network namespace,
// with extended acks on. Throws TransportError.
SocketPtr open_genl_socket();

// A generic netlink socket in the caller's network namespace, with extended
// acks on and the "hatcp" family resolved.
class GenlSocket {
public:
    // Throws FamilyNotFound when the module is not loaded, TransportError
    // when the socket cannot be set up.
    GenlSocket();

    [[nodiscard]] nl_sock* get() const noexcept { return socket_.get(); }
    // The id the kernel gave the "hatcp" family.
    [[nodiscard]] int family() const noexcept { return family_; }

    // The id of one of the family's multicast groups; throws ProtocolError
    // if the family has no such group.
    [[nodiscard]] int resolve_group(const char* name) const;

private:
    SocketPtr socket_;
    int family_ = 0;
};

} // namespace hatcp::netlink
