// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: rebuilds a body from its fragments, straight into the skb that
 * will carry the client's packet into the stack. Every fragment was
 * authenticated and de-duplicated by the channel; here we only check that
 * the pieces describe one consistent body. A body that does not complete
 * within REASM_TIMEOUT_MS is dropped: the primary's hold times out and the
 * client retransmits.
 */
#include <linux/slab.h>
#include "memcg.h"
#include "messages.h"
#include "reasm.h"
#include "replica.h"

#define REASM_TIMEOUT_MS	1000
#define REASM_MAX		256	/* bodies in progress per namespace */

struct reasm_entry {
	struct hlist_node node;
	u64 msg_id;
	unsigned long born;
	u32 total;
	u16 chunk;
	u8 count;
	u8 got_n;
	u64 got;			/* bit i: fragment i arrived */
	struct sk_buff *skb;		/* @total bytes, filled in place */
};

static_assert(HATCP_FRAG_MAX <= 64);

/* The skb a body is built in; headroom for a link header, like a NIC's. */
static struct sk_buff *body_skb(struct hatcp_net *hn, unsigned int total)
{
	struct mem_cgroup *memcg = hatcp_charge_begin(hn);
	struct sk_buff *skb;

	skb = alloc_skb(NET_SKB_PAD + NET_IP_ALIGN + total, HATCP_GFP);
	hatcp_charge_end(memcg);

	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
	skb_put(skb, total);
	return skb;
}

static bool frag_ok(const struct hatcp_msg_frag *fh, unsigned int len)
{
	u32 total = ntohl(fh->total);
	u16 chunk = ntohs(fh->chunk);
	u8 count = fh->count;

	if (!count || count > HATCP_FRAG_MAX || fh->index >= count || !chunk)
		return false;
	if (total < sizeof(struct hatcp_body) || total > 65535 + 64)
		return false;
	if (count > 1 && chunk < HATCP_FRAG_MIN_CHUNK)
		return false;
	if (total > (u32)count * chunk || total <= (u32)(count - 1) * chunk)
		return false;
	if (fh->index < count - 1)
		return len == chunk;
	return len == total - (u32)(count - 1) * chunk;
}

static void entry_free(struct reasm_entry *e)
{
	kfree_skb(e->skb);
	kfree(e);
	hatcp_obj_put();
}

void hatcp_reasm_rx(struct hatcp_net *hn, const u8 *payload, unsigned int len)
{
	struct hatcp_reasm *ra = &hn->reasm;
	struct reasm_entry *e, *found = NULL;
	struct mem_cgroup *memcg;
	struct hatcp_msg_frag fh;
	struct sk_buff *skb;
	u64 id;

	memcpy(&fh, payload, sizeof(fh));
	payload += sizeof(fh);
	len -= sizeof(fh);
	if (!frag_ok(&fh, len))
		goto bad;
	id = be64_to_cpu(fh.msg_id);

	if (fh.count == 1) {
		skb = body_skb(hn, len);
		if (!skb)
			return;
		memcpy(skb->data, payload, len);
		hatcp_replica_rx_body(hn, id, skb);
		return;
	}

	spin_lock(&ra->lock);
	hash_for_each_possible(ra->by_id, e, node, id)
		if (e->msg_id == id) {
			found = e;
			break;
		}
	e = found;
	if (!e) {
		if (ra->n >= REASM_MAX)
			goto bad_unlock;
		memcg = hatcp_charge_begin(hn);
		e = kzalloc(sizeof(*e), HATCP_GFP);
		hatcp_charge_end(memcg);
		if (!e)
			goto unlock;
		e->skb = body_skb(hn, ntohl(fh.total));
		if (!e->skb) {
			kfree(e);
			goto unlock;
		}
		hatcp_obj_get();
		e->msg_id = id;
		e->born = jiffies;
		e->total = ntohl(fh.total);
		e->chunk = ntohs(fh.chunk);
		e->count = fh.count;
		hash_add(ra->by_id, &e->node, id);
		ra->n++;
	}
	if (e->total != ntohl(fh.total) || e->chunk != ntohs(fh.chunk) ||
	    e->count != fh.count)
		goto bad_unlock;
	/* The primary resent the body: this piece is here already. */
	if (e->got & BIT_ULL(fh.index))
		goto unlock;
	memcpy(e->skb->data + (u32)fh.index * e->chunk, payload, len);
	e->got |= BIT_ULL(fh.index);
	if (++e->got_n < e->count)
		goto unlock;
	hash_del(&e->node);
	ra->n--;
	spin_unlock(&ra->lock);

	skb = e->skb;
	e->skb = NULL;
	entry_free(e);
	hatcp_replica_rx_body(hn, id, skb);
	return;

bad_unlock:
	spin_unlock(&ra->lock);
bad:
	hatcp_count(hn, HATCP_STATS_A_CHAN_DROP_REASM);
	return;
unlock:
	spin_unlock(&ra->lock);
}

static void reasm_drop(struct hatcp_net *hn, bool all)
{
	unsigned long timeout = msecs_to_jiffies(REASM_TIMEOUT_MS);
	struct hatcp_reasm *ra = &hn->reasm;
	struct reasm_entry *e;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	unsigned int b;

	spin_lock_bh(&ra->lock);
	hash_for_each_safe(ra->by_id, b, tmp, e, node) {
		if (!all && time_before(jiffies, e->born + timeout))
			continue;
		hash_del(&e->node);
		ra->n--;
		hlist_add_head(&e->node, &dead);
	}
	spin_unlock_bh(&ra->lock);
	hlist_for_each_entry_safe(e, tmp, &dead, node) {
		hlist_del(&e->node);
		if (!all)
			hatcp_count(hn, HATCP_STATS_A_CHAN_REASM_TIMEOUT);
		entry_free(e);
	}
}

void hatcp_reasm_expire(struct hatcp_net *hn)
{
	reasm_drop(hn, false);
}

void hatcp_reasm_flush(struct hatcp_net *hn)
{
	reasm_drop(hn, true);
}

void hatcp_reasm_init(struct hatcp_net *hn)
{
	spin_lock_init(&hn->reasm.lock);
	hash_init(hn->reasm.by_id);
	hn->reasm.n = 0;
}
