// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the replica's half of the data path.
 *
 * A SYN from the primary is injected so that our own listener makes a
 * request sock; when that sock's SYN-ACK leaves, it is aligned to the
 * primary's (ISN, TSval clock, window scale) and swallowed. Every later
 * client segment waits in its flow's queue, in sequence order, and is
 * injected only when the shadow socket can take it: no hole before it, no
 * ACK for bytes our application has not written yet, room in the window.
 * It stays queued until rcv_nxt covers it, and is injected again if it
 * was not taken. All our egress for a protected service is stolen.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include "bounds.h"
#include "channel.h"
#include "flow.h"
#include "forward.h"
#include "policy.h"
#include "replica.h"
#include "source.h"
#include "takeover.h"
#include "tcpopt.h"

#define INJECT_RETRY_MS		200
/* TSval margin: the client must never see our TSval below the primary's. */
#define TS_MARGIN_MS		5
/* Segments a shadow socket may have in flight: never the limit. */
#define SHADOW_CWND		4096

struct replica_cb {
	u32 seq;
	u32 end_seq;
	u32 ack;
	unsigned long injected_at;
	u32 tsval;
	u16 tsval_off;		/* from the TCP header */
	u16 window;		/* as sent, unscaled */
	bool has_ts;
	bool has_ack;
	bool fin;
	bool rst;
	bool has_seq;		/* data, SYN or FIN: kept until covered */
	bool injected;
	bool ack_pending;	/* went in with its ACK cut to our snd_nxt */
};

static struct replica_cb *rcb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct replica_cb) > sizeof(skb->cb));
	return (struct replica_cb *)skb->cb;
}

static void send_ack(struct hatcp_net *hn, u64 msg_id, u8 status)
{
	hatcp_chan_send_ack(hn, msg_id, status);
}

/* The shadow socket's edges, as the gate needs them. */
struct gate {
	u32 rcv_nxt;
	u32 snd_una;
	u32 snd_nxt;
	u32 wnd_right;
	u32 ts_recent;
	u32 snd_wnd;
	u8 snd_wscale;
	bool paws;		/* ts_recent applies */
	bool window;		/* wnd_right and room apply */
	bool room;
};

/*
 * The ACK a copy of @cb's segment carries: never below what the socket has
 * seen (an ACK further below snd_una than the bytes it had acknowledged
 * fails RFC 5961's blind-injection check in tcp_ack() and the segment is
 * dropped, data and all, every time), and never beyond our snd_nxt (an
 * ACK for data we have not sent yet makes tcp_ack() discard the segment).
 * ACKs are cumulative: the part cut off is delivered later, once our
 * application has caught up (ack_pending).
 */
static u32 ack_for(const struct replica_cb *cb, const struct gate *g)
{
	if (before(cb->ack, g->snd_una))
		return g->snd_una;
	if (after(cb->ack, g->snd_nxt))
		return g->snd_nxt;
	return cb->ack;
}

/* Likewise a TSval below ts_recent fails PAWS; our echo of it is unused. */
static bool ts_low(const struct replica_cb *cb, const struct gate *g)
{
	return cb->has_ts && g->paws && (s32)(g->ts_recent - cb->tsval) > 0;
}

static bool needs_raise(const struct replica_cb *cb, const struct gate *g)
{
	return (cb->has_ack && ack_for(cb, g) != cb->ack) || ts_low(cb, g);
}

static struct sk_buff *copy_raised(struct sk_buff *skb, const struct gate *g)
{
	const struct replica_cb *cb = rcb(skb);
	struct sk_buff *nskb = skb_copy(skb, GFP_ATOMIC);
	struct tcphdr *th;

	if (!nskb)
		return NULL;
	th = tcp_hdr(nskb);
	if (cb->has_ack)
		th->ack_seq = htonl(ack_for(cb, g));
	if (ts_low(cb, g))
		put_unaligned_be32(g->ts_recent, (u8 *)th + cb->tsval_off);
	return nskb;
}

/*
 * Every skb handed to the stack needs a MAC header: AF_PACKET taps
 * (tcpdump, dhclient, lldpd, monitoring agents) push back to it, and one
 * never set makes packet_rcv() run off the head (skb_under_panic). The
 * client's frame header did not cross the channel, so @skb gets one from
 * @dev to itself, left pulled as eth_type_trans() leaves it.
 */
static int rx_mac_header(struct sk_buff *skb, struct net_device *dev)
{
	int hlen;

	skb_reset_network_header(skb);
	if (!dev_has_header(dev)) {
		skb_reset_mac_header(skb);
		skb->mac_len = 0;
		return 0;
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev)))
		return -ENOMEM;
	hlen = dev_hard_header(skb, dev, ETH_P_IP, dev->dev_addr, NULL,
			       skb->len);
	if (hlen <= 0)
		return -EINVAL;
	skb_reset_mac_header(skb);
	skb->mac_len = hlen;
	__skb_pull(skb, hlen);
	return 0;
}

