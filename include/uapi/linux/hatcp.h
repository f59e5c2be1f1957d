/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hatcp: HA/TCP for Linux. Generic netlink control interface.
 *
 * Family HATCP_GENL_NAME, version HATCP_GENL_VERSION. Every command needs
 * CAP_NET_ADMIN in the user namespace owning the caller's network namespace,
 * and acts on that network namespace only. Attributes are validated strictly:
 * unknown attributes, wrong lengths and out-of-range values are refused with
 * an extended ack message naming the attribute.
 *
 * New attributes and commands are only ever appended; the version is bumped
 * when the meaning of an existing one changes.
 */
#ifndef _UAPI_LINUX_HATCP_H
#define _UAPI_LINUX_HATCP_H

#define HATCP_GENL_NAME		"hatcp"
#define HATCP_GENL_VERSION	1
#define HATCP_MCGRP_EVENTS	"events"

/* UDP port of the replication channel, at both ends, unless set. */
#define HATCP_CHANNEL_PORT	7471
/* Bytes of a channel key (keyed BLAKE2s). */
#define HATCP_KEY_LEN		32

/* Most protected services per network namespace. */
#define HATCP_MAX_POLICIES	1024

enum hatcp_role {
	HATCP_ROLE_STANDALONE,	/* no replication: the default */
	HATCP_ROLE_PRIMARY,	/* serves clients, replicates to the peer */
	HATCP_ROLE_REPLICA,	/* shadows the peer, egress suppressed */

	__HATCP_ROLE_MAX,
	HATCP_ROLE_MAX = __HATCP_ROLE_MAX - 1
};

enum hatcp_cmd {
	HATCP_CMD_UNSPEC,

	HATCP_CMD_GET_ROLE,	/* reply: HATCP_A_ROLE */
	HATCP_CMD_SET_ROLE,	/* req: HATCP_A_ROLE */
	HATCP_CMD_GET_PEER,	/* reply: HATCP_A_PEER, absent if unset */
	HATCP_CMD_SET_PEER,	/* req: HATCP_A_PEER (LOCAL and REMOTE) */
	HATCP_CMD_DEL_PEER,
	HATCP_CMD_ADD_POLICY,	/* req: HATCP_A_POLICY */
	HATCP_CMD_DEL_POLICY,	/* req: HATCP_A_POLICY */
	HATCP_CMD_GET_POLICY,	/* dump: one HATCP_A_POLICY per message */
	HATCP_CMD_GET_STATS,	/* reply: HATCP_A_STATS */
	HATCP_CMD_GET_FLOW,	/* dump: one HATCP_A_FLOW per message */
	HATCP_CMD_PROMOTE,	/* replica -> primary; no-op if primary;
				 * refused (EBUSY) while the peer, alive,
				 * says it is the primary
				 */
	HATCP_CMD_DEMOTE,	/* primary -> replica; no-op if replica;
				 * keeps established flows if the peer lives;
				 * refused (EBUSY) while a service address
				 * given since the last demotion is on a
				 * link that answers ARP (MASTER again)
				 */
	HATCP_CMD_EVENT,	/* multicast on HATCP_MCGRP_EVENTS only */
	HATCP_CMD_MIGRATE,	/* primary -> replica, handing every protected
				 * flow to the peer, which must be a live
				 * replica: refused (EHOSTUNREACH) otherwise
				 */

	__HATCP_CMD_MAX,
	HATCP_CMD_MAX = __HATCP_CMD_MAX - 1
};

enum hatcp_attr {
	HATCP_A_UNSPEC,
	HATCP_A_PAD,
	HATCP_A_ROLE,		/* u32, enum hatcp_role */
	HATCP_A_PEER,		/* nest, enum hatcp_peer_attr */
	HATCP_A_POLICY,		/* nest, enum hatcp_policy_attr */
	HATCP_A_STATS,		/* nest, enum hatcp_stats_attr */
	HATCP_A_FLOW,		/* nest, enum hatcp_flow_attr */
	HATCP_A_EVENT,		/* u32, enum hatcp_event */
	HATCP_A_OLD_ROLE,	/* u32, enum hatcp_role: in role events */

