// SPDX-License-Identifier: GPL-2.0
#include "model/device.hpp"

#include <array>

#include <fmt/format.h>
#include <net/if.h>

namespace hatcp {

std::string system_device_name(std::uint32_t ifindex)
{
    std::array<char, IF_NAMESIZE> name{};
    if (ifindex != 0 && if_indextoname(ifindex, name.data()) != nullptr) {
        return std::string{name.data()};
    }
    return fmt::format("ifindex {}", ifindex);
}

std::optional<std::uint32_t> system_device_index(std::string_view name)
{
    const std::string terminated{name};
    const unsigned int index = if_nametoindex(terminated.c_str());
    if (index == 0) {
        return std::nullopt;
    }
    return index;
}

} // namespace hatcp
