// SPDX-License-Identifier: GPL-2.0
// `monitor`: its loop over a fake event source, and the SIGINT/SIGTERM stop.
#include <array>
#include <csignal>
#include <deque>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/hatcp.h>
#include <poll.h>
#include <unistd.h>

#include "cli/monitor.hpp"
#include "stop_signals.hpp"
#include "genl_message.hpp"
#include "netlink/errors.hpp"

namespace hatcp::cli {
namespace {

using test::be;

class Pipe {
public:
    Pipe() { EXPECT_EQ(pipe2(fds_.data(), O_CLOEXEC | O_NONBLOCK), 0); }
    ~Pipe()
    {
        close(fds_[0]);
        close(fds_[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    Pipe(Pipe&&) = delete;
    Pipe& operator=(Pipe&&) = delete;

    [[nodiscard]] int read_end() const { return fds_[0]; }
    void poke() const { EXPECT_EQ(write(fds_[1], "x", 1), 1); }
    void drain() const
    {
        std::array<char, 64> buffer{};
        while (read(fds_[0], buffer.data(), buffer.size()) > 0) {
        }
    }

private:
    std::array<int, 2> fds_{-1, -1};
};

// Hands out one batch of events per receive(), readable through a pipe.
class FakeEventSource final : public EventSource {
public:
    void push(std::vector<Event> batch)
    {
        batches_.push_back(std::move(batch));
        pipe_.poke();
    }

    bool lose_events = false;
    bool module_unloaded = false;

    [[nodiscard]] int fd() const override { return pipe_.read_end(); }

    bool receive(const EventHandler& handler) override
    {
        pipe_.drain();
        while (!batches_.empty()) {
            for (const Event& event : batches_.front()) {
                handler(event);
            }
            batches_.pop_front();
        }
        if (module_unloaded) {
            throw netlink::FamilyRemoved{};
        }
        return !lose_events;
    }

private:
    Pipe pipe_;
    std::deque<std::vector<Event>> batches_;
};

std::string device_name(std::uint32_t ifindex)
{
    return "dev" + std::to_string(ifindex);
}

const std::vector<Event> some_events{
    {HATCP_EVENT_ROLE_CHANGED, Role::primary, Role::replica, std::nullopt, std::nullopt},
    {HATCP_EVENT_PEER_CHANGED, std::nullopt, std::nullopt,
     Peer{.local = Ipv4Address{be("10.0.0.1")}, .remote = Ipv4Address{be("10.0.0.2")}, .ifindex = std::nullopt}, std::nullopt},
    {HATCP_EVENT_PEER_REACHABLE, std::nullopt, std::nullopt,
     Peer{.local = Ipv4Address{be("10.0.0.1")},
          .remote = Ipv4Address{be("10.0.0.2")},
          .reachable = true,
          .role = Role::replica},
     std::nullopt},
    {HATCP_EVENT_POLICY_ADDED, std::nullopt, std::nullopt, std::nullopt, Policy{std::nullopt, 80}},
    {HATCP_EVENT_POLICY_DELETED, std::nullopt, std::nullopt, std::nullopt, Policy{Ipv4Address{be("10.0.0.10")}, 80}},
    {HATCP_EVENT_PEER_CHANGED, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
    {HATCP_EVENT_FLOW_UNPROTECTED, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
     Flow{.role = Role::replica,
          .saddr = Ipv4Address{be("192.0.2.7")},
          .sport = 51234,
          .daddr = Ipv4Address{be("10.0.0.10")},
          .dport = 443,
          .state = 3,
          .unprotected_reason = HATCP_UNPROT_REFUSED}},
    {99, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
};

TEST(Monitor, JsonLinesThenStop)
{
    FakeEventSource events;
    const Pipe stop;
    events.push(some_events);
    stop.poke();
    std::ostringstream out;
    std::ostringstream err;
    run_monitor(events, stop.read_end(), true, out, err, device_name);
    EXPECT_EQ(out.str(), R"({"event":"role_changed","role":"primary","old_role":"replica"}
{"event":"peer_changed","local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":false,"reachable":false}
{"event":"peer_reachable","local":"10.0.0.1","remote":"10.0.0.2","port":7471,"keyed":false,"reachable":true,"role":"replica"}
{"event":"policy_added","port":80}
{"event":"policy_deleted","addr":"10.0.0.10","port":80}
{"event":"peer_changed"}
{"event":"flow_unprotected","role":"replica","saddr":"192.0.2.7","sport":51234,"daddr":"10.0.0.10","dport":443,"state":"SYN_RECV","protected":false,"unprotected_reason":"refused"}
{"event":"event_99"}
)");
    EXPECT_EQ(err.str(), "");
}

TEST(Monitor, TextLines)
{
    FakeEventSource events;
    const Pipe stop;
    events.push(some_events);
    stop.poke();
    std::ostringstream out;
    std::ostringstream err;
    run_monitor(events, stop.read_end(), false, out, err, device_name);
    EXPECT_EQ(out.str(), "role_changed role primary old_role replica\n"
                         "peer_changed local 10.0.0.1 remote 10.0.0.2 port 7471 reachable no role unknown\n"
                         "peer_reachable local 10.0.0.1 remote 10.0.0.2 port 7471 reachable yes role replica\n"
                         "policy_added port 80\n"
                         "policy_deleted addr 10.0.0.10 port 80\n"
                         "peer_changed none\n"
                         "flow_unprotected role replica client 192.0.2.7:51234 service 10.0.0.10:443 state SYN_RECV "
                         "reason refused\n"
                         "event_99\n");
}

TEST(Monitor, StopWithoutEvents)
{
    FakeEventSource events;
    const Pipe stop;
    stop.poke();
    std::ostringstream out;
    std::ostringstream err;
    run_monitor(events, stop.read_end(), true, out, err, device_name);
    EXPECT_EQ(out.str(), "");
}

TEST(Monitor, LostEventsAreReportedAndMonitoringGoesOn)
{
    FakeEventSource events;
    const Pipe stop;
    events.lose_events = true;
    events.push({some_events.front()});
    stop.poke();
    std::ostringstream out;
    std::ostringstream err;
    run_monitor(events, stop.read_end(), true, out, err, device_name);
    EXPECT_EQ(out.str(), "{\"event\":\"role_changed\",\"role\":\"primary\",\"old_role\":\"replica\"}\n");
    EXPECT_EQ(err.str(), "hatcpctl: events lost (receive buffer overrun)\n");
}

TEST(Monitor, EndsWhenTheModuleGoes)
{
    FakeEventSource events;
    const Pipe stop;
    events.module_unloaded = true;
    events.push({some_events.front()});
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_THROW(run_monitor(events, stop.read_end(), true, out, err, device_name), netlink::FamilyRemoved);
    EXPECT_EQ(out.str(), "{\"event\":\"role_changed\",\"role\":\"primary\",\"old_role\":\"replica\"}\n");
}

bool readable(int fd)
{
    pollfd entry{fd, POLLIN, 0};
    return poll(&entry, 1, 1000) == 1;
}

TEST(StopSignals, SigtermBecomesReadable)
{
    {
        const StopSignals stop;
        ASSERT_EQ(raise(SIGTERM), 0);
        EXPECT_TRUE(readable(stop.fd()));
    }
    // Still alive: the pending SIGTERM was taken, not delivered on unblocking.
    SUCCEED();
}

TEST(StopSignals, IgnoredSigintIsCaughtAnyway)
{
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN; // NOLINT(cppcoreguidelines-pro-type-union-access)
    struct sigaction previous {};
    ASSERT_EQ(sigaction(SIGINT, &ignore, &previous), 0);
    {
        const StopSignals stop;
        ASSERT_EQ(raise(SIGINT), 0);
        EXPECT_TRUE(readable(stop.fd()));
    }
    ASSERT_EQ(sigaction(SIGINT, &previous, nullptr), 0);
}

} // namespace
} // namespace hatcp::cli
