/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: a connection the data path tracks, keyed by its 4-tuple as the
 * server sees it. Found under RCU; freed by RCU once the table and every
 * held segment have let go of it.
 */
#ifndef _HATCP_FLOW_H
#define _HATCP_FLOW_H

#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include "hatcp.h"

/* Most flows per namespace; beyond it new flows go unprotected. */
#define HATCP_MAX_FLOWS		16384

enum hatcp_flow_phase {
	HATCP_PHASE_SYN,	/* primary: SYN seen; replica: SYN injected */
	HATCP_PHASE_ALIGNED,	/* replica: request sock aligned */
	HATCP_PHASE_OPEN,	/* primary: the replica took the SYN */
	HATCP_PHASE_DONE,	/* unprotected, or its socket is gone */
};

/* What the primary's SYN-ACK negotiated, for the replica to copy. */
struct hatcp_syn_params {
	u32 isn;
	u32 tsval;
	u8 rcv_wscale;
	u8 opts;		/* HATCP_SYN_OPT_* */
};

struct hatcp_flow {
	struct hlist_node node;		/* hatcp_net.flows */
	struct rcu_head rcu;
	refcount_t ref;
	struct hatcp_net *hn;
	__be32 saddr;			/* the client */
	__be32 daddr;			/* the service */
	__be16 sport;
	__be16 dport;
	enum hatcp_role role;		/* the node's role when it was seen */
	enum hatcp_unprot_reason unprot;
	u8 phase;			/* enum hatcp_flow_phase */
	bool protected;			/* replicated to the peer */
	bool dead;			/* unlinked: take nothing more */
	unsigned long last_seen;	/* jiffies, for expiry */

	spinlock_t lock;		/* what follows */

	/* Primary. Counts are kept under hatcp_net.hold.lock. */
	unsigned int held_segs;
	unsigned int held_bytes;
	unsigned int hold_timeouts;	/* in a row; reset by an ack */
	u8 *syn;			/* the client's SYN, until sent */
	unsigned int syn_len;

	/* Replica. */
	struct hatcp_syn_params params;
	u64 syn_msg_id;			/* to acknowledge once aligned */

	/* Both roles. */
	int ifindex;			/* where the client's packets enter,
					 * as socket lookups need it
					 */
	struct sk_buff_head queue;	/* by sequence, until consumed */
	unsigned int queued_bytes;
	u32 rcv_high;			/* highest end_seq received */
	bool rcv_high_valid;
	bool ack_high_valid;
	u32 ack_high;			/* highest ACK the client sent */

	/*
	 * Promotion: a replica's flow, now served by us, whose client may
	 * acknowledge bytes our application has not written again yet.
	 */
	bool draining;

	/* hatcp_flows_collect(): under hatcp_net.lock. */
	struct list_head batch_node;
};

/* A consistent view of a flow and its socket, for GET_FLOW. */
struct hatcp_flow_info {
	bool protected;
	bool has_sock;
	enum hatcp_unprot_reason unprot;
	u8 state;			/* TCP_*; TCP_CLOSE without a socket */
	u32 held_segs, held_bytes;
	u32 queued_segs, queued_bytes, lag_bytes;
	u32 snd_una, snd_nxt, rcv_nxt, tsval;
};

struct hatcp_flow *hatcp_flow_find(struct hatcp_net *hn, __be32 saddr,
				   __be16 sport, __be32 daddr, __be16 dport);
struct hatcp_flow *hatcp_flow_create(struct hatcp_net *hn, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport,
				     enum hatcp_role role);
void hatcp_flow_put(struct hatcp_flow *f);
void hatcp_flow_unprotect(struct hatcp_flow *f,
			  enum hatcp_unprot_reason reason);
void hatcp_flow_remove(struct hatcp_flow *f);
void hatcp_flows_flush(struct hatcp_net *hn);
void hatcp_flows_expire(struct hatcp_net *hn);
void hatcp_flows_collect(struct hatcp_net *hn,
			 bool (*want)(const struct hatcp_flow *f),
			 struct list_head *list);
struct sock *hatcp_flow_sock(struct hatcp_flow *f);
void hatcp_flow_info(struct hatcp_flow *f, struct hatcp_flow_info *info);
void hatcp_flow_count_unprotected(struct hatcp_net *hn,
				  enum hatcp_unprot_reason reason);

static inline void hatcp_flow_get(struct hatcp_flow *f)
{
	refcount_inc(&f->ref);
}

#endif /* _HATCP_FLOW_H */
