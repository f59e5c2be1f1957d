// SPDX-License-Identifier: GPL-2.0
#include "echod_options.hpp"

#include <CLI/CLI.hpp>

#include "byte_size.hpp"
#include "endpoint.hpp"
#include "option_values.hpp"

namespace hatcp::testtools {

ParsedOptions<EchodOptions> parse_echod_options(const std::vector<std::string>& words)
{
    EchodOptions options;
    std::string listen_text;
    std::string read_size_text = std::to_string(EchodOptions::default_read_size);
    constexpr int max_backlog = 65535;

    CLI::App app{"Deterministic server for hatcp's tests: replies to every connection with the reply transform of "
                 "what it received (see reply_transform.hpp) and records per-connection SHA-256 digests.",
                 "hatcp-echod"};
    app.add_option("--listen", listen_text, "Address to listen on (port 0: any free port)")
        ->required()
        ->check(ipv4_endpoint(true));
    app.add_option("--backlog", options.backlog, "listen() backlog")
        ->check(unsigned_decimal())
        ->check(CLI::Range(1, max_backlog))
        ->capture_default_str();
    app.add_option("--delay-us", options.delay_us,
                   "Pause each connection this long after every read (a slow application)")
        ->check(unsigned_decimal())
        ->check(CLI::Range(std::uint64_t{0}, EchodOptions::max_delay_us))
        ->capture_default_str();
    app.add_option("--max-conns", options.max_conns, "Open connections at most, 0 for no limit")
        ->check(unsigned_decimal())
        ->capture_default_str();
    app.add_option("--read-size", read_size_text, "Largest single read (suffix k, M)")
        ->check(byte_size_in(1, EchodOptions::max_read_size))
        ->capture_default_str();
    app.add_option("--stats", options.stats_path,
                   "JSON lines: a record per connection as it ends, then the open ones and a summary at "
                   "shutdown ('-' for stdout)");
    app.add_option("--ready-file", options.ready_file, "Write the bound ADDR:PORT here once listening");

    const Argv argv{words};
    if (auto status = run_parser(app, argv.argc(), argv.argv()); status.exit_code >= 0) {
        return {.options = std::nullopt, .exit_code = status.exit_code, .message = std::move(status.message)};
    }
    options.listen = *parse_ipv4_endpoint(listen_text);
    options.read_size = *parse_byte_size(read_size_text);
    return {.options = options, .exit_code = 0, .message = {}};
}

} // namespace hatcp::testtools
