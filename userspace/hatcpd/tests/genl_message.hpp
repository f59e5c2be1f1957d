// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <linux/hatcp.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "model/ipv4_address.hpp"
#include "netlink/handles.hpp"

// Messages crafted as the kernel would send them, to feed the decoders.
namespace hatcp::test {

// Any id will do: the decoders do not check it.
constexpr int test_family = 0x1d;

inline std::uint32_t be(const char* dotted)
{
    return Ipv4Address::parse(dotted).value().network_order;
}

class MessageBuilder {
public:
    // A generic netlink message of the hatcp family (or `type`).
    explicit MessageBuilder(std::uint8_t command, int type = test_family, int flags = 0) : message_{nlmsg_alloc()}
    {
        EXPECT_NE(genlmsg_put(message_.get(), NL_AUTO_PORT, NL_AUTO_SEQ, type, 0, flags, command, 1), nullptr);
    }

    MessageBuilder& u8(int type, std::uint8_t value) { return check(nla_put_u8(get(), type, value)); }
    MessageBuilder& u16(int type, std::uint16_t value) { return check(nla_put_u16(get(), type, value)); }
    MessageBuilder& u32(int type, std::uint32_t value) { return check(nla_put_u32(get(), type, value)); }
    MessageBuilder& u64(int type, std::uint64_t value) { return check(nla_put_u64(get(), type, value)); }
    MessageBuilder& string(int type, const std::string& value)
    {
        return check(nla_put_string(get(), type, value.c_str()));
    }
    MessageBuilder& bytes(int type, std::vector<std::uint8_t> value)
    {
        return check(nla_put(get(), type, static_cast<int>(value.size()), value.data()));
    }

    MessageBuilder& begin(int type)
    {
        nests_.push_back(nla_nest_start(get(), type));
        EXPECT_NE(nests_.back(), nullptr);
        return *this;
    }
    MessageBuilder& end()
    {
        check(nla_nest_end(get(), nests_.back()));
        nests_.pop_back();
        return *this;
    }

    [[nodiscard]] nl_msg* get() const { return message_.get(); }
    [[nodiscard]] nlmsghdr* header() const { return nlmsg_hdr(message_.get()); }

private:
    MessageBuilder& check(int result)
    {
        EXPECT_EQ(result, 0);
        return *this;
    }

    netlink::MessagePtr message_;
    std::vector<nlattr*> nests_;
};

// Opens HATCP_A_PEER with the two addresses every peer has, 10.0.0.1 and
// 10.0.0.2; the caller adds the rest and end()s the nest.
inline MessageBuilder& begin_peer(MessageBuilder& message)
{
    return message.begin(HATCP_A_PEER)
        .u32(HATCP_PEER_A_LOCAL_IPV4, be("10.0.0.1"))
        .u32(HATCP_PEER_A_REMOTE_IPV4, be("10.0.0.2"));
}

// What the kernel's netlink_ack() sends: struct nlmsgerr, the request
// echoed unless `capped`, then the extended ack TLVs.
struct ErrorReply {
    int error = 0; // negative errno, 0 for an ack
    bool capped = false;
    std::optional<std::string> message;
    std::optional<std::uint32_t> missing_type;

    ErrorReply& with_capped()
    {
        capped = true;
        return *this;
    }
    ErrorReply& with_message(std::string text)
    {
        message = std::move(text);
        return *this;
    }
    ErrorReply& with_missing_type(std::uint32_t type)
    {
        missing_type = type;
        return *this;
    }
};

inline ErrorReply error_reply(int error)
{
    ErrorReply reply;
    reply.error = error;
    return reply;
}

inline netlink::MessagePtr error_message(const ErrorReply& reply, nlmsghdr* request)
{
    const bool tlvs = reply.message || reply.missing_type;
    const int flags = (reply.capped ? NLM_F_CAPPED : 0) | (tlvs ? NLM_F_ACK_TLVS : 0);
    netlink::MessagePtr message{nlmsg_alloc_simple(NLMSG_ERROR, flags)};
    nlmsgerr error{};
    error.error = reply.error;
    error.msg = *request;
    EXPECT_EQ(nlmsg_append(message.get(), &error, sizeof error, NLMSG_ALIGNTO), 0);
    if (!reply.capped) {
        EXPECT_EQ(nlmsg_append(message.get(), nlmsg_data(request), static_cast<std::size_t>(nlmsg_datalen(request)),
                               NLMSG_ALIGNTO),
                  0);
    }
    if (reply.message) {
        EXPECT_EQ(nla_put_string(message.get(), NLMSGERR_ATTR_MSG, reply.message->c_str()), 0);
        EXPECT_EQ(nla_put_u32(message.get(), NLMSGERR_ATTR_OFFS, 20), 0);
    }
    if (reply.missing_type) {
        EXPECT_EQ(nla_put_u32(message.get(), NLMSGERR_ATTR_MISS_TYPE, *reply.missing_type), 0);
    }
    nlmsg_hdr(message.get())->nlmsg_seq = request->nlmsg_seq;
    return message;
}

// The NLMSG_DONE that ends a dump: `result` 0 or a negative errno, then
// an extended ack message if given.
inline netlink::MessagePtr done_message(int result, const std::optional<std::string>& text = std::nullopt,
                                        std::uint32_t sequence = 0)
{
    netlink::MessagePtr message{nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | (text ? NLM_F_ACK_TLVS : 0))};
    EXPECT_EQ(nlmsg_append(message.get(), &result, sizeof result, NLMSG_ALIGNTO), 0);
    if (text) {
        EXPECT_EQ(nla_put_string(message.get(), NLMSGERR_ATTR_MSG, text->c_str()), 0);
    }
    nlmsg_hdr(message.get())->nlmsg_seq = sequence;
    return message;
}

} // namespace hatcp::test
