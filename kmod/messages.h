/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the replication channel's wire format. Every UDP datagram on the
 * channel is one message: this header, then a payload of the type's size.
 * Multi-byte fields are big endian.
 *
 * The tag is keyed BLAKE2s-128 over the header (tag zeroed) and the
 * payload. A HELLO's key is KDF(K, "hatcp v2 hello"); every other type's
 * is its session's key for its direction (channel.c), so a message is
 * valid in one direction of one session only. K is the peer's 32-byte
 * key, or all zeros when none is set: then the tags only detect
 * corruption, since anyone may compute them.
 */
#ifndef _HATCP_MESSAGES_H
#define _HATCP_MESSAGES_H

#include <linux/build_bug.h>
#include <linux/types.h>

#define HATCP_MSG_MAGIC		0x48744370	/* "HtCp" */
#define HATCP_MSG_VERSION	2
#define HATCP_MSG_TAG_LEN	16

enum hatcp_msg_type {
	HATCP_MSG_HELLO = 4,	/* the handshake: session 0, its own key */
	HATCP_MSG_HEARTBEAT = 1,
	HATCP_MSG_FRAGMENT = 2,	/* primary -> replica: part of a body */
	HATCP_MSG_ACK = 3,	/* replica -> primary: a body's fate */
};

struct hatcp_msg_hdr {
	__be32 magic;
	u8 version;
	u8 type;
	__be16 len;		/* payload bytes after the header */
	__be64 session;		/* the session's id for this direction;
				 * 0 in a HELLO
				 */
	__be64 seq;		/* per sender, from 1, never reused */
	u8 tag[HATCP_MSG_TAG_LEN];
};

static_assert(sizeof(struct hatcp_msg_hdr) == 40);

#define HATCP_NONCE_LEN		32

/*
 * HATCP_MSG_HELLO: each node draws @nonce when its channel starts and
 * again when its session goes quiet. A node adopts the sender's nonce
 * only from a HELLO whose @echo is its own current nonce (so the HELLO
 * is newer than that nonce) and whose @epoch is later than the one it
 * adopted last. Two adopted nonces make a session: see channel.c.
 */
struct hatcp_msg_hello {
	u8 nonce[HATCP_NONCE_LEN];	/* the sender's */
	u8 echo[HATCP_NONCE_LEN];	/* the receiver's, as the sender last
					 * saw it; zeros before it saw one
					 */
	__be64 epoch;		/* ns since 1970 when the sender drew @nonce */
};

static_assert(sizeof(struct hatcp_msg_hello) == 72);

/* HATCP_MSG_HEARTBEAT: sent every interval while a session is up. */
struct hatcp_msg_heartbeat {
	u8 role;		/* enum hatcp_role of the sender */
	u8 reserved[3];		/* zero */
	__be32 interval_ms;
};

static_assert(sizeof(struct hatcp_msg_heartbeat) == 8);

/*
 * HATCP_MSG_FRAGMENT: one piece of a body (below), so that a 64 KB GRO
 * aggregate crosses as datagrams under the path MTU. We never rely on IP
 * fragmentation: its 16-bit ids wrap at high rates and mix datagrams
 * (RFC 4963). Pieces are @chunk bytes, the last one the rest; the body is
 * @total bytes in @count pieces, and piece @index starts at index * chunk.
 */
struct hatcp_msg_frag {
	__be64 msg_id;		/* per sender session, from 1 */
	__be32 total;
	__be16 chunk;
	u8 index;
	u8 count;
};

static_assert(sizeof(struct hatcp_msg_frag) == 16);

#define HATCP_FRAG_MAX		64	/* pieces per body */
#define HATCP_FRAG_MIN_CHUNK	512

enum hatcp_body_kind {
	HATCP_BODY_SEGMENT = 1,	/* a client segment or GRO aggregate */
	HATCP_BODY_SYN = 2,	/* a client SYN and the primary's answer */
	HATCP_BODY_FORWARD = 3,	/* replica -> peer: one from the wire */
};

/* Negotiated options, as the primary's SYN-ACK carried them. */
#define HATCP_SYN_OPT_TS	BIT(0)
#define HATCP_SYN_OPT_SACK	BIT(1)
#define HATCP_SYN_OPT_WSCALE	BIT(2)
#define HATCP_SYN_OPT_ECN	BIT(3)

/* A reassembled body: this, then the client's IPv4 packet as received. */
struct hatcp_body {
	u8 kind;
	u8 opts;		/* SYN: HATCP_SYN_OPT_* */
	__be16 gso_size;	/* SEGMENT: the aggregate's; 0: one packet */
	__be16 gso_segs;
	u8 rcv_wscale;		/* SYN: the primary's */
	u8 reserved;		/* zero */
	__be32 isn;		/* SYN: the primary's initial sequence */
	__be32 tsval;		/* SYN: the primary's SYN-ACK TSval */
};

static_assert(sizeof(struct hatcp_body) == 16);

enum hatcp_ack_status {
	HATCP_ACK_OK = 1,	/* the replica holds it, or has consumed it */
	HATCP_ACK_REFUSED = 2,	/* SYN: no listener, or options differ */
	HATCP_ACK_UNKNOWN = 3,	/* SEGMENT: the replica has no such flow */
};

/* HATCP_MSG_ACK */
struct hatcp_msg_ack {
	__be64 msg_id;
	u8 status;		/* enum hatcp_ack_status */
	u8 reserved[7];		/* zero */
};

static_assert(sizeof(struct hatcp_msg_ack) == 16);

#endif /* _HATCP_MESSAGES_H */