/*
 * Into the stack as if the client had sent @skb, an IPv4 packet, on @dev.
 * Its sum was verified before it crossed the channel. Consumes @skb.
 */
void hatcp_rx_as_client(struct sk_buff *skb, struct net_device *dev)
{
	if (rx_mac_header(skb, dev)) {
		kfree_skb(skb);
		return;
	}
	skb->dev = dev;
	skb->protocol = htons(ETH_P_IP);
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	nf_reset_ct(skb);
	netif_rx(skb);
}

/*
 * Puts @skb (@mode INJECT_OWN) or a copy of it into the stack as if @f's
 * client had sent it; a copy is raised to what @g has seen if need be.
 */
enum inject_mode { INJECT_OWN, INJECT_COPY };

static void inject(struct hatcp_net *hn, struct hatcp_flow *f,
		   struct sk_buff *skb, enum inject_mode mode,
		   const struct gate *g)
{
	const struct replica_cb *cb = rcb(skb);
	struct net_device *dev;
	struct sk_buff *nskb;

	rcu_read_lock();
	dev = dev_get_by_index_rcu(hn->net, f->ifindex);
	if (!dev) {
		rcu_read_unlock();
		if (mode == INJECT_OWN)
			kfree_skb(skb);
		return;
	}
	if (mode == INJECT_OWN)
		nskb = skb;
	else if (needs_raise(cb, g))
		nskb = copy_raised(skb, g);
	else
		nskb = skb_clone(skb, GFP_ATOMIC);
	if (nskb) {
		hatcp_rx_as_client(nskb, dev);
		hatcp_count(hn, HATCP_STATS_A_REPL_INJECTED);
	}
	rcu_read_unlock();
}

static bool gate_read(struct hatcp_flow *f, struct gate *g)
{
	struct sock *sk = hatcp_flow_sock(f);

	if (!sk)
		return false;
	memset(g, 0, sizeof(*g));
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		const struct tcp_request_sock *treq = tcp_rsk(inet_reqsk(sk));

		g->rcv_nxt = treq->rcv_nxt;
		g->snd_una = treq->snt_isn;
		g->snd_nxt = treq->snt_isn + 1;
	} else if (sk->sk_state == TCP_TIME_WAIT) {
		g->rcv_nxt = tcp_twsk(sk)->tw_rcv_nxt;
		g->snd_nxt = tcp_twsk(sk)->tw_snd_nxt;
		g->snd_una = g->snd_nxt;
	} else {
		const struct tcp_sock *tp = tcp_sk(sk);

		g->rcv_nxt = READ_ONCE(tp->rcv_nxt);
		g->snd_una = READ_ONCE(tp->snd_una);
		g->snd_nxt = READ_ONCE(tp->snd_nxt);
		g->wnd_right = READ_ONCE(tp->rcv_wup) + READ_ONCE(tp->rcv_wnd);
		g->ts_recent = READ_ONCE(tp->rx_opt.ts_recent);
		g->snd_wnd = READ_ONCE(tp->snd_wnd);
		g->snd_wscale = tp->rx_opt.snd_wscale;
		g->paws = tp->rx_opt.tstamp_ok;
		g->window = true;
		g->room = atomic_read(&sk->sk_rmem_alloc) <=
			  READ_ONCE(sk->sk_rcvbuf);
	}
	sock_gen_put(sk);
	return true;
}

static void dequeue(struct hatcp_net *hn, struct hatcp_flow *f,
		    struct sk_buff *skb)
{
	__skb_unlink(skb, &f->queue);
	f->queued_bytes -= skb->len;
	hatcp_src_uncharge(hn, f->saddr, skb->len);
	atomic64_dec(hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_SEGS));
	atomic64_sub(skb->len, hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_BYTES));
	consume_skb(skb);
}

/*
 * The ACK (and window) a segment carried, alone: seq is our rcv_nxt, so
 * the socket takes it whatever lies queued before it, and the ACK is cut
 * to our snd_nxt as ack_for() says.
 */
static void inject_ack_only(struct hatcp_net *hn, struct hatcp_flow *f,
			    struct sk_buff *skb, const struct gate *g)
{
	const struct replica_cb *cb = rcb(skb);
	unsigned int hl = ip_hdrlen(skb) + tcp_hdrlen(skb);
	struct sk_buff *nskb = skb_copy(skb, GFP_ATOMIC);
	struct iphdr *iph;
	struct tcphdr *th;

	if (!nskb)
		return;
	__skb_trim(nskb, hl);
	skb_gso_reset(nskb);
	iph = ip_hdr(nskb);
	iph->tot_len = htons(hl);
	ip_send_check(iph);
	th = tcp_hdr(nskb);
	th->seq = htonl(g->rcv_nxt);
	th->ack_seq = htonl(ack_for(cb, g));
	th->fin = 0;
	th->syn = 0;
	th->psh = 0;
	if (ts_low(cb, g))
		put_unaligned_be32(g->ts_recent, (u8 *)th + cb->tsval_off);
	inject(hn, f, nskb, INJECT_OWN, NULL);
}

