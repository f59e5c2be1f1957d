// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/ipv4_address.hpp"
#include "model/peer.hpp"
#include "model/role.hpp"

// The values on hatcpctl's command line. Each parser throws UsageError with
// the line hatcpctl prints, e.g. `bad port "80x"`.
namespace hatcp::cli {

// A dotted IPv4 address, checked with inet_pton: `bad address "X"`.
Ipv4Address parse_address(std::string_view word);

// A decimal port 1..65535: `bad port "X"`.
std::uint16_t parse_port(std::string_view word);

// A device in the caller's network namespace (if_nametoindex):
// `no such device "X"`.
std::uint32_t parse_device(std::string_view word);

// A channel key from a file holding 64 hex digits (32 bytes), optionally
// followed by a newline: `cannot read key file "X"` or
// `bad key file "X": want 64 hex digits (32 bytes)`.
ChannelKey parse_key_file(const std::string& path);

// standalone, primary or replica.
Role parse_role(std::string_view word);

// iproute2-style "KEYWORD VALUE" pairs, e.g. `local 10.0.0.1 remote 10.0.0.2`,
// in any order, each keyword at most once. `usage` ends the error lines so
// they say what was expected.
using KeywordValues = std::map<std::string, std::string, std::less<>>;
KeywordValues parse_keywords(const std::vector<std::string>& words, std::initializer_list<std::string_view> keywords,
                             std::string_view usage);

} // namespace hatcp::cli
