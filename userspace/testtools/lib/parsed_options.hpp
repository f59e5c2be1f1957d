// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hatcp::testtools {

// What parsing a command line came to, without exceptions and without
// printing, so the tests check bad values and main() decides where text goes.
template <typename Options>
struct ParsedOptions {
    std::optional<Options> options; // set: run with these
    int exit_code = 0;              // else: exit with this (0 after --help, 2 on a usage error)
    std::string message;            // else: print this (help to stdout, an error to stderr)
};

// The exit status of a usage error, for both tools.
inline constexpr int usage_exit_code = 2;

// argv as CLI11 takes it, from words (the tests build command lines this way).
class Argv {
public:
    explicit Argv(const std::vector<std::string>& words)
    {
        pointers_.reserve(words.size());
        for (const auto& word : words) {
            pointers_.push_back(word.c_str());
        }
    }
    [[nodiscard]] int argc() const noexcept { return static_cast<int>(pointers_.size()); }
    [[nodiscard]] const char* const* argv() const noexcept { return pointers_.data(); }

private:
    std::vector<const char*> pointers_;
};

} // namespace hatcp::testtools
