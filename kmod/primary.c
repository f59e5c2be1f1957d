// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the primary's half of the data path. Every ingress segment of a
 * protected flow that carries sequence space (data, SYN, FIN, RST) is sent
 * to the replica and held; it enters our stack only when the replica says
 * it has it. So the client is never acknowledged a byte the replica lacks.
 * Pure ACKs are sent but not held: they carry no bytes, and a lost one is
 * superseded by the next, since ACKs are cumulative.
 *
 * The SYN enters our stack at once; our SYN-ACK is held instead, and the
 * SYN goes to the replica with the SYN-ACK's ISN, TSval and options, so
 * the replica can make its request sock the twin of ours.
 *
 * A message not answered within RESEND_MS is sent again, with the same id:
 * one lost fragment loses its whole body, so on a lossy channel waiting
 * for the client's RTO alone would stall the flow. The replica merges the
 * fragments of all copies and acknowledges duplicates again.
 * Without an answer a held segment is dropped after HOLD_TIMEOUT_MS (the
 * client retransmits) and a held SYN-ACK is sent unprotected; a flow whose
 * segments time out HOLD_TIMEOUTS_MAX times in a row, or whose replica
 * refuses it, or whose peer stops answering, goes unprotected.
 */
#include <linux/ip.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/netfilter/nf_queue.h>
#include <net/tcp.h>
#include "bounds.h"
#include "channel.h"
#include "datapath.h"
#include "flow.h"
#include "memcg.h"
#include "primary.h"
#include "replica.h"
#include "tcpopt.h"

#define HOLD_TIMEOUT_MS		1000
#define RESEND_MS		200
#define HOLD_TIMEOUTS_MAX	5
#define SYN_MAX_BYTES		1500

struct hatcp_held {
	struct list_head fifo;
	struct hlist_node by_id;
	u64 msg_id;
	unsigned long deadline;
	unsigned long sent_at;
	struct hatcp_flow *flow;	/* a reference */
	struct sk_buff *skb;
	struct nf_hook_state state;
	struct hatcp_body body;
	u8 *buf;			/* SYN-ACK: the SYN sent in its place */
	unsigned int buf_len;
	unsigned int len;
	bool synack;
};

static void held_unlink(struct hatcp_net *hn, struct hatcp_held *h)
{
	struct hatcp_flow *f = h->flow;

	list_del(&h->fifo);
	hash_del(&h->by_id);
	hn->hold.bytes -= h->len;
	WRITE_ONCE(f->held_segs, f->held_segs - 1);
	f->held_bytes -= h->len;
	atomic64_dec(hatcp_dp_stat(hn, HATCP_STATS_A_HELD_SEGS));
	atomic64_sub(h->len, hatcp_dp_stat(hn, HATCP_STATS_A_HELD_BYTES));
}

static void held_free(struct hatcp_held *h)
{
	kfree(h->buf);
	hatcp_flow_put(h->flow);
	kfree(h);
	hatcp_obj_put();
}

/*
 * Lets a held packet go on through the hooks after ours; a client segment
 * of a flow still draining after a promotion goes through its gate first.
 */
static void held_release(struct hatcp_net *hn, struct hatcp_held *h)
{
	if (h->state.hook == NF_INET_LOCAL_IN && READ_ONCE(h->flow->draining) &&
	    hatcp_replica_drain_in(hn, h->flow, h->skb) != NF_ACCEPT)
		kfree_skb(h->skb);
	else
		hatcp_dp_resume(hn, h->skb, &h->state);
	hatcp_count(hn, HATCP_STATS_A_SEG_RELEASED);
	held_free(h);
}

static void held_drop(struct hatcp_held *h)
{
	kfree_skb(h->skb);
	held_free(h);
}

/* Moves every held segment of @f (all if NULL) to @out, oldest first. */
static void hold_take(struct hatcp_net *hn, struct hatcp_flow *f,
		      struct list_head *out)
{
	struct hatcp_held *h, *tmp;

