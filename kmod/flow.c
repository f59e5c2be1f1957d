// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the table of connections the data path tracks. Lookups run under
 * RCU from the hooks and the channel; inserts and removals take
 * hatcp_net.flow_lock. A flow lives while the table or a held segment
 * refers to it; what it queues is freed when it leaves the table.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include "compat.h"
#include "flow.h"
#include "memcg.h"
#include "source.h"
#include "netlink.h"

/* A flow without a socket this long after it was last used is gone. */
#define FLOW_LINGER_MS		5000

/*
 * Seeded per namespace at random: with a known seed, a client could aim
 * spoofed SYNs at one bucket and make every lookup under it slow.
 */
static u32 flow_hash(const struct hatcp_net *hn, __be32 saddr, __be16 sport,
		     __be32 daddr, __be16 dport)
{
	return jhash_3words((__force u32)saddr, (__force u32)daddr,
			    ((__force u32)sport << 16) | (__force u32)dport,
			    hn->flow_seed);
}

static struct hlist_head *flow_bucket(struct hatcp_net *hn, u32 hash)
{
	return &hn->flows[hash_min(hash, HATCP_FLOW_HASH_BITS)];
}

static bool flow_match(const struct hatcp_flow *f, __be32 saddr,
		       __be16 sport, __be32 daddr, __be16 dport)
{
	return f->saddr == saddr && f->sport == sport && f->daddr == daddr &&
	       f->dport == dport;
}

/* Under RCU; the flow may be dead, which callers check under its lock. */
struct hatcp_flow *hatcp_flow_find(struct hatcp_net *hn, __be32 saddr,
				   __be16 sport, __be32 daddr, __be16 dport)
{
	u32 h = flow_hash(hn, saddr, sport, daddr, dport);
	struct hatcp_flow *f;

	hlist_for_each_entry_rcu(f, flow_bucket(hn, h), node)
		if (flow_match(f, saddr, sport, daddr, dport))
			return f;
	return NULL;
}

/* Returns the flow for the 4-tuple, new or not; NULL when the table is full. */
struct hatcp_flow *hatcp_flow_create(struct hatcp_net *hn, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport,
				     enum hatcp_role role)
{
	u32 h = flow_hash(hn, saddr, sport, daddr, dport);
	struct mem_cgroup *memcg;
	struct hatcp_flow *f;

	spin_lock_bh(&hn->flow_lock);
	hlist_for_each_entry(f, flow_bucket(hn, h), node)
		if (flow_match(f, saddr, sport, daddr, dport))
			goto out;
	f = NULL;
	if (hn->n_flows >= HATCP_MAX_FLOWS)
		goto out;
	memcg = hatcp_charge_begin(hn);
	f = kzalloc(sizeof(*f), HATCP_GFP);
	hatcp_charge_end(memcg);
	if (!f)
		goto out;
	refcount_set(&f->ref, 1);
	f->hn = hn;
	f->saddr = saddr;
	f->sport = sport;
	f->daddr = daddr;
	f->dport = dport;
	f->role = role;
	f->protected = true;
	f->phase = HATCP_PHASE_SYN;
	f->last_seen = jiffies;
	spin_lock_init(&f->lock);
	skb_queue_head_init(&f->queue);
	hlist_add_head_rcu(&f->node, flow_bucket(hn, h));
	hn->n_flows++;
	hn->flow_gen++;
	hatcp_obj_get();
out:
	spin_unlock_bh(&hn->flow_lock);
	return f;
}

void hatcp_flow_put(struct hatcp_flow *f)
{
	if (!refcount_dec_and_test(&f->ref))
		return;
	kfree_rcu(f, rcu);
	hatcp_obj_put();
}

