// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>

#include <linux/netlink.h>

namespace hatcp::netlink {

// What the kernel said about a request: an errno and the extended ack text.
struct AckStatus {
    int error = 0;       // positive errno; 0 for success
    std::string message; // NLMSGERR_ATTR_MSG; empty if none was sent

    friend bool operator==(const AckStatus&, const AckStatus&) = default;
};

// An NLMSG_ERROR message (an error, or an ack when error is 0). With
// NETLINK_EXT_ACK on the socket the kernel appends NLMSGERR_ATTR_* TLVs after
// struct nlmsgerr and, unless NLM_F_CAPPED, after the echoed request; libnl
// 3.7 does not surface them, so they are parsed here. Without a message but
// with NLMSGERR_ATTR_MISS_TYPE, the message names the missing attribute.
AckStatus parse_error_message(nlmsghdr* header);

// An NLMSG_DONE message that ends a dump: its int payload is 0, or the
// negative errno of a dump that failed part-way, then ack TLVs as above.
AckStatus parse_done_message(nlmsghdr* header);

} // namespace hatcp::netlink
