// SPDX-License-Identifier: GPL-2.0
#include "daemon/config.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "cli/usage_error.hpp"
#include "cli/words.hpp"

namespace hatcp::daemon {

ConfigError::ConfigError(std::string file, std::uint32_t line, std::uint32_t column, std::string field,
                         std::string reason)
    : std::runtime_error{fmt::format("{}:{}:{}: {}: {}", file, line, column, field, reason)},
      file_{std::move(file)}, line_{line}, column_{column}, field_{std::move(field)}, reason_{std::move(reason)}
{
}

namespace {

const char* type_name(toml::node_type type)
{
    switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

// Turns toml nodes into checked values, naming the file, the position and
// the dotted field of whatever is wrong.
class Reader {
public:
    explicit Reader(const std::string& path) : path_{&path} {}

    [[noreturn]] void fail(const toml::source_region& where, const std::string& field, const std::string& reason) const
    {
        throw ConfigError{*path_, where.begin.line, where.begin.column, field, reason};
    }

    // Every key of `table` must be one of `known`.
    void only(const toml::table& table, const std::string& prefix, std::initializer_list<std::string_view> known) const
    {
        for (const auto& [key, node] : table) {
            if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
                std::string list;
                for (const auto name : known) {
                    list += list.empty() ? "" : ", ";
                    list += name;
                }
                fail(key.source(), prefix + std::string{key.str()}, fmt::format("unknown field (known here: {})", list));
            }
        }
    }

    std::string string(const toml::node& node, const std::string& field) const
    {
        if (const auto* value = node.as_string()) {
            return value->get();
        }
        fail(node.source(), field, fmt::format("must be a string, not {}", type_name(node.type())));
    }

    std::int64_t integer(const toml::node& node, const std::string& field, std::int64_t low, std::int64_t high) const
    {
        const auto* value = node.as_integer();
        if (value == nullptr) {
            fail(node.source(), field, fmt::format("must be an integer, not {}", type_name(node.type())));
        }
        if (value->get() < low || value->get() > high) {
            fail(node.source(), field, fmt::format("{} is out of range {}..{}", value->get(), low, high));
        }
        return value->get();
    }

    std::uint16_t port(const toml::node& node, const std::string& field) const
    {
        return static_cast<std::uint16_t>(integer(node, field, 1, std::numeric_limits<std::uint16_t>::max()));
    }

    Ipv4Address address(const toml::node& node, const std::string& field) const
    {
        const std::string text = string(node, field);
        if (const auto address = Ipv4Address::parse(text)) {
            return *address;
        }
        fail(node.source(), field, fmt::format("\"{}\" is not an IPv4 address (dotted quad)", text));
    }

    std::chrono::milliseconds millis(const toml::node& node, const std::string& field) const
    {
        return std::chrono::milliseconds{integer(node, field, 10, 3'600'000)};
    }

    const toml::table& table(const toml::node& node, const std::string& field) const
    {
        if (const auto* value = node.as_table()) {
            return *value;
        }
        fail(node.source(), field, fmt::format("must be a table, not {}", type_name(node.type())));
    }

private:
    const std::string* path_;
};

Role read_role(const Reader& reader, const toml::node& node)
{
    const std::string text = reader.string(node, "role");
    if (const auto role = role_from_name(text)) {
        return *role;
    }
    reader.fail(node.source(), "role", fmt::format("\"{}\" is not one of primary, replica, standalone", text));
}

ChannelKey read_key(const Reader& reader, const toml::node& node, const std::string& path)
{
    try {
        return cli::parse_key_file(path);
    } catch (const cli::UsageError& error) {
        reader.fail(node.source(), "peer.key_file", error.what());
    }
}

PeerConfig read_peer(const Reader& reader, const toml::table& table)
{
    reader.only(table, "peer.", {"local", "remote", "device", "port", "key_file", "insecure_no_key"});
    PeerConfig peer;
    for (const auto* name : {"local", "remote"}) {
        if (!table.contains(name)) {
            reader.fail(table.source(), fmt::format("peer.{}", name), "missing (the channel's address on this node and on the peer)");
        }
    }
    peer.local = reader.address(*table.get("local"), "peer.local");
    peer.remote = reader.address(*table.get("remote"), "peer.remote");
    if (peer.local == peer.remote) {
        reader.fail(table.get("remote")->source(), "peer.remote", "must differ from peer.local");
    }
    if (const auto* node = table.get("device")) {
        std::string device = reader.string(*node, "peer.device");
        // IFNAMSIZ - 1, and no '/' or space: what the kernel accepts as a name.
        if (device.empty() || device.size() > 15 || device.find_first_of("/ \t:") != std::string::npos) {
            reader.fail(node->source(), "peer.device", fmt::format("\"{}\" is not a network device name", device));
        }
        peer.device = std::move(device);
    }
    if (const auto* node = table.get("port")) {
        peer.port = reader.port(*node, "peer.port");
    }
    if (const auto* node = table.get("key_file")) {
        peer.key_file = reader.string(*node, "peer.key_file");
        peer.key = read_key(reader, *node, *peer.key_file);
    }
    if (const auto* node = table.get("insecure_no_key")) {
        const auto* flag = node->as_boolean();
        if (flag == nullptr) {
            reader.fail(node->source(), "peer.insecure_no_key", "must be true or false");
        }
        peer.insecure_no_key = flag->get();
        if (peer.insecure_no_key && peer.key_file) {
            reader.fail(node->source(), "peer.insecure_no_key", "excludes peer.key_file");
        }
    }
    return peer;
}

void read_services(const Reader& reader, const toml::node& node, std::vector<Policy>& policies)
{
    const auto* services = node.as_array();
    if (services == nullptr || !services->is_array_of_tables()) {
        reader.fail(node.source(), "service", "must be an array of tables ([[service]])");
    }
    for (std::size_t i = 0; i < services->size(); ++i) {
        const std::string prefix = fmt::format("service[{}].", i + 1);
        const auto& table = *services->get(i)->as_table();
        reader.only(table, prefix, {"address", "ports"});
        std::optional<Ipv4Address> address;
        if (const auto* addr = table.get("address")) {
            address = reader.address(*addr, prefix + "address");
        }
        const auto* ports_node = table.get("ports");
        if (ports_node == nullptr) {
            reader.fail(table.source(), prefix + "ports", "missing (the TCP ports to protect)");
        }
        const auto* ports = ports_node->as_array();
        if (ports == nullptr || ports->empty()) {
            reader.fail(ports_node->source(), prefix + "ports", "must be a non-empty array of ports");
        }
        for (std::size_t p = 0; p < ports->size(); ++p) {
            const auto& port_node = *ports->get(p);
            const std::string field = fmt::format("{}ports[{}]", prefix, p + 1);
            const Policy policy{address, reader.port(port_node, field)};
            if (std::find(policies.begin(), policies.end(), policy) != policies.end()) {
                reader.fail(port_node.source(), field, fmt::format("{} is listed twice", policy_words(policy)));
            }
            policies.push_back(policy);
        }
    }
}

void read_timers(const Reader& reader, const toml::table& table, Timers& timers)
{
    reader.only(table, "timers.", {"module_poll_ms", "peer_timeout_ms", "sysctl_start_wait_ms", "sysctl_interval_ms"});
    const std::array<std::pair<const char*, std::chrono::milliseconds*>, 4> fields{{
        {"module_poll_ms", &timers.module_poll},
        {"peer_timeout_ms", &timers.peer_timeout},
        {"sysctl_start_wait_ms", &timers.sysctl_start_wait},
        {"sysctl_interval_ms", &timers.sysctl_interval},
    }};
    for (const auto& [name, target] : fields) {
        if (const auto* node = table.get(name)) {
            *target = reader.millis(*node, fmt::format("timers.{}", name));
        }
    }
    // Three heartbeats (100 ms each) make the kernel call the peer lost.
    if (timers.peer_timeout < std::chrono::milliseconds{300}) {
        reader.fail(table.get("peer_timeout_ms")->source(), "timers.peer_timeout_ms",
                    "must be at least 300 (three of the kernel's 100 ms heartbeats)");
    }
}

std::optional<ListenAddress> read_listen(const Reader& reader, const toml::node& node)
{
    const std::string text = reader.string(node, "metrics.listen");
    if (text.empty()) {
        return std::nullopt; // metrics off
    }
    const auto colon = text.rfind(':');
    const auto bad = [&] {
        reader.fail(node.source(), "metrics.listen", fmt::format(R"("{}" is not ADDRESS:PORT (e.g. 127.0.0.1:9471), nor "" to turn metrics off)", text));
    };
    if (colon == std::string::npos) {
        bad();
    }
    const auto address = Ipv4Address::parse(std::string_view{text}.substr(0, colon));
    const std::string port_text = text.substr(colon + 1);
    if (!address || port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string::npos) {
        bad();
    }
    const unsigned long port = std::stoul(port_text);
    if (port == 0 || port > std::numeric_limits<std::uint16_t>::max()) {
        bad();
    }
    return ListenAddress{*address, static_cast<std::uint16_t>(port)};
}

DaemonConfig read_config(const Reader& reader, const toml::table& root)
{
    reader.only(root, "", {"role", "peer", "service", "timers", "health", "metrics", "sysctl"});
    DaemonConfig config;
    const auto* role = root.get("role");
    if (role == nullptr) {
        reader.fail(root.source(), "role", "missing (primary, replica or standalone)");
    }
    config.role = read_role(reader, *role);
    if (const auto* peer = root.get("peer")) {
        config.peer = read_peer(reader, reader.table(*peer, "peer"));
        // The kernel refuses it too; say so here, naming the file's line.
        if (config.role != Role::standalone && !config.peer->key && !config.peer->insecure_no_key) {
            reader.fail(role->source(), "role",
                        fmt::format("{} needs peer.key_file (a channel key); for lab use only: peer.insecure_no_key = true",
                                    role_name(config.role)));
        }
    } else if (config.role != Role::standalone) {
        reader.fail(role->source(), "role", fmt::format("{} needs a [peer] table", role_name(config.role)));
    }
    if (const auto* services = root.get("service")) {
        read_services(reader, *services, config.policies);
    }
    if (const auto* timers = root.get("timers")) {
        read_timers(reader, reader.table(*timers, "timers"), config.timers);
    }
    if (const auto* node = root.get("health")) {
        const auto& health = reader.table(*node, "health");
        reader.only(health, "health.", {"max_lag_bytes"});
        if (const auto* lag = health.get("max_lag_bytes")) {
            config.max_lag_bytes = static_cast<std::uint64_t>(
                reader.integer(*lag, "health.max_lag_bytes", 0, std::numeric_limits<std::int64_t>::max()));
        }
    }
    if (const auto* node = root.get("metrics")) {
        const auto& metrics = reader.table(*node, "metrics");
        reader.only(metrics, "metrics.", {"listen"});
        if (const auto* listen = metrics.get("listen")) {
            config.metrics_listen = read_listen(reader, *listen);
        }
    }
    if (const auto* node = root.get("sysctl")) {
        const auto& sysctl = reader.table(*node, "sysctl");
        reader.only(sysctl, "sysctl.", {"port", "on_mismatch"});
        if (const auto* port = sysctl.get("port")) {
            config.sysctl_port = reader.port(*port, "sysctl.port");
        }
        if (const auto* action = sysctl.get("on_mismatch")) {
            const std::string text = reader.string(*action, "sysctl.on_mismatch");
            if (text == "refuse") {
                config.on_mismatch = MismatchAction::refuse;
            } else if (text == "warn") {
                config.on_mismatch = MismatchAction::warn;
            } else {
                reader.fail(action->source(), "sysctl.on_mismatch", fmt::format("\"{}\" is not refuse or warn", text));
            }
        }
    }
    if (config.peer && config.sysctl_port == config.peer->port) {
        reader.fail(root.get("sysctl") != nullptr ? root.get("sysctl")->source() : root.source(), "sysctl.port",
                    fmt::format("{} is the channel's port (peer.port); pick another", config.sysctl_port));
    }
    return config;
}

} // namespace

DaemonConfig parse_config(std::string_view text, const std::string& path)
{
    const Reader reader{path};
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& error) {
        throw ConfigError{path, error.source().begin.line, error.source().begin.column, "(syntax)",
                          std::string{error.description()}};
    }
    return read_config(reader, root);
}

DaemonConfig load_config(const std::string& path)
{
    std::ifstream file{path, std::ios::binary};
    if (!file) {
        throw ConfigError{path, 0, 0, "(file)", fmt::format("cannot read: {}", std::strerror(errno))};
    }
    std::ostringstream text;
    text << file.rdbuf();
    return parse_config(text.str(), path);
}

} // namespace hatcp::daemon