/*
 * Delivers what of @skb's ACK is new to the socket, cut to our snd_nxt.
 * True once all of it is delivered.
 */
static bool deliver_ack(struct hatcp_net *hn, struct hatcp_flow *f,
			struct sk_buff *skb, struct gate *g)
{
	const struct replica_cb *cb = rcb(skb);
	u32 wnd = (u32)cb->window << g->snd_wscale;
	u32 ack = ack_for(cb, g);

	/* New: bytes acknowledged, or a window opened (our sender waits). */
	if (after(ack, g->snd_una) || (g->window && wnd > g->snd_wnd)) {
		inject_ack_only(hn, f, skb, g);
		g->snd_una = ack;
		g->snd_wnd = wnd;
	}
	if (cb->has_ts && after(cb->tsval, g->ts_recent))
		g->ts_recent = cb->tsval;
	return !after(cb->ack, g->snd_nxt);
}

/* Injects what the shadow socket can take now; drops what it has. */
static void kick(struct hatcp_net *hn, struct hatcp_flow *f)
{
	unsigned long retry = msecs_to_jiffies(INJECT_RETRY_MS);
	struct sk_buff *skb, *tmp;
	struct replica_cb *cb;
	bool blocked = false;
	struct gate g;
	u32 next;

	if (skb_queue_empty_lockless(&f->queue) || !gate_read(f, &g))
		return;
	spin_lock_bh(&f->lock);
	next = g.rcv_nxt;
	skb_queue_walk_safe(&f->queue, skb, tmp) {
		cb = rcb(skb);
		/*
		 * ACKs go in as far as our application has caught up, holes
		 * or not; the rest waits, queued, for it to catch up.
		 */
		if (!cb->has_seq && !cb->rst) {
			if (!cb->has_ack || deliver_ack(hn, f, skb, &g))
				dequeue(hn, f, skb);
			continue;
		}
		if (cb->has_seq && !after(cb->end_seq, g.rcv_nxt)) {
			if (!cb->ack_pending || deliver_ack(hn, f, skb, &g))
				dequeue(hn, f, skb);
			continue;
		}
		/*
		 * Data that cannot go in yet: a hole before it, a FIN our
		 * application is not ready for (closing early would take our
		 * socket through LAST_ACK where the primary's goes through
		 * TIME_WAIT), or no room until our application reads. Its
		 * ACK and window still go in, or our application, waiting
		 * to send before it reads again, would wait for ever.
		 */
		if (blocked || after(cb->seq, next) ||
		    (cb->fin && cb->has_ack && after(cb->ack, g.snd_nxt)) ||
		    (g.window && cb->has_seq &&
		     (!g.room || !before(cb->seq, g.wnd_right)))) {
			blocked = true;
			if (cb->has_ack)
				deliver_ack(hn, f, skb, &g);
			continue;
		}
		if (!cb->injected || time_after(jiffies,
						cb->injected_at + retry)) {
			if (cb->injected)
				hatcp_count(hn, HATCP_STATS_A_REPL_RETRIED);
			inject(hn, f, skb, INJECT_COPY, &g);
			cb->injected = true;
			cb->injected_at = jiffies;
			if (cb->has_ack && after(cb->ack, g.snd_nxt))
				cb->ack_pending = true;
			/* What follows it must not go backwards either. */
			if (cb->has_ack && after(ack_for(cb, &g), g.snd_una))
				g.snd_una = ack_for(cb, &g);
			if (cb->has_ts && after(cb->tsval, g.ts_recent))
				g.ts_recent = cb->tsval;
		}
		if (!cb->has_seq) {
			dequeue(hn, f, skb);	/* pure ACK, RST: once */
			continue;
		}
		if (after(cb->end_seq, next))
			next = cb->end_seq;
	}
	spin_unlock_bh(&f->lock);
}

/* Sorted insert; false if the same segment is already queued. */
static bool enqueue(struct hatcp_net *hn, struct hatcp_flow *f,
		    struct sk_buff *skb)
{
	struct replica_cb *cb = rcb(skb), *o;
	struct sk_buff *pos;

	skb_queue_reverse_walk(&f->queue, pos) {
		o = rcb(pos);
		if (o->seq == cb->seq && o->end_seq == cb->end_seq &&
		    o->ack == cb->ack)
			return false;
		if (!after(o->seq, cb->seq))
			break;
	}
	/* @pos is the last entry at or before ours, or the list head. */
	__skb_queue_after(&f->queue, pos, skb);
	f->queued_bytes += skb->len;
	atomic64_inc(hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_SEGS));
	atomic64_add(skb->len, hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_BYTES));
	if (cb->has_seq && (!f->rcv_high_valid ||
			    after(cb->end_seq, f->rcv_high))) {
		f->rcv_high = cb->end_seq;
		f->rcv_high_valid = true;
	}
	if (cb->has_ack && (!f->ack_high_valid || after(cb->ack, f->ack_high))) {
		f->ack_high = cb->ack;
		f->ack_high_valid = true;
	}
	return true;
}

