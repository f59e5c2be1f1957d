// SPDX-License-Identifier: GPL-2.0
#include "model/role.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hatcp {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 3> role_names{{
    {Role::standalone, "standalone"},
    {Role::primary, "primary"},
    {Role::replica, "replica"},
}};

} // namespace

std::string role_name(Role role)
{
    for (const auto& [value, name] : role_names) {
        if (value == role) {
            return std::string{name};
        }
    }
    return fmt::format("role_{}", static_cast<std::uint32_t>(role));
}

std::optional<Role> role_from_name(std::string_view name)
{
    for (const auto& [value, known] : role_names) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
}

Json role_json(Role role)
{
    return Json{{"role", role_name(role)}};
}

std::string role_text(Role role)
{
    return role_name(role) + '\n';
}

} // namespace hatcp
