// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "control/event_source.hpp"
#include "model/flow.hpp"
#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"
#include "model/stats.hpp"

namespace hatcp {

// Everything hatcpctl and hatcpd ask of the hatcp module, in the caller's
// network namespace. NetlinkControl talks to the kernel; tests use fakes.
// Failures are thrown (see netlink/errors.hpp).
class Control {
public:
    Control() = default;
    virtual ~Control() = default;
    Control(const Control&) = delete;
    Control& operator=(const Control&) = delete;
    Control(Control&&) = delete;
    Control& operator=(Control&&) = delete;

    virtual Role role() = 0;
    virtual void set_role(Role role) = 0;

    // nullopt when no peer is set.
    virtual std::optional<Peer> peer() = 0;
    virtual void set_peer(const Peer& peer) = 0;
    virtual void delete_peer() = 0;

    virtual void add_policy(const Policy& policy) = 0;
    virtual void delete_policy(const Policy& policy) = 0;
    virtual std::vector<Policy> policies() = 0;

    virtual Stats stats() = 0;
    virtual std::vector<Flow> flows() = 0;

    virtual void promote() = 0;
    virtual void demote() = 0;
    // A planned switchover, on the primary: demotes it, handing every
    // protected flow to the peer, which must be a live replica.
    virtual void migrate() = 0;

    virtual std::unique_ptr<EventSource> subscribe_events() = 0;
};

} // namespace hatcp
