// SPDX-License-Identifier: GPL-2.0
#include "model/policy.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hatcp {

void add_policy_fields(Json& object, const Policy& policy)
{
    if (policy.addr) {
        object["addr"] = policy.addr->to_string();
    }
    object["port"] = policy.port;
}

Json policy_json(const Policy& policy)
{
    Json object = Json::object();
    add_policy_fields(object, policy);
    return object;
}

std::string policy_words(const Policy& policy)
{
    if (policy.addr) {
        return fmt::format("addr {} port {}", policy.addr->to_string(), policy.port);
    }
    return fmt::format("port {}", policy.port);
}

Json policies_json(const std::vector<Policy>& policies)
{
    Json array = Json::array();
    for (const Policy& policy : policies) {
        array.push_back(policy_json(policy));
    }
    return array;
}

std::string policies_text(const std::vector<Policy>& policies)
{
    std::string text;
    for (const Policy& policy : policies) {
        text += policy_words(policy) + '\n';
    }
    return text;
}

} // namespace hatcp
