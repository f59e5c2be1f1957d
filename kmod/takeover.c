// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: promotion by the kernel, as soon as a crash is certain.
 *
 * keepalived promotes a replica through its notify script, which forks a
 * shell and then hatcpctl, after the VIP is set: on a slow machine that
 * is most of the pause a client sees. The kernel sees, as they happen,
 * the facts the script acts on: the VIP arriving on a link that answers
 * ARP (keepalived made us MASTER: otherwise the VIP lives only on a NOARP
 * dummy, so that our sockets can bind to it), and the peer's heartbeats
 * stopping or saying it stepped down to replica (a planned switchover).
 * When the VIP is here and the peer, heard before, is dead by the
 * channel's verdict or a live replica, a replica promotes at once (the
 * verdict, not a shorter silence: a loaded node that missed three adverts
 * also hears heartbeats late); the notify script's promote then
 * finds a primary and succeeds, changing nothing. A peer that is a live
 * primary (a broken VRRP path) leaves the decision to the scripts, which
 * yield; so does a service without an address of its own (no VIP to
 * watch), and a VIP left from before our last demotion (see vip_on_link).
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/arp.h>
#include "channel.h"
#include "config.h"
#include "netlink.h"
#include "policy.h"
#include "takeover.h"

enum vip_seen { VIP_AWAY, VIP_STALE, VIP_HERE };

/* Under RCU: @dev's IPv4 addresses if it is up and answers ARP for them. */
static struct in_device *arp_in_dev(struct net_device *dev)
{
	if (!(dev->flags & IFF_UP) || (dev->flags & (IFF_NOARP | IFF_LOOPBACK)))
		return NULL;
	return __in_dev_get_rcu(dev);
}

/*
 * Under RCU (and hn->lock, or a demotion may race it): whether one of our
 * services' own addresses is on @dev, a link that answers ARP for it. One
 * added before our last demotion is stale: it is the VIP we served with,
 * which keepalived has not taken away yet (a migration yields it only
 * after the demotion), not keepalived choosing us.
 */
static enum vip_seen vip_on_link(struct hatcp_net *hn, struct net_device *dev)
{
	enum vip_seen seen = VIP_AWAY;
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;

	in_dev = arp_in_dev(dev);
	if (!in_dev)
		return VIP_AWAY;
	in_dev_for_each_ifa_rcu(ifa, in_dev) {
		if (!hatcp_policy_has_addr(hn, ifa->ifa_local))
			continue;
		if (!READ_ONCE(hn->demoted) ||
		    time_after(READ_ONCE(ifa->ifa_cstamp),
			       READ_ONCE(hn->demoted_at)))
			return VIP_HERE;
		seen = VIP_STALE;
	}
	return seen;
}

/*
 * Under RCU, any context: keepalived has just given us the VIP on @dev,
 * so a promotion is on its way (or a refusal, with a live primary).
 */
bool hatcp_vip_on(struct hatcp_net *hn, struct net_device *dev)
{
	return vip_on_link(hn, dev) == VIP_HERE;
}

static enum vip_seen vip_here(struct hatcp_net *hn)
{
	enum vip_seen seen = VIP_AWAY;
	struct net_device *dev;

	rcu_read_lock();
	for_each_netdev_rcu(hn->net, dev) {
		seen = max(seen, vip_on_link(hn, dev));
		if (seen == VIP_HERE)
			break;
	}
	rcu_read_unlock();
	return seen;
}

/*
 * Under hn->lock: keepalived has given us the VIP since our last demotion
 * (on a link that answers ARP), that is, it has made us MASTER.
 */
bool hatcp_vip_serving(struct hatcp_net *hn)
{
	lockdep_assert_held(&hn->lock);
	return vip_here(hn) == VIP_HERE;
}

/*
 * Process context, after the role flipped and before any shadow socket is
 * woken: a gratuitous ARP for each of our services' addresses on a link
 * that answers ARP for it. keepalived sends its own once it has added the
 * VIP, but our promotion, run from that very addition, wakes the shadows
 * first: a client that gets its reply from us before it hears of our MAC
 * sends its next segment to the old node's, and waits a retransmission
 * timeout. Harmless when keepalived's comes first.
 */
void hatcp_vip_announce(struct hatcp_net *hn)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	struct net_device *dev;

	rcu_read_lock();
	for_each_netdev_rcu(hn->net, dev) {
		in_dev = arp_in_dev(dev);
		if (!in_dev)
			continue;
		in_dev_for_each_ifa_rcu(ifa, in_dev)
			if (hatcp_policy_has_addr(hn, ifa->ifa_local))
				arp_send(ARPOP_REQUEST, ETH_P_ARP, ifa->ifa_local,
					 dev, ifa->ifa_local, NULL, dev->dev_addr,
					 NULL);
	}
	rcu_read_unlock();
}

static void takeover_work(struct work_struct *work)
{
	struct hatcp_net *hn = container_of(work, struct hatcp_net,
					    takeover_work);
	struct hatcp_role_change chg;
	enum vip_seen vip;

	mutex_lock(&hn->lock);
	if (hn->role != HATCP_ROLE_REPLICA || !READ_ONCE(hn->chan.rx_seen) ||
	    (hatcp_chan_peer_alive(hn) && !hatcp_chan_peer_is_replica(hn)))
		goto out;
	vip = vip_here(hn);
	if (vip == VIP_STALE)
		pr_info("netns %u: not promoted: the VIP here predates our demotion\n",
			hn->net->ns.inum);
	if (vip == VIP_HERE && !hatcp_promote(hn, &chg, NULL)) {
		hatcp_count(hn, HATCP_STATS_A_PROMOTE_AUTO);
		pr_info("netns %u: promoted: the VIP is here and the peer is %s\n",
			hn->net->ns.inum,
			hatcp_chan_peer_is_replica(hn) ? "a replica" :
			"lost (the channel's verdict)");
		hatcp_nl_event_role(hn, &chg);
	}
out:
	mutex_unlock(&hn->lock);
}

/* Any context: look again, in process context, whether to take over. */
void hatcp_takeover_check(struct hatcp_net *hn)
{
	if (READ_ONCE(hn->role) == HATCP_ROLE_REPLICA)
		schedule_work(&hn->takeover_work);
}

/* An address arrives (process context, RTNL held). */
static int takeover_inetaddr_event(struct notifier_block *nb,
				   unsigned long event, void *ptr)
{
	const struct in_ifaddr *ifa = ptr;
	struct hatcp_net *hn;
	bool ours;

	if (event != NETDEV_UP)
		return NOTIFY_DONE;
	hn = hatcp_pernet(dev_net(ifa->ifa_dev->dev));
	rcu_read_lock();
	ours = hatcp_policy_has_addr(hn, ifa->ifa_local);
	rcu_read_unlock();
	if (ours)
		hatcp_takeover_check(hn);
	return NOTIFY_DONE;
}

static struct notifier_block takeover_inetaddr_notifier = {
	.notifier_call = takeover_inetaddr_event,
};

void hatcp_takeover_net_init(struct hatcp_net *hn)
{
	INIT_WORK(&hn->takeover_work, takeover_work);
}

/* After the channel's timer stopped and no address can arrive. */
void hatcp_takeover_net_exit(struct hatcp_net *hn)
{
	cancel_work_sync(&hn->takeover_work);
}

int hatcp_takeover_init(void)
{
	return register_inetaddr_notifier(&takeover_inetaddr_notifier);
}

void hatcp_takeover_exit(void)
{
	unregister_inetaddr_notifier(&takeover_inetaddr_notifier);
}
