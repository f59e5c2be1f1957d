// SPDX-License-Identifier: GPL-2.0
// Extended ack extraction from crafted NLMSG_ERROR and NLMSG_DONE messages.
#include <array>
#include <cerrno>

#include <gtest/gtest.h>
#include <linux/hatcp.h>

#include "genl_message.hpp"
#include "netlink/ack.hpp"
#include "netlink/requests.hpp"

namespace hatcp::netlink {
namespace {

using test::error_message;

// A request as hatcpctl sends it, for the kernel to echo.
MessagePtr some_request()
{
    MessagePtr request = build_set_role(test::test_family, Role::primary);
    nlmsg_hdr(request.get())->nlmsg_seq = 77;
    return request;
}

TEST(ErrorMessage, MessageAfterEchoedRequest)
{
    const MessagePtr request = some_request();
    const MessagePtr reply = error_message(
        test::error_reply(-EINVAL).with_message("HATCP_A_ROLE: a role change needs a peer"), nlmsg_hdr(request.get()));
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())),
              (AckStatus{EINVAL, "HATCP_A_ROLE: a role change needs a peer"}));
}

TEST(ErrorMessage, MessageAfterCappedRequest)
{
    const MessagePtr request = some_request();
    const MessagePtr reply = error_message(
        test::error_reply(-EEXIST).with_capped().with_message("policy already exists"), nlmsg_hdr(request.get()));
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())), (AckStatus{EEXIST, "policy already exists"}));
}

TEST(ErrorMessage, NoTlvsMeansNoMessage)
{
    const MessagePtr request = some_request();
    const MessagePtr reply = error_message(test::error_reply(-EPERM), nlmsg_hdr(request.get()));
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())), (AckStatus{EPERM, ""}));
}

TEST(ErrorMessage, AckIsErrorZero)
{
    const MessagePtr request = some_request();
    const MessagePtr reply = error_message(test::error_reply(0).with_capped(), nlmsg_hdr(request.get()));
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())), (AckStatus{0, ""}));
}

TEST(ErrorMessage, MissingAttributeWithoutText)
{
    const MessagePtr request = some_request();
    const MessagePtr reply =
        error_message(test::error_reply(-EINVAL).with_missing_type(HATCP_A_ROLE), nlmsg_hdr(request.get()));
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())), (AckStatus{EINVAL, "missing attribute type 2"}));
}

TEST(ErrorMessage, TextWinsOverMissingType)
{
    const MessagePtr request = some_request();
    const MessagePtr reply = error_message(
        test::error_reply(-EINVAL).with_message("need HATCP_A_ROLE").with_missing_type(2), nlmsg_hdr(request.get()));
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())).message, "need HATCP_A_ROLE");
}

TEST(ErrorMessage, TruncatedError)
{
    MessagePtr reply{nlmsg_alloc_simple(NLMSG_ERROR, 0)};
    int half = -EINVAL;
    ASSERT_EQ(nlmsg_append(reply.get(), &half, sizeof half, NLMSG_ALIGNTO), 0);
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())).error, EBADMSG);
}

TEST(ErrorMessage, BogusEchoedLengthIsNotFollowed)
{
    const MessagePtr request = some_request();
    const MessagePtr reply = error_message(test::error_reply(-EINVAL).with_message("text"), nlmsg_hdr(request.get()));
    auto* error = static_cast<nlmsgerr*>(nlmsg_data(nlmsg_hdr(reply.get())));
    for (const std::uint32_t length : {0U, 3U, 0x7fffffffU, 0xffffffffU}) {
        error->msg.nlmsg_len = length;
        EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())).error, EINVAL) << length;
    }
}

TEST(ErrorMessage, UnterminatedTextIsBounded)
{
    const MessagePtr request = some_request();
    MessagePtr reply{nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS)};
    nlmsgerr error{};
    error.error = -ERANGE;
    error.msg = *nlmsg_hdr(request.get());
    ASSERT_EQ(nlmsg_append(reply.get(), &error, sizeof error, NLMSG_ALIGNTO), 0);
    const std::array<char, 5> text{'r', 'a', 'n', 'g', 'e'};
    ASSERT_EQ(nla_put(reply.get(), NLMSGERR_ATTR_MSG, text.size(), text.data()), 0);
    EXPECT_EQ(parse_error_message(nlmsg_hdr(reply.get())), (AckStatus{ERANGE, "range"}));
}

TEST(DoneMessage, Success)
{
    const MessagePtr done = test::done_message(0);
    EXPECT_EQ(parse_done_message(nlmsg_hdr(done.get())), AckStatus{});
}

TEST(DoneMessage, EmptyPayloadIsSuccess)
{
    const MessagePtr done{nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI)};
    EXPECT_EQ(parse_done_message(nlmsg_hdr(done.get())), AckStatus{});
}

TEST(DoneMessage, FailedDumpWithMessage)
{
    const MessagePtr done = test::done_message(-ENOBUFS, "flow table changed");
    EXPECT_EQ(parse_done_message(nlmsg_hdr(done.get())), (AckStatus{ENOBUFS, "flow table changed"}));
}

TEST(DoneMessage, FailedDumpWithoutMessage)
{
    const MessagePtr done = test::done_message(-EIO);
    EXPECT_EQ(parse_done_message(nlmsg_hdr(done.get())), (AckStatus{EIO, ""}));
}

} // namespace
} // namespace hatcp::netlink
