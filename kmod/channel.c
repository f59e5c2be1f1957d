// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the replication channel. One UDP tunnel socket per namespace,
 * bound to the peer's local address and port, exchanges authenticated
 * messages with the configured peer and nobody else. While a peer is set,
 * a timer sends heartbeats and tracks whether the peer's arrive.
 *
 * The socket and the peer are replaced under hatcp_net.lock from process
 * context; receive (softirq) and the timer read both under RCU.
 */
#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <linux/ip.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>
#include "channel.h"
#include "messages.h"
#include "netlink.h"

static void peer_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct hatcp_peer, rcu));
}

/* The key must not linger in freed memory. */
void hatcp_peer_free(struct hatcp_peer *peer)
{
	if (!peer)
		return;
	call_rcu(&peer->rcu, peer_free_rcu);
	hatcp_obj_put();
}

static void msg_tag(const struct hatcp_peer *peer,
		    const struct hatcp_msg_hdr *hdr, const void *payload,
		    size_t len, u8 tag[HATCP_MSG_TAG_LEN])
{
	struct hatcp_msg_hdr h = *hdr;
	struct blake2s_state st;

	memset(h.tag, 0, sizeof(h.tag));
	blake2s_init_key(&st, HATCP_MSG_TAG_LEN, peer->key, HATCP_KEY_LEN);
	blake2s_update(&st, (const u8 *)&h, sizeof(h));
	blake2s_update(&st, payload, len);
	blake2s_final(&st, tag);
}

/* Payload size of each known type; 0 for types we do not handle. */
static size_t msg_payload_len(u8 type)
{
	switch (type) {
	case HATCP_MSG_HEARTBEAT:
		return sizeof(struct hatcp_msg_heartbeat);
	default:
		return 0;
	}
}

