// SPDX-License-Identifier: GPL-2.0
#include "netlink/requests.hpp"

#include <linux/hatcp.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>

#include "netlink/errors.hpp"
#include "netlink/peer_codec.hpp"
#include "netlink/policy_codec.hpp"
#include "netlink/role_codec.hpp"

namespace hatcp::netlink {

namespace {

MessagePtr new_request(int family, std::uint8_t command, int flags)
{
    MessagePtr message = make_message();
    if (genlmsg_put(message.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, command, HATCP_GENL_VERSION) ==
        nullptr) {
        throw TransportError{"building a request", NLE_NOMEM};
    }
    return message;
}

} // namespace

MessagePtr build_command(int family, std::uint8_t command)
{
    return new_request(family, command, NLM_F_REQUEST | NLM_F_ACK);
}

MessagePtr build_dump(int family, std::uint8_t command)
{
    return new_request(family, command, NLM_F_REQUEST | NLM_F_DUMP);
}

MessagePtr build_set_role(int family, Role role)
{
    MessagePtr message = build_command(family, HATCP_CMD_SET_ROLE);
    put_role(message.get(), HATCP_A_ROLE, role);
    return message;
}

MessagePtr build_set_peer(int family, const Peer& peer)
{
    MessagePtr message = build_command(family, HATCP_CMD_SET_PEER);
    put_peer(message.get(), peer);
    return message;
}

MessagePtr build_add_policy(int family, const Policy& policy)
{
    MessagePtr message = build_command(family, HATCP_CMD_ADD_POLICY);
    put_policy(message.get(), policy);
    return message;
}

MessagePtr build_del_policy(int family, const Policy& policy)
{
    MessagePtr message = build_command(family, HATCP_CMD_DEL_POLICY);
    put_policy(message.get(), policy);
    return message;
}

} // namespace hatcp::netlink
