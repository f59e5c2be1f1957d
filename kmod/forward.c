// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: a client segment that reaches a replica from the wire goes on to
 * the peer, not to the floor.
 *
 * In a planned switchover the client sends to the old primary's MAC until
 * the new primary's gratuitous ARP. From `migrate` until then the old
 * primary is a replica, and its socket must not take bytes its twin lacks
 * (replica.c): dropped, each such segment came back on the client's
 * retransmission timeout, which was most of a switchover's pause. So a
 * replica sends it to the peer over the channel (a FORWARD body), checked
 * as its own stack would have, when the peer serves, or is about to (we
 * handed it our flows a moment ago). The peer takes it in as if from the
 * client's link, at once if it serves, or at its promotion, waiting at
 * most FWD_STASH_MS. There it is replicated back to us like any client
 * segment, so the two sockets stay twins.
 *
 * A replica that keepalived has just given the VIP keeps the segment
 * itself, in the same stash, when the peer would not take it (it stepped
 * down) or may be dead (quiet for over a heartbeat, though its last one
 * said primary: then it is sent too, and our copy is a spare). Its
 * promotion is on its way. A spare the peer took too reaches our socket
 * as a duplicate, which TCP discards, or expires, which loses nothing.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include "channel.h"
#include "flow.h"
#include "forward.h"
#include "memcg.h"
#include "policy.h"
#include "replica.h"

#define FWD_AFTER_DEMOTION_MS	5000	/* a switchover's moment */
#define FWD_STASH_MAX		256	/* segments waiting for our promotion */
/*
 * The longest one waits: as long as a peer that stepped down forwards to
 * us, counting on our promotion. At 1 s, a loaded lab's VIP move (the
 * peer's yield, keepalived's election here) outlasted it, and segments
 * the client then had to resend were dropped. An older copy that the
 * client has resent meanwhile reaches the socket as a duplicate.
 */
#define FWD_STASH_MS		FWD_AFTER_DEMOTION_MS

struct fwd_cb {
	unsigned long at;		/* jiffies it arrived */
	bool spare;			/* kept, and sent to the peer too */
};

static struct fwd_cb *fcb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct fwd_cb) > sizeof(skb->cb));
	return (struct fwd_cb *)skb->cb;
}

/*
 * Whether the live peer will take a segment: it serves, or we handed it
 * our flows a moment ago and it is about to.
 */
static bool peer_takes(struct hatcp_net *hn)
{
	unsigned long window = msecs_to_jiffies(FWD_AFTER_DEMOTION_MS);

	switch (hatcp_chan_peer_role(hn)) {
	case HATCP_ROLE_PRIMARY:
		return true;
	case HATCP_ROLE_REPLICA:
		return READ_ONCE(hn->demoted) &&
		       time_before(jiffies, READ_ONCE(hn->demoted_at) + window);
	default:
		return false;
	}
}

/* Frees @skb, which will not be taken: counted unless a spare. */
static void drop(struct hatcp_net *hn, struct sk_buff *skb)
{
	if (!fcb(skb)->spare)
		hatcp_count(hn, HATCP_STATS_A_FWD_DROPPED);
	kfree_skb(skb);
}

/*
 * Replica, softirq: @skb waits for our promotion, at most FWD_STASH_MS.
 * Consumes it; false if there was no room.
 */
static bool stash(struct hatcp_net *hn, struct sk_buff *skb, bool spare)
{
	fcb(skb)->spare = spare;
	if (skb_queue_len(&hn->fwd_stash) >= FWD_STASH_MAX) {
		drop(hn, skb);
		return false;
	}
	fcb(skb)->at = jiffies;
	skb_queue_tail(&hn->fwd_stash, skb);
	/* A role change that drained the stash meanwhile. */
	if (READ_ONCE(hn->role) != HATCP_ROLE_REPLICA)
		hatcp_forward_role_changed(hn);
	return true;
}

/*
 * Replica, softirq, under RCU, the peer alive: whether @skb, a client
 * segment from the wire, went on to the peer. A switch flooding frames
 * to both nodes makes this a duplicate at the primary, which its TCP
 * discards.
 */
bool hatcp_forward_send(struct hatcp_net *hn, struct sk_buff *skb)
{
	struct hatcp_body body = { .kind = HATCP_BODY_FORWARD };

	if (!peer_takes(hn))
		return false;
	/* The peer takes it as verified: only what our stack would take. */
	if (nf_checksum(skb, NF_INET_LOCAL_IN, ip_hdrlen(skb), IPPROTO_TCP,
			AF_INET))
		return false;
	hatcp_body_gso_from(&body, skb);
	if (hatcp_chan_send_body(hn, atomic64_inc_return(&hn->hold.next_id),
				 &body, skb, NULL, skb->len))
		return false;
	hatcp_count(hn, HATCP_STATS_A_REPL_WIRE_FORWARDED);
	return true;
}

