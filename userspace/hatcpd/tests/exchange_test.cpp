// SPDX-License-Identifier: GPL-2.0
// request() and dump() over a real netlink socket, against a fake kernel:
// a NETLINK_USERSOCK socket that plays back what the real one would send.
#include <cerrno>
#include <functional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <linux/hatcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "genl_message.hpp"
#include "netlink/errors.hpp"
#include "netlink/exchange.hpp"
#include "netlink/replies.hpp"
#include "netlink/requests.hpp"

namespace hatcp::netlink {
namespace {

using test::be;
using test::error_message;
using test::MessageBuilder;

constexpr int max_message = 65536;

void set_timeout(int fd)
{
    const timeval timeout{5, 0}; // a broken exchange fails instead of hanging
    ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), 0);
}

class FakeKernel {
public:
    FakeKernel() : fd_{socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK)}
    {
        EXPECT_GE(fd_, 0);
        sockaddr_nl address{};
        address.nl_family = AF_NETLINK;
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        socklen_t length = sizeof address;
        EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
        port_ = address.nl_pid;
        set_timeout(fd_);
    }
    ~FakeKernel() { close(fd_); }
    FakeKernel(const FakeKernel&) = delete;
    FakeKernel& operator=(const FakeKernel&) = delete;
    FakeKernel(FakeKernel&&) = delete;
    FakeKernel& operator=(FakeKernel&&) = delete;

    [[nodiscard]] std::uint32_t port() const { return port_; }

    // The next request, and who sent it.
    MessagePtr receive(std::uint32_t& sender) const
    {
        MessagePtr request{nlmsg_alloc_size(max_message)};
        sockaddr_nl from{};
        socklen_t length = sizeof from;
        const ssize_t received =
            recvfrom(fd_, nlmsg_hdr(request.get()), max_message, 0, reinterpret_cast<sockaddr*>(&from), &length);
        EXPECT_GT(received, 0);
        sender = from.nl_pid;
        return request;
    }

    void send(std::uint32_t to, nl_msg* message) const
    {
        sockaddr_nl destination{};
        destination.nl_family = AF_NETLINK;
        destination.nl_pid = to;
        const nlmsghdr* header = nlmsg_hdr(message);
        EXPECT_EQ(sendto(fd_, header, header->nlmsg_len, 0, reinterpret_cast<const sockaddr*>(&destination),
                         sizeof destination),
                  static_cast<ssize_t>(header->nlmsg_len));
    }

private:
    int fd_;
    std::uint32_t port_ = 0;
};

// What the fake kernel does with one request: `reply(request, send)`.
using Script = std::function<void(nlmsghdr* request, const std::function<void(nl_msg*)>& send)>;

class Exchange : public testing::Test {
protected:
    void SetUp() override
    {
        client_ = make_socket();
        ASSERT_EQ(nl_connect(client_.get(), NETLINK_USERSOCK), 0);
        nl_socket_disable_auto_ack(client_.get()); // as GenlSocket does
        nl_socket_set_peer_port(client_.get(), kernel_.port());
        set_timeout(nl_socket_get_fd(client_.get()));
    }

    // Lets the fake kernel answer the next request by `script`.
    void expect_request(Script script)
    {
        kernel_thread_ = std::thread{[this, script = std::move(script)] {
            std::uint32_t sender = 0;
            const MessagePtr request = kernel_.receive(sender);
            script(nlmsg_hdr(request.get()), [&](nl_msg* message) { kernel_.send(sender, message); });
        }};
    }

    void TearDown() override
    {
        if (kernel_thread_.joinable()) {
            kernel_thread_.join();
        }
    }

    // Joins the kernel side, so the next request can be scripted.
    void finish() { kernel_thread_.join(); }

    static MessagePtr ack(nlmsghdr* request) { return error_message(test::error_reply(0).with_capped(), request); }

    static MessageBuilder role_reply(nlmsghdr* request, Role role)
    {
        MessageBuilder reply{HATCP_CMD_GET_ROLE};
        reply.u32(HATCP_A_ROLE, static_cast<std::uint32_t>(role));
        reply.header()->nlmsg_seq = request->nlmsg_seq;
        return reply;
    }

    static MessageBuilder policy_part(nlmsghdr* request, std::uint16_t port, int extra_flags = 0)
    {
        MessageBuilder part{HATCP_CMD_GET_POLICY, test::test_family, NLM_F_MULTI | extra_flags};
        part.begin(HATCP_A_POLICY).u16(HATCP_POLICY_A_PORT, port).u32(29, 1).end(); // 29: from a newer kernel
        part.header()->nlmsg_seq = request->nlmsg_seq;
        return part;
    }

    FakeKernel kernel_;
    SocketPtr client_;
    std::thread kernel_thread_;
};

TEST_F(Exchange, ReplyThenAck)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        EXPECT_EQ(request->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
        send(role_reply(request, Role::replica).get());
        send(ack(request).get());
    });
    std::vector<Role> roles;
    const MessagePtr message = build_command(test::test_family, HATCP_CMD_GET_ROLE);
    request(client_.get(), message.get(), [&](nlmsghdr* header) { roles.push_back(decode_role_reply(header)); });
    EXPECT_EQ(roles, std::vector<Role>{Role::replica});
}

