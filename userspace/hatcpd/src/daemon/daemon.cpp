// SPDX-License-Identifier: GPL-2.0
#include "daemon/daemon.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <cerrno>
#include <chrono>
#include <exception>
#include <memory>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <linux/hatcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "daemon/apply.hpp"
#include "daemon/config.hpp"
#include "daemon/health.hpp"
#include "daemon/metrics.hpp"
#include "daemon/notify.hpp"
#include "daemon/signals.hpp"
#include "daemon/sockets.hpp"
#include "daemon/status.hpp"
#include "daemon/sysctl_message.hpp"
#include "daemon/sysctls.hpp"
#include "model/device.hpp"
#include "netlink/errors.hpp"
#include "netlink/netlink_control.hpp"

namespace hatcp::daemon {

namespace {

using Clock = std::chrono::steady_clock;

std::optional<std::uint32_t> device_index(std::string_view name)
{
    return system_device_index(name);
}

// What stops the daemon from starting: logged, exit status 1.
class StartError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

ino_t netns_inode(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Already there (systemd's NetworkNamespacePath=) needs no CAP_SYS_ADMIN.
void enter_netns(const std::string& name)
{
    const std::string path = "/run/netns/" + name;
    struct stat want {};
    struct stat ours {};
    if (::stat(path.c_str(), &want) == 0 && ::stat("/proc/self/ns/net", &ours) == 0 && want.st_dev == ours.st_dev &&
        want.st_ino == ours.st_ino) {
        return;
    }
    const Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (!fd.valid() || ::setns(fd.get(), CLONE_NEWNET) != 0) {
        throw StartError{fmt::format("cannot enter network namespace {}: {}", path, std::strerror(errno))};
    }
}

Fd make_timer(std::chrono::milliseconds interval)
{
    Fd fd{timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
    if (!fd.valid()) {
        throw std::system_error{errno, std::generic_category(), "timerfd_create"};
    }
    itimerspec spec{};
    spec.it_interval.tv_sec = static_cast<time_t>(interval.count() / 1000);
    spec.it_interval.tv_nsec = static_cast<long>((interval.count() % 1000) * 1'000'000);
    spec.it_value = spec.it_interval;
    timerfd_settime(fd.get(), 0, &spec, nullptr);
    return fd;
}

void drain(int fd)
{
    std::uint64_t expirations = 0;
    while (::read(fd, &expirations, sizeof(expirations)) > 0) {
    }
}

std::string mismatch_list(const std::vector<SysctlMismatch>& mismatches, bool critical_only)
{
    std::string out;
    for (const auto& m : mismatches) {
        if (!critical_only || m.critical) {
            out += out.empty() ? "" : ", ";
            out += fmt::format("{} here {} peer {}", m.name, m.here, m.peer);
        }
    }
    return out;
}

class Daemon {
public:
    Daemon(DaemonOptions options, DaemonConfig config) : options_{std::move(options)}, config_{std::move(config)} {}

    int run();

private:
    // Module connection.
    bool connect_module();
    void lose_module(const char* why);
    void apply_whole();
    std::optional<KernelSnapshot> snapshot();
    void check_drift();

    // Sysctls.
    void open_exchange();
    void send_query();
    void on_exchange_readable();
    void compare_with_peer(const Sysctls& peer_values);
    bool wait_for_peer_sysctls();

    // Loop.
    void watch(int fd);
    void unwatch(int fd);
    void on_tick();
    void on_events();
    void reload();
    void on_signals();
    void dispatch(int fd);
    [[nodiscard]] std::string status_line() const;

    DaemonOptions options_;
    DaemonConfig config_;
    DaemonStatus status_;
    Fd epoll_;
    std::unique_ptr<DaemonSignals> signals_;
    Fd tick_;
    Fd health_;
    Fd metrics_;
    Fd exchange_;
    std::unique_ptr<netlink::NetlinkControl> control_;
    std::unique_ptr<EventSource> events_;
    ino_t netns_ino_ = 0;
    std::string query_nonce_;
    bool peer_answered_ = false;
    Clock::time_point next_query_{};
    std::string last_apply_error_logged_;
    std::optional<std::string> last_mismatch_logged_;
    bool stop_ = false;
    int exit_status_ = 0;
};

void Daemon::watch(int fd)
{
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        throw std::system_error{errno, std::generic_category(), "epoll_ctl"};
    }
}

void Daemon::unwatch(int fd)
{
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

std::string Daemon::status_line() const
{
    if (!status_.module_loaded) {
        return "waiting for the hatcp module";
    }
    if (!status_.config_applied) {
        return fmt::format("configuration not applied: {}", status_.apply_error);
    }
    return fmt::format("configuration applied, {} policies", config_.policies.size());
}

bool Daemon::connect_module()
{
    try {
        control_ = std::make_unique<netlink::NetlinkControl>();
        events_ = control_->subscribe_events();
    } catch (const netlink::FamilyNotFound&) {
        control_.reset();
        events_.reset();
        return false;
    }
    watch(events_->fd());
    status_.module_loaded = true;
    spdlog::info("hatcp module found");
    return true;
}

void Daemon::lose_module(const char* why)
{
    if (events_) {
        unwatch(events_->fd());
    }
    events_.reset();
    control_.reset();
    status_.module_loaded = false;
    status_.config_applied = false;
    status_.apply_error = "module not loaded";
    spdlog::warn("hatcp module {}; re-applying the configuration when it is back", why);
    notify::status(status_line());
}

// Start, or the module came back: everything, role included.
void Daemon::apply_whole()
{
    try {
        const auto changes = apply_config(*control_, config_, nullptr, device_index);
        for (const auto& change : changes) {
            spdlog::info("applied: {}", change);
        }
        status_.config_applied = true;
        status_.apply_error.clear();
        status_.drift.clear();
        ++status_.applies;
        last_apply_error_logged_.clear();
        spdlog::info("configuration {} in place ({} changes)", options_.config_path, changes.size());
    } catch (const netlink::FamilyNotFound&) {
        lose_module("unloaded");
    } catch (const std::exception& error) {
        status_.config_applied = false;
        status_.apply_error = error.what();
        if (last_apply_error_logged_ != status_.apply_error) {
            spdlog::error("cannot apply {}: {}", options_.config_path, status_.apply_error);
            last_apply_error_logged_ = status_.apply_error;
        }
    }
    notify::status(status_line());
}

std::optional<KernelSnapshot> Daemon::snapshot()
{
    if (!control_) {
        return std::nullopt;
    }
    try {
        return KernelSnapshot{control_->role(), control_->stats(), control_->flows()};
    } catch (const netlink::FamilyNotFound&) {
        lose_module("unloaded");
    } catch (const std::exception& error) {
        spdlog::warn("cannot read the module's state: {}", error.what());
    }
    return std::nullopt;
}

// Someone changed the module behind hatcpd's back, or the module was
// reloaded between two looks: put the configuration back.
void Daemon::check_drift()
{
    if (!control_ || !status_.config_applied) {
        return;
    }
    try {
        const auto drift = config_drift(*control_, config_, device_index);
        if (!drift.empty()) {
            for (const auto& line : drift) {
                spdlog::warn("module state differs from the configuration: {}", line);
            }
            status_.drift = drift;
            // A module with nothing set was reloaded between two looks:
            // everything, role included. Otherwise only the difference,
            // leaving the role to keepalived.
            const bool fresh = !control_->peer() && control_->policies().empty() && control_->role() == Role::standalone;
            if (fresh) {
                apply_whole();
            } else {
                for (const auto& change : apply_config(*control_, config_, &config_, device_index)) {
                    spdlog::info("applied: {}", change);
                }
                status_.drift.clear();
            }
        }
    } catch (const netlink::FamilyNotFound&) {
        lose_module("unloaded");
    } catch (const std::exception& error) {
        spdlog::warn("cannot compare the module's state: {}", error.what());
    }
}

void Daemon::open_exchange()
{
    if (exchange_.valid()) {
        unwatch(exchange_.get());
        exchange_.reset();
    }
    peer_answered_ = false;
    status_.peer_sysctls_known = false;
    status_.sysctl_refusals.clear();
    status_.sysctl_mismatches = 0;
    status_.peer_configured = config_.peer.has_value();
    if (!config_.peer) {
        return;
    }
    exchange_ = bind_udp(config_.peer->local, config_.sysctl_port, config_.peer->device);
    watch(exchange_.get());
    next_query_ = Clock::now();
}

void Daemon::send_query()
{
    if (!exchange_.valid()) {
        return;
    }
    query_nonce_ = random_nonce();
    const std::string datagram = encode({false, query_nonce_, read_sysctls()}, config_.peer->key);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(config_.sysctl_port);
    to.sin_addr.s_addr = config_.peer->remote.network_order;
    // Unreachable peers are normal at start: the answer simply never comes.
    ::sendto(exchange_.get(), datagram.data(), datagram.size(), 0,
             reinterpret_cast<const sockaddr*>(&to), sizeof(to)); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    next_query_ = Clock::now() + config_.timers.sysctl_interval;
}

void Daemon::compare_with_peer(const Sysctls& peer_values)
{
    const auto mismatches = compare_sysctls(read_sysctls(), peer_values);
    status_.peer_sysctls_known = true;
    status_.sysctl_mismatches = mismatches.size();
    status_.sysctl_refusals.clear();
    std::string summary = mismatch_list(mismatches, false);
    if (summary != last_mismatch_logged_) { // log each new state once
        last_mismatch_logged_ = summary;
        if (mismatches.empty()) {
            spdlog::info("peer's sysctls match ours");
        }
        for (const auto& m : mismatches) {
            if (m.critical && config_.on_mismatch == MismatchAction::refuse) {
                spdlog::error("{}", describe(m));
            } else {
                spdlog::warn("{}", describe(m));
            }
        }
    }
    if (config_.on_mismatch == MismatchAction::refuse) {
        for (const auto& m : mismatches) {
            if (m.critical) {
                status_.sysctl_refusals.push_back(fmt::format("{} here {} peer {}", m.name, m.here, m.peer));
            }
        }
    }
}

void Daemon::on_exchange_readable()
{
    std::array<char, 4096> buffer{};
    for (;;) {
        sockaddr_in from{};
        socklen_t from_len = sizeof(from);
        const ssize_t got = ::recvfrom(exchange_.get(), buffer.data(), buffer.size(), 0,
                                       reinterpret_cast<sockaddr*>(&from), // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
                                       &from_len);
        if (got < 0) {
            return;
        }
        if (from.sin_addr.s_addr != config_.peer->remote.network_order || ntohs(from.sin_port) != config_.sysctl_port) {
            spdlog::warn("sysctl exchange: datagram from {}:{} ignored: not the peer",
                         Ipv4Address{from.sin_addr.s_addr}.to_string(), ntohs(from.sin_port));
            continue;
        }
        std::string why;
        const auto message = decode(std::string_view{buffer.data(), static_cast<std::size_t>(got)}, config_.peer->key, why);
        if (!message) {
            spdlog::warn("sysctl exchange: message from the peer refused: {}", why);
            continue;
        }
        if (message->answer) {
            if (message->nonce != query_nonce_) {
                continue; // an old or replayed answer
            }
            peer_answered_ = true;
        } else {
            const std::string answer = encode({true, message->nonce, read_sysctls()}, config_.peer->key);
            ::sendto(exchange_.get(), answer.data(), answer.size(), 0,
                     reinterpret_cast<const sockaddr*>(&from), from_len); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
        }
        compare_with_peer(message->values);
    }
}

// At start: ask the peer for its sysctls, answering its questions too,
// for up to sysctl_start_wait. False when critical ones differ and the
// configuration says refuse.
bool Daemon::wait_for_peer_sysctls()
{
    if (!exchange_.valid()) {
        return true;
    }
    const auto deadline = Clock::now() + config_.timers.sysctl_start_wait;
    while (!peer_answered_ && Clock::now() < deadline) {
        send_query();
        pollfd pfd{exchange_.get(), POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (::poll(&pfd, 1, static_cast<int>(std::clamp<long>(left.count(), 0, 500))) > 0) {
            on_exchange_readable();
        }
    }
    if (!peer_answered_) {
        spdlog::warn("the peer's hatcpd did not answer on {}:{} within {} ms; comparing sysctls when it does",
                     config_.peer->remote.to_string(), config_.sysctl_port, config_.timers.sysctl_start_wait.count());
        next_query_ = Clock::now() + config_.timers.sysctl_interval;
        return true;
    }
    next_query_ = Clock::now() + config_.timers.sysctl_interval;
    return status_.sysctl_refusals.empty();
}

void Daemon::on_tick()
{
    drain(tick_.get());
    notify::watchdog();
    if (options_.netns && netns_inode("/run/netns/" + *options_.netns) != netns_ino_) {
        spdlog::error("network namespace {} was deleted or recreated; exiting so that the service manager starts "
                      "hatcpd in the new one",
                      *options_.netns);
        stop_ = true;
        exit_status_ = 1;
        return;
    }
    if (!control_) {
        if (connect_module()) {
            apply_whole();
        }
    } else if (!status_.config_applied) {
        apply_whole();
    } else {
        check_drift();
    }
    if (exchange_.valid() && Clock::now() >= next_query_) {
        send_query();
    }
}

void Daemon::on_events()
{
    try {
        const bool complete = events_->receive([](const Event& event) {
            const std::string text = event_text(event, system_device_name);
            switch (event.type) {
            case HATCP_EVENT_PEER_UNREACHABLE:
                spdlog::warn("peer lost: {}", text);
                break;
            case HATCP_EVENT_PEER_REACHABLE:
                spdlog::info("peer found: {}", text);
                break;
            case HATCP_EVENT_ROLE_CHANGED:
                spdlog::warn("role changed: {}", text);
                break;
            case HATCP_EVENT_FLOW_UNPROTECTED:
                spdlog::warn("flow left unprotected: {}", text);
                break;
            default:
                spdlog::info("event: {}", text);
                break;
            }
        });
        if (!complete) {
            spdlog::warn("events were lost: hatcpd read them too slowly");
        }
    } catch (const netlink::FamilyRemoved&) {
        lose_module("unloaded");
    } catch (const std::exception& error) {
        spdlog::error("reading events: {}", error.what());
    }
}

void Daemon::reload()
{
    notify::reloading("reloading " + options_.config_path);
    spdlog::info("SIGHUP: reloading {}", options_.config_path);
    DaemonConfig next;
    try {
        next = load_config(options_.config_path);
    } catch (const ConfigError& error) {
        ++status_.reload_failures;
        spdlog::error("reload refused, running configuration unchanged: {}", error.what());
        notify::ready(status_line());
        return;
    }
    if (control_) {
        try {
            const auto changes = apply_config(*control_, next, &config_, device_index);
            for (const auto& change : changes) {
                spdlog::info("applied: {}", change);
            }
            spdlog::info("reload: {} changes", changes.size());
            status_.config_applied = true;
            status_.apply_error.clear();
            status_.drift.clear();
        } catch (const netlink::FamilyNotFound&) {
            lose_module("unloaded");
        } catch (const std::exception& error) {
            // Part of it may be in place: the next tick retries the whole.
            status_.config_applied = false;
            status_.apply_error = error.what();
            spdlog::error("reload: cannot apply {}: {}", options_.config_path, error.what());
        }
    }
    ++status_.reloads;
    const bool exchange_changed = next.peer != config_.peer || next.sysctl_port != config_.sysctl_port;
    const bool metrics_changed = next.metrics_listen != config_.metrics_listen;
    config_ = std::move(next);
    try {
        if (exchange_changed) {
            open_exchange();
        }
        if (metrics_changed) {
            if (metrics_.valid()) {
                unwatch(metrics_.get());
                metrics_.reset();
            }
            if (config_.metrics_listen) {
                metrics_ = listen_tcp(*config_.metrics_listen);
                watch(metrics_.get());
            }
        }
    } catch (const std::exception& error) {
        spdlog::error("reload: {}", error.what());
    }
    notify::ready(status_line());
}

void Daemon::on_signals()
{
    for (int signal = signals_->take(); signal != 0; signal = signals_->take()) {
        if (signal == SIGHUP) {
            reload();
        } else {
            spdlog::info("signal {}: stopping; the module keeps its configuration", signal);
            stop_ = true;
        }
    }
}

void Daemon::dispatch(int fd)
{
    if (fd == signals_->fd()) {
        on_signals();
    } else if (fd == tick_.get()) {
        on_tick();
    } else if (events_ && fd == events_->fd()) {
        on_events();
    } else if (fd == health_.get()) {
        serve_health_once(health_.get(), [this] {
            check_drift();
            return health_line(judge_health(status_, snapshot(), {config_.timers.peer_timeout, config_.max_lag_bytes}));
        });
    } else if (metrics_.valid() && fd == metrics_.get()) {
        serve_http_once(metrics_.get(), [this] { return render_metrics(status_, snapshot()); });
    } else if (exchange_.valid() && fd == exchange_.get()) {
        on_exchange_readable();
    }
}

int Daemon::run()
{
    if (options_.netns) {
        enter_netns(*options_.netns);
        netns_ino_ = netns_inode("/run/netns/" + *options_.netns);
    }
    epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    signals_ = std::make_unique<DaemonSignals>();
    watch(signals_->fd());
    health_ = listen_health();
    watch(health_.get());
    if (config_.metrics_listen) {
        metrics_ = listen_tcp(*config_.metrics_listen);
        watch(metrics_.get());
    }
    open_exchange();
    if (!wait_for_peer_sysctls()) {
        throw StartError{fmt::format("refusing to start: critical sysctls differ from the peer's ({}); make them "
                                     "equal on both nodes, or set [sysctl] on_mismatch = \"warn\"",
                                     fmt::join(status_.sysctl_refusals, ", "))};
    }
    if (connect_module()) {
        apply_whole();
    } else {
        spdlog::warn("hatcp module not loaded; applying the configuration when it is");
    }
    auto interval = config_.timers.module_poll;
    if (const auto watchdog = notify::watchdog_interval()) {
        interval = std::min(interval, *watchdog);
    }
    tick_ = make_timer(interval);
    watch(tick_.get());
    notify::ready(status_line());
    spdlog::info("hatcpd ready: {}", status_line());

    std::array<epoll_event, 16> ready{};
    while (!stop_) {
        const int count = epoll_wait(epoll_.get(), ready.data(), static_cast<int>(ready.size()), -1);
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error{errno, std::generic_category(), "epoll_wait"};
        }
        for (int i = 0; i < count && !stop_; ++i) {
            dispatch(ready.at(static_cast<std::size_t>(i)).data.fd);
        }
    }
    notify::stopping();
    return exit_status_;
}

} // namespace

int run_daemon(const DaemonOptions& options)
{
    try {
        DaemonConfig config = load_config(options.config_path);
        Daemon daemon{options, std::move(config)};
        return daemon.run();
    } catch (const ConfigError& error) {
        spdlog::error("{}", error.what());
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
    }
    return 1;
}

} // namespace hatcp::daemon
