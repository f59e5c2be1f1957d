// SPDX-License-Identifier: GPL-2.0
#include "daemon/command_line.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "daemon/config.hpp"
#include "daemon/daemon.hpp"
#include "daemon/health.hpp"
#include "daemon/logging.hpp"
#include "daemon/sockets.hpp"

namespace hatcp::daemon {

namespace {

constexpr int usage_status = 2;

int check(const std::string& path, std::ostream& out, std::ostream& err)
{
    try {
        const DaemonConfig config = load_config(path);
        out << fmt::format("{}: ok: role {}, {}, {} protected service ports, metrics {}\n", path,
                           role_name(config.role),
                           config.peer ? fmt::format("peer {} -> {}", config.peer->local.to_string(),
                                                     config.peer->remote.to_string())
                                       : std::string{"no peer"},
                           config.policies.size(),
                           config.metrics_listen ? fmt::format("on {}:{}", config.metrics_listen->address.to_string(),
                                                               config.metrics_listen->port)
                                                 : std::string{"off"});
        return 0;
    } catch (const ConfigError& error) {
        err << "hatcpd: " << error.what() << '\n';
        return 1;
    }
}

int health(bool local_only, std::chrono::milliseconds timeout, std::ostream& out)
{
    const auto answer = ask_health(timeout);
    const auto verdict = answer ? parse_health_line(*answer) : std::nullopt;
    if (!verdict) {
        out << (answer ? fmt::format("unhealthy: hatcpd gave an answer this check does not understand: {}", *answer)
                       : std::string{"unhealthy: hatcpd is not running in this network namespace (no answer on "
                                     "@hatcpd/health)"})
            << '\n';
        return static_cast<int>(HealthLevel::unhealthy);
    }
    out << health_line(*verdict) << '\n';
    if (local_only && verdict->level == HealthLevel::degraded) {
        return 0;
    }
    return static_cast<int>(verdict->level);
}

} // namespace

int run_hatcpd(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    CLI::App app{"hatcpd: applies /etc/hatcp/hatcpd.toml to the hatcp module and watches it", "hatcpd"};
    DaemonOptions options;
    std::string check_file;
    bool health_check = false;
    bool local_only = false;
    int timeout_ms = 2000;
    std::string netns;
    app.add_option("-c,--config", options.config_path, "configuration file")->capture_default_str();
    app.add_option("--netns", netns, "enter /run/netns/NAME first (one hatcpd per namespace)");
    app.add_option("--check", check_file, "validate FILE, apply nothing, exit 0 if good");
    app.add_flag("--health", health_check,
                 "ask this namespace's hatcpd: exit 0 healthy, 1 unhealthy, 3 degraded (peer or lag)");
    app.add_flag("--local", local_only, "with --health: degraded (peer unreachable, lag) counts as healthy");
    app.add_option("--timeout-ms", timeout_ms, "with --health: how long to wait for hatcpd")
        ->check(CLI::Range(1, 60000))
        ->capture_default_str();
    app.set_version_flag("--version", std::string{"hatcpd "} + HATCP_VERSION);

    std::vector<std::string> reversed{args.rbegin(), args.rend()};
    try {
        app.parse(reversed);
    } catch (const CLI::Success& done) {
        return app.exit(done, out, out);
    } catch (const CLI::ParseError& error) {
        err << "hatcpd: " << error.what() << '\n';
        return usage_status;
    }
    const int modes = (check_file.empty() ? 0 : 1) + (health_check ? 1 : 0);
    if (modes > 1) {
        err << "hatcpd: --check and --health exclude each other\n";
        return usage_status;
    }
    if (local_only && !health_check) {
        err << "hatcpd: --local goes with --health\n";
        return usage_status;
    }
    if (!check_file.empty()) {
        return check(check_file, out, err);
    }
    if (health_check) {
        return health(local_only, std::chrono::milliseconds{timeout_ms}, out);
    }
    if (!netns.empty()) {
        options.netns = netns;
    }
    setup_logging();
    return run_daemon(options);
}

} // namespace hatcp::daemon
