// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hatcp {

// Turns an interface index from the kernel into something to print. The
// formatters take one so the tests need not depend on this host's devices.
using DeviceNamer = std::function<std::string(std::uint32_t ifindex)>;

// The device's name in the caller's network namespace, or "ifindex N" when
// there is none (the device went away, or lives elsewhere).
std::string system_device_name(std::uint32_t ifindex);

// The index of a device named in the caller's network namespace.
std::optional<std::uint32_t> system_device_index(std::string_view name);

} // namespace hatcp
