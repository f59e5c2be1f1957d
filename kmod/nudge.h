/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_NUDGE_H
#define _HATCP_NUDGE_H

#include "flow.h"
#include "hatcp.h"

bool hatcp_nudge_client(struct hatcp_net *hn, const struct hatcp_flow *f,
			u32 seq);

#endif /* _HATCP_NUDGE_H */
