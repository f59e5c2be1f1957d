// SPDX-License-Identifier: GPL-2.0
// hatcp-echod: the deterministic server of hatcp's replication, failover and
// benchmark tests (see README.md).
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "descriptor_limit.hpp"
#include "echo_server.hpp"
#include "echod_options.hpp"
#include "endpoint.hpp"
#include "stats_sink.hpp"
#include "stop_signals.hpp"

namespace {

using namespace hatcp::testtools;
using hatcp::StopSignals;

// Written under a temporary name and renamed, so a test polling for the
// file never reads half of it.
void write_ready_file(const std::string& path, const std::string& address)
{
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out{temporary, std::ios::out | std::ios::trunc};
        out << address << '\n';
        if (!out.flush()) {
            throw std::runtime_error{"cannot write the ready file " + temporary};
        }
    }
    std::filesystem::rename(temporary, path);
}

nlohmann::json summary_record(const EchoServer& server, int signal)
{
    const ServerTotals& totals = server.totals();
    return {
        {"type", "summary"},
        {"connections", totals.accepted},
        {"open", server.open_connections()},
        {"closed_eof", totals.closed_eof},
        {"resets", totals.resets},
        {"errors", totals.errors},
        {"bytes_in", totals.bytes_in},
        {"bytes_out", totals.bytes_out},
        {"digest", "sha256"},
        {"signal", sigabbrev_np(signal) != nullptr ? sigabbrev_np(signal) : "?"},
    };
}

int run(const EchodOptions& options)
{
    raise_descriptor_limit();
    StatsSink sink{options.stats_path};
    const StopSignals stop;
    EchoServer server{options, sink};
    const std::string address = to_string(server.bound_address());
    std::cout << nlohmann::json{{"type", "listening"}, {"address", address}}.dump() << '\n' << std::flush;
    if (!options.ready_file.empty()) {
        write_ready_file(options.ready_file, address);
    }
    const int signal = server.run(stop);
    server.record_open_connections();
    const auto summary = summary_record(server, signal);
    sink.write(summary);
    if (!sink.is_stdout()) {
        std::cout << summary.dump() << '\n' << std::flush;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const std::vector<std::string> words(argv, argv + argc); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        auto parsed = parse_echod_options(words);
        if (!parsed.options) {
            (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << '\n';
            return parsed.exit_code;
        }
        return run(*parsed.options);
    } catch (const std::exception& error) {
        std::cerr << "hatcp-echod: " << error.what() << '\n';
    } catch (...) {
        std::cerr << "hatcp-echod: unknown error\n";
    }
    return 1;
}
