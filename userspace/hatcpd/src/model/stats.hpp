// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/json.hpp"

namespace hatcp {

// One HATCP_STATS_A_* attribute as the kernel sent it. Kept by number, not
// as named fields, so counters added by a newer kernel still show up.
struct Counter {
    std::uint16_t attribute = 0;
    std::uint64_t value = 0;

    friend bool operator==(const Counter&, const Counter&) = default;
};

// The counters in the order the kernel sent them.
struct Stats {
    std::vector<Counter> counters;

    friend bool operator==(const Stats&, const Stats&) = default;
};

// The snake_case name of a HATCP_STATS_A_* value ("role_changes"), or
// "attr_<N>" for one this build does not know.
std::string counter_name(std::uint16_t attribute);

// `stats`: {"policies":1,…} and "policies 1" lines.
Json stats_json(const Stats& stats);
std::string stats_text(const Stats& stats);

} // namespace hatcp