static int chan_send(struct hatcp_net *hn, struct sock *sk,
		     const struct hatcp_peer *peer, u8 type,
		     const void *payload, size_t len)
{
	struct hatcp_channel *ch = &hn->chan;
	__be16 port = htons(peer->port);
	struct hatcp_msg_hdr *hdr;
	unsigned int headroom;
	struct sk_buff *skb;
	struct flowi4 fl4 = {
		.daddr = peer->remote,
		.saddr = peer->local,
		.flowi4_oif = peer->ifindex,
		.flowi4_proto = IPPROTO_UDP,
		.fl4_sport = port,
		.fl4_dport = port,
	};
	struct rtable *rt;

	rt = ip_route_output_key(hn->net, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	headroom = LL_RESERVED_SPACE(rt->dst.dev) + sizeof(struct iphdr) +
		   sizeof(struct udphdr);
	skb = alloc_skb(headroom + sizeof(*hdr) + len, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	skb_reserve(skb, headroom);
	hdr = skb_put_zero(skb, sizeof(*hdr));
	hdr->magic = htonl(HATCP_MSG_MAGIC);
	hdr->version = HATCP_MSG_VERSION;
	hdr->type = type;
	hdr->len = htons(len);
	hdr->session = cpu_to_be64(ch->session);
	hdr->seq = cpu_to_be64(atomic64_inc_return(&ch->seq));
	skb_put_data(skb, payload, len);
	msg_tag(peer, hdr, payload, len, hdr->tag);

	/* Consumes @rt; a later loss is the network's, like any UDP send. */
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, port, port, false,
			    false);
	return 0;
}

/* Tolerates half an interval of timer jitter before counting a miss. */
static bool peer_alive(struct hatcp_channel *ch)
{
	unsigned long dead = msecs_to_jiffies(HATCP_DEAD_INTERVALS *
					      HATCP_HEARTBEAT_MS +
					      HATCP_HEARTBEAT_MS / 2);

	return READ_ONCE(ch->rx_seen) &&
	       time_before(jiffies, READ_ONCE(ch->last_rx) + dead);
}

static void chan_timer(struct timer_list *t)
{
	struct hatcp_net *hn = from_timer(hn, t, chan.timer);
	struct hatcp_channel *ch = &hn->chan;
	const struct hatcp_peer *peer;
	struct hatcp_msg_heartbeat hb;
	struct sock *sk;
	bool alive;

	rcu_read_lock();
	peer = rcu_dereference(hn->peer);
	sk = rcu_dereference(ch->sk);
	if (!peer || !sk) {
		/* Closing: hatcp_channel_close() stops us. */
		rcu_read_unlock();
		return;
	}
	memset(&hb, 0, sizeof(hb));
	hb.role = READ_ONCE(hn->role);
	hb.interval_ms = htonl(HATCP_HEARTBEAT_MS);
	if (chan_send(hn, sk, peer, HATCP_MSG_HEARTBEAT, &hb, sizeof(hb)))
		atomic64_inc(&ch->stats.tx_errors);
	else
		atomic64_inc(&ch->stats.tx);

	alive = peer_alive(ch);
	if (alive != ch->reachable) {
		ch->reachable = alive;
		hatcp_nl_event_reachable(hn, peer, alive);
	}
	rcu_read_unlock();
	mod_timer(&ch->timer, jiffies + msecs_to_jiffies(HATCP_HEARTBEAT_MS));
}

static void replay_reset(struct hatcp_channel *ch)
{
	spin_lock_bh(&ch->replay.lock);
	ch->replay.valid = false;
	WRITE_ONCE(ch->rx_seen, false);
	spin_unlock_bh(&ch->replay.lock);
}

/*
 * WireGuard-style sliding window. A new session id (its tag verified) is
 * a restarted peer and starts a fresh window.
 */
static bool replay_accept(struct hatcp_channel *ch, u64 session, u64 seq)
{
	struct hatcp_replay *r = &ch->replay;
	bool ok = true;
	u64 back;

	spin_lock(&r->lock);
	if (!r->valid || session != r->session) {
		r->valid = true;
		r->session = session;
		r->top = seq;
		r->bitmap = 1;
	} else if (seq > r->top) {
		back = seq - r->top;
		r->bitmap = back >= 64 ? 1 : (r->bitmap << back) | 1;
		r->top = seq;
	} else {
		back = r->top - seq;
		if (back >= 64 || (r->bitmap & BIT_ULL(back)))
			ok = false;
		else
			r->bitmap |= BIT_ULL(back);
	}
	if (ok) {
		WRITE_ONCE(ch->last_rx, jiffies);
		WRITE_ONCE(ch->rx_seen, true);
	}
	spin_unlock(&r->lock);
	return ok;
}

/* Drops are counted, never logged: the sender may be hostile. */
static int chan_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct hatcp_peer *peer;
	u8 tag[HATCP_MSG_TAG_LEN];
	struct hatcp_msg_hdr hdr;
	struct hatcp_channel *ch;
	struct hatcp_net *hn;
	unsigned int off, len;
	atomic64_t *drop;

	hn = rcu_dereference_sk_user_data(sk);
	if (!hn)
		goto free;
	ch = &hn->chan;

	drop = &ch->stats.drop_not_peer;
	peer = rcu_dereference(hn->peer);
	if (!peer || ip_hdr(skb)->saddr != peer->remote ||
	    udp_hdr(skb)->source != htons(peer->port))
		goto drop;

	/* UDP has trimmed the skb to the datagram and checked its sum. */
	drop = &ch->stats.drop_malformed;
	off = skb_transport_offset(skb) + sizeof(struct udphdr);
	if (skb->len < off + sizeof(hdr))
		goto drop;
	len = skb->len - off - sizeof(hdr);
	if (!pskb_may_pull(skb, skb->len))
		goto drop;
	/* A copy: the UDP payload is only 4-byte aligned. */
	memcpy(&hdr, skb->data + off, sizeof(hdr));
	if (hdr.magic != htonl(HATCP_MSG_MAGIC) ||
	    hdr.version != HATCP_MSG_VERSION || ntohs(hdr.len) != len ||
	    !msg_payload_len(hdr.type) || msg_payload_len(hdr.type) != len)
		goto drop;

	drop = &ch->stats.drop_bad_mac;
	msg_tag(peer, &hdr, skb->data + off + sizeof(hdr), len, tag);
	if (crypto_memneq(tag, hdr.tag, sizeof(tag)))
		goto drop;

	drop = &ch->stats.drop_replay;
	if (!replay_accept(ch, be64_to_cpu(hdr.session), be64_to_cpu(hdr.seq)))
		goto drop;

	/* HEARTBEAT is the only type yet: its arrival is all it says. */
	atomic64_inc(&ch->stats.rx);
	consume_skb(skb);
	return 0;
drop:
	atomic64_inc(drop);
free:
	kfree_skb(skb);
	return 0;
}

