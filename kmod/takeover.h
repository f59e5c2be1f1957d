/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_TAKEOVER_H
#define _HATCP_TAKEOVER_H

#include "hatcp.h"

void hatcp_takeover_check(struct hatcp_net *hn);
void hatcp_vip_announce(struct hatcp_net *hn);
bool hatcp_vip_on(struct hatcp_net *hn, struct net_device *dev);
bool hatcp_vip_serving(struct hatcp_net *hn);
void hatcp_takeover_net_init(struct hatcp_net *hn);
void hatcp_takeover_net_exit(struct hatcp_net *hn);
int hatcp_takeover_init(void);
void hatcp_takeover_exit(void);

#endif /* _HATCP_TAKEOVER_H */
