// SPDX-License-Identifier: GPL-2.0
#include "netlink/ack.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "netlink/attribute_io.hpp"

namespace hatcp::netlink {

namespace {

// The NLMSGERR_ATTR_* TLVs that start `offset` bytes into the payload.
std::string extack_message(nlmsghdr* header, std::int64_t offset)
{
    if ((header->nlmsg_flags & NLM_F_ACK_TLVS) == 0) {
        return {};
    }
    // The offset comes from lengths the sender wrote: keep it in the message.
    if (offset < 0 || offset > nlmsg_datalen(header)) {
        return {};
    }
    std::array<nlattr*, NLMSGERR_ATTR_MAX + 1> table{};
    if (nlmsg_parse(header, static_cast<int>(offset), table.data(), NLMSGERR_ATTR_MAX, nullptr) < 0) {
        return {};
    }
    if (const nlattr* text = table[NLMSGERR_ATTR_MSG]; text != nullptr) {
        const auto* data = static_cast<const char*>(nla_data(text));
        // The kernel NUL-terminates it; do not trust that blindly.
        return std::string{data, ::strnlen(data, static_cast<std::size_t>(nla_len(text)))};
    }
    if (const nlattr* missing = table[NLMSGERR_ATTR_MISS_TYPE]; missing != nullptr && nla_len(missing) == 4) {
        return fmt::format("missing attribute type {}", nla_get_u32(missing));
    }
    return {};
}

} // namespace

AckStatus parse_error_message(nlmsghdr* header)
{
    if (nlmsg_datalen(header) < static_cast<int>(sizeof(nlmsgerr))) {
        return {EBADMSG, "truncated netlink error message"};
    }
    const auto* error = static_cast<const nlmsgerr*>(nlmsg_data(header));
    std::int64_t offset = sizeof(nlmsgerr);
    if ((header->nlmsg_flags & NLM_F_CAPPED) == 0) {
        // The kernel echoed our whole request after the header it put in nlmsgerr.
        offset += static_cast<std::int64_t>(error->msg.nlmsg_len) - NLMSG_HDRLEN;
    }
    return {-error->error, extack_message(header, offset)};
}

AckStatus parse_done_message(nlmsghdr* header)
{
    if (nlmsg_datalen(header) < static_cast<int>(sizeof(int))) {
        return {}; // some kernels send an empty NLMSG_DONE
    }
    int result = 0;
    std::memcpy(&result, nlmsg_data(header), sizeof result);
    if (result >= 0) {
        return {};
    }
    return {-result, extack_message(header, sizeof(int))};
}

} // namespace hatcp::netlink