	spin_lock_bh(&hn->hold.lock);
	list_for_each_entry_safe(h, tmp, &hn->hold.fifo, fifo) {
		if (f && h->flow != f)
			continue;
		held_unlink(hn, h);
		list_add_tail(&h->fifo, out);
	}
	spin_unlock_bh(&hn->hold.lock);
}

static void release_list(struct hatcp_net *hn, struct list_head *list)
{
	struct hatcp_held *h, *tmp;

	list_for_each_entry_safe(h, tmp, list, fifo) {
		list_del(&h->fifo);
		held_release(hn, h);
	}
}

/* @f is unprotected from now on: what it holds goes into our stack. */
static void unprotect(struct hatcp_net *hn, struct hatcp_flow *f,
		      enum hatcp_unprot_reason reason)
{
	struct hatcp_held *h;
	LIST_HEAD(list);

	hatcp_flow_unprotect(f, reason);
	hold_take(hn, f, &list);
	/* What a dead replica would otherwise have held to its timeout. */
	if (reason == HATCP_UNPROT_NO_PEER)
		list_for_each_entry(h, &list, fifo)
			hatcp_count(hn, HATCP_STATS_A_SEG_RELEASED_NO_PEER);
	release_list(hn, &list);
}

/* (Re)sends what @h holds; under RCU. */
static int held_send(struct hatcp_net *hn, struct hatcp_held *h)
{
	h->sent_at = jiffies;
	if (h->buf)
		return hatcp_chan_send_body(hn, h->msg_id, &h->body, NULL,
					    h->buf, h->buf_len);
	return hatcp_chan_send_body(hn, h->msg_id, &h->body, h->skb, NULL,
				    h->len);
}

/*
 * Holds @skb under a new message id, then sends its copy (@body, then
 * @buf if given, else @skb itself). NF_STOLEN, or NF_DROP when the bound
 * is reached or the copy cannot be sent: the client retransmits, as after
 * any loss. NF_ACCEPT, the flow unprotected, when no copy can be made or
 * sent. Takes @buf.
 */
static unsigned int hold_and_send(struct hatcp_net *hn, struct hatcp_flow *f,
				  struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  const struct hatcp_body *body,
				  u8 *buf, unsigned int buf_len)
{
	struct hatcp_hold *hold = &hn->hold;
	unsigned int len = skb->len;
	struct mem_cgroup *memcg;
	struct hatcp_held *h;
	bool sent;
	int err;

	if (!skb_dst_force(skb)) {
		kfree(buf);
		return NF_DROP;
	}
	memcg = hatcp_charge_begin(hn);
	h = kmalloc(sizeof(*h), HATCP_GFP);
	hatcp_charge_end(memcg);
	if (!h) {
		kfree(buf);
		hatcp_count(hn, HATCP_STATS_A_SEG_SEND_FAILED);
		unprotect(hn, f, HATCP_UNPROT_SEND_FAILED);
		return NF_ACCEPT;
	}
	h->msg_id = atomic64_inc_return(&hold->next_id);
	h->deadline = jiffies + msecs_to_jiffies(HOLD_TIMEOUT_MS);
	h->flow = f;
	h->skb = skb;
	h->state = *state;
	h->body = *body;
	h->buf = buf;
	h->buf_len = buf_len;
	h->len = len;
	h->synack = body->kind == HATCP_BODY_SYN;

	spin_lock_bh(&hold->lock);
	if (f->held_bytes + len > hatcp_hold_flow_max() ||
	    hold->bytes + len > hatcp_hold_net_max()) {
		spin_unlock_bh(&hold->lock);
		kfree(buf);
		kfree(h);
		hatcp_count(hn, HATCP_STATS_A_SEG_HOLD_FULL);
		return NF_DROP;
	}
	hatcp_obj_get();
	hatcp_flow_get(f);
	list_add_tail(&h->fifo, &hold->fifo);
	hash_add(hold->by_id, &h->by_id, h->msg_id);
	hold->bytes += len;
	WRITE_ONCE(f->held_segs, f->held_segs + 1);
	f->held_bytes += len;
	atomic64_inc(hatcp_dp_stat(hn, HATCP_STATS_A_HELD_SEGS));
	atomic64_add(len, hatcp_dp_stat(hn, HATCP_STATS_A_HELD_BYTES));
	/* Sent under the lock: the ack cannot free @h under our feet. */
	rcu_read_lock();
	err = held_send(hn, h);
	rcu_read_unlock();
	sent = !err;
	if (!sent)
		held_unlink(hn, h);
	spin_unlock_bh(&hold->lock);
	if (sent) {
		hatcp_count(hn, HATCP_STATS_A_SEG_REPLICATED);
		return NF_STOLEN;
	}
	hatcp_count(hn, HATCP_STATS_A_SEG_SEND_FAILED);
	h->skb = NULL;
	held_free(h);
	/*
	 * A copy the channel cannot carry (no route, an MTU too small, no
	 * memory) would fail again on the client's retransmission, and a
	 * SYN-ACK dropped for ever refuses the client: the flow goes on
	 * unprotected, with its reason, and @skb with it.
	 */
	unprotect(hn, f, HATCP_UNPROT_SEND_FAILED);
	return NF_ACCEPT;
}

