// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <linux/hatcp.h>

#include "model/json.hpp"

namespace hatcp {

// A node's part in replication. The values are the kernel's enum hatcp_role;
// a newer kernel may send one this build does not name.
enum class Role : std::uint32_t {
    standalone = HATCP_ROLE_STANDALONE,
    primary = HATCP_ROLE_PRIMARY,
    replica = HATCP_ROLE_REPLICA,
};

// "standalone", "primary", "replica", or "role_<N>" for an unknown value.
std::string role_name(Role role);

// The inverse of role_name() for the three known roles.
std::optional<Role> role_from_name(std::string_view name);

// `role show`: {"role":"primary"} and "primary".
Json role_json(Role role);
std::string role_text(Role role);

} // namespace hatcp
