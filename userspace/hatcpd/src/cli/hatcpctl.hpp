// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "control/control.hpp"
#include "model/device.hpp"

namespace hatcp::cli {

// What hatcpctl needs from the outside world; the tests substitute fakes.
struct Environment {
    // Opens the connection to the kernel; called only once the command line
    // is known to be good.
    std::function<std::unique_ptr<Control>()> connect;
    DeviceNamer device_name = system_device_name;
};

// The whole of hatcpctl for `args` (without the program name): parses,
// runs, prints. Returns the exit status; on failure prints exactly one line,
// "hatcpctl: <reason>", to `err`.
int run_hatcpctl(const std::vector<std::string>& args, const Environment& environment, std::ostream& out,
                 std::ostream& err);

} // namespace hatcp::cli
