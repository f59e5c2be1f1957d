// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: what each client address has queued on the replica. Per-flow and
 * per-namespace bounds alone let one client with many connections, each
 * holding bytes past a hole it never fills, take the namespace's whole
 * queue, and then every other flow lost its protection. With a bound per
 * address too (queue_src_max_mb), such a client fills only its own share:
 * its flows time out and go unprotected, others go on.
 *
 * An entry lives while its address has bytes queued. Taken under the
 * queueing flow's lock, never the other way round.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include "bounds.h"
#include "memcg.h"
#include "source.h"

struct hatcp_src {
	struct hlist_node node;
	__be32 addr;
	u64 bytes;
};

static struct hatcp_src *src_find(struct hatcp_net *hn, __be32 addr)
{
	struct hatcp_src *s;

	hash_for_each_possible(hn->srcs.by_addr, s, node, (__force u32)addr)
		if (s->addr == addr)
			return s;
	return NULL;
}

/* Whether @addr may queue @len more bytes; if so they are counted. */
bool hatcp_src_charge(struct hatcp_net *hn, __be32 addr, unsigned int len)
{
	struct mem_cgroup *memcg;
	struct hatcp_src *s;
	bool ok = false;

	spin_lock_bh(&hn->srcs.lock);
	s = src_find(hn, addr);
	if (!s) {
		memcg = hatcp_charge_begin(hn);
		s = kzalloc(sizeof(*s), HATCP_GFP);
		hatcp_charge_end(memcg);
		if (!s)
			goto out;
		s->addr = addr;
		hash_add(hn->srcs.by_addr, &s->node, (__force u32)addr);
		hatcp_obj_get();
	}
	if (s->bytes + len <= hatcp_queue_src_max()) {
		s->bytes += len;
		ok = true;
	} else if (!s->bytes) {
		hash_del(&s->node);
		kfree(s);
		hatcp_obj_put();
	}
out:
	spin_unlock_bh(&hn->srcs.lock);
	return ok;
}

void hatcp_src_uncharge(struct hatcp_net *hn, __be32 addr, unsigned int len)
{
	struct hatcp_src *s;

	if (!len)
		return;
	spin_lock_bh(&hn->srcs.lock);
	s = src_find(hn, addr);
	if (s) {
		s->bytes -= min_t(u64, s->bytes, len);
		if (!s->bytes) {
			hash_del(&s->node);
			kfree(s);
			hatcp_obj_put();
		}
	}
	spin_unlock_bh(&hn->srcs.lock);
}

void hatcp_srcs_init(struct hatcp_net *hn)
{
	spin_lock_init(&hn->srcs.lock);
	hash_init(hn->srcs.by_addr);
}

/* After every flow is gone, entries are too; any left would be a bug. */
void hatcp_srcs_exit(struct hatcp_net *hn)
{
	struct hlist_node *tmp;
	struct hatcp_src *s;
	unsigned int b;

	hash_for_each_safe(hn->srcs.by_addr, b, tmp, s, node) {
		hash_del(&s->node);
		kfree(s);
		hatcp_obj_put();
	}
}
