// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <ostream>

#include "control/event_source.hpp"
#include "model/device.hpp"

namespace hatcp::cli {

// `monitor`: prints one line per event (text or JSON), flushed at once since
// readers are often pipes, until `stop_fd` becomes readable. Events that
// arrived before the stop are printed first. Lost events are reported on
// `err` and monitoring goes on.
void run_monitor(EventSource& events, int stop_fd, bool json, std::ostream& out, std::ostream& err,
                 const DeviceNamer& device_name);

} // namespace hatcp::cli
