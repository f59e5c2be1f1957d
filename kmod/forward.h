/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_FORWARD_H
#define _HATCP_FORWARD_H

#include <linux/skbuff.h>
#include "hatcp.h"
#include "messages.h"

bool hatcp_forward_send(struct hatcp_net *hn, struct sk_buff *skb);
bool hatcp_forward_keep(struct hatcp_net *hn, struct sk_buff *skb, bool spare);
void hatcp_forward_rx(struct hatcp_net *hn, struct sk_buff *skb,
		      const struct hatcp_body *body);
void hatcp_forward_role_changed(struct hatcp_net *hn);
void hatcp_forward_expire(struct hatcp_net *hn);
void hatcp_forward_init(struct hatcp_net *hn);
void hatcp_forward_exit(struct hatcp_net *hn);

#endif /* _HATCP_FORWARD_H */
