/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the few places where 6.1 and 6.12 differ for the data path.
 */
#ifndef _HATCP_COMPAT_H
#define _HATCP_COMPAT_H

#include <net/tcp.h>

/*
 * The TSval each kind of socket would send now. 6.7 added microsecond
 * timestamps, chosen per socket; before, every clock was in ms. Kbuild
 * defines HATCP_HAVE_USEC_TS from the kernel's headers.
 */
#ifdef HATCP_HAVE_USEC_TS
static inline u32 hatcp_tsval_full(const struct tcp_sock *tp)
{
	return tcp_clock_ts(tp->tcp_usec_ts) + tp->tsoffset;
}

static inline u32 hatcp_tsval_req(const struct tcp_request_sock *treq)
{
	return tcp_clock_ts(treq->req_usec_ts) + treq->ts_off;
}

static inline u32 hatcp_tsval_tw(const struct tcp_timewait_sock *tw)
{
	return tcp_clock_ts(tw->tw_sk.tw_usec_ts) + tw->tw_ts_offset;
}
#else
static inline u32 hatcp_tsval_full(const struct tcp_sock *tp)
{
	return tcp_time_stamp_raw() + tp->tsoffset;
}

static inline u32 hatcp_tsval_req(const struct tcp_request_sock *treq)
{
	return tcp_time_stamp_raw() + treq->ts_off;
}

static inline u32 hatcp_tsval_tw(const struct tcp_timewait_sock *tw)
{
	return tcp_time_stamp_raw() + tw->tw_ts_offset;
}
#endif

#endif /* _HATCP_COMPAT_H */