/* Fills @skb's cb from its headers; false if its options do not parse. */
static bool segment_parse(struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct replica_cb *cb = rcb(skb);
	struct hatcp_tcpopt opt;
	unsigned int datalen;

	if (hatcp_tcpopt_parse(skb, ip_hdrlen(skb), th, &opt))
		return false;
	datalen = skb->len - ip_hdrlen(skb) - th->doff * 4;
	memset(cb, 0, sizeof(*cb));
	cb->has_ts = opt.ts;
	cb->tsval = opt.tsval;
	cb->tsval_off = opt.tsval_off;
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + datalen + th->syn + th->fin;
	cb->ack = ntohl(th->ack_seq);
	cb->has_ack = th->ack;
	cb->rst = th->rst;
	cb->window = ntohs(th->window);
	cb->fin = th->fin;
	cb->has_seq = cb->end_seq != cb->seq;
	return true;
}

enum queue_result { QUEUED, DUPLICATE, QUEUE_FULL, FLOW_GONE };

/* Takes @skb into @f's queue within the bounds; if QUEUED the queue owns it. */
static enum queue_result queue_segment(struct hatcp_net *hn,
				       struct hatcp_flow *f,
				       struct sk_buff *skb)
{
	enum queue_result res;
	bool src_full = false;

	spin_lock_bh(&f->lock);
	if (f->dead) {
		res = FLOW_GONE;
	} else if (f->queued_bytes + skb->len > hatcp_queue_flow_max() ||
		   atomic64_read(hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_BYTES)) +
		   skb->len > hatcp_queue_net_max()) {
		res = QUEUE_FULL;
	} else if (!hatcp_src_charge(hn, f->saddr, skb->len)) {
		res = QUEUE_FULL;
		src_full = true;
	} else {
		res = enqueue(hn, f, skb) ? QUEUED : DUPLICATE;
	}
	if (res == DUPLICATE)
		hatcp_src_uncharge(hn, f->saddr, skb->len);
	if (res != FLOW_GONE)
		f->last_seen = jiffies;
	spin_unlock_bh(&f->lock);
	if (res == QUEUED)
		hatcp_count(hn, HATCP_STATS_A_REPL_QUEUED);
	else if (res == DUPLICATE)
		hatcp_count(hn, HATCP_STATS_A_REPL_DUPLICATE);
	else if (res == QUEUE_FULL)
		hatcp_count(hn, src_full ? HATCP_STATS_A_REPL_SOURCE_FULL :
				HATCP_STATS_A_REPL_QUEUE_FULL);
	return res;
}

/* A promoted flow has drained once nothing waits and we caught up. */
static void drain_check(struct hatcp_net *hn, struct hatcp_flow *f,
			const struct gate *g)
{
	bool done = false;

	spin_lock_bh(&f->lock);
	if (f->draining && skb_queue_empty(&f->queue) &&
	    (!f->ack_high_valid || !after(f->ack_high, g->snd_nxt))) {
		f->draining = false;
		done = true;
	}
	spin_unlock_bh(&f->lock);
	if (done)
		atomic64_dec(hatcp_dp_stat(hn, HATCP_STATS_A_DRAIN_FLOWS));
}

/* After a promotion: drains what @f has queued, as far as it can go now. */
void hatcp_replica_kick(struct hatcp_net *hn, struct hatcp_flow *f)
{
	struct gate g;

	kick(hn, f);
	if (READ_ONCE(f->draining) && gate_read(f, &g))
		drain_check(hn, f, &g);
}

/*
 * A client segment, straight from the wire, of a flow we served as the
 * replica until a promotion. The client may acknowledge bytes the old
 * primary sent and our application has not written again yet: that ACK is
 * cut to our snd_nxt, or tcp_ack() would discard the segment, data and
 * all, and a zero-window probe would go unanswered. Unlike on the replica
 * nothing is lost by the cut: our socket's egress reaches the client now,
 * and the client answers each segment we (re)send with its full ACK.
 * What the old primary had acknowledged still drains from the queue.
 */
