// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hatcp::daemon {

// hatcpd's command line: run (the default), --check FILE, --health. Kept
// apart from main() so tests drive it. Returns the exit status.
int run_hatcpd(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace hatcp::daemon
