// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <functional>

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

// One request and everything the kernel answers to it, on a blocking socket
// whose libnl auto-ack is off (GenlSocket sets it up so). Messages whose
// sequence number is not the request's (left over from an earlier exchange)
// are skipped.
namespace hatcp::netlink {

using MessageHandler = std::function<void(nlmsghdr* header)>;

// Sends a request built with build_command() and friends, calls on_reply for
// every reply, and returns once the kernel acknowledged it. Throws
// KernelError when the kernel refused it, TransportError when sending or
// receiving failed, and whatever on_reply threw (after the exchange ended).
void request(nl_sock* socket, nl_msg* message, const MessageHandler& on_reply);

// Sends a request built with build_dump(), calls on_message for every part,
// and returns at NLMSG_DONE. Throws as request() does, and DumpInterrupted
// when the kernel flagged the dump inconsistent.
void dump(nl_sock* socket, nl_msg* message, const MessageHandler& on_message);

} // namespace hatcp::netlink