unsigned int hatcp_replica_drain_in(struct hatcp_net *hn,
				    struct hatcp_flow *f, struct sk_buff *skb)
{
	unsigned int thoff = ip_hdrlen(skb);
	struct tcphdr *th;
	__be32 cut;
	struct gate g;
	u32 ack;

	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return NF_ACCEPT;	/* our stack drops it */
	th = (struct tcphdr *)(skb->data + thoff);
	if (!gate_read(f, &g)) {
		/* No socket left to feed: our stack answers for itself. */
		hatcp_flow_remove(f);
		return NF_ACCEPT;
	}
	ack = ntohl(th->ack_seq);
	if (th->ack) {
		spin_lock_bh(&f->lock);
		if (!f->ack_high_valid || after(ack, f->ack_high)) {
			f->ack_high = ack;
			f->ack_high_valid = true;
		}
		spin_unlock_bh(&f->lock);
	}
	if (th->ack && after(ack, g.snd_nxt)) {
		if (skb_ensure_writable(skb, thoff + sizeof(*th)))
			return NF_DROP;		/* the client resends it */
		th = (struct tcphdr *)(skb->data + thoff);
		cut = htonl(g.snd_nxt);
		inet_proto_csum_replace4(&th->check, skb, th->ack_seq, cut,
					 false);
		th->ack_seq = cut;
		hatcp_count(hn, HATCP_STATS_A_DRAIN_ACK_CUT);
	}
	hatcp_replica_kick(hn, f);
	return NF_ACCEPT;
}

/*
 * The end of @skb's sequence space, from @th, its TCP header: the IP
 * layer has trimmed @skb to its packet (GRO: the whole aggregate).
 */
static u32 seg_end_seq(const struct sk_buff *skb, const struct tcphdr *th)
{
	return ntohl(th->seq) + skb->len - ip_hdrlen(skb) - th->doff * 4 +
	       th->syn + th->fin;
}

/*
 * Whether the old primary sent us @skb's bytes before a promotion made us
 * the primary: then our new replica, that old primary, has them too.
 */
bool hatcp_replica_had(struct hatcp_flow *f, const struct sk_buff *skb,
		       const struct tcphdr *th)
{
	u32 seq = ntohl(th->seq), end = seg_end_seq(skb, th);
	bool had;

	spin_lock_bh(&f->lock);
	had = end != seq && f->rcv_high_valid && !after(end, f->rcv_high);
	spin_unlock_bh(&f->lock);
	return had;
}

/*
 * A demotion keeps @f as a replica flow: @skb, a client segment it held
 * as the primary, joins its queue as if the new primary had sent it.
 * False if it cannot (the caller frees @skb); the queue owns it otherwise.
 */
bool hatcp_replica_adopt(struct hatcp_net *hn, struct hatcp_flow *f,
			 struct sk_buff *skb)
{
	unsigned int thoff = ip_hdrlen(skb);

	if (!pskb_may_pull(skb, thoff + sizeof(struct tcphdr)) ||
	    !pskb_may_pull(skb, thoff + tcp_hdr(skb)->doff * 4))
		return false;
	skb_orphan(skb);
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	if (!segment_parse(skb))
		return false;
	switch (queue_segment(hn, f, skb)) {
	case QUEUED:
		return true;
	case DUPLICATE:
		consume_skb(skb);
		return true;
	default:
		return false;
	}
}

static void replica_segment(struct hatcp_net *hn, u64 msg_id,
			    struct sk_buff *skb, const struct hatcp_body *body)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct hatcp_flow *f;

	f = hatcp_flow_find(hn, iph->saddr, th->source, iph->daddr, th->dest);
	if (f && f->role == HATCP_ROLE_PRIMARY) {
		/* A demotion is making it ours: answered when it is resent. */
		kfree_skb(skb);
		return;
	}
	if (!f || READ_ONCE(f->phase) != HATCP_PHASE_ALIGNED) {
		hatcp_count(hn, HATCP_STATS_A_REPL_UNKNOWN_FLOW);
		kfree_skb(skb);
		send_ack(hn, msg_id, HATCP_ACK_UNKNOWN);
		return;
	}
	if (!segment_parse(skb)) {
		hatcp_count(hn, HATCP_STATS_A_REPL_BAD_SEGMENT);
		kfree_skb(skb);
		return;
	}
	hatcp_body_gso_to(skb, body);
	switch (queue_segment(hn, f, skb)) {
	case FLOW_GONE:
		kfree_skb(skb);
		send_ack(hn, msg_id, HATCP_ACK_UNKNOWN);
		return;
	case QUEUE_FULL:
		/* Unacknowledged: the primary drops it, the client resends. */
		kfree_skb(skb);
		break;
	case DUPLICATE:
		consume_skb(skb);
		fallthrough;
	case QUEUED:
		send_ack(hn, msg_id, HATCP_ACK_OK);
		break;
	}
	kick(hn, f);
}

/* The device the client's packets would arrive on: the route back. */
int hatcp_replica_client_ifindex(struct hatcp_net *hn, __be32 client,
				 __be32 vip)
{
	struct flowi4 fl4 = {
		.daddr = client,
		.saddr = vip,
		.flowi4_proto = IPPROTO_TCP,
	};
	struct rtable *rt = ip_route_output_key(hn->net, &fl4);
	int ifindex;

	if (IS_ERR(rt))
		return 0;
	ifindex = rt->dst.dev->ifindex;
	ip_rt_put(rt);
	return ifindex;
}