/* A copy of a pure ACK; the original goes on at once. */
static void send_ack_copy(struct hatcp_net *hn, struct sk_buff *skb)
{
	struct hatcp_body body = { .kind = HATCP_BODY_SEGMENT };
	u64 id = atomic64_inc_return(&hn->hold.next_id);

	rcu_read_lock();
	if (!hatcp_chan_send_body(hn, id, &body, skb, NULL, skb->len))
		hatcp_count(hn, HATCP_STATS_A_SEG_REPLICATED);
	rcu_read_unlock();
}

/* The flow's connection still has a socket here, and not in TIME_WAIT. */
static bool primary_conn_live(struct hatcp_flow *f)
{
	struct sock *sk = hatcp_flow_sock(f);
	bool live;

	if (!sk)
		return false;
	live = sk_fullsock(sk);
	sock_gen_put(sk);
	return live;
}

/* Stores the client's SYN in @f, unless @f has left the table. */
static bool flow_take_syn(struct hatcp_flow *f, u8 *syn, unsigned int len)
{
	bool live;

	spin_lock_bh(&f->lock);
	live = !f->dead;
	if (live) {
		kfree(f->syn);
		f->syn = syn;
		f->syn_len = len;
		f->last_seen = jiffies;
	}
	spin_unlock_bh(&f->lock);
	return live;
}

/* The flow of a client's SYN, or NULL (counted) when the table is full. */
static struct hatcp_flow *primary_flow_new(struct hatcp_net *hn,
					   struct sk_buff *skb,
					   const struct iphdr *iph,
					   const struct tcphdr *th)
{
	struct hatcp_flow *f;

	f = hatcp_flow_create(hn, iph->saddr, th->source, iph->daddr,
			      th->dest, HATCP_ROLE_PRIMARY);
	if (!f) {
		hatcp_flow_count_unprotected(hn, HATCP_UNPROT_TABLE_FULL);
		return NULL;
	}
	WRITE_ONCE(f->ifindex, inet_iif(skb));
	return f;
}

