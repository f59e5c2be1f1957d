/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: rebuilding channel bodies from their fragments (replica side).
 */
#ifndef _HATCP_REASM_H
#define _HATCP_REASM_H

#include "hatcp.h"

void hatcp_reasm_init(struct hatcp_net *hn);
void hatcp_reasm_rx(struct hatcp_net *hn, const u8 *payload, unsigned int len);
void hatcp_reasm_expire(struct hatcp_net *hn);
void hatcp_reasm_flush(struct hatcp_net *hn);

#endif /* _HATCP_REASM_H */
