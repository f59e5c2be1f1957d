// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <variant>

#include "model/peer.hpp"
#include "model/policy.hpp"
#include "model/role.hpp"

// What a hatcpctl command line asks for, fully checked, before any netlink.
namespace hatcp::cli {

struct ShowRole {};
struct SetRole {
    Role role;
};
struct ShowPeer {};
struct SetPeer {
    Peer peer;
};
struct DeletePeer {};
struct AddPolicy {
    Policy policy;
};
struct DeletePolicy {
    Policy policy;
};
struct ListPolicies {};
struct ShowStats {};
struct ShowFlows {};
struct Promote {};
struct Demote {};
struct Migrate {};
struct Monitor {};

using Command = std::variant<ShowRole, SetRole, ShowPeer, SetPeer, DeletePeer, AddPolicy, DeletePolicy, ListPolicies,
                             ShowStats, ShowFlows, Promote, Demote, Migrate, Monitor>;

struct Invocation {
    Command command;
    bool json = false; // -j, before or after the command words
};

// -h/--help or --version: already printed; exit with `status`.
struct EarlyExit {
    int status = 0;
};

using ParseOutcome = std::variant<Invocation, EarlyExit>;

} // namespace hatcp::cli
