/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: a connection the data path tracks, as reported to user space.
 */
#ifndef _HATCP_FLOW_H
#define _HATCP_FLOW_H

#include <linux/types.h>
#include "hatcp.h"

struct hatcp_flow {
	struct hlist_node node;		/* in hatcp_net.flows, under RCU */
	__be32 saddr;			/* the client */
	__be32 daddr;			/* the service */
	__be16 sport;
	__be16 dport;
	enum hatcp_role role;		/* the node's role when it was seen */
	u8 state;			/* TCP_* */
	bool protected;			/* replicated to the peer */
};

#endif /* _HATCP_FLOW_H */