/*
 * Replica, softirq, under RCU: a copy of @skb, a client segment from the
 * wire with new bytes, waits in the stash for our promotion (the VIP is
 * here). Without it, a client whose request died with the old primary
 * resends it to us before our promotion, and then only a backed-off
 * timeout later.
 */
bool hatcp_forward_keep(struct hatcp_net *hn, struct sk_buff *skb, bool spare)
{
	struct mem_cgroup *memcg;
	struct sk_buff *nskb;

	if (nf_checksum(skb, NF_INET_LOCAL_IN, ip_hdrlen(skb), IPPROTO_TCP,
			AF_INET))
		return false;
	memcg = hatcp_charge_begin(hn);
	nskb = skb_copy(skb, HATCP_GFP);
	hatcp_charge_end(memcg);
	if (!nskb)
		return false;
	skb_dst_drop(nskb);
	if (!stash(hn, nskb, spare))
		return false;
	hatcp_count(hn, HATCP_STATS_A_REPL_WIRE_KEPT);
	return true;
}

/* In at the client's link, as if it had come from there; consumes @skb. */
static void take(struct hatcp_net *hn, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct net_device *dev;
	int ifindex;

	ifindex = hatcp_replica_client_ifindex(hn, iph->saddr, iph->daddr);
	rcu_read_lock();
	dev = ifindex ? dev_get_by_index_rcu(hn->net, ifindex) : NULL;
	if (!dev) {
		rcu_read_unlock();
		hatcp_count(hn, HATCP_STATS_A_FWD_DROPPED);
		kfree_skb(skb);
		return;
	}
	hatcp_rx_as_client(skb, dev);
	rcu_read_unlock();
	hatcp_count(hn, HATCP_STATS_A_FWD_TAKEN);
}

/*
 * A FORWARD body from the peer, its IPv4 packet checked; softirq.
 * Consumes @skb.
 */
void hatcp_forward_rx(struct hatcp_net *hn, struct sk_buff *skb,
		      const struct hatcp_body *body)
{
	const struct iphdr *iph;
	const struct tcphdr *th;

	skb_reset_network_header(skb);
	skb_set_transport_header(skb, ip_hdrlen(skb));
	iph = ip_hdr(skb);
	th = tcp_hdr(skb);
	/* Only for a connection we know, of a service we protect. */
	rcu_read_lock();
	if (!hatcp_policy_match(hn, iph->daddr, ntohs(th->dest)) ||
	    !hatcp_flow_find(hn, iph->saddr, th->source, iph->daddr,
			     th->dest)) {
		rcu_read_unlock();
		hatcp_count(hn, HATCP_STATS_A_FWD_DROPPED);
		kfree_skb(skb);
		return;
	}
	rcu_read_unlock();
	hatcp_body_gso_to(skb, body);
	switch (READ_ONCE(hn->role)) {
	case HATCP_ROLE_PRIMARY:
		take(hn, skb);
		return;
	case HATCP_ROLE_REPLICA:
		stash(hn, skb, false);
		return;
	default:
		break;
	}
	hatcp_count(hn, HATCP_STATS_A_FWD_DROPPED);
	kfree_skb(skb);
}

/*
 * After the role changed: served now, or never here. Any context. What
 * waited too long goes first, as on the data path's tick.
 */
void hatcp_forward_role_changed(struct hatcp_net *hn)
{
	bool take_them = READ_ONCE(hn->role) == HATCP_ROLE_PRIMARY;
	struct sk_buff *skb;

	hatcp_forward_expire(hn);
	while ((skb = skb_dequeue(&hn->fwd_stash))) {
		if (take_them) {
			local_bh_disable();
			take(hn, skb);
			local_bh_enable();
			continue;
		}
		drop(hn, skb);
	}
}

/* The data path's tick: a promotion that has not come will not. */
void hatcp_forward_expire(struct hatcp_net *hn)
{
	unsigned long max_age = msecs_to_jiffies(FWD_STASH_MS);
	struct sk_buff *skb;

	spin_lock_bh(&hn->fwd_stash.lock);
	while ((skb = skb_peek(&hn->fwd_stash)) &&
	       time_after_eq(jiffies, fcb(skb)->at + max_age)) {
		__skb_unlink(skb, &hn->fwd_stash);
		drop(hn, skb);
	}
	spin_unlock_bh(&hn->fwd_stash.lock);
}

void hatcp_forward_init(struct hatcp_net *hn)
{
	skb_queue_head_init(&hn->fwd_stash);
}

void hatcp_forward_exit(struct hatcp_net *hn)
{
	skb_queue_purge(&hn->fwd_stash);
}