static unsigned int primary_syn(struct hatcp_net *hn, struct hatcp_flow *f,
				struct sk_buff *skb, const struct iphdr *iph,
				const struct tcphdr *th)
{
	struct mem_cgroup *memcg;
	struct hatcp_tcpopt opt;
	u8 *syn;

	/*
	 * A SYN on a flow past its handshake: a new connection on the
	 * 4-tuple if the last one is over, else a late copy of the first
	 * SYN, which the stack answers with a challenge ACK: the flow, and
	 * its twin at the replica, stay as they are.
	 */
	if (f && f->phase != HATCP_PHASE_SYN) {
		if (primary_conn_live(f))
			return NF_ACCEPT;
		hatcp_flow_remove(f);
		f = NULL;
	}
	if (!f) {
		f = primary_flow_new(hn, skb, iph, th);
		if (!f)
			return NF_ACCEPT;
	}
	if (!f->protected)
		return NF_ACCEPT;
	if (hatcp_tcpopt_parse(skb, ip_hdrlen(skb), th, &opt))
		return NF_ACCEPT;	/* our stack drops it */
	if (opt.md5) {
		unprotect(hn, f, HATCP_UNPROT_MD5);
		return NF_ACCEPT;
	}
	if (!hatcp_chan_peer_usable(hn)) {
		unprotect(hn, f, HATCP_UNPROT_NO_PEER);
		return NF_ACCEPT;
	}
	if (skb->len > SYN_MAX_BYTES)
		return NF_ACCEPT;	/* TFO data: the SYN-ACK decides */
	memcg = hatcp_charge_begin(hn);
	syn = kmalloc(skb->len, HATCP_GFP);
	hatcp_charge_end(memcg);
	if (!syn || skb_copy_bits(skb, 0, syn, skb->len)) {
		kfree(syn);
		return NF_DROP;
	}
	/*
	 * Expiry may have unlinked @f since we found it (its last SYN's
	 * request sock just went); a dead flow's SYN would leak, and its
	 * SYN-ACK find no flow. The 4-tuple then gets a new one, once.
	 */
	if (!flow_take_syn(f, syn, skb->len)) {
		f = primary_flow_new(hn, skb, iph, th);
		if (!f || !flow_take_syn(f, syn, skb->len))
			kfree(syn);
	}
	return NF_ACCEPT;
}

/* A flow we never saw begin: tracked, to be shown, but not replicated. */
static void primary_midstream(struct hatcp_net *hn, struct sk_buff *skb,
			      const struct iphdr *iph, const struct tcphdr *th)
{
	struct hatcp_flow *f;
	struct sock *sk;

	if (th->rst)
		return;
	sk = __inet_lookup_established(hn->net,
				       hn->net->ipv4.tcp_death_row.hashinfo,
				       iph->saddr, th->source, iph->daddr,
				       ntohs(th->dest), inet_iif(skb),
				       inet_sdif(skb));
	if (!sk)
		return;
	if (sk_fullsock(sk)) {
		f = hatcp_flow_create(hn, iph->saddr, th->source, iph->daddr,
				      th->dest, HATCP_ROLE_PRIMARY);
		if (f) {
			WRITE_ONCE(f->ifindex, inet_iif(skb));
			hatcp_flow_unprotect(f, HATCP_UNPROT_MIDSTREAM);
		}
	}
	sock_gen_put(sk);
}

enum window_verdict { WINDOW_IN, WINDOW_OLD, WINDOW_BEYOND };

/*
 * Where a segment of @payload bytes falls against our socket's receive
 * window, judged as tcp_sequence() will judge it. A WINDOW_OLD one brings
 * the stack nothing, not even its ACK, but the stack's answer to it (a
 * duplicate ACK) matters: keepalive probes are such segments. A
 * WINDOW_BEYOND one starts past the right edge. Reads race the stack, but
 * both edges only move right, so a stale verdict is only ever too lenient
 * about old segments and too strict about new ones: it costs a
 * retransmission, never a byte the replica lacks. Until the handshake
 * completes there is no window to judge by.
 */
static enum window_verdict primary_window(struct hatcp_flow *f,
					  const struct tcphdr *th,
					  unsigned int payload)
{
	u32 seq = ntohl(th->seq), end_seq = seq + payload + th->fin;
	enum window_verdict v = WINDOW_IN;
	const struct tcp_sock *tp;
	u32 rcv_nxt, wup, right;
	struct sock *sk;

	sk = hatcp_flow_sock(f);
	if (!sk)
		return WINDOW_IN;
	if (sk_fullsock(sk)) {
		tp = tcp_sk(sk);
		rcv_nxt = READ_ONCE(tp->rcv_nxt);
		wup = READ_ONCE(tp->rcv_wup);
		right = wup + READ_ONCE(tp->rcv_wnd);
		if (before(right, rcv_nxt))
			right = rcv_nxt;	/* tcp_receive_window() >= 0 */
		if (before(end_seq, wup))
			v = WINDOW_OLD;
		else if (after(seq, right))
			v = WINDOW_BEYOND;
	}
	sock_gen_put(sk);
	return v;
}

