// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the node's role and replication peer. Callers hold hn->lock, so
 * that the change and the event announcing it are ordered together.
 */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/route.h>
#include "channel.h"
#include "config.h"
#include "datapath.h"
#include "messages.h"
#include "takeover.h"

static const char *const role_names[] = {
	[HATCP_ROLE_STANDALONE] = "standalone",
	[HATCP_ROLE_PRIMARY] = "primary",
	[HATCP_ROLE_REPLICA] = "replica",
};

static bool peer_is_set(struct hatcp_net *hn)
{
	return rcu_access_pointer(hn->peer);
}

/*
 * A primary or replica trusts the channel with its clients' bytes: an
 * unkeyed one lets anyone who can spoof the peer's address unprotect
 * every flow or release held segments the replica lacks. Only an
 * explicit opt-out (a lab's) allows it.
 */
static bool peer_secure_enough(const struct hatcp_peer *peer)
{
	return peer->keyed || peer->insecure;
}

#define NO_KEY_MSG "a primary or replica needs a channel key (peer set ... key FILE); for lab use only: peer set ... insecure-no-key"

static void role_switch(struct hatcp_net *hn, enum hatcp_role role,
			struct hatcp_role_change *chg)
{
	chg->old_role = hn->role;
	chg->new_role = role;
	if (role == hn->role)
		return;

	hatcp_dp_role_changing(hn, role);
	WRITE_ONCE(hn->role, role);
	hatcp_dp_role_changed(hn, chg->old_role);
	atomic64_inc(&hn->stats.role_changes);
	if (chg->old_role == HATCP_ROLE_REPLICA && role == HATCP_ROLE_PRIMARY)
		atomic64_inc(&hn->stats.promotions);
	if (chg->old_role == HATCP_ROLE_PRIMARY && role == HATCP_ROLE_REPLICA) {
		atomic64_inc(&hn->stats.demotions);
		/* Read without hn->lock on the data path (forward, takeover). */
		WRITE_ONCE(hn->demoted_at, jiffies);
		WRITE_ONCE(hn->demoted, true);
	}
	pr_info("netns %u: role %s -> %s\n", hn->net->ns.inum,
		role_names[chg->old_role], role_names[role]);
}

int hatcp_role_set(struct hatcp_net *hn, enum hatcp_role role,
		   struct hatcp_role_change *chg,
		   struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&hn->lock);

	/* A primary or replica without a peer would replicate nowhere. */
	if (role != HATCP_ROLE_STANDALONE && !peer_is_set(hn)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "set a peer before taking role primary or replica");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (role != HATCP_ROLE_STANDALONE &&
	    !peer_secure_enough(rcu_dereference_protected(hn->peer,
							  lockdep_is_held(&hn->lock)))) {
		NL_SET_ERR_MSG_MOD(extack, NO_KEY_MSG);
		return hatcp_refuse(hn, -ENOKEY);
	}
	role_switch(hn, role, chg);
	return 0;
}

/*
 * Idempotent: promoting a primary again changes nothing and succeeds.
 * Refused while the peer, alive by the channel's verdict (channel.c),
 * says it is the primary: VRRP's view (which asked for this) and ours
 * disagree, as when only the VRRP path broke, or a loaded node missed
 * three adverts, and two primaries would serve the clients apart. Not a
 * shorter silence: on a loaded node heartbeats come late together with
 * adverts, and a quarter second of them made a live primary look gone.
 * `role set primary` forces it.
 */
int hatcp_promote(struct hatcp_net *hn, struct hatcp_role_change *chg,
		  struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&hn->lock);

	if (hn->role == HATCP_ROLE_STANDALONE) {
		NL_SET_ERR_MSG_MOD(extack, "only a replica can be promoted");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (hn->role == HATCP_ROLE_REPLICA && hatcp_chan_peer_alive(hn) &&
	    hatcp_chan_peer_role(hn) == HATCP_ROLE_PRIMARY) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the peer is a live primary: promoting would make two");
		return hatcp_refuse(hn, -EBUSY);
	}
	role_switch(hn, HATCP_ROLE_PRIMARY, chg);
	return 0;
}

/*
 * Idempotent. Refused while the VIP is here, given since our last
 * demotion: keepalived removes it before it calls for a demotion, so a
 * primary holding it is MASTER again, and the call is a stale one that a
 * loaded node ran late (keepalived does not wait for its notify scripts).
 * Obeyed, it undid the promotion that followed. `role set replica`
 * forces it.
 */
int hatcp_demote(struct hatcp_net *hn, struct hatcp_role_change *chg,
		 struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&hn->lock);

	if (hn->role == HATCP_ROLE_STANDALONE) {
		NL_SET_ERR_MSG_MOD(extack, "only a primary can be demoted");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (hn->role == HATCP_ROLE_PRIMARY && hatcp_vip_serving(hn)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the VIP is here (MASTER): demoting would leave a replica serving it");
		return hatcp_refuse(hn, -EBUSY);
	}
	role_switch(hn, HATCP_ROLE_REPLICA, chg);
	return 0;
}

/*
 * A planned switchover, from the primary: a demotion that keeps every
 * established protected flow (demote.c), refused unless the peer can
 * serve them, that is a replica that is alive. The peer's promotion then
 * keeps them protected (promote.c).
 */
