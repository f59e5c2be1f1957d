// SPDX-License-Identifier: GPL-2.0
#include "netlink/errors.hpp"

#include <cstdlib>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>

namespace hatcp::netlink {

namespace {

std::string kernel_error_text(int error, const std::string& extack)
{
    if (extack.empty()) {
        return errno_text(error);
    }
    return fmt::format("{} ({})", extack, errno_text(error));
}

} // namespace

std::string errno_text(int error)
{
    return std::error_code{error, std::generic_category()}.message();
}

FamilyNotFound::FamilyNotFound() : std::runtime_error{"generic netlink family \"hatcp\" not found"} {}

FamilyRemoved::FamilyRemoved() : std::runtime_error{"generic netlink family \"hatcp\" removed"} {}

KernelError::KernelError(int error, std::string extack)
    : std::runtime_error{kernel_error_text(error, extack)}, error_{error}, extack_{std::move(extack)}
{
}

TransportError::TransportError(std::string_view doing, int nl_error)
    : std::runtime_error{fmt::format("netlink: {}: {}", doing, nl_geterror(std::abs(nl_error)))}, nl_error_{nl_error}
{
}

DumpInterrupted::DumpInterrupted() : TransportError{"dump", NLE_DUMP_INTR} {}

} // namespace hatcp::netlink
