// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the table of protected services. Hashed by port, because the data
 * path looks a packet up by its destination port under RCU; changes are
 * made under hn->lock.
 */
#include <linux/slab.h>
#include <linux/stringify.h>
#include "policy.h"

static struct hlist_head *policy_bucket(struct hatcp_net *hn, u16 port)
{
	return &hn->policies[hash_min(port, HATCP_POLICY_HASH_BITS)];
}

static struct hatcp_policy *policy_find(struct hatcp_net *hn, __be32 addr,
					u16 port)
{
	struct hatcp_policy *p;

	hlist_for_each_entry(p, policy_bucket(hn, port), node)
		if (p->port == port && p->addr == addr)
			return p;
	return NULL;
}

static void policy_changed(struct hatcp_net *hn)
{
	hn->policy_gen++;
	/* Zero means "no dump in progress" to nl_dump_check_consistent(). */
	if (!hn->policy_gen)
		hn->policy_gen++;
}

int hatcp_policy_add(struct hatcp_net *hn, __be32 addr, u16 port,
		     struct netlink_ext_ack *extack)
{
	struct hatcp_policy *p;

	lockdep_assert_held(&hn->lock);

	if (addr && (ipv4_is_multicast(addr) || ipv4_is_lbcast(addr) ||
		     ipv4_is_zeronet(addr))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "service address must be unicast; omit it to match any address");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (policy_find(hn, addr, port)) {
		NL_SET_ERR_MSG_MOD(extack, "policy already exists");
		return hatcp_refuse(hn, -EEXIST);
	}
	if (hn->n_policies >= HATCP_MAX_POLICIES) {
		NL_SET_ERR_MSG_MOD(extack, "too many policies (at most "
				   __stringify(HATCP_MAX_POLICIES) ")");
		return hatcp_refuse(hn, -ENOSPC);
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	hatcp_obj_get();
	p->addr = addr;
	p->port = port;
	hlist_add_head_rcu(&p->node, policy_bucket(hn, port));
	hn->n_policies++;
	policy_changed(hn);
	return 0;
}

static void policy_free(struct hatcp_net *hn, struct hatcp_policy *p)
{
	hlist_del_rcu(&p->node);
	hn->n_policies--;
	policy_changed(hn);
	kfree_rcu(p, rcu);
	hatcp_obj_put();
}

int hatcp_policy_del(struct hatcp_net *hn, __be32 addr, u16 port,
		     struct netlink_ext_ack *extack)
{
	struct hatcp_policy *p;

	lockdep_assert_held(&hn->lock);

	p = policy_find(hn, addr, port);
	if (!p) {
		NL_SET_ERR_MSG_MOD(extack, "no such policy");
		return hatcp_refuse(hn, -ENOENT);
	}
	policy_free(hn, p);
	return 0;
}

void hatcp_policy_flush(struct hatcp_net *hn)
{
	struct hatcp_policy *p;
	struct hlist_node *tmp;
	unsigned int bkt;

	lockdep_assert_held(&hn->lock);

	hash_for_each_safe(hn->policies, bkt, tmp, p, node)
		policy_free(hn, p);
}

int hatcp_policy_walk(struct hatcp_net *hn, struct hatcp_policy_cursor *cur,
		      int (*emit)(const struct hatcp_policy *p, void *arg),
		      void *arg)
{
	struct hatcp_policy *p;
	unsigned int i;
	int err = 0;

	rcu_read_lock();
	for (; cur->bucket < HASH_SIZE(hn->policies); cur->bucket++) {
		i = 0;
		hlist_for_each_entry_rcu(p, &hn->policies[cur->bucket], node) {
			if (i++ < cur->index)
				continue;
			err = emit(p, arg);
			if (err)
				goto out;
			cur->index++;
		}
		cur->index = 0;
	}
out:
	rcu_read_unlock();
	return err;
}

/* Under RCU: a service is bound to @addr itself (not to any address). */
bool hatcp_policy_has_addr(struct hatcp_net *hn, __be32 addr)
{
	struct hatcp_policy *p;
	unsigned int bkt;

	if (!addr)
		return false;
	hash_for_each_rcu(hn->policies, bkt, p, node)
		if (p->addr == addr)
			return true;
	return false;
}

/* The data path's question, under RCU: is TCP to @addr:@port protected? */
bool hatcp_policy_match(struct hatcp_net *hn, __be32 addr, u16 port)
{
	struct hatcp_policy *p;

	hlist_for_each_entry_rcu(p, policy_bucket(hn, port), node)
		if (p->port == port && (!p->addr || p->addr == addr))
			return true;
	return false;
}
