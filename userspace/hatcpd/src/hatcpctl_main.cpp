// SPDX-License-Identifier: GPL-2.0
// hatcpctl: configure and inspect hatcp in the caller's network namespace.
#include <algorithm>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cli/hatcpctl.hpp"
#include "netlink/netlink_control.hpp"

int main(int argc, char* argv[])
{
    const std::span<char*> argument_span{argv, static_cast<std::size_t>(std::max(argc, 0))};
    const std::vector<std::string> args(argument_span.begin() + std::min<std::ptrdiff_t>(argc, 1), argument_span.end());
    const hatcp::cli::Environment environment{
        .connect = [] { return std::make_unique<hatcp::netlink::NetlinkControl>(); },
    };
    return hatcp::cli::run_hatcpctl(args, environment, std::cout, std::cerr);
}
