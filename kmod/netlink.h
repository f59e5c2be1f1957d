/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the generic netlink control interface.
 */
#ifndef _HATCP_NETLINK_H
#define _HATCP_NETLINK_H

#include "hatcp.h"

int hatcp_genl_init(void);
void hatcp_genl_exit(void);
void hatcp_nl_event_reachable(struct hatcp_net *hn,
			      const struct hatcp_peer *peer, bool reachable);

struct hatcp_flow;
void hatcp_nl_event_flow(struct hatcp_net *hn, struct hatcp_flow *f);
struct hatcp_role_change;
void hatcp_nl_event_role(struct hatcp_net *hn,
			 const struct hatcp_role_change *chg);

#endif /* _HATCP_NETLINK_H */
