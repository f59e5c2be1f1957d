/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the node's role and replication peer, per network namespace.
 */
#ifndef _HATCP_CONFIG_H
#define _HATCP_CONFIG_H

#include <linux/netlink.h>
#include "hatcp.h"

/* What a role change did, for counters and the event it raises. */
struct hatcp_role_change {
	enum hatcp_role old_role;
	enum hatcp_role new_role;
};

int hatcp_role_set(struct hatcp_net *hn, enum hatcp_role role,
		   struct hatcp_role_change *chg,
		   struct netlink_ext_ack *extack);
int hatcp_promote(struct hatcp_net *hn, struct hatcp_role_change *chg,
		  struct netlink_ext_ack *extack);
int hatcp_demote(struct hatcp_net *hn, struct hatcp_role_change *chg,
		 struct netlink_ext_ack *extack);
int hatcp_migrate(struct hatcp_net *hn, struct hatcp_role_change *chg,
		  struct netlink_ext_ack *extack);

int hatcp_peer_set(struct hatcp_net *hn, const struct hatcp_peer *want,
		   struct netlink_ext_ack *extack);
int hatcp_peer_del(struct hatcp_net *hn, struct netlink_ext_ack *extack);
void hatcp_peer_flush(struct hatcp_net *hn);

#endif /* _HATCP_CONFIG_H */
