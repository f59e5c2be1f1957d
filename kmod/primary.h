/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the primary's data path: hold ingress until the replica has it.
 */
#ifndef _HATCP_PRIMARY_H
#define _HATCP_PRIMARY_H

#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/tcp.h>
#include "hatcp.h"

void hatcp_hold_init(struct hatcp_net *hn);
unsigned int hatcp_primary_in(struct hatcp_net *hn, struct sk_buff *skb,
			      const struct nf_hook_state *state,
			      const struct iphdr *iph, const struct tcphdr *th);
unsigned int hatcp_primary_out(struct hatcp_net *hn, struct sk_buff *skb,
			       const struct nf_hook_state *state,
			       const struct iphdr *iph,
			       const struct tcphdr *th);
void hatcp_primary_rx_ack(struct hatcp_net *hn, u64 msg_id, u8 status);
void hatcp_primary_peer_lost(struct hatcp_net *hn);
void hatcp_hold_expire(struct hatcp_net *hn);
void hatcp_hold_release_all(struct hatcp_net *hn);
void hatcp_hold_handover(struct hatcp_net *hn);
void hatcp_hold_drop_dev(struct hatcp_net *hn, const struct net_device *dev);

#endif /* _HATCP_PRIMARY_H */
