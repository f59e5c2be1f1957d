// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: promotion, replica to primary, keeping every connection.
 *
 * Before the role flips, each of the replica's flows is marked draining,
 * so that the first client segment the new primary takes from the wire
 * already goes through the gate (replica.c): the old primary may have
 * acknowledged bytes to the client that still wait in our queue, and
 * the client may acknowledge bytes our application has not written again
 * yet. Once the role has flipped, our VIP is announced (a gratuitous
 * ARP, takeover.c) and each shadow socket is woken: it retransmits what
 * it sent while its egress was suppressed, which the client may lack,
 * and it ACKs at once, so the client learns where we are without waiting
 * for its own timers.
 *
 * After a crash the flow is reported unprotected (failover): no twin of
 * it is left anywhere. In a planned switchover the old primary has
 * already become a replica, keeping its sockets as twins of ours
 * (demote.c), and says so in its heartbeats: then every established flow
 * stays protected, a primary flow from the moment the role flips. While
 * it drains, a client segment goes to the new replica as it came and
 * through the drain gate here only once the replica has it (primary.c).
 */
#include <net/inet_connection_sock.h>
#include <net/tcp.h>
#include "channel.h"
#include "flow.h"
#include "nudge.h"
#include "promote.h"
#include "replica.h"
#include "takeover.h"

/*
 * Under hn->lock, before the role flips; any context the lock allows.
 * Kept flows become primary flows here, so that no client segment finds
 * us primary and them not: it would reach our socket unreplicated.
 */
void hatcp_promote_prepare(struct hatcp_net *hn)
{
	bool keep = hatcp_chan_peer_is_replica(hn);
	struct hatcp_flow *f;
	unsigned int b;
	bool kept;

	rcu_read_lock();
	hash_for_each_rcu(hn->flows, b, f, node) {
		kept = false;
		spin_lock_bh(&f->lock);
		if (!f->dead && f->role == HATCP_ROLE_REPLICA && !f->draining) {
			f->draining = true;
			atomic64_inc(hatcp_dp_stat(hn,
						   HATCP_STATS_A_DRAIN_FLOWS));
			if (keep && f->protected &&
			    f->phase == HATCP_PHASE_ALIGNED) {
				WRITE_ONCE(f->role, HATCP_ROLE_PRIMARY);
				WRITE_ONCE(f->phase, HATCP_PHASE_OPEN);
				f->hold_timeouts = 0;
				kept = true;
			}
		}
		spin_unlock_bh(&f->lock);
		if (kept)
			hatcp_count(hn, HATCP_STATS_A_PROMOTE_KEPT);
	}
	rcu_read_unlock();
}

/*
 * The socket's own timers do the work, as if they had expired: the
 * retransmission timer (its backoff, grown while every retransmission was
 * suppressed, starts over) and the delayed-ACK timer.
 */
static void wake_shadow(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	lock_sock(sk);
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN) {
		if (tcp_sk(sk)->packets_out) {
			icsk->icsk_backoff = 0;
			inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, 0,
						  TCP_RTO_MAX);
		}
		icsk->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK, 0, TCP_RTO_MAX);
	}
	release_sock(sk);
}

/*
 * Past the handshake, so that the client is too: an ICMP error would end
 * a connect() still in SYN_SENT. Its oldest unacknowledged byte is, once
 * the kick has delivered our queue, the next our socket expects.
 */
static void nudge(struct hatcp_net *hn, struct hatcp_flow *f, struct sock *sk)
{
	if (!sk_fullsock(sk) ||
	    !((1 << READ_ONCE(sk->sk_state)) &
	      (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
	       TCPF_FIN_WAIT2 | TCPF_CLOSING | TCPF_LAST_ACK)))
		return;
	if (hatcp_nudge_client(hn, f, READ_ONCE(tcp_sk(sk)->rcv_nxt)))
		hatcp_count(hn, HATCP_STATS_A_PROMOTE_NUDGED);
}

static bool is_draining(const struct hatcp_flow *f)
{
	return READ_ONCE(f->draining);
}

/* Under hn->lock, after the role flipped; process context (may sleep). */
void hatcp_promote_flows(struct hatcp_net *hn)
{
	struct hatcp_flow *f, *tmp;
	struct sock *sk;
	LIST_HEAD(list);

	hatcp_flows_collect(hn, is_draining, &list);
	if (!list_empty(&list))
		hatcp_vip_announce(hn);
	list_for_each_entry_safe(f, tmp, &list, batch_node) {
		list_del(&f->batch_node);
		if (f->role == HATCP_ROLE_REPLICA)
			hatcp_flow_unprotect(f, HATCP_UNPROT_FAILOVER);
		sk = hatcp_flow_sock(f);
		if (sk && sk_fullsock(sk))
			wake_shadow(sk);
		local_bh_disable();
		hatcp_replica_kick(hn, f);
		local_bh_enable();
		if (sk) {
			nudge(hn, f, sk);
			sock_gen_put(sk);
		}
		hatcp_flow_put(f);
	}
}