TEST_F(Exchange, RefusedWithExtack)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        send(error_message(test::error_reply(-EINVAL).with_message("set a peer before leaving standalone"), request)
                 .get());
    });
    const MessagePtr message = build_set_role(test::test_family, Role::primary);
    try {
        request(client_.get(), message.get(), [](nlmsghdr* /*header*/) { FAIL(); });
        FAIL() << "no error";
    } catch (const KernelError& error) {
        EXPECT_EQ(error.error(), EINVAL);
        EXPECT_EQ(error.extack(), "set a peer before leaving standalone");
        EXPECT_STREQ(error.what(), "set a peer before leaving standalone (Invalid argument)");
    }
}

TEST_F(Exchange, RefusedWithoutExtack)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        send(error_message(test::error_reply(-EPERM).with_capped(), request).get());
    });
    const MessagePtr message = build_command(test::test_family, HATCP_CMD_PROMOTE);
    try {
        request(client_.get(), message.get(), [](nlmsghdr* /*header*/) {});
        FAIL() << "no error";
    } catch (const KernelError& error) {
        EXPECT_EQ(error.error(), EPERM);
        EXPECT_EQ(error.extack(), "");
    }
}

TEST_F(Exchange, StaleMessagesAreSkipped)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        MessageBuilder stale = role_reply(request, Role::primary);
        stale.header()->nlmsg_seq = request->nlmsg_seq - 1;
        send(stale.get());
        const MessagePtr stale_error = error_message(test::error_reply(-EIO).with_capped(), request);
        nlmsg_hdr(stale_error.get())->nlmsg_seq = request->nlmsg_seq + 100;
        send(stale_error.get());
        send(role_reply(request, Role::standalone).get());
        send(ack(request).get());
    });
    std::vector<Role> roles;
    const MessagePtr message = build_command(test::test_family, HATCP_CMD_GET_ROLE);
    request(client_.get(), message.get(), [&](nlmsghdr* header) { roles.push_back(decode_role_reply(header)); });
    EXPECT_EQ(roles, std::vector<Role>{Role::standalone});
}

TEST_F(Exchange, DumpReadsEveryPartUntilDone)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        EXPECT_EQ(request->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
        for (const std::uint16_t port : {80, 443, 8080}) {
            send(policy_part(request, port).get());
        }
        send(test::done_message(0, std::nullopt, request->nlmsg_seq).get());
    });
    std::vector<Policy> policies;
    const MessagePtr message = build_dump(test::test_family, HATCP_CMD_GET_POLICY);
    dump(client_.get(), message.get(), [&](nlmsghdr* header) { policies.push_back(decode_policy_message(header)); });
    EXPECT_EQ(policies, (std::vector<Policy>{{std::nullopt, 80}, {std::nullopt, 443}, {std::nullopt, 8080}}));
}

TEST_F(Exchange, EmptyDump)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        send(test::done_message(0, std::nullopt, request->nlmsg_seq).get());
    });
    int parts = 0;
    const MessagePtr message = build_dump(test::test_family, HATCP_CMD_GET_FLOW);
    dump(client_.get(), message.get(), [&](nlmsghdr* /*header*/) { ++parts; });
    EXPECT_EQ(parts, 0);
}

TEST_F(Exchange, DumpFailingPartWay)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        send(policy_part(request, 80).get());
        send(test::done_message(-EMSGSIZE, "policy table too big", request->nlmsg_seq).get());
    });
    const MessagePtr message = build_dump(test::test_family, HATCP_CMD_GET_POLICY);
    try {
        dump(client_.get(), message.get(), [](nlmsghdr* /*header*/) {});
        FAIL() << "no error";
    } catch (const KernelError& error) {
        EXPECT_EQ(error.error(), EMSGSIZE);
        EXPECT_EQ(error.extack(), "policy table too big");
    }
}

TEST_F(Exchange, DumpRefusedAtTheStart)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        send(error_message(test::error_reply(-EPERM).with_capped(), request).get());
    });
    const MessagePtr message = build_dump(test::test_family, HATCP_CMD_GET_FLOW);
    EXPECT_THROW(dump(client_.get(), message.get(), [](nlmsghdr* /*header*/) {}), KernelError);
}

TEST_F(Exchange, InterruptedDump)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        send(policy_part(request, 80).get());
        send(policy_part(request, 81, NLM_F_DUMP_INTR).get());
        send(test::done_message(0, std::nullopt, request->nlmsg_seq).get());
    });
    const MessagePtr message = build_dump(test::test_family, HATCP_CMD_GET_POLICY);
    EXPECT_THROW(dump(client_.get(), message.get(), [](nlmsghdr* /*header*/) {}), DumpInterrupted);
}

TEST_F(Exchange, HandlerErrorComesAfterTheExchangeAndTheSocketStaysUsable)
{
    expect_request([](nlmsghdr* request, const auto& send) {
        MessageBuilder broken{HATCP_CMD_GET_ROLE}; // no HATCP_A_ROLE
        broken.header()->nlmsg_seq = request->nlmsg_seq;
        send(broken.get());
        send(ack(request).get());
    });
    const MessagePtr first = build_command(test::test_family, HATCP_CMD_GET_ROLE);
    EXPECT_THROW(request(client_.get(), first.get(), [](nlmsghdr* header) { decode_role_reply(header); }),
                 ProtocolError);
    finish();

    expect_request([](nlmsghdr* request, const auto& send) {
        send(role_reply(request, Role::primary).get());
        send(ack(request).get());
    });
    std::vector<Role> roles;
    const MessagePtr second = build_command(test::test_family, HATCP_CMD_GET_ROLE);
    request(client_.get(), second.get(), [&](nlmsghdr* header) { roles.push_back(decode_role_reply(header)); });
    EXPECT_EQ(roles, std::vector<Role>{Role::primary});
}

} // namespace
} // namespace hatcp::netlink
