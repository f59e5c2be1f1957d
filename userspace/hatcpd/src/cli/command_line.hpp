// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/command.hpp"

namespace hatcp::cli {

// Parses hatcpctl's arguments (without the program name). Help and version
// text go to `out`. Throws UsageError, naming the offending word, for
// anything else that is not a complete, valid command.
ParseOutcome parse_command_line(const std::vector<std::string>& args, std::ostream& out);

} // namespace hatcp::cli
