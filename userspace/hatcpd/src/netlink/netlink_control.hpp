// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "control/control.hpp"
#include "netlink/genl_socket.hpp"

namespace hatcp::netlink {

// Control over generic netlink: one blocking request at a time on its own
// socket, in the network namespace of the thread that created it.
class NetlinkControl final : public Control {
public:
    // Throws FamilyNotFound when the hatcp module is not loaded.
    NetlinkControl() = default;

    Role role() override;
    void set_role(Role role) override;

    std::optional<Peer> peer() override;
    void set_peer(const Peer& peer) override;
    void delete_peer() override;

    void add_policy(const Policy& policy) override;
    void delete_policy(const Policy& policy) override;
    std::vector<Policy> policies() override;

    Stats stats() override;
    std::vector<Flow> flows() override;

    void promote() override;
    void demote() override;
    void migrate() override;

    std::unique_ptr<EventSource> subscribe_events() override;

private:
    void command(std::uint8_t command);
    void send(nl_msg* message);

    GenlSocket socket_;
};

} // namespace hatcp::netlink
