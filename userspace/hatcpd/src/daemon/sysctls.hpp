// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hatcp::daemon {

// The TCP sysctls both nodes must share, by name ("tcp_sack"), with their
// values whitespace-normalised ("4096 131072 6291456"), or "absent".
using Sysctls = std::map<std::string, std::string>;

// The names compared, in order. A critical one shapes what the shadow socket
// negotiates (options in the SYN-ACK, ECN), so a difference breaks the
// replica's alignment; the others change only buffer sizes or which flows
// are left unprotected, and are warned about.
struct SysctlSpec {
    const char* name;
    bool critical;
};
const std::vector<SysctlSpec>& compared_sysctls();

// The values in the caller's network namespace, read from `root`
// (/proc/sys/net/ipv4, per namespace).
Sysctls read_sysctls(const std::string& root = "/proc/sys/net/ipv4");

struct SysctlMismatch {
    std::string name;
    std::string here;
    std::string peer;
    bool critical = false;

    friend bool operator==(const SysctlMismatch&, const SysctlMismatch&) = default;
};

std::vector<SysctlMismatch> compare_sysctls(const Sysctls& here, const Sysctls& peer);

// "net.ipv4.tcp_sack differs: here 1, peer 0 (critical: ...)"
std::string describe(const SysctlMismatch& mismatch);

} // namespace hatcp::daemon
