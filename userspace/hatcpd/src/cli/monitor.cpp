// SPDX-License-Identifier: GPL-2.0
#include "cli/monitor.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <nlohmann/json.hpp>
#include <poll.h>

#include "cli/run_command.hpp"

namespace hatcp::cli {

void run_monitor(EventSource& events, int stop_fd, bool json, std::ostream& out, std::ostream& err,
                 const DeviceNamer& device_name)
{
    const EventHandler print = [&](const Event& event) {
        if (json) {
            print_json(out, event_json(event, device_name));
        } else {
            out << event_text(event, device_name) << '\n';
        }
        out.flush();
    };

    std::array<pollfd, 2> fds{{{events.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}}};
    for (;;) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error{errno, std::generic_category(), "poll"};
        }
        if (fds[0].revents != 0 && !events.receive(print)) {
            err << "hatcpctl: events lost (receive buffer overrun)\n";
            err.flush();
        }
        if (fds[1].revents != 0) {
            return;
        }
    }
}

} // namespace hatcp::cli
