/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: per network namespace state shared by every part of the module.
 */
#ifndef _HATCP_H
#define _HATCP_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/hatcp.h>

/* The replication channel's endpoints; replaced whole under RCU. */
struct hatcp_peer {
	__be32 local;
	__be32 remote;
	int ifindex;		/* 0: any device */
	u16 port;		/* UDP, host order, the same at both ends */
	bool keyed;
	u8 key[HATCP_KEY_LEN];	/* all zeros when !keyed */
	struct rcu_head rcu;
};

/*
 * Channel counters. Atomics rather than per-cpu: messages are heartbeats
 * now and GSO-sized aggregates later, thousands per second at most, and
 * drops are rare, so one shared cache line costs nothing measurable.
 */
struct hatcp_chan_stats {
	atomic64_t tx;
	atomic64_t rx;
	atomic64_t tx_errors;
	atomic64_t drop_not_peer;
	atomic64_t drop_malformed;
	atomic64_t drop_bad_mac;
	atomic64_t drop_replay;
};

/* Anti-replay window over the peer's current session. */
struct hatcp_replay {
	spinlock_t lock;	/* rx (softirq) against resets */
	bool valid;
	u64 session;
	u64 top;		/* highest sequence accepted */
	u64 bitmap;		/* bit n: top - n was accepted */
};

/* The replication channel: socket, heartbeat timer and receive state. */
struct hatcp_channel {
	struct sock __rcu *sk;	/* changed under hatcp_net.lock */
	struct timer_list timer;
	u64 session;		/* ours, random per namespace instance */
	atomic64_t seq;
	struct hatcp_replay replay;
	/* Written on receive, read by the timer and by GET_STATS. */
	unsigned long last_rx;
	bool rx_seen;
	bool reachable;		/* the timer's view, for events */
	struct hatcp_chan_stats stats;
};

/* Control-plane counters; the data path keeps its own per-cpu ones. */
struct hatcp_ctl_stats {
	atomic64_t role_changes;
	atomic64_t promotions;
	atomic64_t demotions;
	atomic64_t config_rejected;
	atomic64_t malformed;
};

#define HATCP_POLICY_HASH_BITS	8

struct hatcp_net {
	struct net *net;

	/* Serialises every configuration change in this namespace. */
	struct mutex lock;

	/* Written under @lock, read locklessly by the data path. */
	enum hatcp_role role;
	struct hatcp_peer __rcu *peer;

	DECLARE_HASHTABLE(policies, HATCP_POLICY_HASH_BITS);
	unsigned int n_policies;
	/* Bumped on every policy change so a dump can tell it was torn. */
	unsigned int policy_gen;

	/* Connections the data path tracks; filled by the data path. */
	struct hlist_head flows;
	unsigned int n_flows;

	struct hatcp_ctl_stats stats;
	struct hatcp_channel chan;
};

extern unsigned int hatcp_net_id;

/* A well-formed request the configuration refuses: counted, then @err. */
static inline int hatcp_refuse(struct hatcp_net *hn, int err)
{
	atomic64_inc(&hn->stats.config_rejected);
	return err;
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
