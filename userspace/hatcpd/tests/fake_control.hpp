// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control/control.hpp"

namespace hatcp::test {

// What a FakeControl answers, and what it was asked; outlives the fake,
// which hatcpctl owns.
struct FakeKernelState {
    Role role = Role::standalone;
    std::optional<Peer> peer;
    std::vector<Policy> policies;
    Stats stats;
    std::vector<Flow> flows;
    // Called before every request; throw from it to make requests fail.
    std::function<void()> fail = [] {};

    std::vector<std::string> calls;
    std::optional<Role> role_set;
    std::optional<Peer> peer_set;
    std::optional<Policy> policy_added;
    std::optional<Policy> policy_deleted;
};

class FakeControl final : public Control {
public:
    explicit FakeControl(FakeKernelState& state) : state_{&state} {}

    Role role() override { return called("role", state_->role); }
    void set_role(Role role) override
    {
        called("set_role");
        state_->role_set = role;
    }
    std::optional<Peer> peer() override { return called("peer", state_->peer); }
    void set_peer(const Peer& peer) override
    {
        called("set_peer");
        state_->peer_set = peer;
    }
    void delete_peer() override { called("delete_peer"); }
    void add_policy(const Policy& policy) override
    {
        called("add_policy");
        state_->policy_added = policy;
    }
    void delete_policy(const Policy& policy) override
    {
        called("delete_policy");
        state_->policy_deleted = policy;
    }
    std::vector<Policy> policies() override { return called("policies", state_->policies); }
    Stats stats() override { return called("stats", state_->stats); }
    std::vector<Flow> flows() override { return called("flows", state_->flows); }
    void promote() override { called("promote"); }
    void demote() override { called("demote"); }
    void migrate() override { called("migrate"); }
    std::unique_ptr<EventSource> subscribe_events() override
    {
        called("subscribe_events");
        return nullptr;
    }

private:
    void called(const char* name)
    {
        state_->calls.emplace_back(name);
        state_->fail();
    }

    template <typename T>
    T called(const char* name, const T& result)
    {
        called(name);
        return result;
    }

    FakeKernelState* state_;
};

} // namespace hatcp::test
