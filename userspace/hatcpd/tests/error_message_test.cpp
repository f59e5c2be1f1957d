// SPDX-License-Identifier: GPL-2.0
// Every failure becomes exactly one line and an exit status.
#include <cerrno>
#include <stdexcept>

#include <gtest/gtest.h>
#include <netlink/errno.h>

#include "cli/error_message.hpp"
#include "cli/usage_error.hpp"
#include "netlink/errors.hpp"

namespace hatcp::cli {
namespace {

using netlink::KernelError;

TEST(ErrorMessage, ModuleNotLoaded)
{
    const Failure failure = describe_failure(netlink::FamilyNotFound{});
    EXPECT_EQ(failure.reason, "hatcp module not loaded (generic netlink family \"hatcp\" not found)");
    EXPECT_EQ(failure.exit_status, 1);
}

TEST(ErrorMessage, ModuleUnloadedWhileMonitoring)
{
    EXPECT_EQ(describe_failure(netlink::FamilyRemoved{}).reason,
              "hatcp module unloaded (generic netlink family \"hatcp\" removed)");
}

TEST(ErrorMessage, PermissionDenied)
{
    const Failure failure = describe_failure(KernelError{EPERM, ""});
    EXPECT_EQ(failure.reason, "operation not permitted (CAP_NET_ADMIN needed in this network namespace)");
    EXPECT_EQ(failure.exit_status, 1);
}

TEST(ErrorMessage, ExtackReachesTheUser)
{
    EXPECT_EQ(describe_failure(KernelError{EINVAL, "set a peer before leaving standalone"}).reason,
              "set a peer before leaving standalone (Invalid argument)");
    EXPECT_EQ(describe_failure(KernelError{EEXIST, "policy already exists"}).reason,
              "policy already exists (File exists)");
    // Even with EPERM: the kernel's own reason beats our guess.
    EXPECT_EQ(describe_failure(KernelError{EPERM, "only a replica can be promoted"}).reason,
              "only a replica can be promoted (Operation not permitted)");
}

TEST(ErrorMessage, KernelErrorWithoutExtack)
{
    EXPECT_EQ(describe_failure(KernelError{ENOENT, ""}).reason, "No such file or directory");
}

TEST(ErrorMessage, MultiLineExtackStaysOnOneLine)
{
    const Failure failure = describe_failure(KernelError{EINVAL, "first\nsecond"});
    EXPECT_EQ(failure.reason, "first second (Invalid argument)");
}

TEST(ErrorMessage, UsageErrorsExitTwo)
{
    const Failure failure = describe_failure(UsageError{"bad port \"0\""});
    EXPECT_EQ(failure.reason, "bad port \"0\"");
    EXPECT_EQ(failure.exit_status, 2);
}

TEST(ErrorMessage, LocalAndProtocolFailures)
{
    EXPECT_EQ(describe_failure(netlink::TransportError{"sending a request", -NLE_NOMEM}).reason,
              "netlink: sending a request: Out of memory");
    EXPECT_EQ(describe_failure(netlink::ProtocolError{"reply without HATCP_A_ROLE"}).reason,
              "unexpected message from the kernel: reply without HATCP_A_ROLE");
    EXPECT_EQ(describe_failure(std::runtime_error{"poll: Bad file descriptor"}).reason, "poll: Bad file descriptor");
    EXPECT_EQ(describe_failure(std::runtime_error{"poll"}).exit_status, 1);
}

} // namespace
} // namespace hatcp::cli
