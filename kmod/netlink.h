/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the generic netlink control interface.
 */
#ifndef _HATCP_NETLINK_H
#define _HATCP_NETLINK_H

int hatcp_genl_init(void);
void hatcp_genl_exit(void);

#endif /* _HATCP_NETLINK_H */
