/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the replica's data path: shadow sockets fed from the channel.
 */
#ifndef _HATCP_REPLICA_H
#define _HATCP_REPLICA_H

#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include "flow.h"
#include "hatcp.h"

void hatcp_replica_rx_body(struct hatcp_net *hn, u64 msg_id,
			   struct sk_buff *skb);
unsigned int hatcp_replica_out(struct hatcp_net *hn, struct sk_buff *skb,
			       const struct iphdr *iph,
			       const struct tcphdr *th);
void hatcp_replica_tick(struct hatcp_net *hn);
void hatcp_replica_kick(struct hatcp_net *hn, struct hatcp_flow *f);
unsigned int hatcp_replica_drain_in(struct hatcp_net *hn,
				    struct hatcp_flow *f, struct sk_buff *skb);

#endif /* _HATCP_REPLICA_H */
