// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace hatcp::testtools {

// Where hatcp-echod's JSON lines go: a file (truncated at start), stdout for
// "-", or nowhere for "". Each line is flushed as written, so a test reads
// the record of a connection as soon as it has ended, and a server killed
// with SIGKILL still leaves every completed record behind.
class StatsSink {
public:
    // Throws std::runtime_error if the file cannot be opened.
    explicit StatsSink(const std::string& path);

    void write(const nlohmann::json& record);
    [[nodiscard]] bool is_stdout() const noexcept { return to_stdout_; }

private:
    std::ofstream file_;
    bool to_stdout_ = false;
};

} // namespace hatcp::testtools
