// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/ipv4_address.hpp"
#include "model/json.hpp"
#include "model/role.hpp"

namespace hatcp {

// One tracked connection as the local node sees it: saddr/sport is the
// client, daddr/dport the protected service.
//
// The optional fields are absent when the kernel did not send them: an
// older kernel, or a field that does not apply (held_* on a replica,
// queued_* and lag_bytes on a primary, the sequence numbers when there is
// no local socket).
struct Flow {
    Role role = Role::standalone;
    Ipv4Address saddr;
    std::uint16_t sport = 0;
    Ipv4Address daddr;
    std::uint16_t dport = 0;
    std::uint32_t state = 0; // the kernel's TCP_* numbering
    bool is_protected = false;
    // enum hatcp_unprot_reason, kept as a number so newer reasons show.
    std::optional<std::uint32_t> unprotected_reason{};
    std::optional<std::uint32_t> held_segs{};    // primary: awaiting the replica
    std::optional<std::uint32_t> held_bytes{};   // primary
    std::optional<std::uint32_t> queued_segs{};  // replica: not yet consumed
    std::optional<std::uint32_t> queued_bytes{}; // replica
    std::optional<std::uint32_t> lag_bytes{};    // replica: received - rcv_nxt
    std::optional<std::uint32_t> snd_una{};
    std::optional<std::uint32_t> snd_nxt{};
    std::optional<std::uint32_t> rcv_nxt{};
    std::optional<std::uint32_t> tsval{}; // the TSval the socket would send now

    friend bool operator==(const Flow&, const Flow&) = default;
};

// "ESTABLISHED" … "NEW_SYN_RECV" for TCP_ESTABLISHED (1) … TCP_NEW_SYN_RECV
// (12); "STATE_<N>" otherwise.
std::string tcp_state_name(std::uint32_t state);

// "none", "syncookie", "fastopen", "md5", "refused", "timeout", "no_peer",
// "table_full", "midstream" for enum hatcp_unprot_reason; "unknown(<N>)"
// otherwise.
std::string unprotected_reason_name(std::uint32_t reason);

// Adds "role", "saddr", "sport", "daddr", "dport", "state", "protected",
// then those of "unprotected_reason", "held_segs", "held_bytes",
// "queued_segs", "queued_bytes", "lag_bytes", "snd_una", "snd_nxt",
// "rcv_nxt", "tsval" the kernel sent (absent ones are left out, never
// null) to an object (`flows` and flow events share the shape).
void add_flow_fields(Json& object, const Flow& flow);

// {"role":…,"saddr":…,"sport":…,"daddr":…,"dport":…,"state":…,"protected":…,…}
Json flow_json(const Flow& flow);

// "role R client A:P service B:Q state S[ reason X]", without a newline.
std::string flow_words(const Flow& flow);

// `flows`: a JSON array, or a table (header line, one row each) of role,
// client -> service, state, protected (or "no (<reason>)") and the held or
// queued segments and bytes.
Json flows_json(const std::vector<Flow>& flows);
std::string flows_text(const std::vector<Flow>& flows);

} // namespace hatcp
