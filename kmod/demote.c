// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: demotion, primary to replica, keeping every protected connection.
 *
 * When the peer is alive (a planned switchover, or keepalived moving the
 * service while both nodes run), our sockets need not die: each is the
 * twin of the peer's shadow, which is about to serve the client. So each
 * established protected flow becomes a replica flow, its socket a shadow
 * of the peer's from now on, fed in sequence order from the peer's copies
 * of what the client sends. Our socket is ahead of the peer's (its
 * application may lag): the client's ACKs never exceed our snd_nxt, and
 * what our socket already has arrives again as duplicates, which TCP
 * drops. What we held and the peer had not acknowledged yet joins the
 * queue (primary.c). Flows in their handshake, or not protected, are
 * forgotten as before: their sockets have no twin to follow.
 */
#include "demote.h"
#include "flow.h"
#include "primary.h"
#include "replica.h"

/* Under hn->lock, after the role flipped; process context. */
void hatcp_demote_flows(struct hatcp_net *hn)
{
	struct hatcp_flow *f;
	unsigned int b;
	int ifindex;
	bool kept;

	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node) {
		ifindex = hatcp_replica_client_ifindex(hn, f->saddr, f->daddr);
		kept = false;
		spin_lock_bh(&f->lock);
		if (!f->dead && ifindex && READ_ONCE(f->protected) &&
		    f->role == HATCP_ROLE_PRIMARY &&
		    f->phase == HATCP_PHASE_OPEN && !f->draining) {
			WRITE_ONCE(f->ifindex, ifindex);
			f->rcv_high_valid = false;
			f->ack_high_valid = false;
			f->last_seen = jiffies;
			WRITE_ONCE(f->phase, HATCP_PHASE_ALIGNED);
			WRITE_ONCE(f->role, HATCP_ROLE_REPLICA);
			kept = true;
		}
		spin_unlock_bh(&f->lock);
		if (kept)
			hatcp_count(hn, HATCP_STATS_A_HANDOVER_KEPT);
		else
			hatcp_flow_remove(f);
	}
	rcu_read_unlock();
	hatcp_hold_handover(hn);
}
