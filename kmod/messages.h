/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hatcp: the replication channel's wire format. Every UDP datagram on the
 * channel is one message: this header, then a payload of the type's size.
 * Multi-byte fields are big endian.
 *
 * The tag is keyed BLAKE2s-128 over the header (tag zeroed) and the
 * payload. The key is the peer's 32-byte key, or all zeros when none is
 * set: then the tag only detects corruption, since anyone may compute it.
 */
#ifndef _HATCP_MESSAGES_H
#define _HATCP_MESSAGES_H

#include <linux/build_bug.h>
#include <linux/types.h>

#define HATCP_MSG_MAGIC		0x48744370	/* "HtCp" */
#define HATCP_MSG_VERSION	1
#define HATCP_MSG_TAG_LEN	16

enum hatcp_msg_type {
	HATCP_MSG_HEARTBEAT = 1,
	/* Reserved for the data path: SEGMENT, ACK and SYN. */
};

struct hatcp_msg_hdr {
	__be32 magic;
	u8 version;
	u8 type;
	__be16 len;		/* payload bytes after the header */
	__be64 session;		/* random, chosen when the sender starts */
	__be64 seq;		/* per session, from 1, never reused */
	u8 tag[HATCP_MSG_TAG_LEN];
};

static_assert(sizeof(struct hatcp_msg_hdr) == 40);

/* HATCP_MSG_HEARTBEAT: sent every interval while a peer is set. */
struct hatcp_msg_heartbeat {
	u8 role;		/* enum hatcp_role of the sender */
	u8 reserved[3];		/* zero */
	__be32 interval_ms;
};

static_assert(sizeof(struct hatcp_msg_heartbeat) == 8);

#endif /* _HATCP_MESSAGES_H */
