/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: per network namespace state shared by every part of the module.
 */
#ifndef _HATCP_H
#define _HATCP_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/hatcp.h>
#include "messages.h"

/* The replication channel's endpoints; replaced whole under RCU. */
struct hatcp_peer {
	__be32 local;
	__be32 remote;
	int ifindex;		/* 0: any device */
	u16 port;		/* UDP, host order, the same at both ends */
	bool keyed;
	bool insecure;		/* unkeyed on purpose: a lab's opt-out */
	u8 key[HATCP_KEY_LEN];	/* all zeros when !keyed */
	u8 hello_key[HATCP_KEY_LEN];	/* KDF(key, "hello"), channel.c */
	struct rcu_head rcu;
};

/*
 * Channel counters. Atomics rather than per-cpu, like the data path's:
 * at the lab's rates (about 10^4 messages a second) the shared cache line
 * does not show; at line rate per-cpu counters are the next step.
 */
struct hatcp_chan_stats {
	atomic64_t tx;
	atomic64_t rx;
	atomic64_t tx_errors;
	atomic64_t drop_not_peer;
	atomic64_t drop_malformed;
	atomic64_t drop_bad_mac;
	atomic64_t drop_replay;
	atomic64_t sessions;
	atomic64_t drop_reflected;
	atomic64_t drop_no_session;
	atomic64_t hello_unfresh;
	atomic64_t hello_old;
};

#define HATCP_REPLAY_BITS	2048

/* Anti-replay window over the peer's messages in the current session. */
struct hatcp_replay {
	u64 gen;		/* the session it covers; 0: none yet */
	u64 top;		/* highest sequence accepted */
	unsigned long map[HATCP_REPLAY_BITS / BITS_PER_LONG];
};

/*
 * One session's keys, from both nonces (channel.c). Immutable once
 * published; replaced whole under RCU, freed with kfree_sensitive().
 */
struct hatcp_session {
	u64 gen;		/* hatcp_channel.gen when made: never reused */
	u64 tx_id;		/* header session field of our messages */
	u64 rx_id;		/* and of the peer's */
	u8 tx_key[HATCP_KEY_LEN];
	u8 rx_key[HATCP_KEY_LEN];
	struct rcu_head rcu;
};

/* The handshake's state, under hatcp_channel.lock. */
struct hatcp_handshake {
	u8 nonce[HATCP_NONCE_LEN];	/* ours */
	u64 epoch;			/* when we drew it */
	u8 peer_nonce[HATCP_NONCE_LEN];	/* adopted, when @adopted */
	u64 peer_epoch;			/* adopted HELLOs must be later; 0: any */
	u8 seen[HATCP_NONCE_LEN];	/* latest in a valid HELLO, or zeros */
	bool adopted;
	bool heard;		/* a session message since adoption */
	unsigned long adopted_at;
	unsigned long last_answer;	/* rate limit of HELLO answers */
	unsigned int ticks;		/* timer ticks, for periodic HELLOs */
};

/* The replication channel: socket, heartbeat timer and receive state. */
struct hatcp_channel {
	struct sock __rcu *sk;	/* changed under hatcp_net.lock */
	struct timer_list timer;
	atomic64_t seq;
	/*
	 * Receive (softirq), the timer and peer changes (process, _bh) take
	 * it to change the handshake, the session pointer and the replay
	 * window together, and for the liveness fields below. Senders and
	 * the MAC check read only @session, under RCU.
	 */
	spinlock_t lock;
	struct hatcp_handshake hs;
	struct hatcp_session __rcu *session;	/* NULL until established */
	u64 gen;		/* sessions made so far */
	struct hatcp_replay replay;
	/* Written on receive, read by the timer and by GET_STATS. */
	unsigned long last_rx;
	bool rx_seen;
	/*
	 * The verdict the data path reads: set by every session message
	 * accepted, cleared only by a timer tick that ran on time
	 * (chan_timer). Both under @lock, with last_rx.
	 */
	bool alive;
	/* The timer's own: when it should run next, and if it ran late. */
	unsigned long tick_due;
	bool tick_late;
	s8 peer_role;		/* enum hatcp_role its heartbeats state, or -1 */
	bool reachable;		/* the timer's view, for events */
	struct work_struct stale_work;	/* replica: the peer is back */
	struct hatcp_chan_stats stats;
};

/* Control-plane counters; the data path's are hatcp_net.dp_stats. */
struct hatcp_ctl_stats {
	atomic64_t role_changes;
	atomic64_t promotions;
	atomic64_t demotions;
	atomic64_t config_rejected;
	atomic64_t malformed;
};