unsigned int hatcp_primary_in(struct hatcp_net *hn, struct sk_buff *skb,
			      const struct nf_hook_state *state,
			      const struct iphdr *iph, const struct tcphdr *th)
{
	struct hatcp_body body = { .kind = HATCP_BODY_SEGMENT };
	unsigned int thoff = ip_hdrlen(skb), payload;
	struct hatcp_flow *f;
	bool draining;

	f = hatcp_flow_find(hn, iph->saddr, th->source, iph->daddr, th->dest);
	if (th->syn && !th->ack)
		return primary_syn(hn, f, skb, iph, th);
	if (!f) {
		primary_midstream(hn, skb, iph, th);
		return NF_ACCEPT;
	}
	draining = READ_ONCE(f->draining);
	if (!READ_ONCE(f->protected) || f->role != HATCP_ROLE_PRIMARY) {
		if (draining)
			return hatcp_replica_drain_in(hn, f, skb);
		hatcp_count(hn, HATCP_STATS_A_SEG_UNPROTECTED);
		return NF_ACCEPT;
	}
	if (!hatcp_chan_peer_usable(hn)) {
		unprotect(hn, f, HATCP_UNPROT_NO_PEER);
		return draining ? hatcp_replica_drain_in(hn, f, skb) : NF_ACCEPT;
	}
	/*
	 * Only what our own stack would take may reach the replica: a bad
	 * header or sum, or bytes outside our window, would sit in its
	 * queue for ever, and any client could fill it.
	 */
	if (th->doff < sizeof(*th) / 4 || skb->len < thoff + th->doff * 4 ||
	    nf_checksum(skb, NF_INET_LOCAL_IN, thoff, IPPROTO_TCP, AF_INET)) {
		hatcp_count(hn, HATCP_STATS_A_SEG_BAD);
		return NF_ACCEPT;	/* our stack drops it */
	}
	payload = skb->len - thoff - th->doff * 4;
	if (!payload && !th->fin && !th->rst && !th->syn) {
		send_ack_copy(hn, skb);
		return draining ? hatcp_replica_drain_in(hn, f, skb) : NF_ACCEPT;
	}
	/*
	 * Kept protected by a promotion: what our queue injects, the new
	 * replica has had since before it (it sent it to us); only what is
	 * new from the client goes to it.
	 */
	if (draining && hatcp_replica_had(f, skb, th))
		return hatcp_replica_drain_in(hn, f, skb);
	switch (primary_window(f, th, payload)) {
	case WINDOW_OLD:
		hatcp_count(hn, HATCP_STATS_A_SEG_OUT_OF_WINDOW);
		return draining ? hatcp_replica_drain_in(hn, f, skb) : NF_ACCEPT;
	case WINDOW_BEYOND:
		hatcp_count(hn, HATCP_STATS_A_SEG_OUT_OF_WINDOW);
		return NF_DROP;
	case WINDOW_IN:
		break;
	}
	hatcp_body_gso_from(&body, skb);
	return hold_and_send(hn, f, skb, state, &body, NULL, 0);
}

