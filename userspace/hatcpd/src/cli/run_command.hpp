// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <ostream>

#include "cli/command.hpp"
#include "control/control.hpp"
#include "model/device.hpp"

namespace hatcp::cli {

// Carries out a parsed command through `control` and prints its result, as
// text or JSON, to `out`. `monitor` runs until SIGINT or SIGTERM. Failures
// are thrown for the caller to turn into one error line.
void run_command(const Invocation& invocation, Control& control, std::ostream& out, std::ostream& err,
                 const DeviceNamer& device_name);

// JSON as hatcpctl prints it: compact, one value per line.
void print_json(std::ostream& out, const Json& value);

} // namespace hatcp::cli