int hatcp_migrate(struct hatcp_net *hn, struct hatcp_role_change *chg,
		  struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&hn->lock);

	if (hn->role != HATCP_ROLE_PRIMARY) {
		NL_SET_ERR_MSG_MOD(extack, "only a primary can migrate");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (!hatcp_chan_peer_is_replica(hn)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the peer is not a live replica: it could not take the connections");
		return hatcp_refuse(hn, -EHOSTUNREACH);
	}
	role_switch(hn, HATCP_ROLE_REPLICA, chg);
	return 0;
}

/* Channel endpoints must be real unicast addresses, distinct. */
static bool channel_addr_ok(__be32 addr)
{
	return !ipv4_is_zeronet(addr) && !ipv4_is_multicast(addr) &&
	       !ipv4_is_lbcast(addr);
}

/* RCU rather than RTNL: hn->lock must never nest outside RTNL. */
static bool device_exists(struct net *net, int ifindex)
{
	bool found;

	rcu_read_lock();
	found = dev_get_by_index_rcu(net, ifindex);
	rcu_read_unlock();
	return found;
}

/*
 * The smallest path MTU that carries the largest body, a 64 KB aggregate,
 * in the fragments a body may have. Below it every such body would fail
 * to send and its flow go unprotected.
 */
#define CHAN_MIN_MTU							\
	(DIV_ROUND_UP(sizeof(struct hatcp_body) + IP_MAX_MTU,		\
		      HATCP_FRAG_MAX) +					\
	 sizeof(struct iphdr) + sizeof(struct udphdr) +			\
	 sizeof(struct hatcp_msg_hdr) + sizeof(struct hatcp_msg_frag))
static_assert(CHAN_MIN_MTU == 1109);	/* as the refusal says */

/*
 * The MTU of the route to @want's remote, or 0 if there is none yet (the
 * address may come later, from keepalived).
 */
static unsigned int channel_path_mtu(struct net *net,
				     const struct hatcp_peer *want)
{
	struct flowi4 fl4 = {
		.daddr = want->remote,
		.saddr = want->local,
		.flowi4_oif = want->ifindex,
		.flowi4_proto = IPPROTO_UDP,
	};
	unsigned int mtu;
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return 0;
	mtu = dst_mtu(&rt->dst);
	ip_rt_put(rt);
	return mtu;
}

int hatcp_peer_set(struct hatcp_net *hn, const struct hatcp_peer *want,
		   struct netlink_ext_ack *extack)
{
	unsigned int mtu;
	struct hatcp_peer *peer;
	int err;

	lockdep_assert_held(&hn->lock);

	if (!channel_addr_ok(want->local)) {
		NL_SET_ERR_MSG_MOD(extack, "local address must be unicast");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (!channel_addr_ok(want->remote)) {
		NL_SET_ERR_MSG_MOD(extack, "remote address must be unicast");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (want->local == want->remote) {
		NL_SET_ERR_MSG_MOD(extack,
				   "local and remote addresses must differ");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (want->ifindex && !device_exists(hn->net, want->ifindex)) {
		NL_SET_ERR_MSG_MOD(extack, "no such device in this namespace");
		return hatcp_refuse(hn, -ENODEV);
	}

	if (!want->port) {
		NL_SET_ERR_MSG_MOD(extack, "channel port must not be 0");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (want->keyed && want->insecure) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a key and insecure-no-key exclude each other");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (hn->role != HATCP_ROLE_STANDALONE && !peer_secure_enough(want)) {
		NL_SET_ERR_MSG_MOD(extack, NO_KEY_MSG);
		return hatcp_refuse(hn, -ENOKEY);
	}
	mtu = channel_path_mtu(hn->net, want);
	if (mtu && mtu < CHAN_MIN_MTU) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the path MTU to the remote address is too small for the channel (1109 at least)");
		return hatcp_refuse(hn, -EMSGSIZE);
	}

	peer = kmemdup(want, sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return -ENOMEM;
	hatcp_obj_get();

	err = hatcp_channel_set_peer(hn, peer, extack);
	if (err) {
		kfree_sensitive(peer);
		hatcp_obj_put();
		return hatcp_refuse(hn, err);
	}
	/* Once per set, so that no log of an insecure node lacks it. */
	if (want->insecure)
		pr_warn("netns %u: INSECURE channel to %pI4: no key (insecure-no-key); anyone who can spoof %pI4 can unprotect or corrupt replicated connections; for lab use only\n",
			hn->net->ns.inum, &want->remote, &want->remote);
	return 0;
}

int hatcp_peer_del(struct hatcp_net *hn, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&hn->lock);

	if (hn->role != HATCP_ROLE_STANDALONE) {
		NL_SET_ERR_MSG_MOD(extack,
				   "set role standalone before deleting the peer");
		return hatcp_refuse(hn, -EINVAL);
	}
	if (!peer_is_set(hn)) {
		NL_SET_ERR_MSG_MOD(extack, "no peer is set");
		return hatcp_refuse(hn, -ENOENT);
	}
	hatcp_peer_flush(hn);
	return 0;
}

/* Also used on namespace exit, where no role check applies. */
void hatcp_peer_flush(struct hatcp_net *hn)
{
	hatcp_channel_close(hn);
}