	__HATCP_A_MAX,
	HATCP_A_MAX = __HATCP_A_MAX - 1
};

/*
 * The replication channel's two ends. Addresses in network byte order.
 * PORT defaults to HATCP_CHANNEL_PORT. KEY is never reported back; KEYED
 * says whether one is set. A primary or replica needs a KEY, unless the
 * peer was set with INSECURE_NO_KEY: then the channel only detects
 * corruption, and anyone who can spoof the peer's address can unprotect
 * or corrupt replicated connections. For labs only.
 */
enum hatcp_peer_attr {
	HATCP_PEER_A_UNSPEC,
	HATCP_PEER_A_LOCAL_IPV4,	/* be32, required on set */
	HATCP_PEER_A_REMOTE_IPV4,	/* be32, required on set */
	HATCP_PEER_A_IFINDEX,		/* u32, optional: bind to this device */
	HATCP_PEER_A_PORT,		/* u16, host order: both ends' UDP port */
	HATCP_PEER_A_KEY,		/* HATCP_KEY_LEN bytes, write-only */
	HATCP_PEER_A_KEYED,		/* u8, output only: 1 if a key is set */
	HATCP_PEER_A_REACHABLE,		/* u8, output only: heartbeats arrive */
	HATCP_PEER_A_ROLE,		/* u32, output only: enum hatcp_role its
					 * last heartbeat stated; absent before
					 * the first
					 */
	HATCP_PEER_A_INSECURE_NO_KEY,	/* flag: no KEY, and a primary or
					 * replica may use it anyway (lab
					 * only); reported when set
					 */

	__HATCP_PEER_A_MAX,
	HATCP_PEER_A_MAX = __HATCP_PEER_A_MAX - 1
};

/* A protected service: a local TCP port, optionally on one address. */
enum hatcp_policy_attr {
	HATCP_POLICY_A_UNSPEC,
	HATCP_POLICY_A_ADDR_IPV4,	/* be32, optional: absent = any */
	HATCP_POLICY_A_PORT,		/* u16, host order, 1..65535 */

	__HATCP_POLICY_A_MAX,
	HATCP_POLICY_A_MAX = __HATCP_POLICY_A_MAX - 1
};

/*
 * Counters since the namespace's state was created; gauges say so.
 * PEER_LAST_RX_MS: ms since the last valid channel message from the peer,
 * absent when none arrived since the peer was set.
 */
