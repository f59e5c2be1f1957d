// SPDX-License-Identifier: GPL-2.0
#include "daemon/sysctls.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace hatcp::daemon {

const std::vector<SysctlSpec>& compared_sysctls()
{
    static const std::vector<SysctlSpec> specs = {
        {"tcp_timestamps", true}, {"tcp_sack", true},       {"tcp_window_scaling", true},
        {"tcp_ecn", true},        {"tcp_rmem", false},      {"tcp_wmem", false},
        {"tcp_syncookies", false}, {"tcp_fastopen", false},
    };
    return specs;
}

Sysctls read_sysctls(const std::string& root)
{
    Sysctls values;
    for (const auto& spec : compared_sysctls()) {
        std::ifstream file{root + "/" + spec.name};
        std::string normalised;
        std::string word;
        while (file >> word) {
            normalised += normalised.empty() ? "" : " ";
            normalised += word;
        }
        values[spec.name] = file.eof() && !normalised.empty() ? normalised : "absent";
    }
    return values;
}

std::vector<SysctlMismatch> compare_sysctls(const Sysctls& here, const Sysctls& peer)
{
    std::vector<SysctlMismatch> mismatches;
    const auto value = [](const Sysctls& values, const char* name) {
        const auto found = values.find(name);
        return found == values.end() ? std::string{"absent"} : found->second;
    };
    for (const auto& spec : compared_sysctls()) {
        const std::string a = value(here, spec.name);
        const std::string b = value(peer, spec.name);
        if (a != b) {
            mismatches.push_back({spec.name, a, b, spec.critical});
        }
    }
    return mismatches;
}

std::string describe(const SysctlMismatch& mismatch)
{
    return fmt::format("net.ipv4.{} differs: here {}, peer {} ({})", mismatch.name, mismatch.here, mismatch.peer,
                       mismatch.critical ? "critical: the replica's sockets could not match the primary's"
                                         : "warning: buffers or unprotected flows differ");
}

} // namespace hatcp::daemon