static int chan_sock_open(struct hatcp_net *hn, const struct hatcp_peer *peer,
			  struct socket **sockp)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = hn,
		.encap_type = 1,
		.encap_rcv = chan_rcv,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = peer->local,
		.sin_port = htons(peer->port),
	};
	struct socket *sock;
	int err;

	err = sock_create_kern(hn->net, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
			       &sock);
	if (err)
		return err;
	/* The address may come after the peer, e.g. from keepalived. */
	ip_sock_set_freebind(sock->sk);
	if (peer->ifindex) {
		err = sock_bindtoindex(sock->sk, peer->ifindex, true);
		if (err)
			goto fail;
	}
	err = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	if (err)
		goto fail;
	setup_udp_tunnel_sock(hn->net, sock, &cfg);
	*sockp = sock;
	return 0;
fail:
	sock_release(sock);
	return err;
}

/*
 * Installs @peer, which the caller allocated. On failure nothing changed
 * and @peer is still the caller's. The socket is kept when its local
 * address and port stay; otherwise the new one is bound before the old
 * one goes, so a failed bind leaves the old channel working.
 */
int hatcp_channel_set_peer(struct hatcp_net *hn, struct hatcp_peer *peer,
			   struct netlink_ext_ack *extack)
{
	struct hatcp_channel *ch = &hn->chan;
	struct socket *sock = NULL;
	struct hatcp_peer *old;
	struct sock *oldsk;
	int err;

	lockdep_assert_held(&hn->lock);
	old = rcu_dereference_protected(hn->peer, lockdep_is_held(&hn->lock));
	oldsk = rcu_dereference_protected(ch->sk, lockdep_is_held(&hn->lock));

	if (oldsk && old->local == peer->local && old->port == peer->port) {
		if (old->ifindex != peer->ifindex) {
			err = sock_bindtoindex(oldsk, peer->ifindex, true);
			if (err) {
				NL_SET_ERR_MSG_MOD(extack,
						   "cannot bind the channel to the device");
				return err;
			}
		}
	} else {
		err = chan_sock_open(hn, peer, &sock);
		if (err == -EADDRINUSE)
			NL_SET_ERR_MSG_MOD(extack, "channel port already in use");
		else if (err)
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot open the channel socket");
		if (err)
			return err;
	}

	/* Another sender or key: what was seen before proves nothing. */
	if (!old || old->remote != peer->remote || old->port != peer->port ||
	    crypto_memneq(old->key, peer->key, HATCP_KEY_LEN))
		replay_reset(ch);
	rcu_assign_pointer(hn->peer, peer);
	if (sock)
		rcu_assign_pointer(ch->sk, sock->sk);
	hatcp_peer_free(old);
	/* Waits for receivers and the timer to let go of the old socket. */
	if (sock && oldsk)
		udp_tunnel_sock_release(oldsk->sk_socket);
	if (!timer_pending(&ch->timer))
		mod_timer(&ch->timer, jiffies);
	return 0;
}

/* Peer delete and namespace exit: afterwards nothing runs or remains. */
void hatcp_channel_close(struct hatcp_net *hn)
{
	struct hatcp_channel *ch = &hn->chan;
	struct hatcp_peer *old;
	struct sock *sk;

	lockdep_assert_held(&hn->lock);
	old = rcu_replace_pointer(hn->peer, NULL, lockdep_is_held(&hn->lock));
	sk = rcu_replace_pointer(ch->sk, NULL, lockdep_is_held(&hn->lock));
	/* The handler re-arms only while a peer is set, so this is final. */
	del_timer_sync(&ch->timer);
	ch->reachable = false;
	if (sk)
		udp_tunnel_sock_release(sk->sk_socket);
	hatcp_peer_free(old);
	replay_reset(ch);
}

void hatcp_channel_init(struct hatcp_net *hn)
{
	struct hatcp_channel *ch = &hn->chan;

	RCU_INIT_POINTER(ch->sk, NULL);
	timer_setup(&ch->timer, chan_timer, 0);
	spin_lock_init(&ch->replay.lock);
	ch->session = get_random_u64();
}
