// SPDX-License-Identifier: GPL-2.0
#include "model/peer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hatcp {

void add_peer_fields(Json& object, const Peer& peer, const DeviceNamer& device_name)
{
    object["local"] = peer.local.to_string();
    object["remote"] = peer.remote.to_string();
    if (peer.ifindex) {
        object["dev"] = device_name(*peer.ifindex);
    }
    object["port"] = peer.port;
    object["keyed"] = peer.keyed;
    if (peer.insecure_no_key) {
        object["insecure_no_key"] = true;
    }
    object["reachable"] = peer.reachable;
    if (peer.role) {
        object["role"] = role_name(*peer.role);
    }
}

Json peer_json(const std::optional<Peer>& peer, const DeviceNamer& device_name)
{
    Json object = Json::object();
    if (peer) {
        add_peer_fields(object, *peer, device_name);
    }
    return object;
}

std::string peer_config_words(const Peer& peer, const DeviceNamer& device_name)
{
    std::string words = fmt::format("local {} remote {}", peer.local.to_string(), peer.remote.to_string());
    if (peer.ifindex) {
        words += fmt::format(" dev {}", device_name(*peer.ifindex));
    }
    words += fmt::format(" port {}", peer.port);
    if (peer.keyed) {
        words += " keyed";
    }
    if (peer.insecure_no_key) {
        words += " insecure-no-key";
    }
    return words;
}

std::string peer_words(const Peer& peer, const DeviceNamer& device_name)
{
    return fmt::format("{} reachable {} role {}", peer_config_words(peer, device_name), peer.reachable ? "yes" : "no",
                       peer.role ? role_name(*peer.role) : "unknown");
}

std::string peer_text(const std::optional<Peer>& peer, const DeviceNamer& device_name)
{
    return (peer ? peer_words(*peer, device_name) : std::string{"none"}) + '\n';
}

} // namespace hatcp
