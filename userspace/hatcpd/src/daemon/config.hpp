// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/ipv4_address.hpp"
#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"

namespace hatcp::daemon {

// A refused configuration file: where and why, so the operator can fix it
// without guessing. what() is "FILE:LINE:COLUMN: FIELD: REASON" (LINE and
// COLUMN are 0 when the file could not be read at all).
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string file, std::uint32_t line, std::uint32_t column, std::string field, std::string reason);

    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    [[nodiscard]] std::uint32_t line() const noexcept { return line_; }
    [[nodiscard]] std::uint32_t column() const noexcept { return column_; }
    [[nodiscard]] const std::string& field() const noexcept { return field_; }
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

private:
    std::string file_;
    std::uint32_t line_;
    std::uint32_t column_;
    std::string field_;
    std::string reason_;
};

// The replication channel as configured; the device is kept by name and
// resolved when applied, since --check may run where it does not exist.
struct PeerConfig {
    Ipv4Address local{};
    Ipv4Address remote{};
    std::optional<std::string> device;
    std::uint16_t port = HATCP_CHANNEL_PORT;
    std::optional<std::string> key_file;
    std::optional<ChannelKey> key; // read from key_file while loading
    // No key, and a primary or replica anyway: a lab's explicit opt-out.
    bool insecure_no_key = false;

    friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

struct ListenAddress {
    Ipv4Address address{};
    std::uint16_t port = 0;

    friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// hatcpd's own clocks; the kernel's heartbeat (100 ms) is not configurable.
struct Timers {
    // How often hatcpd looks for the module when it is absent, checks the
    // kernel still holds the configuration, and pets the watchdog.
    std::chrono::milliseconds module_poll{1000};
    // The peer counts as reachable while its last channel message is younger.
    std::chrono::milliseconds peer_timeout{1000};
    // At start, how long to wait for the peer's sysctls before going on.
    std::chrono::milliseconds sysctl_start_wait{3000};
    // How often to ask the peer again for its sysctls (until it answers, and
    // afterwards to notice a change).
    std::chrono::milliseconds sysctl_interval{10000};

    friend bool operator==(const Timers&, const Timers&) = default;
};

enum class MismatchAction : std::uint8_t { refuse, warn };

struct DaemonConfig {
    Role role = Role::standalone;
    std::optional<PeerConfig> peer;
    std::vector<Policy> policies; // every (address, port) of every [[service]]
    Timers timers;
    std::uint64_t max_lag_bytes = 16ULL << 20U;
    std::optional<ListenAddress> metrics_listen = ListenAddress{Ipv4Address{0x0100007FU}, 9471};
    std::uint16_t sysctl_port = HATCP_CHANNEL_PORT + 1;
    MismatchAction on_mismatch = MismatchAction::refuse;

    friend bool operator==(const DaemonConfig&, const DaemonConfig&) = default;
};

// Reads and validates the file, and the key file it names. Throws ConfigError.
DaemonConfig load_config(const std::string& path);

// The same from text already read; `path` only names it in errors. The key
// file, if named, is still read from disk.
DaemonConfig parse_config(std::string_view text, const std::string& path);

} // namespace hatcp::daemon
