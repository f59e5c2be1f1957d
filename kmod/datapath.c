// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the data path's netfilter hooks and timer, per namespace.
 *
 * Priorities: both hooks sit just after the filter chains
 * (NF_IP_PRI_FILTER + 1). Operators' filter rules see a packet before we
 * do, so what they drop is never replicated; conntrack has seen it too.
 * Later hooks (security, conntrack confirm at LOCAL_IN; none by default
 * at LOCAL_OUT) run when a held packet is released, exactly once: it
 * resumes with the hook after ours, as nf_reinject() does.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_queue.h>
#include <net/tcp.h>
#include "channel.h"
#include "datapath.h"
#include "demote.h"
#include "flow.h"
#include "policy.h"
#include "primary.h"
#include "promote.h"
#include "forward.h"
#include "reasm.h"
#include "replica.h"
#include "source.h"

#define DP_TICK_MS		50
#define DP_HOOK_PRIORITY	(NF_IP_PRI_FILTER + 1)

static unsigned int hatcp_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct hatcp_net *hn = priv;
	enum hatcp_role role = READ_ONCE(hn->role);
	const struct iphdr *iph;
	const struct tcphdr *th;
	struct tcphdr _th;

	/* Unprotected traffic pays for these few loads and nothing more. */
	if (role == HATCP_ROLE_STANDALONE || !READ_ONCE(hn->n_policies))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;

	if (state->hook == NF_INET_LOCAL_IN) {
		if (!hatcp_policy_match(hn, iph->daddr, ntohs(th->dest)))
			return NF_ACCEPT;
		if (role == HATCP_ROLE_REPLICA)
			return hatcp_replica_in(hn, skb, iph, th);
		return hatcp_primary_in(hn, skb, state, iph, th);
	}
	if (role == HATCP_ROLE_REPLICA)
		return hatcp_replica_out(hn, skb, iph, th);
	if (!hatcp_policy_match(hn, iph->saddr, ntohs(th->source)))
		return NF_ACCEPT;
	return hatcp_primary_out(hn, skb, state, iph, th);
}

/*
 * IPv6 is not protected (the channel and the alignment are IPv4's), and
 * must not look as if it were: each connection a client opens over IPv6
 * to a port we protect on any address is counted as unprotected. Its
 * packets pass untouched.
 */
static unsigned int hatcp_hook6(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct hatcp_net *hn = priv;
	const struct tcphdr *th;
	unsigned int thoff = 0;
	struct tcphdr _th;

	if (READ_ONCE(hn->role) == HATCP_ROLE_STANDALONE ||
	    !READ_ONCE(hn->n_policies))
		return NF_ACCEPT;
	if (ipv6_find_hdr(skb, &thoff, IPPROTO_TCP, NULL, NULL) != IPPROTO_TCP)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !th->syn || th->ack)
		return NF_ACCEPT;
	rcu_read_lock();
	if (hatcp_policy_match(hn, 0, ntohs(th->dest)))
		hatcp_flow_count_unprotected(hn, HATCP_UNPROT_IPV6);
	rcu_read_unlock();
	return NF_ACCEPT;
}

/*
 * Sends a held packet through the hooks after ours, then on its way.
 * Runs with BHs off, like the path it was taken from.
 */
void hatcp_dp_resume(struct hatcp_net *hn, struct sk_buff *skb,
		     struct nf_hook_state *state)
{
	const struct nf_hook_entries *e;
	unsigned int i;

	rcu_read_lock();
	e = rcu_dereference(hn->net->nf.hooks_ipv4[state->hook]);
	for (i = 0; e && i < e->num_hook_entries; i++)
		if (e->hooks[i].hook == hatcp_hook && e->hooks[i].priv == hn)
			break;
	if (!e || i == e->num_hook_entries)
		kfree_skb(skb);		/* our hook is gone: so is the flow */
	else if (nf_hook_slow(skb, state, e, i + 1) == 1)
		state->okfn(state->net, state->sk, skb);
	rcu_read_unlock();
}

