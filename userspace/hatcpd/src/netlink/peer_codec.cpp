// SPDX-License-Identifier: GPL-2.0
#include "netlink/peer_codec.hpp"

#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"
#include "netlink/errors.hpp"
#include "netlink/role_codec.hpp"

namespace hatcp::netlink {

void put_peer(nl_msg* message, const Peer& peer)
{
    nlattr* nest = start_nest(message, HATCP_A_PEER);
    // The address is already in network order: put its bytes as they are.
    put_u32(message, HATCP_PEER_A_LOCAL_IPV4, peer.local.network_order);
    put_u32(message, HATCP_PEER_A_REMOTE_IPV4, peer.remote.network_order);
    if (peer.ifindex) {
        put_u32(message, HATCP_PEER_A_IFINDEX, *peer.ifindex);
    }
    put_u16(message, HATCP_PEER_A_PORT, peer.port);
    if (peer.key) {
        put_bytes(message, HATCP_PEER_A_KEY, *peer.key);
    }
    if (peer.insecure_no_key) {
        put_flag(message, HATCP_PEER_A_INSECURE_NO_KEY);
    }
    end_nest(message, nest);
}

Peer read_peer(nlattr* nest)
{
    const auto table = parse_nested<HATCP_PEER_A_MAX>(nest, "HATCP_A_PEER");
    const nlattr* local = table[HATCP_PEER_A_LOCAL_IPV4];
    const nlattr* remote = table[HATCP_PEER_A_REMOTE_IPV4];
    if (local == nullptr || remote == nullptr) {
        throw ProtocolError{"HATCP_A_PEER without LOCAL_IPV4 and REMOTE_IPV4"};
    }
    Peer peer;
    peer.local.network_order = read_u32(local, "HATCP_PEER_A_LOCAL_IPV4");
    peer.remote.network_order = read_u32(remote, "HATCP_PEER_A_REMOTE_IPV4");
    if (const nlattr* ifindex = table[HATCP_PEER_A_IFINDEX]; ifindex != nullptr) {
        peer.ifindex = read_u32(ifindex, "HATCP_PEER_A_IFINDEX");
    }
    if (const nlattr* port = table[HATCP_PEER_A_PORT]; port != nullptr) {
        peer.port = read_u16(port, "HATCP_PEER_A_PORT");
    }
    if (const nlattr* keyed = table[HATCP_PEER_A_KEYED]; keyed != nullptr) {
        peer.keyed = read_u8(keyed, "HATCP_PEER_A_KEYED") != 0;
    }
    peer.insecure_no_key = table[HATCP_PEER_A_INSECURE_NO_KEY] != nullptr;
    if (const nlattr* reachable = table[HATCP_PEER_A_REACHABLE]; reachable != nullptr) {
        peer.reachable = read_u8(reachable, "HATCP_PEER_A_REACHABLE") != 0;
    }
    if (const nlattr* role = table[HATCP_PEER_A_ROLE]; role != nullptr) {
        peer.role = read_role(role, "HATCP_PEER_A_ROLE");
    }
    return peer;
}

} // namespace hatcp::netlink
