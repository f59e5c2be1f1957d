// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: HA/TCP for Linux. Module entry points and per network namespace
 * state.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include "channel.h"
#include "config.h"
#include "datapath.h"
#include "memcg.h"
#include "netlink.h"
#include "policy.h"
#include "takeover.h"

unsigned int hatcp_net_id __read_mostly;
atomic_t hatcp_live_objects = ATOMIC_INIT(0);

static int __net_init hatcp_net_init(struct net *net)
{
	struct hatcp_net *hn = hatcp_pernet(net);

	hn->net = net;
	mutex_init(&hn->lock);
	hn->role = HATCP_ROLE_STANDALONE;
	RCU_INIT_POINTER(hn->peer, NULL);
	hatcp_channel_init(hn);
	hatcp_takeover_net_init(hn);
	hash_init(hn->policies);
	return hatcp_dp_init(hn);
}

/* Runs when a namespace dies and, for every namespace, on unload. */
static void __net_exit hatcp_net_exit(struct net *net)
{
	struct hatcp_net *hn = hatcp_pernet(net);

	mutex_lock(&hn->lock);
	hatcp_policy_flush(hn);
	hatcp_peer_flush(hn);
	mutex_unlock(&hn->lock);
	/* The channel's timer, which schedules them, is stopped. */
	cancel_work_sync(&hn->chan.stale_work);
	hatcp_takeover_net_exit(hn);
	hatcp_dp_exit(hn);
	hatcp_memcg_release(hn);
	mutex_destroy(&hn->lock);
}

static struct pernet_operations hatcp_net_ops = {
	.init = hatcp_net_init,
	.exit = hatcp_net_exit,
	.id = &hatcp_net_id,
	.size = sizeof(struct hatcp_net),
};

static int __init hatcp_init(void)
{
	int err;

	err = register_pernet_subsys(&hatcp_net_ops);
	if (err)
		return err;
	err = hatcp_dp_notifier_init();
	if (err)
		goto err_pernet;
	err = hatcp_takeover_init();
	if (err)
		goto err_notifier;
	err = hatcp_genl_init();
	if (err)
		goto err_takeover;
	pr_info("loaded, genetlink family %s version %d\n", HATCP_GENL_NAME,
		HATCP_GENL_VERSION);
	return 0;
err_takeover:
	hatcp_takeover_exit();
err_notifier:
	hatcp_dp_notifier_exit();
err_pernet:
	unregister_pernet_subsys(&hatcp_net_ops);
	return err;
}

static void __exit hatcp_exit(void)
{
	hatcp_genl_exit();
	hatcp_takeover_exit();
	hatcp_dp_notifier_exit();
	unregister_pernet_subsys(&hatcp_net_ops);
	/* Let call_rcu() callbacks run before the module text goes. */
	rcu_barrier();
	WARN(atomic_read(&hatcp_live_objects),
	     "hatcp: %d objects leaked at unload\n",
	     atomic_read(&hatcp_live_objects));
	pr_info("unloaded\n");
}

module_init(hatcp_init);
module_exit(hatcp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("HA/TCP: TCP connections that survive a server's death");
MODULE_AUTHOR("The hatcp developers");
MODULE_ALIAS_GENL_FAMILY(HATCP_GENL_NAME);
/*
 * The channel links against udp_tunnel (a module in Debian's kernels):
 * modprobe resolves that, insmod needs "modprobe udp_tunnel" first.
 */
