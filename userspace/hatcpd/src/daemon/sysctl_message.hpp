// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/sysctls.hpp"
#include "model/peer.hpp"

namespace hatcp::daemon {

// One datagram of the sysctl exchange between the two hatcpd: the kernel
// channel does not carry sysctls, so hatcpd asks its peer itself. Text:
//
//   hatcpd-sysctl 1
//   type query|answer
//   nonce <32 hex digits>      (an answer echoes its query's)
//   tcp_sack 1                 (one line per compared sysctl)
//   mac <64 hex digits>        (HMAC-SHA256 of everything before, when keyed)
//
// A query carries the asker's values too, so both ends compare.
struct SysctlMessage {
    bool answer = false;
    std::string nonce;
    Sysctls values;
};

std::string encode(const SysctlMessage& message, const std::optional<ChannelKey>& key);

// nullopt, with `why` set, for anything malformed or not authenticated
// under `key` (a keyed node accepts only tagged messages; an unkeyed one
// refuses tagged messages it cannot check).
std::optional<SysctlMessage> decode(std::string_view datagram, const std::optional<ChannelKey>& key,
                                    std::string& why);

// 16 random bytes as hex.
std::string random_nonce();

} // namespace hatcp::daemon
