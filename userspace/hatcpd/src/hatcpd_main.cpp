// SPDX-License-Identifier: GPL-2.0
// hatcpd: the service that configures and watches hatcp in one network namespace.
#include <algorithm>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "daemon/command_line.hpp"

int main(int argc, char* argv[])
{
    const std::span<char*> argument_span{argv, static_cast<std::size_t>(std::max(argc, 0))};
    const std::vector<std::string> args(argument_span.begin() + std::min<std::ptrdiff_t>(argc, 1), argument_span.end());
    return hatcp::daemon::run_hatcpd(args, std::cout, std::cerr);
}