enum hatcp_stats_attr {
	HATCP_STATS_A_UNSPEC,
	HATCP_STATS_A_PAD,
	HATCP_STATS_A_POLICIES,		/* u32 gauge: protected services */
	HATCP_STATS_A_FLOWS,		/* u32 gauge: tracked flows */
	HATCP_STATS_A_ROLE_CHANGES,	/* u64 */
	HATCP_STATS_A_PROMOTIONS,	/* u64 */
	HATCP_STATS_A_DEMOTIONS,	/* u64 */
	HATCP_STATS_A_CONFIG_REJECTED,	/* u64: well-formed but refused */
	HATCP_STATS_A_MALFORMED,	/* u64: requests failing validation */
	HATCP_STATS_A_CHAN_TX,		/* u64: channel messages sent */
	HATCP_STATS_A_CHAN_RX,		/* u64: channel messages accepted */
	HATCP_STATS_A_CHAN_TX_ERRORS,	/* u64: messages that could not be sent */
	HATCP_STATS_A_CHAN_DROP_NOT_PEER,  /* u64: not from peer remote:port */
	HATCP_STATS_A_CHAN_DROP_MALFORMED, /* u64: bad magic/version/length */
	HATCP_STATS_A_CHAN_DROP_BAD_MAC,   /* u64: tag does not verify */
	HATCP_STATS_A_CHAN_DROP_REPLAY,	   /* u64: sequence already seen */
	HATCP_STATS_A_PEER_LAST_RX_MS,	/* u64 gauge, absent before the first */
	/* The data path. Gauges say so; everything else counts events. */
	HATCP_STATS_A_FLOWS_PROTECTED,	/* u64: flows set up with a twin */
	HATCP_STATS_A_FLOWS_UNPROTECTED, /* u64: flows left alone, any reason */
	HATCP_STATS_A_UNPROT_SYNCOOKIE,	/* u64: SYN-ACK was a syncookie */
	HATCP_STATS_A_UNPROT_FASTOPEN,	/* u64: server TFO */
	HATCP_STATS_A_UNPROT_MD5,	/* u64: TCP-MD5 or TCP-AO option */
	HATCP_STATS_A_UNPROT_REFUSED,	/* u64: the replica could not align */
	HATCP_STATS_A_UNPROT_TIMEOUT,	/* u64: the replica did not answer */
	HATCP_STATS_A_UNPROT_NO_PEER,	/* u64: peer unset or unreachable */
	HATCP_STATS_A_UNPROT_TABLE_FULL, /* u64: flow table at its limit */
	HATCP_STATS_A_UNPROT_MIDSTREAM,	/* u64: no handshake seen */
	HATCP_STATS_A_SEG_REPLICATED,	/* u64: ingress segments sent */
	HATCP_STATS_A_SEG_RELEASED,	/* u64: held segments the replica acked */
	HATCP_STATS_A_SEG_HOLD_TIMEOUT,	/* u64: dropped, no ack in time */
	HATCP_STATS_A_SEG_HOLD_FULL,	/* u64: dropped, held memory at bound */
	HATCP_STATS_A_SEG_SEND_FAILED,	/* u64: dropped, channel send failed */
	HATCP_STATS_A_SEG_UNPROTECTED,	/* u64: passed, flow unprotected */
	HATCP_STATS_A_HELD_SEGS,	/* u64 gauge: held now */
	HATCP_STATS_A_HELD_BYTES,	/* u64 gauge: held now */
	HATCP_STATS_A_REPL_QUEUED,	/* u64: segments taken into a queue */
	HATCP_STATS_A_REPL_INJECTED,	/* u64: injections, retries included */
	HATCP_STATS_A_REPL_RETRIED,	/* u64: injections repeated */
	HATCP_STATS_A_REPL_DUPLICATE,	/* u64: already queued or consumed
					 * (replica: from the primary, or a
					 * client retransmission off the wire)
					 */
	HATCP_STATS_A_REPL_QUEUE_FULL,	/* u64: refused, queue at bound */
	HATCP_STATS_A_REPL_UNKNOWN_FLOW, /* u64: segment for no known flow */
	HATCP_STATS_A_REPL_BAD_SEGMENT,	/* u64: carried packet not TCP/IPv4 */
	HATCP_STATS_A_REPL_ALIGN_FAILED, /* u64: request sock not alignable */
	HATCP_STATS_A_REPL_SUPPRESSED,	/* u64: egress segments consumed */
	HATCP_STATS_A_QUEUED_SEGS,	/* u64 gauge: waiting on the replica */
	HATCP_STATS_A_QUEUED_BYTES,	/* u64 gauge: waiting on the replica */
	HATCP_STATS_A_CHAN_DROP_STALE,	/* u64: from another session than
					 * the established one
					 */
	HATCP_STATS_A_CHAN_DROP_UNEXPECTED, /* u64: type not for our role */
	HATCP_STATS_A_CHAN_REASM_TIMEOUT, /* u64: message never completed */
	HATCP_STATS_A_CHAN_DROP_REASM,	/* u64: fragment not fitting its message */
	HATCP_STATS_A_UNPROT_FAILOVER,	/* u64: carried over by a promotion */
	HATCP_STATS_A_DRAIN_FLOWS,	/* u64 gauge: carried over, still draining */
	HATCP_STATS_A_DRAIN_ACK_CUT,	/* u64: client ACKs cut to our snd_nxt */
	HATCP_STATS_A_HANDOVER_KEPT,	/* u64: flows a demotion kept, as replica */
	HATCP_STATS_A_HANDOVER_SEGS,	/* u64: held segments it queued for them */
	HATCP_STATS_A_PROMOTE_KEPT,	/* u64: flows a promotion kept protected */
	HATCP_STATS_A_REPL_WIRE_DROP,	/* u64: replica: client bytes straight
					 * from the wire, not from the primary
					 */
	HATCP_STATS_A_REPL_STALE_ABORTED, /* u64: replica: shadows aborted
					   * when the peer came back (it
					   * unprotected them when it lost us)
					   */
	HATCP_STATS_A_PROMOTE_AUTO,	/* u64: promotions the module made
					 * itself: VIP here, the peer silent
					 * or a replica
					 */
	HATCP_STATS_A_PROMOTE_NUDGED,	/* u64: clients a promotion told to
					 * retransmit now (RFC 6069 ICMP)
					 */
	HATCP_STATS_A_REPL_WIRE_FORWARDED, /* u64: replica: client segments
					    * from the wire sent on to the
					    * peer after our demotion
					    */
	HATCP_STATS_A_FWD_TAKEN,	/* u64: segments the peer forwarded,
					 * taken in as the client's
					 */
	HATCP_STATS_A_FWD_DROPPED,	/* u64: forwarded or kept segments
					 * dropped: unknown flow, never
					 * promoted, too many waiting (not
					 * a kept one also sent to the peer)
					 */
	HATCP_STATS_A_REPL_WIRE_KEPT,	/* u64: replica: client segments
					 * from the wire kept for our
					 * promotion (the VIP is here)
					 */
	HATCP_STATS_A_PEER_LOST,	/* u64: the peer went unreachable
					 * (3 heartbeats missed): a primary
					 * serves on unprotected
					 */
	HATCP_STATS_A_SEG_RELEASED_NO_PEER, /* u64: held segments let in
					     * unprotected when the peer
					     * was lost or became a primary
					     */
	HATCP_STATS_A_SEG_BAD,		/* u64: primary: bad sum or header,
					 * not replicated (our stack drops it)
					 */
	HATCP_STATS_A_SEG_OUT_OF_WINDOW, /* u64: primary: outside our receive
					  * window, not replicated (old ones
					  * go on, for the stack's dup ACK)
					  */
	HATCP_STATS_A_UNPROT_SEND_FAILED, /* u64: the channel could not
					   * carry a segment of the flow
					   */
	HATCP_STATS_A_UNPROT_IPV6,	/* u64: IPv6 connections to a
					 * protected port (IPv4 only)
					 */
	HATCP_STATS_A_REPL_SOURCE_FULL,	/* u64: refused, the client address's
					 * queued bytes at their bound
					 */
	/*
	 * The channel's handshake (keep this block last: data-path
	 * counters go above it, and HATCP_DP_STAT_LAST moves with them).
	 */
	HATCP_STATS_A_CHAN_SESSIONS,	/* u64: peer sessions established
					 * (fresh nonce exchanges adopted)
					 */
	HATCP_STATS_A_CHAN_DROP_REFLECTED, /* u64: our own message sent back
					    * to us
					    */
	HATCP_STATS_A_CHAN_DROP_NO_SESSION, /* u64: a session message while
					     * no session is established
					     */
	HATCP_STATS_A_CHAN_HELLO_UNFRESH, /* u64: handshakes not echoing our
					   * current nonce: answered, never
					   * adopted (replays land here)
					   */
	HATCP_STATS_A_CHAN_HELLO_OLD,	/* u64: handshakes echoing our nonce
					 * from a peer start older than the
					 * adopted one: refused
					 */