static void replica_syn(struct hatcp_net *hn, u64 msg_id, struct sk_buff *skb,
			const struct hatcp_body *body)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct hatcp_flow *f;
	int ifindex;

	if (!th->syn || th->ack)
		goto bad;
	f = hatcp_flow_find(hn, iph->saddr, th->source, iph->daddr, th->dest);
	if (f && f->params.isn != ntohl(body->isn)) {
		/* A new connection on the 4-tuple of a finished one. */
		hatcp_flow_remove(f);
		f = NULL;
	}
	if (f && READ_ONCE(f->phase) == HATCP_PHASE_ALIGNED) {
		consume_skb(skb);
		send_ack(hn, msg_id, HATCP_ACK_OK);
		return;
	}
	ifindex = hatcp_replica_client_ifindex(hn, iph->saddr, iph->daddr);
	if (!f)
		f = hatcp_flow_create(hn, iph->saddr, th->source, iph->daddr,
				      th->dest, HATCP_ROLE_REPLICA);
	if (!f || !ifindex || READ_ONCE(f->phase) != HATCP_PHASE_SYN) {
		if (f)
			hatcp_flow_unprotect(f, HATCP_UNPROT_REFUSED);
		else
			hatcp_flow_count_unprotected(hn,
						     HATCP_UNPROT_TABLE_FULL);
		hatcp_count(hn, HATCP_STATS_A_REPL_ALIGN_FAILED);
		kfree_skb(skb);
		send_ack(hn, msg_id, HATCP_ACK_REFUSED);
		return;
	}
	spin_lock_bh(&f->lock);
	f->params.isn = ntohl(body->isn);
	f->params.tsval = ntohl(body->tsval);
	f->params.rcv_wscale = body->rcv_wscale;
	f->params.opts = body->opts;
	f->syn_msg_id = msg_id;
	WRITE_ONCE(f->ifindex, ifindex);
	f->last_seen = jiffies;
	spin_unlock_bh(&f->lock);
	/* Our listener answers with a SYN-ACK, which hatcp_replica_out aligns. */
	inject(hn, f, skb, INJECT_OWN, NULL);
	return;
bad:
	hatcp_count(hn, HATCP_STATS_A_REPL_BAD_SEGMENT);
	kfree_skb(skb);
}

/* A body is a client IPv4 TCP packet, whole; anything else is refused. */
static bool packet_ok(struct sk_buff *skb)
{
	const struct iphdr *iph;
	const struct tcphdr *th;
	unsigned int ihl;

	if (skb->len < sizeof(*iph) + sizeof(*th))
		return false;
	iph = (const struct iphdr *)skb->data;
	ihl = iph->ihl * 4;
	if (iph->version != 4 || ihl < sizeof(*iph) ||
	    ntohs(iph->tot_len) != skb->len || iph->protocol != IPPROTO_TCP ||
	    ip_is_fragment(iph) || skb->len < ihl + sizeof(*th))
		return false;
	th = (const struct tcphdr *)(skb->data + ihl);
	return th->doff * 4 >= sizeof(*th) && skb->len >= ihl + th->doff * 4;
}

/* A whole body from the channel; consumes @skb. */
void hatcp_replica_rx_body(struct hatcp_net *hn, u64 msg_id,
			   struct sk_buff *skb)
{
	struct hatcp_body body;
	const struct iphdr *iph;
	const struct tcphdr *th;

	memcpy(&body, skb->data, sizeof(body));
	__skb_pull(skb, sizeof(body));
	if ((body.kind != HATCP_BODY_SEGMENT && body.kind != HATCP_BODY_SYN &&
	     body.kind != HATCP_BODY_FORWARD) || !packet_ok(skb)) {
		hatcp_count(hn, HATCP_STATS_A_REPL_BAD_SEGMENT);
		kfree_skb(skb);
		return;
	}
	if (body.kind == HATCP_BODY_FORWARD) {
		hatcp_forward_rx(hn, skb, &body);
		return;
	}
	if (READ_ONCE(hn->role) != HATCP_ROLE_REPLICA) {
		hatcp_count(hn, HATCP_STATS_A_CHAN_DROP_UNEXPECTED);
		kfree_skb(skb);
		return;
	}
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, ip_hdrlen(skb));
	iph = ip_hdr(skb);
	th = tcp_hdr(skb);
	if (!hatcp_policy_match(hn, iph->daddr, ntohs(th->dest))) {
		hatcp_count(hn, HATCP_STATS_A_REPL_UNKNOWN_FLOW);
		kfree_skb(skb);
		send_ack(hn, msg_id, body.kind == HATCP_BODY_SYN ?
			 HATCP_ACK_REFUSED : HATCP_ACK_UNKNOWN);
		return;
	}
	if (body.kind == HATCP_BODY_SYN)
		replica_syn(hn, msg_id, skb, &body);
	else
		replica_segment(hn, msg_id, skb, &body);
}

