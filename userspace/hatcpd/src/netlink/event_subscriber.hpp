// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "control/event_source.hpp"
#include "netlink/genl_socket.hpp"

namespace hatcp::netlink {

// A non-blocking socket joined to the hatcp family's "events" multicast
// group, where the kernel sends the events of the caller's network
// namespace, and to the generic netlink controller's "notify" group, which
// says when the family goes away.
class EventSubscriber final : public EventSource {
public:
    // Throws FamilyNotFound when the module is not loaded, KernelError
    // (EPERM) when the kernel does not let us join.
    EventSubscriber();

    [[nodiscard]] int fd() const override;

    // As EventSource::receive(); throws FamilyRemoved, after handling the
    // events before it, once the module is unloaded.
    bool receive(const EventHandler& handler) override;

private:
    GenlSocket socket_;
};

} // namespace hatcp::netlink
