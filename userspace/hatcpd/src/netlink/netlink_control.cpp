// SPDX-License-Identifier: GPL-2.0
#include "netlink/netlink_control.hpp"

#include <linux/hatcp.h>

#include "netlink/errors.hpp"
#include "netlink/event_subscriber.hpp"
#include "netlink/exchange.hpp"
#include "netlink/replies.hpp"
#include "netlink/requests.hpp"

namespace hatcp::netlink {

namespace {

// Reads the single reply a GET command gets.
template <typename T, typename Decode>
T get_one(const GenlSocket& socket, std::uint8_t command, Decode decode)
{
    std::optional<T> result;
    const MessagePtr message = build_command(socket.family(), command);
    request(socket.get(), message.get(), [&](nlmsghdr* header) { result = decode(header); });
    if (!result) {
        throw ProtocolError{"the kernel acknowledged without replying"};
    }
    return std::move(*result);
}

// A dump, asked again if the kernel's table changed while it was read.
template <typename T, typename Decode>
std::vector<T> dump_all(const GenlSocket& socket, std::uint8_t command, Decode decode)
{
    constexpr int attempts = 3;
    for (int attempt = 1;; ++attempt) {
        std::vector<T> results;
        const MessagePtr message = build_dump(socket.family(), command);
        try {
            dump(socket.get(), message.get(), [&](nlmsghdr* header) { results.push_back(decode(header)); });
            return results;
        } catch (const DumpInterrupted&) {
            if (attempt == attempts) {
                throw;
            }
        }
    }
}

const MessageHandler ignore_replies = [](nlmsghdr* /*header*/) {};

} // namespace

void NetlinkControl::send(nl_msg* message)
{
    request(socket_.get(), message, ignore_replies);
}

void NetlinkControl::command(std::uint8_t command)
{
    send(build_command(socket_.family(), command).get());
}

Role NetlinkControl::role()
{
    return get_one<Role>(socket_, HATCP_CMD_GET_ROLE, decode_role_reply);
}

void NetlinkControl::set_role(Role role)
{
    send(build_set_role(socket_.family(), role).get());
}

std::optional<Peer> NetlinkControl::peer()
{
    return get_one<std::optional<Peer>>(socket_, HATCP_CMD_GET_PEER, decode_peer_reply);
}

void NetlinkControl::set_peer(const Peer& peer)
{
    send(build_set_peer(socket_.family(), peer).get());
}

void NetlinkControl::delete_peer()
{
    command(HATCP_CMD_DEL_PEER);
}

void NetlinkControl::add_policy(const Policy& policy)
{
    send(build_add_policy(socket_.family(), policy).get());
}

void NetlinkControl::delete_policy(const Policy& policy)
{
    send(build_del_policy(socket_.family(), policy).get());
}

std::vector<Policy> NetlinkControl::policies()
{
    return dump_all<Policy>(socket_, HATCP_CMD_GET_POLICY, decode_policy_message);
}

Stats NetlinkControl::stats()
{
    return get_one<Stats>(socket_, HATCP_CMD_GET_STATS, decode_stats_reply);
}

std::vector<Flow> NetlinkControl::flows()
{
    return dump_all<Flow>(socket_, HATCP_CMD_GET_FLOW, decode_flow_message);
}

void NetlinkControl::promote()
{
    command(HATCP_CMD_PROMOTE);
}

void NetlinkControl::demote()
{
    command(HATCP_CMD_DEMOTE);
}

void NetlinkControl::migrate()
{
    command(HATCP_CMD_MIGRATE);
}

std::unique_ptr<EventSource> NetlinkControl::subscribe_events()
{
    return std::make_unique<EventSubscriber>();
}

} // namespace hatcp::netlink
