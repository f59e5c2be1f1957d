// SPDX-License-Identifier: GPL-2.0
#include "cli/error_message.hpp"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "cli/usage_error.hpp"
#include "netlink/errors.hpp"

namespace hatcp::cli {

namespace {

constexpr int usage_status = 2;
constexpr int failure_status = 1;

std::string kernel_reason(const netlink::KernelError& error)
{
    if (!error.extack().empty()) {
        return fmt::format("{} ({})", error.extack(), netlink::errno_text(error.error()));
    }
    if (error.error() == EPERM) {
        return "operation not permitted (CAP_NET_ADMIN needed in this network namespace)";
    }
    return netlink::errno_text(error.error());
}

std::string reason_for(const std::exception& error)
{
    if (const auto* kernel = dynamic_cast<const netlink::KernelError*>(&error)) {
        return kernel_reason(*kernel);
    }
    if (dynamic_cast<const netlink::FamilyNotFound*>(&error) != nullptr) {
        return "hatcp module not loaded (generic netlink family \"hatcp\" not found)";
    }
    if (dynamic_cast<const netlink::FamilyRemoved*>(&error) != nullptr) {
        return "hatcp module unloaded (generic netlink family \"hatcp\" removed)";
    }
    if (dynamic_cast<const netlink::ProtocolError*>(&error) != nullptr) {
        return fmt::format("unexpected message from the kernel: {}", error.what());
    }
    return error.what();
}

std::string one_line(std::string text)
{
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

} // namespace

Failure describe_failure(const std::exception& error)
{
    const int status = dynamic_cast<const UsageError*>(&error) != nullptr ? usage_status : failure_status;
    return {one_line(reason_for(error)), status};
}

} // namespace hatcp::cli