/* Our SYN-ACK: the handshake's parameters go to the replica with the SYN. */
unsigned int hatcp_primary_out(struct hatcp_net *hn, struct sk_buff *skb,
			       const struct nf_hook_state *state,
			       const struct iphdr *iph,
			       const struct tcphdr *th)
{
	struct hatcp_body body = { .kind = HATCP_BODY_SYN };
	const struct inet_request_sock *ireq;
	struct mem_cgroup *memcg;
	struct hatcp_tcpopt opt;
	struct hatcp_flow *f;
	unsigned int len;
	u8 *syn = NULL;

	if (atomic64_read(hatcp_dp_stat(hn, HATCP_STATS_A_DRAIN_FLOWS))) {
		/* Our application moved on: what waited for it may go in. */
		f = hatcp_flow_find(hn, iph->daddr, th->dest, iph->saddr,
				    th->source);
		if (f && READ_ONCE(f->draining))
			hatcp_replica_kick(hn, f);
	}
	if (!th->syn || !th->ack)
		return NF_ACCEPT;
	f = hatcp_flow_find(hn, iph->daddr, th->dest, iph->saddr, th->source);
	if (!f || !READ_ONCE(f->protected) || f->role != HATCP_ROLE_PRIMARY)
		return NF_ACCEPT;
	/* Cookies and TFO leave no request sock to make a twin of. */
	if (!skb->sk) {
		unprotect(hn, f, HATCP_UNPROT_SYNCOOKIE);
		return NF_ACCEPT;
	}
	if (sk_fullsock(skb->sk)) {
		unprotect(hn, f, HATCP_UNPROT_FASTOPEN);
		return NF_ACCEPT;
	}
	if (!hatcp_chan_peer_usable(hn)) {
		unprotect(hn, f, HATCP_UNPROT_NO_PEER);
		return NF_ACCEPT;
	}
	if (hatcp_tcpopt_parse(skb, ip_hdrlen(skb), th, &opt))
		return NF_ACCEPT;

	ireq = inet_rsk(inet_reqsk(skb->sk));
	body.isn = th->seq;
	body.tsval = htonl(opt.tsval);
	body.rcv_wscale = ireq->wscale_ok ? ireq->rcv_wscale : 0;
	body.opts = (ireq->tstamp_ok ? HATCP_SYN_OPT_TS : 0) |
		    (ireq->sack_ok ? HATCP_SYN_OPT_SACK : 0) |
		    (ireq->wscale_ok ? HATCP_SYN_OPT_WSCALE : 0) |
		    (ireq->ecn_ok ? HATCP_SYN_OPT_ECN : 0);

	memcg = hatcp_charge_begin(hn);
	spin_lock_bh(&f->lock);
	len = f->syn_len;
	if (f->syn)
		syn = kmemdup(f->syn, len, HATCP_GFP);
	spin_unlock_bh(&f->lock);
	hatcp_charge_end(memcg);
	if (!syn)
		return NF_ACCEPT;
	return hold_and_send(hn, f, skb, state, &body, syn, len);
}

void hatcp_primary_rx_ack(struct hatcp_net *hn, u64 msg_id, u8 status)
{
	struct hatcp_held *h, *found = NULL;
	struct hatcp_flow *f;

	spin_lock(&hn->hold.lock);
	hash_for_each_possible(hn->hold.by_id, h, by_id, msg_id)
		if (h->msg_id == msg_id) {
			found = h;
			held_unlink(hn, h);
			break;
		}
	spin_unlock(&hn->hold.lock);
	if (!found)
		return;		/* late: it timed out, or was released */
	h = found;
	f = h->flow;
	hatcp_flow_get(f);
	if (status == HATCP_ACK_OK) {
		WRITE_ONCE(f->hold_timeouts, 0);
		if (h->synack && READ_ONCE(f->phase) == HATCP_PHASE_SYN) {
			WRITE_ONCE(f->phase, HATCP_PHASE_OPEN);
			hatcp_count(hn, HATCP_STATS_A_FLOWS_PROTECTED);
		}
		held_release(hn, h);
	} else {
		held_release(hn, h);
		unprotect(hn, f, HATCP_UNPROT_REFUSED);
	}
	hatcp_flow_put(f);
}

