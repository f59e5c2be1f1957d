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
void hatcp_replica_forget_stale(struct work_struct *work);
void hatcp_replica_kick(struct hatcp_net *hn, struct hatcp_flow *f);
unsigned int hatcp_replica_drain_in(struct hatcp_net *hn,
				    struct hatcp_flow *f, struct sk_buff *skb);
void hatcp_rx_as_client(struct sk_buff *skb, struct net_device *dev);
unsigned int hatcp_replica_in(struct hatcp_net *hn, struct sk_buff *skb,
			      const struct iphdr *iph, const struct tcphdr *th);
bool hatcp_replica_had(struct hatcp_flow *f, const struct sk_buff *skb,
		       const struct tcphdr *th);
bool hatcp_replica_adopt(struct hatcp_net *hn, struct hatcp_flow *f,
			 struct sk_buff *skb);
int hatcp_replica_client_ifindex(struct hatcp_net *hn, __be32 client,
				 __be32 vip);

#endif /* _HATCP_REPLICA_H */
