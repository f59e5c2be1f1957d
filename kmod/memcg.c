// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: whose memory the data path uses. The module's per-namespace
 * bounds (bounds.c) stop one namespace from taking everything, but the
 * owner of many namespaces would still pin their sum. So what we allocate
 * for a namespace (flows, held entries and copies, bodies being rebuilt
 * and queued) is charged to the memory cgroup of the process that set
 * its role: hatcpd's service, as a rule, whose cgroup limits then bound
 * it. Past the limit an allocation fails like any other: the segment is
 * dropped (the client retransmits) or the flow goes unprotected.
 *
 * The client's own skbs, which the primary holds, were allocated by the
 * driver and are not charged; hold_net_max_mb bounds them.
 */
#include <linux/rcupdate.h>
#include "memcg.h"

/* Process context, under hn->lock: the caller's cgroup pays from now on. */
void hatcp_memcg_adopt(struct hatcp_net *hn)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(current->mm);
	struct mem_cgroup *old;

	lockdep_assert_held(&hn->lock);
	old = rcu_replace_pointer(hn->memcg, memcg,
				  lockdep_is_held(&hn->lock));
	if (old && old != memcg)
		synchronize_rcu();	/* allocations in flight may name it */
	mem_cgroup_put(old);
}

/* Namespace exit, after the hooks and timers are gone: no reader is left. */
void hatcp_memcg_release(struct hatcp_net *hn)
{
	mem_cgroup_put(rcu_replace_pointer(hn->memcg, NULL, true));
}