/* From the data-path timer: what the replica did not answer in time. */
void hatcp_hold_expire(struct hatcp_net *hn)
{
	unsigned long resend = msecs_to_jiffies(RESEND_MS);
	struct hatcp_held *h, *tmp;
	struct hatcp_flow *f;
	LIST_HEAD(list);

	spin_lock_bh(&hn->hold.lock);
	rcu_read_lock();
	list_for_each_entry_safe(h, tmp, &hn->hold.fifo, fifo) {
		if (time_before(jiffies, h->deadline)) {
			if (time_after(jiffies, h->sent_at + resend))
				held_send(hn, h);
			continue;
		}
		held_unlink(hn, h);
		list_add_tail(&h->fifo, &list);
	}
	rcu_read_unlock();
	spin_unlock_bh(&hn->hold.lock);

	list_for_each_entry_safe(h, tmp, &list, fifo) {
		list_del(&h->fifo);
		f = h->flow;
		hatcp_flow_get(f);
		if (h->synack) {
			/* The client is served, unprotected, rather than not. */
			held_release(hn, h);
			unprotect(hn, f, HATCP_UNPROT_TIMEOUT);
		} else {
			hatcp_count(hn, HATCP_STATS_A_SEG_HOLD_TIMEOUT);
			held_drop(h);
			WRITE_ONCE(f->hold_timeouts, f->hold_timeouts + 1);
			if (f->hold_timeouts >= HOLD_TIMEOUTS_MAX)
				unprotect(hn, f, HATCP_UNPROT_TIMEOUT);
		}
		hatcp_flow_put(f);
	}
}

/* The peer stopped answering, or is a primary too: we go on unprotected. */
void hatcp_primary_peer_lost(struct hatcp_net *hn)
{
	struct hatcp_flow *f;
	unsigned int b;

	if (READ_ONCE(hn->role) != HATCP_ROLE_PRIMARY)
		return;
	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node)
		if (READ_ONCE(f->protected) && f->role == HATCP_ROLE_PRIMARY)
			unprotect(hn, f, HATCP_UNPROT_NO_PEER);
	rcu_read_unlock();
}

/*
 * Demotion with the peer alive (demote.c): each held segment of a flow
 * kept as a replica flow joins its queue, to go in once the new primary's
 * stream reaches it. The new primary has it, or the client sends it again
 * (our socket never acknowledged it), and then it comes to us as a copy.
 * The rest goes on as on any role change.
 */
void hatcp_hold_handover(struct hatcp_net *hn)
{
	struct hatcp_held *h, *tmp;
	LIST_HEAD(list);

	/*
	 * From before the entries leave the list until they are released,
	 * BHs are off: an RCU reader, so a device they name cannot be freed
	 * while the NETDEV_UNREGISTER notifier no longer sees them.
	 */
	local_bh_disable();
	hold_take(hn, NULL, &list);
	list_for_each_entry_safe(h, tmp, &list, fifo) {
		list_del(&h->fifo);
		if (h->synack || h->flow->role != HATCP_ROLE_REPLICA) {
			held_release(hn, h);
			continue;
		}
		if (hatcp_replica_adopt(hn, h->flow, h->skb))
			hatcp_count(hn, HATCP_STATS_A_HANDOVER_SEGS);
		else
			kfree_skb(h->skb);
		held_free(h);
	}
	local_bh_enable();
}

/* Role change away from primary: nothing waits any more. */
void hatcp_hold_release_all(struct hatcp_net *hn)
{
	LIST_HEAD(list);

	local_bh_disable();	/* as in hatcp_hold_handover() */
	hold_take(hn, NULL, &list);
	release_list(hn, &list);
	local_bh_enable();
}

/* Namespace exit, or @dev going away (NULL: all): dropped, not released. */
void hatcp_hold_drop_dev(struct hatcp_net *hn, const struct net_device *dev)
{
	struct hatcp_held *h, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&hn->hold.lock);
	list_for_each_entry_safe(h, tmp, &hn->hold.fifo, fifo) {
		if (dev && h->state.in != dev && h->state.out != dev &&
		    h->skb->dev != dev)
			continue;
		held_unlink(hn, h);
		list_add_tail(&h->fifo, &list);
	}
	spin_unlock_bh(&hn->hold.lock);
	list_for_each_entry_safe(h, tmp, &list, fifo) {
		list_del(&h->fifo);
		held_drop(h);
	}
}

void hatcp_hold_init(struct hatcp_net *hn)
{
	spin_lock_init(&hn->hold.lock);
	INIT_LIST_HEAD(&hn->hold.fifo);
	hash_init(hn->hold.by_id);
	hn->hold.bytes = 0;
	atomic64_set(&hn->hold.next_id, 0);
}
