/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the netfilter hooks and the timer shared by both roles.
 */
#ifndef _HATCP_DATAPATH_H
#define _HATCP_DATAPATH_H

#include <linux/netfilter.h>
#include "hatcp.h"

int hatcp_dp_init(struct hatcp_net *hn);
void hatcp_dp_exit(struct hatcp_net *hn);
void hatcp_dp_role_changing(struct hatcp_net *hn, enum hatcp_role role);
void hatcp_dp_role_changed(struct hatcp_net *hn, enum hatcp_role old_role);
void hatcp_dp_resume(struct hatcp_net *hn, struct sk_buff *skb,
		     struct nf_hook_state *state);
int hatcp_dp_notifier_init(void);
void hatcp_dp_notifier_exit(void);

#endif /* _HATCP_DATAPATH_H */
