/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_PROMOTE_H
#define _HATCP_PROMOTE_H

#include "hatcp.h"

void hatcp_promote_prepare(struct hatcp_net *hn);
void hatcp_promote_flows(struct hatcp_net *hn);

#endif /* _HATCP_PROMOTE_H */
