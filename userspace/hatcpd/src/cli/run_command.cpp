// SPDX-License-Identifier: GPL-2.0
#include "cli/run_command.hpp"

#include <variant>

#include <nlohmann/json.hpp>

#include "cli/monitor.hpp"
#include "stop_signals.hpp"

namespace hatcp::cli {

namespace {

template <typename... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>; // clang before 17 cannot deduce it for aggregates

} // namespace

void print_json(std::ostream& out, const Json& value)
{
    // Device names need not be UTF-8; never fail on them.
    out << value.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

void run_command(const Invocation& invocation, Control& control, std::ostream& out, std::ostream& err,
                 const DeviceNamer& device_name)
{
    const bool json = invocation.json;
    std::visit(Overloaded{
                   [&](const ShowRole&) {
                       const Role role = control.role();
                       json ? print_json(out, role_json(role)) : void(out << role_text(role));
                   },
                   [&](const SetRole& command) { control.set_role(command.role); },
                   [&](const ShowPeer&) {
                       const auto peer = control.peer();
                       json ? print_json(out, peer_json(peer, device_name)) : void(out << peer_text(peer, device_name));
                   },
                   [&](const SetPeer& command) { control.set_peer(command.peer); },
                   [&](const DeletePeer&) { control.delete_peer(); },
                   [&](const AddPolicy& command) { control.add_policy(command.policy); },
                   [&](const DeletePolicy& command) { control.delete_policy(command.policy); },
                   [&](const ListPolicies&) {
                       const auto policies = control.policies();
                       json ? print_json(out, policies_json(policies)) : void(out << policies_text(policies));
                   },
                   [&](const ShowStats&) {
                       const Stats stats = control.stats();
                       json ? print_json(out, stats_json(stats)) : void(out << stats_text(stats));
                   },
                   [&](const ShowFlows&) {
                       const auto flows = control.flows();
                       json ? print_json(out, flows_json(flows)) : void(out << flows_text(flows));
                   },
                   [&](const Promote&) { control.promote(); },
                   [&](const Demote&) { control.demote(); },
                   [&](const Migrate&) { control.migrate(); },
                   [&](const Monitor&) {
                       // Block the signals before subscribing, so none is missed.
                       const StopSignals stop;
                       const auto events = control.subscribe_events();
                       run_monitor(*events, stop.fd(), json, out, err, device_name);
                   },
               },
               invocation.command);
}

} // namespace hatcp::cli
