/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: protected services, per network namespace.
 */
#ifndef _HATCP_POLICY_H
#define _HATCP_POLICY_H

#include <linux/netlink.h>
#include "hatcp.h"

/* A protected service: TCP to @port, on @addr or any address if 0. */
struct hatcp_policy {
	struct hlist_node node;
	__be32 addr;
	u16 port;
	struct rcu_head rcu;
};

int hatcp_policy_add(struct hatcp_net *hn, __be32 addr, u16 port,
		     struct netlink_ext_ack *extack);
int hatcp_policy_del(struct hatcp_net *hn, __be32 addr, u16 port,
		     struct netlink_ext_ack *extack);
void hatcp_policy_flush(struct hatcp_net *hn);
bool hatcp_policy_match(struct hatcp_net *hn, __be32 addr, u16 port);
bool hatcp_policy_has_addr(struct hatcp_net *hn, __be32 addr);

/* Walk position for a dump that spans several messages. */
struct hatcp_policy_cursor {
	unsigned int bucket;
	unsigned int index;
};

/*
 * Calls @emit for each policy from @cur on, under RCU, and stops at the
 * first non-zero return, leaving @cur at the policy that was refused.
 */
int hatcp_policy_walk(struct hatcp_net *hn, struct hatcp_policy_cursor *cur,
		      int (*emit)(const struct hatcp_policy *p, void *arg),
		      void *arg);

#endif /* _HATCP_POLICY_H */
