// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/device.hpp"
#include "model/flow.hpp"
#include "model/json.hpp"
#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"

namespace hatcp {

// A multicast notification from the "events" group. `type` is the kernel's
// enum hatcp_event, kept as a number so newer events still get through; the
// optionals hold whatever object the event carried.
struct Event {
    std::uint32_t type = 0;
    std::optional<Role> role;
    std::optional<Role> old_role;
    std::optional<Peer> peer; // absent in a peer event: the peer was deleted
    std::optional<Policy> policy;
    std::optional<Flow> flow{};

    friend bool operator==(const Event&, const Event&) = default;
};

// "role_changed", "peer_changed", "policy_added", "policy_deleted",
// "peer_reachable", "peer_unreachable", "flow_unprotected", or "event_<N>"
// for one this build does not know.
std::string event_name(std::uint32_t type);

// `monitor -j`: {"event":"role_changed","role":"primary","old_role":"replica"}
// and the like: the object an event carries is flattened into it, so
// "flow_unprotected" has the keys of flow_json(). An unknown event is only
// {"event":"event_<N>"}.
Json event_json(const Event& event, const DeviceNamer& device_name);

// `monitor`: the event name followed by the same keys and values as words,
// e.g. "role_changed role primary old_role replica", "peer_changed none",
// "flow_unprotected role primary client 192.0.2.7:51234 service
// 10.0.0.10:443 state SYN_RECV reason syncookie".
std::string event_text(const Event& event, const DeviceNamer& device_name);

} // namespace hatcp
