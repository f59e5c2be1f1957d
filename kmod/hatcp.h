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
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/hatcp.h>

/* The replication channel's endpoints; replaced whole under RCU. */
struct hatcp_peer {
	__be32 local;
	__be32 remote;
	int ifindex;		/* 0: any device */
	struct rcu_head rcu;
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
};

extern unsigned int hatcp_net_id;

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