/*
 * Data-path counters and gauges, indexed by their uapi attribute minus
 * HATCP_DP_STAT_FIRST, so adding one is a uapi line and its uses.
 */
#define HATCP_DP_STAT_FIRST	HATCP_STATS_A_FLOWS_PROTECTED
#define HATCP_DP_STAT_LAST	HATCP_STATS_A_REPL_SOURCE_FULL
#define HATCP_DP_NSTATS		(HATCP_DP_STAT_LAST - HATCP_DP_STAT_FIRST + 1)

#define HATCP_POLICY_HASH_BITS	8
#define HATCP_FLOW_HASH_BITS	10
#define HATCP_HELD_HASH_BITS	10
#define HATCP_REASM_HASH_BITS	6

/* Primary: ingress segments waiting for the replica's acknowledgment. */
struct hatcp_hold {
	spinlock_t lock;		/* softirq and timer */
	struct list_head fifo;		/* oldest first */
	DECLARE_HASHTABLE(by_id, HATCP_HELD_HASH_BITS);
	u64 bytes;
	atomic64_t next_id;		/* message ids, from 1 */
};

/* Replica: bytes queued per client address (source.c). */
#define HATCP_SRC_HASH_BITS	8
struct hatcp_srcs {
	spinlock_t lock;		/* softirq and timer */
	DECLARE_HASHTABLE(by_addr, HATCP_SRC_HASH_BITS);
};

/* Replica: messages whose fragments are still arriving. */
struct hatcp_reasm {
	spinlock_t lock;		/* softirq and timer */
	DECLARE_HASHTABLE(by_id, HATCP_REASM_HASH_BITS);
	unsigned int n;
};

struct hatcp_net {
	struct net *net;

	/* Serialises every configuration change in this namespace. */
	struct mutex lock;

	/* Written under @lock, read locklessly by the data path. */
	enum hatcp_role role;
	struct hatcp_peer __rcu *peer;
	/* Who pays for what the data path allocates here (memcg.c). */
	struct mem_cgroup __rcu *memcg;

	DECLARE_HASHTABLE(policies, HATCP_POLICY_HASH_BITS);
	unsigned int n_policies;
	/* Bumped on every policy change so a dump can tell it was torn. */
	unsigned int policy_gen;

	/* Connections the data path tracks: RCU readers, @flow_lock writers. */
	spinlock_t flow_lock;
	DECLARE_HASHTABLE(flows, HATCP_FLOW_HASH_BITS);
	u32 flow_seed;
	unsigned int n_flows;
	/* Bumped on every flow table change, for dump consistency. */
	unsigned int flow_gen;

	struct hatcp_ctl_stats stats;
	atomic64_t dp_stats[HATCP_DP_NSTATS];
	struct hatcp_channel chan;
	/* Replica: promote when the channel lost the peer and the VIP is here. */
	struct work_struct takeover_work;
	/* Under @lock: jiffies of our last primary -> replica change. */
	unsigned long demoted_at;
	bool demoted;
	struct hatcp_hold hold;
	struct hatcp_reasm reasm;
	struct hatcp_srcs srcs;
	/* Replica: segments the peer forwarded, until we serve (forward.c). */
	struct sk_buff_head fwd_stash;

	/* Hold timeouts, injection retries, reassembly and flow expiry. */
	struct timer_list dp_timer;
	unsigned int dp_ticks;
	bool dp_running;	/* re-arm while set; cleared under @lock */
	struct nf_hook_ops hooks[3];	/* IPv4 in and out, IPv6 in */
};

extern unsigned int hatcp_net_id;

/* A well-formed request the configuration refuses: counted, then @err. */
static inline int hatcp_refuse(struct hatcp_net *hn, int err)
{
	atomic64_inc(&hn->stats.config_rejected);
	return err;
}

static inline atomic64_t *hatcp_dp_stat(struct hatcp_net *hn, int attr)
{
	return &hn->dp_stats[attr - HATCP_DP_STAT_FIRST];
}

static inline void hatcp_count(struct hatcp_net *hn, int attr)
{
	atomic64_inc(hatcp_dp_stat(hn, attr));
}

static inline struct hatcp_net *hatcp_pernet(const struct net *net)
{
	return net_generic(net, hatcp_net_id);
}

/*
 * Objects the module allocates are counted so that a leak on namespace
 * exit or unload is reported at unload instead of going unnoticed.
 */
extern atomic_t hatcp_live_objects;

static inline void hatcp_obj_get(void)
{
	atomic_inc(&hatcp_live_objects);
}

static inline void hatcp_obj_put(void)
{
	atomic_dec(&hatcp_live_objects);
}

#endif /* _HATCP_H */
