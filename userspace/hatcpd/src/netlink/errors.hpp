// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace hatcp::netlink {

// The generic netlink family "hatcp" is not registered in the kernel: the
// module is not loaded.
class FamilyNotFound : public std::runtime_error {
public:
    FamilyNotFound();
};

// The "hatcp" family was unregistered while we listened to its events: the
// module was unloaded.
class FamilyRemoved : public std::runtime_error {
public:
    FamilyRemoved();
};

// The kernel refused a request: its errno and, when it gave one, the
// extended ack message saying why.
class KernelError : public std::runtime_error {
public:
    KernelError(int error, std::string extack);

    // A positive errno value.
    [[nodiscard]] int error() const noexcept { return error_; }
    // Empty when the kernel sent no message.
    [[nodiscard]] const std::string& extack() const noexcept { return extack_; }

private:
    int error_;
    std::string extack_;
};

// libnl failed on our side: allocating, sending, receiving.
class TransportError : public std::runtime_error {
public:
    // `nl_error` is a libnl error code (positive or negative NLE_*).
    TransportError(std::string_view doing, int nl_error);

    [[nodiscard]] int nl_error() const noexcept { return nl_error_; }

private:
    int nl_error_;
};

// A dump saw the kernel's table change under it (NLM_F_DUMP_INTR); asking
// again gives a consistent answer.
class DumpInterrupted : public TransportError {
public:
    DumpInterrupted();
};

// A message from the kernel that does not follow the uapi.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// strerror() text of a positive errno value, e.g. "Invalid argument".
std::string errno_text(int error);

} // namespace hatcp::netlink
