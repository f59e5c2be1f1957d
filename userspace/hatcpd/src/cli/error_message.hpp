// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <exception>
#include <string>

namespace hatcp::cli {

// What hatcpctl prints after "hatcpctl: " (always one line) and the exit
// status it returns.
struct Failure {
    std::string reason;
    int exit_status = 1;
};

// Usage errors exit 2; everything else 1. The kernel's extended ack message,
// when there is one, always reaches the user: "<extack> (<strerror>)".
Failure describe_failure(const std::exception& error);

} // namespace hatcp::cli