static bool opts_match(const struct inet_request_sock *ireq, u8 opts)
{
	return ireq->tstamp_ok == !!(opts & HATCP_SYN_OPT_TS) &&
	       ireq->sack_ok == !!(opts & HATCP_SYN_OPT_SACK) &&
	       ireq->wscale_ok == !!(opts & HATCP_SYN_OPT_WSCALE) &&
	       ireq->ecn_ok == !!(opts & HATCP_SYN_OPT_ECN);
}

/*
 * Makes our request sock the twin of the primary's, which the child
 * socket then inherits: same ISN, window scale, and a TSval clock a
 * margin ahead of the primary's (never behind it: PAWS at the client).
 */
static void align(struct hatcp_net *hn, struct hatcp_flow *f,
		  struct sk_buff *skb, const struct tcphdr *th)
{
	struct request_sock *req = inet_reqsk(skb->sk);
	struct inet_request_sock *ireq = inet_rsk(req);
	struct tcp_request_sock *treq = tcp_rsk(req);
	struct hatcp_syn_params p;
	struct hatcp_tcpopt opt;
	bool claimed;
	u64 msg_id;

	/*
	 * Claimed under the lock: a retransmitted SYN-ACK of the same
	 * request sock may leave on another CPU at the same time, and a
	 * second pass would move ts_off twice.
	 */
	spin_lock_bh(&f->lock);
	claimed = f->phase == HATCP_PHASE_SYN && !f->dead;
	if (claimed)
		WRITE_ONCE(f->phase, HATCP_PHASE_ALIGNED);
	p = f->params;
	msg_id = f->syn_msg_id;
	spin_unlock_bh(&f->lock);
	if (!claimed)
		return;

	if (!opts_match(ireq, p.opts) ||
	    hatcp_tcpopt_parse(skb, ip_hdrlen(skb), th, &opt) ||
	    opt.ts != !!(p.opts & HATCP_SYN_OPT_TS)) {
		hatcp_count(hn, HATCP_STATS_A_REPL_ALIGN_FAILED);
		hatcp_flow_unprotect(f, HATCP_UNPROT_REFUSED);
		send_ack(hn, msg_id, HATCP_ACK_REFUSED);
		return;
	}
	treq->snt_isn = p.isn;
	if (opt.ts)
		treq->ts_off += p.tsval - opt.tsval + TS_MARGIN_MS;
	if (ireq->wscale_ok)
		ireq->rcv_wscale = p.rcv_wscale;
	hatcp_count(hn, HATCP_STATS_A_FLOWS_PROTECTED);
	send_ack(hn, msg_id, HATCP_ACK_OK);
}

/*
 * A shadow socket's segments never reach the wire, so its congestion
 * window means nothing: the primary's governs the client. Left alone, it
 * would collapse after an RTO while our application lagged, and then
 * snd_nxt could not reach the client's ACKs, which wait for snd_nxt: a
 * deadlock. Its owner is transmitting, so we may write it.
 */
static void shadow_uncongest(struct sock *sk)
{
	struct tcp_sock *tp;

	if (!sk || !sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP)
		return;
	tp = tcp_sk(sk);
	if (tcp_snd_cwnd(tp) < SHADOW_CWND)
		tcp_snd_cwnd_set(tp, SHADOW_CWND);
}

/*
 * New client bytes from the wire, not for our socket yet (below): sent on
 * to the peer if it serves (forward.c), and kept for our promotion if
 * keepalived has given us the VIP and the peer did not take them or has
 * been quiet for over a heartbeat (it may have died since its last said
 * primary). False: neither, dropped.
 */
static bool pass_on(struct hatcp_net *hn, struct sk_buff *skb)
{
	bool sent = hatcp_forward_send(hn, skb);

	if (skb->dev && hatcp_vip_on(hn, skb->dev) &&
	    (!sent || !hatcp_chan_peer_heard(hn, 1)))
		return hatcp_forward_keep(hn, skb, sent) || sent;
	return sent;
}

/*
 * A client segment straight from the wire, at a replica: the VIP is
 * moving to us, or a switch floods. Bytes the primary never saw must not
 * reach our socket while the primary, or the old primary we will
 * replicate to, lives: our socket would then hold bytes its twin lacks,
 * and once we serve, we would acknowledge them and the client would never
 * send them again. So they go elsewhere (pass_on) or are dropped (the
 * client sends them again, to whoever serves then), unless we have them
 * from the primary too, queued (our own injections are those). ACKs and
 * RSTs carry no bytes: they pass. With no live peer there is no twin to
 * keep in step: all passes.
 */
