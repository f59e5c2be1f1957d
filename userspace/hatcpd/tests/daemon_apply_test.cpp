// SPDX-License-Identifier: GPL-2.0
// Applying the configuration touches only what differs, in an order the
// kernel accepts, and leaves the role to keepalived after start.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/apply.hpp"

namespace hatcp::daemon {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

// A kernel that keeps what it is told, with the module's two ordering
// rules, and records every change request.
class StatefulKernel final : public Control {
public:
    Role role() override { return role_; }
    void set_role(Role role) override
    {
        if (role != Role::standalone && !peer_) {
            throw std::runtime_error{"kernel: a role needs a peer"};
        }
        role_ = role;
        calls.push_back("set_role " + role_name(role));
    }
    std::optional<Peer> peer() override
    {
        if (!peer_) {
            return std::nullopt;
        }
        Peer shown = *peer_;
        shown.keyed = shown.key.has_value();
        shown.key.reset();
        return shown;
    }
    void set_peer(const Peer& peer) override
    {
        peer_ = peer;
        calls.push_back("set_peer " + peer.remote.to_string());
    }
    void delete_peer() override
    {
        if (role_ != Role::standalone) {
            throw std::runtime_error{"kernel: set role standalone before deleting the peer"};
        }
        peer_.reset();
        calls.emplace_back("delete_peer");
    }
    void add_policy(const Policy& policy) override
    {
        policies_.push_back(policy);
        calls.push_back("add " + policy_words(policy));
    }
    void delete_policy(const Policy& policy) override
    {
        policies_.erase(std::find(policies_.begin(), policies_.end(), policy));
        calls.push_back("del " + policy_words(policy));
    }
    std::vector<Policy> policies() override { return policies_; }
    Stats stats() override { return {}; }
    std::vector<Flow> flows() override { return {}; }
    void promote() override { role_ = Role::primary; }
    void demote() override { role_ = Role::replica; }
    void migrate() override { role_ = Role::replica; }
    std::unique_ptr<EventSource> subscribe_events() override { return nullptr; }

