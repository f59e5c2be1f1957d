// SPDX-License-Identifier: GPL-2.0
#include "model/event.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <linux/hatcp.h>

namespace hatcp {

namespace {

constexpr std::array<std::pair<std::uint32_t, std::string_view>, 7> event_names{{
    {HATCP_EVENT_ROLE_CHANGED, "role_changed"},
    {HATCP_EVENT_PEER_CHANGED, "peer_changed"},
    {HATCP_EVENT_POLICY_ADDED, "policy_added"},
    {HATCP_EVENT_POLICY_DELETED, "policy_deleted"},
    {HATCP_EVENT_PEER_REACHABLE, "peer_reachable"},
    {HATCP_EVENT_PEER_UNREACHABLE, "peer_unreachable"},
    {HATCP_EVENT_FLOW_UNPROTECTED, "flow_unprotected"},
}};

// A new event in the uapi must get a name (and a shape below).
static_assert(event_names.size() == HATCP_EVENT_MAX);

// Events about the peer carry it, except a change that deleted it.
bool is_peer_event(std::uint32_t type)
{
    return type == HATCP_EVENT_PEER_CHANGED || type == HATCP_EVENT_PEER_REACHABLE ||
           type == HATCP_EVENT_PEER_UNREACHABLE;
}

bool is_policy_event(std::uint32_t type)
{
    return type == HATCP_EVENT_POLICY_ADDED || type == HATCP_EVENT_POLICY_DELETED;
}

} // namespace

std::string event_name(std::uint32_t type)
{
    for (const auto& [known, name] : event_names) {
        if (known == type) {
            return std::string{name};
        }
    }
    return fmt::format("event_{}", type);
}

Json event_json(const Event& event, const DeviceNamer& device_name)
{
    Json object{{"event", event_name(event.type)}};
    if (event.type == HATCP_EVENT_ROLE_CHANGED) {
        if (event.role) {
            object["role"] = role_name(*event.role);
        }
        if (event.old_role) {
            object["old_role"] = role_name(*event.old_role);
        }
    } else if (is_peer_event(event.type)) {
        if (event.peer) {
            add_peer_fields(object, *event.peer, device_name);
        }
    } else if (is_policy_event(event.type) && event.policy) {
        add_policy_fields(object, *event.policy);
    } else if (event.type == HATCP_EVENT_FLOW_UNPROTECTED && event.flow) {
        add_flow_fields(object, *event.flow);
    }
    return object;
}

std::string event_text(const Event& event, const DeviceNamer& device_name)
{
    std::string text = event_name(event.type);
    if (event.type == HATCP_EVENT_ROLE_CHANGED) {
        if (event.role) {
            text += " role " + role_name(*event.role);
        }
        if (event.old_role) {
            text += " old_role " + role_name(*event.old_role);
        }
    } else if (is_peer_event(event.type)) {
        text += ' ' + (event.peer ? peer_words(*event.peer, device_name) : std::string{"none"});
    } else if (is_policy_event(event.type) && event.policy) {
        text += ' ' + policy_words(*event.policy);
    } else if (event.type == HATCP_EVENT_FLOW_UNPROTECTED && event.flow) {
        text += ' ' + flow_words(*event.flow);
    }
    return text;
}

} // namespace hatcp
