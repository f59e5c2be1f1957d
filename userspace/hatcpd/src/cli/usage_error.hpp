// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <stdexcept>

namespace hatcp::cli {

// A mistake on the command line: an unknown or missing word, a bad address,
// port or device. Reported as one line; exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace hatcp::cli
