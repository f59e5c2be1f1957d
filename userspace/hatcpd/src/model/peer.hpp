// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/device.hpp"
#include "model/ipv4_address.hpp"
#include "model/json.hpp"

namespace hatcp {

// The replication channel's two ends, optionally bound to one device.
struct Peer {
    Ipv4Address local;
    Ipv4Address remote;
    std::optional<std::uint32_t> ifindex;

    friend bool operator==(const Peer&, const Peer&) = default;
};

// Adds "local", "remote" and, when bound, "dev" to an object (`peer show`
// and peer events share the shape).
void add_peer_fields(Json& object, const Peer& peer, const DeviceNamer& device_name);

// `peer show`: {"local":…,"remote":…,"dev":…}, or {} when no peer is set.
Json peer_json(const std::optional<Peer>& peer, const DeviceNamer& device_name);

// "local A remote B[ dev X]", without a newline.
std::string peer_words(const Peer& peer, const DeviceNamer& device_name);

// `peer show`: peer_words() or "none", with a newline.
std::string peer_text(const std::optional<Peer>& peer, const DeviceNamer& device_name);

} // namespace hatcp
