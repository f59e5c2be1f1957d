/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_MEMCG_H
#define _HATCP_MEMCG_H

#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include "hatcp.h"

/* What the data path allocates for a namespace, charged (memcg.c). */
#define HATCP_GFP	(GFP_ATOMIC | __GFP_ACCOUNT)

/*
 * Allocations with HATCP_GFP between begin and end are charged to @hn's
 * memory cgroup. BHs off or under RCU: the cgroup is freed only after a
 * grace period (hatcp_memcg_adopt()).
 */
static inline struct mem_cgroup *hatcp_charge_begin(struct hatcp_net *hn)
{
	return set_active_memcg(rcu_dereference_raw(hn->memcg));
}

static inline void hatcp_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

void hatcp_memcg_adopt(struct hatcp_net *hn);
void hatcp_memcg_release(struct hatcp_net *hn);

#endif /* _HATCP_MEMCG_H */