	__HATCP_STATS_A_MAX,
	HATCP_STATS_A_MAX = __HATCP_STATS_A_MAX - 1
};

/* One tracked connection, as the local node sees it. */
enum hatcp_flow_attr {
	HATCP_FLOW_A_UNSPEC,
	HATCP_FLOW_A_PAD,
	HATCP_FLOW_A_ROLE,		/* u32, enum hatcp_role */
	HATCP_FLOW_A_SADDR_IPV4,	/* be32: the client */
	HATCP_FLOW_A_DADDR_IPV4,	/* be32: the service */
	HATCP_FLOW_A_SPORT,		/* u16, host order */
	HATCP_FLOW_A_DPORT,		/* u16, host order */
	HATCP_FLOW_A_STATE,		/* u32, TCP_* state of the socket */
	HATCP_FLOW_A_PROTECTED,		/* u8, 1 if replicated */
	HATCP_FLOW_A_UNPROT_REASON,	/* u32, enum hatcp_unprot_reason */
	HATCP_FLOW_A_HELD_SEGS,		/* u32, primary: awaiting the replica */
	HATCP_FLOW_A_HELD_BYTES,	/* u32, primary */
	HATCP_FLOW_A_QUEUED_SEGS,	/* u32, replica: not yet consumed */
	HATCP_FLOW_A_QUEUED_BYTES,	/* u32, replica */
	HATCP_FLOW_A_LAG_BYTES,		/* u32, replica: received - rcv_nxt */
	HATCP_FLOW_A_SND_UNA,		/* u32: the local socket's, if any */
	HATCP_FLOW_A_SND_NXT,		/* u32 */
	HATCP_FLOW_A_RCV_NXT,		/* u32 */
	HATCP_FLOW_A_TSVAL,		/* u32: TSval it would send now */

