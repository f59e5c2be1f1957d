// SPDX-License-Identifier: GPL-2.0
#include "daemon/apply.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hatcp::daemon {

namespace {

bool contains(const std::vector<Policy>& policies, const Policy& policy)
{
    return std::find(policies.begin(), policies.end(), policy) != policies.end();
}

// The fields the kernel reports back: the key itself never is.
bool same_endpoints(const Peer& kernel, const Peer& want)
{
    return kernel.local == want.local && kernel.remote == want.remote && kernel.ifindex == want.ifindex &&
           kernel.port == want.port && kernel.keyed == want.key.has_value() &&
           kernel.insecure_no_key == want.insecure_no_key;
}

// The configured device's name for the configured peer, so the log says
// what the file says.
std::string describe(Peer peer, const std::optional<std::string>& device = std::nullopt)
{
    peer.keyed = peer.keyed || peer.key.has_value();
    return peer_config_words(peer, [&device](std::uint32_t ifindex) { return device ? *device : system_device_name(ifindex); });
}

} // namespace

Peer kernel_peer(const PeerConfig& peer, const DeviceIndexer& device_index)
{
    Peer result;
    result.local = peer.local;
    result.remote = peer.remote;
    result.port = peer.port;
    result.key = peer.key;
    result.insecure_no_key = peer.insecure_no_key;
    if (peer.device) {
        const auto index = device_index(*peer.device);
        if (!index) {
            throw ApplyError{fmt::format("peer.device: no device \"{}\" in this network namespace", *peer.device)};
        }
        result.ifindex = *index;
    }
    return result;
}

std::vector<std::string> apply_config(Control& control, const DaemonConfig& want, const DaemonConfig* previous,
                                      const DeviceIndexer& device_index)
{
    std::vector<std::string> changes;
    const Role current_role = control.role();
    const bool set_role = previous == nullptr || previous->role != want.role;
    const Role target_role = set_role ? want.role : current_role;

    // The kernel wants a peer before any role but standalone, and refuses to
    // delete the peer while one is set: order the steps accordingly.
    if (!want.peer && current_role != Role::standalone && target_role == Role::standalone) {
        control.set_role(Role::standalone);
        changes.push_back(fmt::format("role {} -> standalone", role_name(current_role)));
    }

    const std::optional<Peer> current_peer = control.peer();
    if (want.peer) {
        const Peer peer = kernel_peer(*want.peer, device_index);
        // A key cannot be read back: after a start re-set it (an identical
        // peer keeps its socket and replay state), on reload compare files.
        const bool key_changed = previous == nullptr ? want.peer->key.has_value()
                                                     : !previous->peer || previous->peer->key != want.peer->key;
        if (!current_peer || !same_endpoints(*current_peer, peer) || key_changed) {
            control.set_peer(peer);
            changes.push_back(fmt::format("peer {}", describe(peer, want.peer->device)));
        }
    } else if (current_peer) {
        if (control.role() != Role::standalone) {
            throw ApplyError{"the file has no [peer] but the role is not standalone: set role = \"standalone\" too"};
        }
        control.delete_peer();
        changes.emplace_back("peer deleted");
    }

    const Role role_now = control.role();
    if (set_role && role_now != want.role) {
        control.set_role(want.role);
        changes.push_back(fmt::format("role {} -> {}", role_name(role_now), role_name(want.role)));
    }

    const std::vector<Policy> current_policies = control.policies();
    for (const auto& policy : current_policies) {
        if (!contains(want.policies, policy)) {
            control.delete_policy(policy);
            changes.push_back(fmt::format("policy deleted: {}", policy_words(policy)));
        }
    }
    for (const auto& policy : want.policies) {
        if (!contains(current_policies, policy)) {
            control.add_policy(policy);
            changes.push_back(fmt::format("policy added: {}", policy_words(policy)));
        }
    }
    return changes;
}

std::vector<std::string> config_drift(Control& control, const DaemonConfig& want, const DeviceIndexer& device_index)
{
    std::vector<std::string> drift;
    const std::optional<Peer> current_peer = control.peer();
    if (want.peer) {
        const Peer peer = kernel_peer(*want.peer, device_index);
        if (!current_peer) {
            drift.emplace_back("no peer set");
        } else if (!same_endpoints(*current_peer, peer)) {
            drift.push_back(fmt::format("peer is {}, configured {}", describe(*current_peer), describe(peer, want.peer->device)));
        }
    } else if (current_peer) {
        drift.emplace_back("a peer is set, none configured");
    }
    const std::vector<Policy> current_policies = control.policies();
    for (const auto& policy : want.policies) {
        if (!contains(current_policies, policy)) {
            drift.push_back(fmt::format("policy missing: {}", policy_words(policy)));
        }
    }
    for (const auto& policy : current_policies) {
        if (!contains(want.policies, policy)) {
            drift.push_back(fmt::format("policy not configured: {}", policy_words(policy)));
        }
    }
    return drift;
}

} // namespace hatcp::daemon
