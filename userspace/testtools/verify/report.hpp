// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "verify_run.hpp"

namespace hatcp::testtools {

// --json: the whole report as one object (see README.md for the fields).
[[nodiscard]] nlohmann::json to_json(const RunReport& report);

// The default: a line per connection (with --connect-only, per failed one),
// the totals, and the verdict.
void print_text(const RunReport& report, std::ostream& out);

} // namespace hatcp::testtools