static void dp_timer(struct timer_list *t)
{
	struct hatcp_net *hn = from_timer(hn, t, dp_timer);

	hatcp_hold_expire(hn);
	hatcp_replica_tick(hn);
	hatcp_reasm_expire(hn);
	hatcp_forward_expire(hn);
	if (++hn->dp_ticks % (1000 / DP_TICK_MS) == 0)
		hatcp_flows_expire(hn);
	if (READ_ONCE(hn->dp_running))
		mod_timer(&hn->dp_timer,
			  jiffies + msecs_to_jiffies(DP_TICK_MS));
}

/* Called under hn->lock just before the role changes. */
void hatcp_dp_role_changing(struct hatcp_net *hn, enum hatcp_role role)
{
	if (hn->role == HATCP_ROLE_REPLICA && role == HATCP_ROLE_PRIMARY)
		hatcp_promote_prepare(hn);
}

/*
 * Called under hn->lock after the role changed. A promotion keeps the
 * replica's flows: that is what it is for. A demotion keeps the
 * established ones when the peer is there to serve them. Otherwise the
 * flows of one role mean nothing in the other: what was held goes on,
 * the rest is forgotten.
 */
void hatcp_dp_role_changed(struct hatcp_net *hn, enum hatcp_role old_role)
{
	if (old_role == HATCP_ROLE_REPLICA && hn->role == HATCP_ROLE_PRIMARY) {
		hatcp_promote_flows(hn);
	} else if (old_role == HATCP_ROLE_PRIMARY &&
		   hn->role == HATCP_ROLE_REPLICA &&
		   hatcp_chan_peer_alive(hn)) {
		hatcp_demote_flows(hn);
	} else {
		if (old_role == HATCP_ROLE_PRIMARY)
			hatcp_hold_release_all(hn);
		hatcp_flows_flush(hn);
	}
	hatcp_forward_role_changed(hn);
	hatcp_reasm_flush(hn);
}

int hatcp_dp_init(struct hatcp_net *hn)
{
	static const unsigned int hooknums[] = {
		NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT,
	};
	unsigned int i;
	int err;

	spin_lock_init(&hn->flow_lock);
	hash_init(hn->flows);
	hn->flow_seed = get_random_u32();
	hatcp_hold_init(hn);
	hatcp_reasm_init(hn);
	hatcp_srcs_init(hn);
	hatcp_forward_init(hn);
	for (i = 0; i < ARRAY_SIZE(hooknums); i++) {
		hn->hooks[i] = (struct nf_hook_ops) {
			.hook = hatcp_hook,
			.priv = hn,
			.pf = NFPROTO_IPV4,
			.hooknum = hooknums[i],
			.priority = DP_HOOK_PRIORITY,
		};
	}
	hn->hooks[i] = (struct nf_hook_ops) {
		.hook = hatcp_hook6,
		.priv = hn,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = DP_HOOK_PRIORITY,
	};
	err = nf_register_net_hooks(hn->net, hn->hooks, ARRAY_SIZE(hn->hooks));
	if (err)
		return err;
	timer_setup(&hn->dp_timer, dp_timer, 0);
	hn->dp_running = true;
	mod_timer(&hn->dp_timer, jiffies + msecs_to_jiffies(DP_TICK_MS));
	return 0;
}

/* After the channel is closed: nothing can add to what is freed here. */
void hatcp_dp_exit(struct hatcp_net *hn)
{
	nf_unregister_net_hooks(hn->net, hn->hooks, ARRAY_SIZE(hn->hooks));
	WRITE_ONCE(hn->dp_running, false);
	del_timer_sync(&hn->dp_timer);
	hatcp_hold_drop_dev(hn, NULL);
	hatcp_flows_flush(hn);
	hatcp_reasm_flush(hn);
	hatcp_forward_exit(hn);
	hatcp_srcs_exit(hn);
}

/* A held packet must not outlive the device it came in on or goes out by. */
static int dp_netdev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_UNREGISTER)
		hatcp_hold_drop_dev(hatcp_pernet(dev_net(dev)), dev);
	return NOTIFY_DONE;
}

static struct notifier_block dp_netdev_notifier = {
	.notifier_call = dp_netdev_event,
};

int hatcp_dp_notifier_init(void)
{
	return register_netdevice_notifier(&dp_netdev_notifier);
}

void hatcp_dp_notifier_exit(void)
{
	unregister_netdevice_notifier(&dp_netdev_notifier);
}
