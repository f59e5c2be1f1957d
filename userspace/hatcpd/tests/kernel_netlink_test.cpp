// SPDX-License-Identifier: GPL-2.0
// The exchange against the running kernel's own generic netlink controller
// (nlctrl), which every kernel has: real extended acks, real multi-part
// dumps. The hatcp module itself is tested in the VM lab.
#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "netlink/attribute_io.hpp"
#include "netlink/errors.hpp"
#include "netlink/exchange.hpp"
#include "netlink/genl_socket.hpp"

namespace hatcp::netlink {
namespace {

MessagePtr ctrl_request(int flags)
{
    MessagePtr message = make_message();
    EXPECT_NE(genlmsg_put(message.get(), NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, flags, CTRL_CMD_GETFAMILY, 1),
              nullptr);
    return message;
}

class KernelNetlink : public testing::Test {
protected:
    void SetUp() override
    {
        socket_ = open_genl_socket();
        nl_socket_disable_auto_ack(socket_.get()); // as GenlSocket does
    }

    SocketPtr socket_;
};

TEST_F(KernelNetlink, ExtackFromTheKernelReachesUs)
{
    // CTRL_ATTR_FAMILY_ID is a u16: one byte fails the kernel's validation.
    MessagePtr message = ctrl_request(NLM_F_REQUEST | NLM_F_ACK);
    const std::uint8_t short_id = 1;
    ASSERT_EQ(nla_put(message.get(), CTRL_ATTR_FAMILY_ID, 1, &short_id), 0);
    try {
        request(socket_.get(), message.get(), [](nlmsghdr* /*header*/) {});
        FAIL() << "the kernel accepted a one-byte u16";
    } catch (const KernelError& error) {
        // EINVAL or ERANGE, depending on the kernel; the reason comes with it.
        EXPECT_NE(error.error(), 0);
        EXPECT_FALSE(error.extack().empty()) << "no extended ack message";
    }
}

TEST_F(KernelNetlink, ErrorWithoutExtack)
{
    MessagePtr message = ctrl_request(NLM_F_REQUEST | NLM_F_ACK);
    ASSERT_EQ(nla_put_string(message.get(), CTRL_ATTR_FAMILY_NAME, "nosuchfamily"), 0);
    try {
        request(socket_.get(), message.get(), [](nlmsghdr* /*header*/) {});
        FAIL() << "found a family that does not exist";
    } catch (const KernelError& error) {
        EXPECT_EQ(error.error(), ENOENT) << error.what();
        EXPECT_EQ(error.extack(), "");
    }
}

TEST_F(KernelNetlink, RequestReplyAndAck)
{
    MessagePtr message = ctrl_request(NLM_F_REQUEST | NLM_F_ACK);
    ASSERT_EQ(nla_put_string(message.get(), CTRL_ATTR_FAMILY_NAME, "nlctrl"), 0);
    int replies = 0;
    request(socket_.get(), message.get(), [&](nlmsghdr* header) {
        ++replies;
        const auto table = parse_genl_message<CTRL_ATTR_MAX>(header);
        ASSERT_NE(table[CTRL_ATTR_FAMILY_ID], nullptr);
        EXPECT_EQ(read_u16(table[CTRL_ATTR_FAMILY_ID], "CTRL_ATTR_FAMILY_ID"), GENL_ID_CTRL);
    });
    EXPECT_EQ(replies, 1);
}

TEST_F(KernelNetlink, DumpOfEveryFamily)
{
    // Twice on one socket: each exchange leaves it clean for the next.
    for (int round = 0; round < 2; ++round) {
        MessagePtr message = ctrl_request(NLM_F_REQUEST | NLM_F_DUMP);
        std::vector<std::string> names;
        dump(socket_.get(), message.get(), [&](nlmsghdr* header) {
            const auto table = parse_genl_message<CTRL_ATTR_MAX>(header);
            if (table[CTRL_ATTR_FAMILY_NAME] != nullptr) {
                names.emplace_back(nla_get_string(table[CTRL_ATTR_FAMILY_NAME]));
            }
        });
        EXPECT_NE(std::find(names.begin(), names.end(), "nlctrl"), names.end());
    }
}

TEST_F(KernelNetlink, HatcpFamilyMissingMeansModuleNotLoaded)
{
    if (genl_ctrl_resolve(socket_.get(), "hatcp") >= 0) {
        GTEST_SKIP() << "the hatcp module is loaded here";
    }
    EXPECT_THROW(GenlSocket{}, FamilyNotFound);
}

} // namespace
} // namespace hatcp::netlink