static const int unprot_stat[] = {
	[HATCP_UNPROT_SYNCOOKIE] = HATCP_STATS_A_UNPROT_SYNCOOKIE,
	[HATCP_UNPROT_FASTOPEN] = HATCP_STATS_A_UNPROT_FASTOPEN,
	[HATCP_UNPROT_MD5] = HATCP_STATS_A_UNPROT_MD5,
	[HATCP_UNPROT_REFUSED] = HATCP_STATS_A_UNPROT_REFUSED,
	[HATCP_UNPROT_TIMEOUT] = HATCP_STATS_A_UNPROT_TIMEOUT,
	[HATCP_UNPROT_NO_PEER] = HATCP_STATS_A_UNPROT_NO_PEER,
	[HATCP_UNPROT_TABLE_FULL] = HATCP_STATS_A_UNPROT_TABLE_FULL,
	[HATCP_UNPROT_MIDSTREAM] = HATCP_STATS_A_UNPROT_MIDSTREAM,
	[HATCP_UNPROT_FAILOVER] = HATCP_STATS_A_UNPROT_FAILOVER,
	[HATCP_UNPROT_SEND_FAILED] = HATCP_STATS_A_UNPROT_SEND_FAILED,
	[HATCP_UNPROT_IPV6] = HATCP_STATS_A_UNPROT_IPV6,
};

/* Counts the reason once per flow; @f may be NULL (no room to track it). */
void hatcp_flow_count_unprotected(struct hatcp_net *hn,
				  enum hatcp_unprot_reason reason)
{
	hatcp_count(hn, HATCP_STATS_A_FLOWS_UNPROTECTED);
	if (reason < ARRAY_SIZE(unprot_stat) && unprot_stat[reason])
		hatcp_count(hn, unprot_stat[reason]);
}

/* The flow is no longer replicated; says so once, with the reason. */
void hatcp_flow_unprotect(struct hatcp_flow *f,
			  enum hatcp_unprot_reason reason)
{
	struct hatcp_net *hn = f->hn;
	bool first;

	spin_lock_bh(&f->lock);
	first = f->protected;
	if (first) {
		WRITE_ONCE(f->protected, false);
		f->unprot = reason;
		f->phase = HATCP_PHASE_DONE;
	}
	spin_unlock_bh(&f->lock);
	if (!first)
		return;
	hatcp_flow_count_unprotected(hn, reason);
	hatcp_nl_event_flow(hn, f);
}

static void flow_purge_locked(struct hatcp_flow *f)
{
	struct hatcp_net *hn = f->hn;
	unsigned int n = skb_queue_len(&f->queue);

	__skb_queue_purge(&f->queue);
	atomic64_sub(n, hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_SEGS));
	atomic64_sub(f->queued_bytes,
		     hatcp_dp_stat(hn, HATCP_STATS_A_QUEUED_BYTES));
	hatcp_src_uncharge(hn, f->saddr, f->queued_bytes);
	f->queued_bytes = 0;
	if (f->draining) {
		f->draining = false;
		atomic64_dec(hatcp_dp_stat(hn, HATCP_STATS_A_DRAIN_FLOWS));
	}
	kfree(f->syn);
	f->syn = NULL;
}

/* Unlinks @f; held segments keep it alive until they are released. */
void hatcp_flow_remove(struct hatcp_flow *f)
{
	struct hatcp_net *hn = f->hn;
	bool unlinked = false;

	spin_lock_bh(&hn->flow_lock);
	spin_lock(&f->lock);
	if (!f->dead) {
		f->dead = true;
		hlist_del_rcu(&f->node);
		hn->n_flows--;
		hn->flow_gen++;
		flow_purge_locked(f);
		unlinked = true;
	}
	spin_unlock(&f->lock);
	spin_unlock_bh(&hn->flow_lock);
	if (unlinked)
		hatcp_flow_put(f);
}

/*
 * The local socket of @f: full, request or timewait, with a reference
 * (sock_gen_put() it), or NULL. Under RCU or not, from any context.
 */
struct sock *hatcp_flow_sock(struct hatcp_flow *f)
{
	struct net *net = f->hn->net;
	struct sock *sk;

	rcu_read_lock();
	/* A socket bound to a device is found only by its device. */
	sk = __inet_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
				       f->saddr, f->sport, f->daddr,
				       ntohs(f->dport), READ_ONCE(f->ifindex),
				       0);
	rcu_read_unlock();
	return sk;
}

