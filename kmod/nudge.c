// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: after a promotion, tell each client to retransmit now.
 *
 * A client whose last segments died with the old primary, or reached us
 * before we served, waits for its retransmission timer, backed off while
 * nobody answered: after a crash its next try comes ~0.8 s in, long after
 * we serve. Our shadow socket's ACK cannot move it: it acknowledges
 * nothing new, and one duplicate ACK is no loss signal. An ICMP host
 * unreachable that quotes the client's oldest unacknowledged byte can: by
 * RFC 6069 (tcp_ld_RTO_revert()) the client undoes one backoff step, and
 * the time since its last try being past the shorter timeout, it
 * retransmits at once. The path was indeed down; we say so once it is up.
 *
 * Where the revert does not apply (nothing outstanding, no timeout yet,
 * another sequence), the client only notes a soft error, cleared by its
 * next ACK. A client that set IP_RECVERR on its TCP socket reads the
 * error once, as it would from a router during the outage.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/route.h>
#include "nudge.h"

/* The start of the client's segment that an ICMP error quotes. */
struct quoted_segment {
	struct iphdr ip;
	__be16 source;
	__be16 dest;
	__be32 seq;
} __packed;

/* @seq: the first byte we have not received from the client. */
bool hatcp_nudge_client(struct hatcp_net *hn, const struct hatcp_flow *f,
			u32 seq)
{
	struct flowi4 fl4 = {
		.daddr = f->saddr,
		.saddr = f->daddr,
		.flowi4_proto = IPPROTO_ICMP,
	};
	struct quoted_segment *q;
	struct icmphdr *icmph;
	struct sk_buff *skb;
	struct iphdr *iph;
	struct rtable *rt;
	unsigned int hlen;
	int err;

	rt = ip_route_output_key(hn->net, &fl4);
	if (IS_ERR(rt))
		return false;
	hlen = LL_RESERVED_SPACE(rt->dst.dev);
	skb = alloc_skb(hlen + sizeof(*iph) + sizeof(*icmph) + sizeof(*q) +
			rt->dst.dev->needed_tailroom, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return false;
	}
	skb_reserve(skb, hlen);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = IPTOS_PREC_INTERNETCONTROL;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;

	skb_set_transport_header(skb, skb->len);
	icmph = skb_put_zero(skb, sizeof(*icmph));
	icmph->type = ICMP_DEST_UNREACH;
	icmph->code = ICMP_HOST_UNREACH;

	q = skb_put_zero(skb, sizeof(*q));
	q->ip.version = 4;
	q->ip.ihl = sizeof(q->ip) / 4;
	q->ip.tot_len = htons(sizeof(q->ip) + sizeof(struct tcphdr));
	q->ip.frag_off = htons(IP_DF);
	q->ip.ttl = IPDEFTTL;
	q->ip.protocol = IPPROTO_TCP;
	q->ip.saddr = f->saddr;
	q->ip.daddr = f->daddr;
	q->ip.check = ip_fast_csum(&q->ip, q->ip.ihl);
	q->source = f->sport;
	q->dest = f->dport;
	q->seq = htonl(seq);
	icmph->checksum = ip_compute_csum(icmph, sizeof(*icmph) + sizeof(*q));

	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
	ip_select_ident(hn->net, skb, NULL);
	err = ip_local_out(hn->net, NULL, skb);
	return !net_xmit_eval(err);	/* a macro: err, not the call */
}