	__HATCP_FLOW_A_MAX,
	HATCP_FLOW_A_MAX = __HATCP_FLOW_A_MAX - 1
};

/* Why a flow is not replicated; NONE while it is. */
enum hatcp_unprot_reason {
	HATCP_UNPROT_NONE,
	HATCP_UNPROT_SYNCOOKIE,
	HATCP_UNPROT_FASTOPEN,
	HATCP_UNPROT_MD5,
	HATCP_UNPROT_REFUSED,	/* replica: no listener, or options differ */
	HATCP_UNPROT_TIMEOUT,	/* replica silent during the handshake */
	HATCP_UNPROT_NO_PEER,	/* no peer, or it stopped answering */
	HATCP_UNPROT_TABLE_FULL,
	HATCP_UNPROT_MIDSTREAM,	/* established before protection began */
	HATCP_UNPROT_FAILOVER,	/* carried over from the replica: no twin left */
	HATCP_UNPROT_SEND_FAILED, /* the channel could not carry a segment */
	HATCP_UNPROT_IPV6,	/* counted only: IPv6 is not protected */

	__HATCP_UNPROT_MAX,
	HATCP_UNPROT_MAX = __HATCP_UNPROT_MAX - 1
};

/* HATCP_A_EVENT values; the event carries the object it is about. */
enum hatcp_event {
	HATCP_EVENT_UNSPEC,
	HATCP_EVENT_ROLE_CHANGED,	/* HATCP_A_ROLE, HATCP_A_OLD_ROLE */
	HATCP_EVENT_PEER_CHANGED,	/* HATCP_A_PEER, absent if deleted */
	HATCP_EVENT_POLICY_ADDED,	/* HATCP_A_POLICY */
	HATCP_EVENT_POLICY_DELETED,	/* HATCP_A_POLICY */
	HATCP_EVENT_PEER_REACHABLE,	/* HATCP_A_PEER: heartbeats arrive */
	HATCP_EVENT_PEER_UNREACHABLE,	/* HATCP_A_PEER: 3 intervals missed */
	HATCP_EVENT_FLOW_UNPROTECTED,	/* HATCP_A_FLOW: left unreplicated */

	__HATCP_EVENT_MAX,
	HATCP_EVENT_MAX = __HATCP_EVENT_MAX - 1
};

#endif /* _UAPI_LINUX_HATCP_H */
