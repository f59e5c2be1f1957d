// SPDX-License-Identifier: GPL-2.0
// hatcp-verify: the verifying client of hatcp's replication, failover and
// benchmark tests (see README.md). Exit 0: every connection byte-exact;
// 1: a connection failed (the reason on stderr); 2: a bad command line;
// 3: the run itself could not be set up.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "descriptor_limit.hpp"
#include "report.hpp"
#include "stop_signals.hpp"
#include "verify_options.hpp"
#include "verify_run.hpp"

namespace {

using namespace hatcp::testtools;
using hatcp::StopSignals;

constexpr int verification_failed = 1;
constexpr int setup_failed = 3;

int run(const VerifyOptions& options)
{
    raise_descriptor_limit();
    const StopSignals stop;
    VerifyRun verify{options};
    const RunReport report = verify.run(stop);
    if (options.json) {
        std::cout << to_json(report).dump() << '\n';
    } else {
        print_text(report, std::cout);
    }
    std::cout.flush();
    if (!report.passed()) {
        std::cerr << "hatcp-verify: FAIL: " << report.reason() << '\n';
        return verification_failed;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const std::vector<std::string> words(argv, argv + argc); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        auto parsed = parse_verify_options(words);
        if (!parsed.options) {
            (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << '\n';
            return parsed.exit_code;
        }
        return run(*parsed.options);
    } catch (const std::exception& error) {
        std::cerr << "hatcp-verify: " << error.what() << '\n';
    } catch (...) {
        std::cerr << "hatcp-verify: unknown error\n";
    }
    return setup_failed;
}