/* What GET_FLOW reports: the flow and its local socket, if any. */
void hatcp_flow_info(struct hatcp_flow *f, struct hatcp_flow_info *info)
{
	struct sock *sk = hatcp_flow_sock(f);

	memset(info, 0, sizeof(*info));
	spin_lock_bh(&f->lock);
	info->protected = f->protected;
	info->unprot = f->unprot;
	info->held_segs = f->held_segs;
	info->held_bytes = f->held_bytes;
	info->queued_segs = skb_queue_len(&f->queue);
	info->queued_bytes = f->queued_bytes;
	spin_unlock_bh(&f->lock);

	info->state = TCP_CLOSE;
	if (!sk)
		return;
	info->has_sock = true;
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		const struct tcp_request_sock *treq = tcp_rsk(inet_reqsk(sk));

		info->state = TCP_SYN_RECV;
		info->snd_una = treq->snt_isn;
		info->snd_nxt = treq->snt_isn + 1;
		info->rcv_nxt = treq->rcv_nxt;
		info->tsval = hatcp_tsval_req(treq);
	} else if (sk->sk_state == TCP_TIME_WAIT) {
		const struct tcp_timewait_sock *tw = tcp_twsk(sk);

		info->state = TCP_TIME_WAIT;
		info->snd_nxt = tw->tw_snd_nxt;
		info->snd_una = tw->tw_snd_nxt;
		info->rcv_nxt = tw->tw_rcv_nxt;
		info->tsval = hatcp_tsval_tw(tw);
	} else {
		const struct tcp_sock *tp = tcp_sk(sk);

		info->state = sk->sk_state;
		info->snd_una = READ_ONCE(tp->snd_una);
		info->snd_nxt = READ_ONCE(tp->snd_nxt);
		info->rcv_nxt = READ_ONCE(tp->rcv_nxt);
		info->tsval = hatcp_tsval_full(tp);
	}
	spin_lock_bh(&f->lock);
	if (f->rcv_high_valid && after(f->rcv_high, info->rcv_nxt))
		info->lag_bytes = f->rcv_high - info->rcv_nxt;
	spin_unlock_bh(&f->lock);
	sock_gen_put(sk);
}

/*
 * From the data-path timer, once a second: forgets flows whose socket is
 * gone and that hold nothing, and flows stuck before their socket.
 */
void hatcp_flows_expire(struct hatcp_net *hn)
{
	unsigned long linger = msecs_to_jiffies(FLOW_LINGER_MS);
	struct hatcp_flow *f;
	struct sock *sk;
	unsigned int b;

	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node) {
		sk = hatcp_flow_sock(f);
		if (sk) {
			sock_gen_put(sk);
			WRITE_ONCE(f->last_seen, jiffies);
			continue;
		}
		/* Before its socket exists, a flow gets a grace period. */
		if (!READ_ONCE(f->held_segs) &&
		    (READ_ONCE(f->phase) != HATCP_PHASE_SYN ||
		     time_after(jiffies, READ_ONCE(f->last_seen) + linger)))
			hatcp_flow_remove(f);
	}
	rcu_read_unlock();
}

/*
 * Puts each live flow @want picks on @list (batch_node), with a reference
 * the caller drops: for work on them that may sleep, which RCU forbids.
 * The caller holds hn->lock, which owns batch_node.
 */
void hatcp_flows_collect(struct hatcp_net *hn,
			 bool (*want)(const struct hatcp_flow *f),
			 struct list_head *list)
{
	struct hatcp_flow *f;
	unsigned int b;

	lockdep_assert_held(&hn->lock);
	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node) {
		if (READ_ONCE(f->dead) || !want(f))
			continue;
		hatcp_flow_get(f);
		list_add_tail(&f->batch_node, list);
	}
	rcu_read_unlock();
}

/* Namespace exit and role changes: forget every flow. */
void hatcp_flows_flush(struct hatcp_net *hn)
{
	struct hatcp_flow *f;
	unsigned int b;

	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node)
		hatcp_flow_remove(f);
	rcu_read_unlock();
}
