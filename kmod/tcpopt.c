// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: reads the options of a TCP header that may not be linear.
 */
#include <net/tcp.h>
#include "tcpopt.h"

#define TCPOPT_AO	29

/* -EINVAL for a header whose options run past it. */
int hatcp_tcpopt_parse(const struct sk_buff *skb, unsigned int thoff,
		       const struct tcphdr *th, struct hatcp_tcpopt *opt)
{
	unsigned int len = th->doff * 4 - sizeof(*th), i = 0, olen;
	u8 buf[MAX_TCP_OPTION_SPACE];
	const u8 *p;

	memset(opt, 0, sizeof(*opt));
	if (th->doff * 4 < sizeof(*th))
		return -EINVAL;
	if (!len)
		return 0;
	p = skb_header_pointer(skb, thoff + sizeof(*th), len, buf);
	if (!p)
		return -EINVAL;
	while (i < len) {
		if (p[i] == TCPOPT_EOL)
			break;
		if (p[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > len || p[i + 1] < 2 || i + p[i + 1] > len)
			return -EINVAL;
		olen = p[i + 1];
		switch (p[i]) {
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				opt->ts = true;
				opt->tsval = get_unaligned_be32(p + i + 2);
				opt->tsval_off = sizeof(*th) + i + 2;
			}
			break;
		case TCPOPT_MD5SIG:
		case TCPOPT_AO:
			opt->md5 = true;
			break;
		case TCPOPT_FASTOPEN:
			opt->fastopen = true;
			break;
		case TCPOPT_EXP:
			if (olen >= TCPOLEN_EXP_FASTOPEN_BASE &&
			    get_unaligned_be16(p + i + 2) ==
			    TCPOPT_FASTOPEN_MAGIC)
				opt->fastopen = true;
			break;
		}
		i += olen;
	}
	return 0;
}
