// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <linux/hatcp.h>

#include "model/device.hpp"
#include "model/ipv4_address.hpp"
#include "model/json.hpp"
#include "model/role.hpp"

namespace hatcp {

// A channel key as the kernel takes it.
using ChannelKey = std::array<std::uint8_t, HATCP_KEY_LEN>;

// The replication channel's two ends, optionally bound to one device.
struct Peer {
    Ipv4Address local{};
    Ipv4Address remote{};
    std::optional<std::uint32_t> ifindex{};
    std::uint16_t port = HATCP_CHANNEL_PORT;
    // Only ever sent: the kernel never reports a key back.
    std::optional<ChannelKey> key{};
    // Only ever received: whether the kernel holds a key.
    bool keyed = false;
    // Sent and received: no key, and a primary or replica may use the peer
    // anyway (a lab's opt-out, `insecure-no-key`).
    bool insecure_no_key = false;
    // Only ever received: whether the peer's heartbeats arrive.
    bool reachable = false;
    // Only ever received: the role the peer's last heartbeat stated;
    // nullopt before the first one.
    std::optional<Role> role{};

    friend bool operator==(const Peer&, const Peer&) = default;
};

// Adds "local", "remote", when bound "dev", then "port", "keyed", when
// set "insecure_no_key" (true), "reachable" and, once the peer stated it, "role" to an object (`peer show`
// and peer events share the shape).
void add_peer_fields(Json& object, const Peer& peer, const DeviceNamer& device_name);

// `peer show`: {"local":…,"remote":…,"dev":…,"port":…,"keyed":…,
// "reachable":…,"role":…}, or {} when no peer is set.
Json peer_json(const std::optional<Peer>& peer, const DeviceNamer& device_name);

// What is configured: "local A remote B[ dev X] port P[ keyed|
// insecure-no-key]", without a
// newline (hatcpd's log of the peer it sets).
std::string peer_config_words(const Peer& peer, const DeviceNamer& device_name);

// What the kernel reports: peer_config_words() then " reachable yes|no role
// R", R being "unknown" before the peer's first heartbeat.
std::string peer_words(const Peer& peer, const DeviceNamer& device_name);

// `peer show`: peer_words() or "none", with a newline.
std::string peer_text(const std::optional<Peer>& peer, const DeviceNamer& device_name);

} // namespace hatcp
