/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_SOURCE_H
#define _HATCP_SOURCE_H

#include "hatcp.h"

bool hatcp_src_charge(struct hatcp_net *hn, __be32 addr, unsigned int len);
void hatcp_src_uncharge(struct hatcp_net *hn, __be32 addr, unsigned int len);
void hatcp_srcs_init(struct hatcp_net *hn);
void hatcp_srcs_exit(struct hatcp_net *hn);

#endif /* _HATCP_SOURCE_H */
