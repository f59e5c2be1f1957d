// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/ipv4_address.hpp"
#include "model/json.hpp"
#include "model/role.hpp"

namespace hatcp {

// One tracked connection as the local node sees it: saddr/sport is the
// client, daddr/dport the protected service.
struct Flow {
    Role role = Role::standalone;
    Ipv4Address saddr;
    std::uint16_t sport = 0;
    Ipv4Address daddr;
    std::uint16_t dport = 0;
    std::uint32_t state = 0; // the kernel's TCP_* numbering
    bool is_protected = false;

    friend bool operator==(const Flow&, const Flow&) = default;
};

// "ESTABLISHED" … "NEW_SYN_RECV" for TCP_ESTABLISHED (1) … TCP_NEW_SYN_RECV
// (12); "STATE_<N>" otherwise.
std::string tcp_state_name(std::uint32_t state);

// {"role":…,"saddr":…,"sport":…,"daddr":…,"dport":…,"state":…,"protected":…}
Json flow_json(const Flow& flow);

// `flows`: a JSON array, or an ss-like table (header line, one row each).
Json flows_json(const std::vector<Flow>& flows);
std::string flows_text(const std::vector<Flow>& flows);

} // namespace hatcp
