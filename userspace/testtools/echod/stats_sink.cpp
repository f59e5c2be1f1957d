// SPDX-License-Identifier: GPL-2.0
#include "stats_sink.hpp"

#include <iostream>
#include <stdexcept>

namespace hatcp::testtools {

StatsSink::StatsSink(const std::string& path) : to_stdout_(path == "-")
{
    if (!path.empty() && !to_stdout_) {
        file_.open(path, std::ios::out | std::ios::trunc);
        if (!file_) {
            throw std::runtime_error{"cannot open the stats file " + path};
        }
    }
}

void StatsSink::write(const nlohmann::json& record)
{
    if (to_stdout_) {
        std::cout << record.dump() << '\n' << std::flush;
    } else if (file_.is_open()) {
        file_ << record.dump() << '\n' << std::flush;
    }
}

} // namespace hatcp::testtools