unsigned int hatcp_replica_in(struct hatcp_net *hn, struct sk_buff *skb,
			      const struct iphdr *iph, const struct tcphdr *th)
{
	u32 seq = ntohl(th->seq), end = seg_end_seq(skb, th);
	struct replica_cb *cb;
	struct hatcp_flow *f;
	struct sk_buff *q;
	bool ours = false;
	struct gate g;

	if (end == seq || th->rst)
		return NF_ACCEPT;
	f = hatcp_flow_find(hn, iph->saddr, th->source, iph->daddr, th->dest);
	/* Established twins only; a role change may be converting them. */
	if (!f || !READ_ONCE(f->protected) ||
	    (READ_ONCE(f->phase) != HATCP_PHASE_ALIGNED &&
	     READ_ONCE(f->phase) != HATCP_PHASE_OPEN) ||
	    !hatcp_chan_peer_alive(hn))
		return NF_ACCEPT;
	spin_lock_bh(&f->lock);
	/* By sequence: what we inject lies at the front. */
	skb_queue_walk(&f->queue, q) {
		cb = rcb(q);
		if (after(cb->seq, seq))
			break;
		if (cb->seq == seq && cb->end_seq == end) {
			ours = true;
			break;
		}
	}
	spin_unlock_bh(&f->lock);
	if (ours)
		return NF_ACCEPT;
	/*
	 * Bytes go on to the peer (forward.c). Ones our socket has had were
	 * the primary's first (a client's retransmission, or a late second
	 * copy of one we injected): nothing is lost without them, they go
	 * on so that the primary acknowledges them again, and are counted as
	 * duplicates if they cannot. New bytes that cannot are dropped.
	 */
	if (!gate_read(f, &g))
		hatcp_count(hn, HATCP_STATS_A_REPL_WIRE_DROP);
	else if (!pass_on(hn, skb))
		hatcp_count(hn, after(end, g.rcv_nxt) ?
				HATCP_STATS_A_REPL_WIRE_DROP :
				HATCP_STATS_A_REPL_DUPLICATE);
	return NF_DROP;
}

/* Every egress segment of a protected service is ours to swallow. */
unsigned int hatcp_replica_out(struct hatcp_net *hn, struct sk_buff *skb,
			       const struct iphdr *iph,
			       const struct tcphdr *th)
{
	struct hatcp_flow *f;

	if (!hatcp_policy_match(hn, iph->saddr, ntohs(th->source)))
		return NF_ACCEPT;
	f = hatcp_flow_find(hn, iph->daddr, th->dest, iph->saddr, th->source);
	if (f && READ_ONCE(f->phase) == HATCP_PHASE_SYN && !f->dead) {
		if (th->syn && th->ack && skb->sk &&
		    skb->sk->sk_state == TCP_NEW_SYN_RECV) {
			align(hn, f, skb, th);
		} else if (th->rst) {
			/* No listener here: the primary goes on alone. */
			hatcp_count(hn, HATCP_STATS_A_REPL_ALIGN_FAILED);
			hatcp_flow_unprotect(f, HATCP_UNPROT_REFUSED);
			send_ack(hn, f->syn_msg_id, HATCP_ACK_REFUSED);
		}
	}
	shadow_uncongest(skb->sk);
	hatcp_count(hn, HATCP_STATS_A_REPL_SUPPRESSED);
	/* Stolen, not dropped: NF_DROP would be an error for TCP. */
	consume_skb(skb);
	/* Our application moved on: what waited for it may go in. */
	if (f)
		kick(hn, f);
	return NF_STOLEN;
}

static bool is_replica_flow(const struct hatcp_flow *f)
{
	return f->role == HATCP_ROLE_REPLICA;
}

/*
 * The peer is reachable again after we lost it. A primary that loses its
 * replica unprotects every flow for good (primary.c), so every shadow we
 * keep is stale: it will never hear of its connection again, and if we
 * were promoted later it would serve the client a stream that stopped
 * when the channel did. Its application gets ECONNABORTED now instead
 * (the RST it would send is suppressed, as all our egress is).
 */
void hatcp_replica_forget_stale(struct work_struct *work)
{
	struct hatcp_net *hn = container_of(work, struct hatcp_net,
					    chan.stale_work);
	struct hatcp_flow *f, *tmp;
	struct sock *sk;
	LIST_HEAD(list);

	mutex_lock(&hn->lock);
	if (hn->role != HATCP_ROLE_REPLICA)
		goto out;
	hatcp_flows_collect(hn, is_replica_flow, &list);
	list_for_each_entry_safe(f, tmp, &list, batch_node) {
		list_del(&f->batch_node);
		hatcp_flow_remove(f);
		sk = hatcp_flow_sock(f);
		if (sk) {
			if (sk_fullsock(sk)) {
				tcp_abort(sk, ECONNABORTED);
				hatcp_count(hn, HATCP_STATS_A_REPL_STALE_ABORTED);
			}
			sock_gen_put(sk);
		}
		hatcp_flow_put(f);
	}
out:
	mutex_unlock(&hn->lock);
}

/* From the data-path timer: retries, and queues no egress woke up. */
void hatcp_replica_tick(struct hatcp_net *hn)
{
	struct hatcp_flow *f;
	unsigned int b;

	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node)
		if (!skb_queue_empty_lockless(&f->queue) ||
		    READ_ONCE(f->draining))
			hatcp_replica_kick(hn, f);
	rcu_read_unlock();
}
