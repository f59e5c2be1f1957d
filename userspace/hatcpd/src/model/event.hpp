// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/device.hpp"
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

    friend bool operator==(const Event&, const Event&) = default;
};

// "role_changed", "peer_changed", "policy_added", "policy_deleted", or
// "event_<N>" for one this build does not know.
std::string event_name(std::uint32_t type);

// `monitor -j`: {"event":"role_changed","role":"primary","old_role":"replica"}
// and the like; an unknown event is only {"event":"event_<N>"}.
Json event_json(const Event& event, const DeviceNamer& device_name);

// `monitor`: the event name followed by the same keys and values as words,
// e.g. "role_changed role primary old_role replica", "peer_changed none".
std::string event_text(const Event& event, const DeviceNamer& device_name);

} // namespace hatcp