    std::vector<std::string> calls;

private:
    Role role_ = Role::standalone;
    std::optional<Peer> peer_;
    std::vector<Policy> policies_;
};

const DeviceIndexer no_devices = [](std::string_view name) -> std::optional<std::uint32_t> {
    if (name == "chan0") {
        return 7;
    }
    return std::nullopt;
};

Policy policy(const char* addr, std::uint16_t port)
{
    return {addr == nullptr ? std::nullopt : Ipv4Address::parse(addr), port};
}

DaemonConfig primary()
{
    DaemonConfig config;
    config.role = Role::primary;
    config.peer = PeerConfig{*Ipv4Address::parse("10.0.9.1"), *Ipv4Address::parse("10.0.9.2"), "chan0", 7471, {}, {}};
    config.policies = {policy("10.0.1.10", 7000), policy(nullptr, 80)};
    return config;
}

TEST(DaemonApply, FreshModuleGetsPeerThenRoleThenPolicies)
{
    StatefulKernel kernel;
    const auto changes = apply_config(kernel, primary(), nullptr, no_devices);
    EXPECT_THAT(kernel.calls, ElementsAre("set_peer 10.0.9.2", "set_role primary", "add addr 10.0.1.10 port 7000",
                                          "add port 80"));
    EXPECT_THAT(changes, ElementsAre("peer local 10.0.9.1 remote 10.0.9.2 dev chan0 port 7471",
                                     "role standalone -> primary", "policy added: addr 10.0.1.10 port 7000",
                                     "policy added: port 80"));
    EXPECT_THAT(config_drift(kernel, primary(), no_devices), IsEmpty());
}

TEST(DaemonApply, SameConfigChangesNothing)
{
    StatefulKernel kernel;
    apply_config(kernel, primary(), nullptr, no_devices);
    kernel.calls.clear();
    const DaemonConfig config = primary();
    EXPECT_THAT(apply_config(kernel, config, &config, no_devices), IsEmpty());
    // A restart finds everything in place too (no key: nothing to re-set).
    EXPECT_THAT(apply_config(kernel, config, nullptr, no_devices), IsEmpty());
    EXPECT_THAT(kernel.calls, IsEmpty());
}

TEST(DaemonApply, ReloadTouchesOnlyChangedPolicies)
{
    StatefulKernel kernel;
    const DaemonConfig before = primary();
    apply_config(kernel, before, nullptr, no_devices);
    kernel.calls.clear();
    DaemonConfig after = before;
    after.policies = {policy("10.0.1.10", 7000), policy("10.0.1.10", 7001)};
    apply_config(kernel, after, &before, no_devices);
    // 10.0.1.10:7000 stays: never deleted and re-added, its flows untouched.
    EXPECT_THAT(kernel.calls, ElementsAre("del port 80", "add addr 10.0.1.10 port 7001"));
}

TEST(DaemonApply, ReloadLeavesRoleKeepalivedSet)
{
    StatefulKernel kernel;
    DaemonConfig config = primary();
    config.role = Role::replica;
    apply_config(kernel, config, nullptr, no_devices);
    kernel.promote(); // keepalived made this replica the primary
    kernel.calls.clear();
    const DaemonConfig same_role = config;
    apply_config(kernel, same_role, &config, no_devices);
    EXPECT_EQ(kernel.role(), Role::primary);
    EXPECT_THAT(kernel.calls, IsEmpty());
}

TEST(DaemonApply, RoleChangedInFileIsApplied)
{
    StatefulKernel kernel;
    const DaemonConfig before = primary();
    apply_config(kernel, before, nullptr, no_devices);
    kernel.calls.clear();
    DaemonConfig after = before;
    after.role = Role::replica;
    apply_config(kernel, after, &before, no_devices);
    EXPECT_THAT(kernel.calls, ElementsAre("set_role replica"));
}

TEST(DaemonApply, PeerRemovedGoesStandaloneFirst)
{
    StatefulKernel kernel;
    const DaemonConfig before = primary();
    apply_config(kernel, before, nullptr, no_devices);
    kernel.calls.clear();
    DaemonConfig after;
    after.role = Role::standalone;
    apply_config(kernel, after, &before, no_devices);
    EXPECT_THAT(kernel.calls,
                ElementsAre("set_role standalone", "delete_peer", "del addr 10.0.1.10 port 7000", "del port 80"));
}

TEST(DaemonApply, KeyChangeReSetsPeer)
{
    StatefulKernel kernel;
    DaemonConfig before = primary();
    before.peer->key = ChannelKey{};
    apply_config(kernel, before, nullptr, no_devices);
    kernel.calls.clear();
    DaemonConfig after = before;
    after.peer->key->at(0) = 1;
    apply_config(kernel, after, &before, no_devices);
    EXPECT_THAT(kernel.calls, ElementsAre("set_peer 10.0.9.2"));
    kernel.calls.clear();
    // After a restart the kernel's key cannot be compared: it is set again.
    apply_config(kernel, after, nullptr, no_devices);
    EXPECT_THAT(kernel.calls, ElementsAre("set_peer 10.0.9.2"));
}

TEST(DaemonApply, UnknownDeviceIsRefusedBeforeAnyChange)
{
    StatefulKernel kernel;
    DaemonConfig config = primary();
    config.peer->device = "eth9";
    try {
        apply_config(kernel, config, nullptr, no_devices);
        FAIL() << "applied";
    } catch (const ApplyError& error) {
        EXPECT_STREQ(error.what(), "peer.device: no device \"eth9\" in this network namespace");
    }
    EXPECT_THAT(kernel.calls, IsEmpty());
}

TEST(DaemonApply, DriftNamesWhatDiffers)
{
    StatefulKernel kernel;
    const DaemonConfig config = primary();
    apply_config(kernel, config, nullptr, no_devices);
    kernel.delete_policy(policy(nullptr, 80));
    kernel.add_policy(policy(nullptr, 81));
    EXPECT_THAT(config_drift(kernel, config, no_devices),
                ElementsAre("policy missing: port 80", "policy not configured: port 81"));
    StatefulKernel empty;
    EXPECT_THAT(config_drift(empty, config, no_devices),
                ElementsAre("no peer set", "policy missing: addr 10.0.1.10 port 7000", "policy missing: port 80"));
}

} // namespace
} // namespace hatcp::daemon
