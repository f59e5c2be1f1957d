/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the TCP options the data path needs to see.
 */
#ifndef _HATCP_TCPOPT_H
#define _HATCP_TCPOPT_H

#include <linux/skbuff.h>
#include <linux/tcp.h>

struct hatcp_tcpopt {
	bool ts;
	bool md5;		/* TCP-MD5 (RFC 2385) or TCP-AO (RFC 5925) */
	bool fastopen;		/* a TFO cookie or cookie request */
	u32 tsval;
	u16 tsval_off;		/* of TSval, from the TCP header's start */
};

int hatcp_tcpopt_parse(const struct sk_buff *skb, unsigned int thoff,
		       const struct tcphdr *th, struct hatcp_tcpopt *opt);

#endif /* _HATCP_TCPOPT_H */
