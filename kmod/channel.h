/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the replication channel to the peer, a UDP tunnel socket.
 */
#ifndef _HATCP_CHANNEL_H
#define _HATCP_CHANNEL_H

#include <linux/netlink.h>
#include <linux/skbuff.h>
#include "hatcp.h"
#include "messages.h"

#define HATCP_HEARTBEAT_MS	100
/*
 * Heartbeats missed before the peer is declared unreachable, the verdict
 * that unprotects a primary's flows and lets a replica that holds the VIP
 * take over (takeover.c).
 */
#define HATCP_DEAD_INTERVALS	3
/* Quiet intervals after which a session is dropped, our nonce renewed. */
#define HATCP_RENEW_INTERVALS	10
/* Ticks between HELLOs once the peer uses our session (channel.c). */
#define HATCP_HELLO_EVERY	10
/* Least time between HELLOs sent in answer to ones we cannot adopt. */
#define HATCP_HELLO_ANSWER_MS	10

void hatcp_channel_init(struct hatcp_net *hn);
int hatcp_channel_set_peer(struct hatcp_net *hn, struct hatcp_peer *peer,
			   struct netlink_ext_ack *extack);
void hatcp_channel_close(struct hatcp_net *hn);
void hatcp_peer_free(struct hatcp_peer *peer);
bool hatcp_chan_peer_alive(struct hatcp_net *hn);
bool hatcp_chan_peer_heard(struct hatcp_net *hn, unsigned int intervals);
int hatcp_chan_peer_role(struct hatcp_net *hn);
bool hatcp_chan_peer_is_replica(struct hatcp_net *hn);
bool hatcp_chan_peer_usable(struct hatcp_net *hn);
int hatcp_chan_send_ack(struct hatcp_net *hn, u64 msg_id, u8 status);
/* A body's GSO fields, from @skb: a GRO aggregate, or one packet. */
static inline void hatcp_body_gso_from(struct hatcp_body *body,
				       const struct sk_buff *skb)
{
	if (skb_is_gso(skb)) {
		body->gso_size = htons(skb_shinfo(skb)->gso_size);
		body->gso_segs = htons(skb_shinfo(skb)->gso_segs);
	}
}

/* And back: @skb, a received body's packet, an aggregate again. */
static inline void hatcp_body_gso_to(struct sk_buff *skb,
				     const struct hatcp_body *body)
{
	if (ntohs(body->gso_segs) > 1 && body->gso_size) {
		skb_shinfo(skb)->gso_size = ntohs(body->gso_size);
		skb_shinfo(skb)->gso_segs = ntohs(body->gso_segs);
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	}
}

int hatcp_chan_send_body(struct hatcp_net *hn, u64 msg_id,
			 const struct hatcp_body *body,
			 const struct sk_buff *pkt, const void *buf,
			 unsigned int len);

#endif /* _HATCP_CHANNEL_H */
