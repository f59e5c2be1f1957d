/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: demotion that keeps the connections, as shadows of the peer's.
 */
#ifndef _HATCP_DEMOTE_H
#define _HATCP_DEMOTE_H

#include "hatcp.h"

void hatcp_demote_flows(struct hatcp_net *hn);

#endif /* _HATCP_DEMOTE_H */
