// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/ipv4_address.hpp"
#include "model/json.hpp"

namespace hatcp {

// A protected service: a local TCP port, on one address or on any.
struct Policy {
    std::optional<Ipv4Address> addr;
    std::uint16_t port = 0;

    friend bool operator==(const Policy&, const Policy&) = default;
};

// Adds "addr" (only when not any) and "port" to an object.
void add_policy_fields(Json& object, const Policy& policy);

// {"addr":"10.0.0.10","port":443} or {"port":80}.
Json policy_json(const Policy& policy);

// "addr 10.0.0.10 port 443" or "port 80", without a newline.
std::string policy_words(const Policy& policy);

// `policy list`: a JSON array, or one policy_words() line each.
Json policies_json(const std::vector<Policy>& policies);
std::string policies_text(const std::vector<Policy>& policies);

} // namespace hatcp
