// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the replication channel. One UDP tunnel socket per namespace,
 * bound to the peer's local address and port, exchanges authenticated
 * messages with the configured peer and nobody else. While a peer is set,
 * a timer sends heartbeats and tracks whether the peer's arrive.
 *
 * Sessions. Each end draws a random nonce (and notes the time, its epoch)
 * when its channel starts and again when its session goes quiet. HELLOs,
 * tagged under KDF(K, "hello"), carry the sender's nonce and epoch and
 * echo the receiver's nonce. A node adopts the peer's nonce only from a
 * HELLO that echoes its own current nonce, so the HELLO is younger than
 * that nonce (no earlier session's HELLO qualifies), and whose epoch is
 * later than the last one adopted under that nonce (WireGuard's TAI64N
 * rule: an older incarnation of the peer cannot come back). Its own
 * nonce N_me and the peer's N_peer then key each direction:
 *
 *	tx key = KDF(K, "data", N_me, N_peer)	rx key = KDF(K, "data", N_peer, N_me)
 *
 * with KDF keyed BLAKE2s, a PRF. Every other message is tagged under its
 * direction's key and carries its direction's session id, so one sent
 * back to its sender (reflected) or from an earlier session never
 * verifies; within a session a sliding window refuses repeats. Nothing
 * replayed changes an established session: a HELLO either fails the echo
 * (answered, never adopted) or the epoch, or names the nonce already
 * adopted. And nothing locks the channel out: a session that carries
 * nothing for HATCP_RENEW_INTERVALS is dropped and our nonce renewed, so
 * the real peer's next HELLO establishes a new one.
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
#include <linux/string.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>
#include "channel.h"
#include "messages.h"
#include "netlink.h"
#include "primary.h"
#include "reasm.h"
#include "replica.h"
#include "takeover.h"

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

/* Labels keep the KDF's outputs for different uses apart. */
static const char kdf_hello[] = "hatcp v2 hello";
static const char kdf_data[] = "hatcp v2 data";
static const char kdf_id[] = "hatcp v2 id";

/* @outlen bytes of keyed BLAKE2s (a PRF) over @label || @a || @b. */
static void kdf(u8 *out, size_t outlen, const u8 key[HATCP_KEY_LEN],
		const char *label, const u8 *a, const u8 *b)
{
	struct blake2s_state st;

	blake2s_init_key(&st, outlen, key, HATCP_KEY_LEN);
	blake2s_update(&st, (const u8 *)label, strlen(label));
	if (a)
		blake2s_update(&st, a, HATCP_NONCE_LEN);
	if (b)
		blake2s_update(&st, b, HATCP_NONCE_LEN);
	/* Wipes the state too. */
	blake2s_final(&st, out);
}

/*
 * One keyed BLAKE2s per message, as before sessions: the key block's
 * compression is part of it, so a precomputed state would save nothing.
 */
static void msg_tag(const u8 key[HATCP_KEY_LEN],
		    const struct hatcp_msg_hdr *hdr, const void *payload,
		    size_t len, u8 tag[HATCP_MSG_TAG_LEN])
{
	struct hatcp_msg_hdr h = *hdr;
	struct blake2s_state st;

	memset(h.tag, 0, sizeof(h.tag));
	blake2s_init_key(&st, HATCP_MSG_TAG_LEN, key, HATCP_KEY_LEN);
	blake2s_update(&st, (const u8 *)&h, sizeof(h));
	blake2s_update(&st, payload, len);
	blake2s_final(&st, tag);
}

static void session_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct hatcp_session, rcu));
	hatcp_obj_put();
}

/* Under ch->lock: publishes @sess (or none), retires the one before. */
static void session_replace(struct hatcp_channel *ch,
			    struct hatcp_session *sess)
{
	struct hatcp_session *old;

	old = rcu_replace_pointer(ch->session, sess,
				  lockdep_is_held(&ch->lock));
	if (old)
		call_rcu(&old->rcu, session_free_rcu);
}

static u64 session_id(const struct hatcp_peer *peer, const u8 *from,
		      const u8 *to)
{
	__be64 id;

	kdf((u8 *)&id, sizeof(id), peer->key, kdf_id, from, to);
	/* 0 marks a HELLO. */
	return be64_to_cpu(id) ?: 1;
}

/* Under ch->lock: the keys of our nonce and the peer's @pn. */
static struct hatcp_session *session_new(struct hatcp_channel *ch,
					 const struct hatcp_peer *peer,
					 const u8 *pn)
{
	const u8 *n = ch->hs.nonce;
	struct hatcp_session *sess;

	sess = kzalloc(sizeof(*sess), GFP_ATOMIC);
	if (!sess)
		return NULL;
	hatcp_obj_get();
	sess->gen = ++ch->gen;
	kdf(sess->tx_key, HATCP_KEY_LEN, peer->key, kdf_data, n, pn);
	kdf(sess->rx_key, HATCP_KEY_LEN, peer->key, kdf_data, pn, n);
	sess->tx_id = session_id(peer, n, pn);
	sess->rx_id = session_id(peer, pn, n);
	return sess;
}

/*
 * Under ch->lock: a fresh nonce of ours, and no session. Every HELLO
 * made before echoes an older nonce now, so the next one adopted, of any
 * epoch, is the live peer's: the epoch floor goes too. Our own epoch
 * never goes back, whatever the clock does, so the peer's floor admits
 * our new nonce.
 */
static void hs_renew(struct hatcp_channel *ch)
{
	struct hatcp_handshake *hs = &ch->hs;

	get_random_bytes(hs->nonce, sizeof(hs->nonce));
	hs->epoch = max_t(u64, ktime_get_real_ns(), hs->epoch + 1);
	memset(hs->peer_nonce, 0, sizeof(hs->peer_nonce));
	hs->peer_epoch = 0;
	hs->adopted = false;
	hs->heard = false;
	hs->last_answer = jiffies - msecs_to_jiffies(HATCP_HELLO_ANSWER_MS);
	session_replace(ch, NULL);
	ch->replay.gen = 0;
}

/* Under ch->lock: a HELLO now, echoing @echo (NULL: who we know). */
static void hs_hello(const struct hatcp_handshake *hs,
		     struct hatcp_msg_hello *h, const u8 *echo)
{
	memcpy(h->nonce, hs->nonce, sizeof(h->nonce));
	if (!echo)
		echo = hs->adopted ? hs->peer_nonce : hs->seen;
	memcpy(h->echo, echo, sizeof(h->echo));
	h->epoch = cpu_to_be64(hs->epoch);
}

/* Whether @len bytes of payload are right for @type. */
static bool msg_len_ok(u8 type, unsigned int len)
{
	switch (type) {
	case HATCP_MSG_HELLO:
		return len == sizeof(struct hatcp_msg_hello);
	case HATCP_MSG_HEARTBEAT:
		return len == sizeof(struct hatcp_msg_heartbeat);
	case HATCP_MSG_FRAGMENT:
		return len > sizeof(struct hatcp_msg_frag);
	case HATCP_MSG_ACK:
		return len == sizeof(struct hatcp_msg_ack);
	default:
		return false;
	}
}

/* Copies bytes [@off, @off + @n) of the body header then packet to @dst. */
static int body_copy(const struct hatcp_body *body, const struct sk_buff *pkt,
		     const void *buf, unsigned int off, u8 *dst, unsigned int n)
{
	unsigned int h;

	if (off < sizeof(*body)) {
		h = min_t(unsigned int, n, sizeof(*body) - off);
		memcpy(dst, (const u8 *)body + off, h);
		dst += h;
		off += h;
		n -= h;
	}
	if (!n)
		return 0;
	off -= sizeof(*body);
	if (pkt)
		return skb_copy_bits(pkt, off, dst, n);
	memcpy(dst, (const u8 *)buf + off, n);
	return 0;
}

/* One transmission: the socket, peer, session and route, under RCU. */
struct chan_tx {
	struct sock *sk;
	const struct hatcp_peer *peer;
	const struct hatcp_session *sess;
	struct rtable *rt;
	struct flowi4 fl4;
	unsigned int headroom;
	unsigned int mtu;
};

/* Every type but HELLO needs a session (@need_session). */
static int chan_tx_begin(struct hatcp_net *hn, struct chan_tx *tx,
			 bool need_session)
{
	tx->peer = rcu_dereference(hn->peer);
	tx->sk = rcu_dereference(hn->chan.sk);
	tx->sess = rcu_dereference(hn->chan.session);
	if (!tx->peer || !tx->sk || (need_session && !tx->sess))
		return -ENOTCONN;
	memset(&tx->fl4, 0, sizeof(tx->fl4));
	tx->fl4.daddr = tx->peer->remote;
	tx->fl4.saddr = tx->peer->local;
	tx->fl4.flowi4_oif = tx->peer->ifindex;
	tx->fl4.flowi4_proto = IPPROTO_UDP;
	tx->fl4.fl4_sport = htons(tx->peer->port);
	tx->fl4.fl4_dport = htons(tx->peer->port);
	tx->rt = ip_route_output_key(hn->net, &tx->fl4);
	if (IS_ERR(tx->rt))
		return PTR_ERR(tx->rt);
	tx->headroom = LL_RESERVED_SPACE(tx->rt->dst.dev) +
		       sizeof(struct iphdr) + sizeof(struct udphdr) +
		       sizeof(struct hatcp_msg_hdr);
	tx->mtu = dst_mtu(&tx->rt->dst);
	return 0;
}

static void chan_tx_end(struct chan_tx *tx)
{
	ip_rt_put(tx->rt);
}

/* An skb with room for the headers and @len bytes of payload to put. */
static struct sk_buff *chan_tx_alloc(struct chan_tx *tx, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(tx->headroom + len, GFP_ATOMIC);

	if (skb)
		skb_reserve(skb, tx->headroom);
	return skb;
}

/* Heads, tags and sends the payload in @skb; consumes @skb. */
static void chan_tx_send(struct hatcp_net *hn, struct chan_tx *tx,
			 struct sk_buff *skb, u8 type)
{
	struct hatcp_channel *ch = &hn->chan;
	unsigned int len = skb->len;
	struct hatcp_msg_hdr *hdr;

	hdr = skb_push(skb, sizeof(*hdr));
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = htonl(HATCP_MSG_MAGIC);
	hdr->version = HATCP_MSG_VERSION;
	hdr->type = type;
	hdr->len = htons(len);
	hdr->seq = cpu_to_be64(atomic64_inc_return(&ch->seq));
	if (type == HATCP_MSG_HELLO) {
		msg_tag(tx->peer->hello_key, hdr, hdr + 1, len, hdr->tag);
	} else {
		hdr->session = cpu_to_be64(tx->sess->tx_id);
		msg_tag(tx->sess->tx_key, hdr, hdr + 1, len, hdr->tag);
	}

	/* The send consumes a route reference; a loss is the network's. */
	dst_hold(&tx->rt->dst);
	udp_tunnel_xmit_skb(tx->rt, tx->sk, skb, tx->fl4.saddr, tx->fl4.daddr,
			    0, ip4_dst_hoplimit(&tx->rt->dst), 0,
			    tx->fl4.fl4_sport, tx->fl4.fl4_dport, false, false);
	atomic64_inc(&ch->stats.tx);
}

/* A fixed-size message; under RCU. */
static int chan_send_small(struct hatcp_net *hn, u8 type, const void *payload,
			   size_t len)
{
	struct sk_buff *skb;
	struct chan_tx tx;
	int err;

	err = chan_tx_begin(hn, &tx, type != HATCP_MSG_HELLO);
	if (err)
		goto out;
	skb = chan_tx_alloc(&tx, len);
	if (skb) {
		skb_put_data(skb, payload, len);
		chan_tx_send(hn, &tx, skb, type);
	} else {
		err = -ENOMEM;
	}
	chan_tx_end(&tx);
out:
	if (err)
		atomic64_inc(&hn->chan.stats.tx_errors);
	return err;
}

int hatcp_chan_send_ack(struct hatcp_net *hn, u64 msg_id, u8 status)
{
	struct hatcp_msg_ack ack = {
		.msg_id = cpu_to_be64(msg_id),
		.status = status,
	};
	int err;

	rcu_read_lock();
	err = chan_send_small(hn, HATCP_MSG_ACK, &ack, sizeof(ack));
	rcu_read_unlock();
	return err;
}

/*
 * Sends @body followed by @len bytes of @pkt (from its data pointer) or of
 * @buf, in fragments that fit the path MTU. Under RCU, any context.
 */
int hatcp_chan_send_body(struct hatcp_net *hn, u64 msg_id,
			 const struct hatcp_body *body,
			 const struct sk_buff *pkt, const void *buf,
			 unsigned int len)
{
	unsigned int total = sizeof(*body) + len, chunk, count, i, off, n;
	struct hatcp_msg_frag *fh;
	struct sk_buff *skb;
	struct chan_tx tx;
	u8 *dst;
	int err;

	err = chan_tx_begin(hn, &tx, true);
	if (err)
		goto out;
	chunk = tx.mtu - sizeof(struct iphdr) - sizeof(struct udphdr) -
		sizeof(struct hatcp_msg_hdr) - sizeof(*fh);
	chunk = min(chunk, 65535U);
	count = DIV_ROUND_UP(total, chunk);
	err = -EMSGSIZE;
	if (tx.mtu < 576 || count > HATCP_FRAG_MAX ||
	    (count > 1 && chunk < HATCP_FRAG_MIN_CHUNK))
		goto end;
	for (i = 0, off = 0; i < count; i++, off += n) {
		n = min(chunk, total - off);
		err = -ENOMEM;
		skb = chan_tx_alloc(&tx, sizeof(*fh) + n);
		if (!skb)
			goto end;
		fh = skb_put(skb, sizeof(*fh));
		fh->msg_id = cpu_to_be64(msg_id);
		fh->total = htonl(total);
		fh->chunk = htons(chunk);
		fh->index = i;
		fh->count = count;
		dst = skb_put(skb, n);
		err = body_copy(body, pkt, buf, off, dst, n);
		if (err) {
			kfree_skb(skb);
			goto end;
		}
		chan_tx_send(hn, &tx, skb, HATCP_MSG_FRAGMENT);
	}
	err = 0;
end:
	chan_tx_end(&tx);
out:
	if (err)
		atomic64_inc(&hn->chan.stats.tx_errors);
	return err;
}

/*
 * Whether the peer was heard within @intervals heartbeats, tolerating
 * half an interval of timer jitter before counting a miss.
 */
bool hatcp_chan_peer_heard(struct hatcp_net *hn, unsigned int intervals)
{
	struct hatcp_channel *ch = &hn->chan;
	unsigned long quiet = msecs_to_jiffies(intervals * HATCP_HEARTBEAT_MS +
					       HATCP_HEARTBEAT_MS / 2);

	return READ_ONCE(ch->rx_seen) &&
	       time_before(jiffies, READ_ONCE(ch->last_rx) + quiet);
}

/* Any context: the channel timer's verdict, see chan_judge(). */
bool hatcp_chan_peer_alive(struct hatcp_net *hn)
{
	return READ_ONCE(hn->chan.alive);
}

/* The role the peer's last heartbeat stated, or -1 before the first. */
int hatcp_chan_peer_role(struct hatcp_net *hn)
{
	return READ_ONCE(hn->chan.peer_role);
}

/* A peer we can replicate to: alive, and not a primary itself. */
bool hatcp_chan_peer_usable(struct hatcp_net *hn)
{
	return hatcp_chan_peer_alive(hn) &&
	       hatcp_chan_peer_role(hn) != HATCP_ROLE_PRIMARY;
}

/* A peer that can take our flows over: alive, and a replica by its word. */
bool hatcp_chan_peer_is_replica(struct hatcp_net *hn)
{
	return hatcp_chan_peer_alive(hn) &&
	       hatcp_chan_peer_role(hn) == HATCP_ROLE_REPLICA;
}

/*
 * Timer: whether to draw a verdict on the peer's silence this tick. A
 * tick that runs late means this CPU did not run (a stalled VM, a long
 * softirq), and timers run before the receive path: the peer's last
 * messages may be waiting behind us, or, in one kernel, its own late
 * timer has yet to send them. Its silence is then ours, so that tick
 * only sends, and the next one, on time or not, judges. One wrong verdict
 * costs every connection its protection for good; this one costs at most
 * a heartbeat interval of detection, and only after a late tick.
 */
static bool chan_tick_judges(struct hatcp_channel *ch)
{
	unsigned long slack = msecs_to_jiffies(HATCP_HEARTBEAT_MS / 2);

	if (!ch->tick_late && time_after(jiffies, ch->tick_due + slack)) {
		ch->tick_late = true;
		return false;
	}
	ch->tick_late = false;
	return true;
}

/*
 * Timer: the peer is gone once quiet for HATCP_DEAD_INTERVALS. A session
 * that carried nothing for HATCP_RENEW_INTERVALS since we adopted it or
 * last heard it is gone too: the peer restarted with a clock set back
 * (its HELLOs lose to the epoch floor), or never took our nonce, or we
 * adopted an impostor's. Renewing our nonce voids every HELLO made so
 * far and lifts the floor, so the peer's next HELLO (every tick from a
 * node without a working session) establishes a new session. Longer
 * than the verdict: a restarted peer needs no renewal (its later epoch
 * wins), and a short stall (a loaded host) must not cost both ends
 * their session on top of the verdict.
 */
static void chan_judge(struct hatcp_net *hn)
{
	unsigned long quiet = msecs_to_jiffies(HATCP_RENEW_INTERVALS *
					       HATCP_HEARTBEAT_MS +
					       HATCP_HEARTBEAT_MS / 2);
	struct hatcp_channel *ch = &hn->chan;
	struct hatcp_handshake *hs = &ch->hs;

	/* Under the lock receive takes, so a message cannot slip between. */
	spin_lock(&ch->lock);
	if (!hatcp_chan_peer_heard(hn, HATCP_DEAD_INTERVALS))
		WRITE_ONCE(ch->alive, false);
	if (hs->adopted &&
	    time_after(jiffies, (hs->heard ? READ_ONCE(ch->last_rx) :
				 hs->adopted_at) + quiet))
		hs_renew(ch);
	spin_unlock(&ch->lock);
}

static void chan_send_hello(struct hatcp_net *hn,
			    const struct hatcp_msg_hello *h)
{
	chan_send_small(hn, HATCP_MSG_HELLO, h, sizeof(*h));
}

/*
 * Timer: a HELLO every tick until the peer has used a session with us,
 * then every HATCP_HELLO_EVERY ticks, so a peer whose state went wrong
 * hears our nonce and recovers.
 */
static void chan_tick_hello(struct hatcp_net *hn)
{
	struct hatcp_channel *ch = &hn->chan;
	struct hatcp_handshake *hs = &ch->hs;
	struct hatcp_msg_hello h;
	bool send;

	spin_lock(&ch->lock);
	send = !hs->heard || !(++hs->ticks % HATCP_HELLO_EVERY);
	if (send)
		hs_hello(hs, &h, NULL);
	spin_unlock(&ch->lock);
	if (send)
		chan_send_hello(hn, &h);
}

static void chan_timer(struct timer_list *t)
{
	struct hatcp_net *hn = from_timer(hn, t, chan.timer);
	struct hatcp_channel *ch = &hn->chan;
	const struct hatcp_peer *peer;
	struct hatcp_msg_heartbeat hb;
	bool alive;

	rcu_read_lock();
	peer = rcu_dereference(hn->peer);
	if (!peer || !rcu_access_pointer(ch->sk)) {
		/* Closing: hatcp_channel_close() stops us. */
		rcu_read_unlock();
		return;
	}
	if (chan_tick_judges(ch))
		chan_judge(hn);
	chan_tick_hello(hn);
	/* No session yet: the HELLO was all we could send. */
	if (rcu_access_pointer(ch->session)) {
		memset(&hb, 0, sizeof(hb));
		hb.role = READ_ONCE(hn->role);
		hb.interval_ms = htonl(HATCP_HEARTBEAT_MS);
		chan_send_small(hn, HATCP_MSG_HEARTBEAT, &hb, sizeof(hb));
	}
	alive = hatcp_chan_peer_alive(hn);
	if (alive != ch->reachable) {
		ch->reachable = alive;
		if (!alive) {
			hatcp_count(hn, HATCP_STATS_A_PEER_LOST);
			/* Gone: is the VIP already ours (takeover.c)? */
			hatcp_takeover_check(hn);
		}
		hatcp_nl_event_reachable(hn, peer, alive);
		/* It unprotected every flow when it lost us: shadows are stale. */
		if (alive && READ_ONCE(hn->role) == HATCP_ROLE_REPLICA)
			schedule_work(&ch->stale_work);
	}
	rcu_read_unlock();
	/* Nothing may wait on a peer that is gone. */
	if (!alive)
		hatcp_primary_peer_lost(hn);
	ch->tick_due = jiffies + msecs_to_jiffies(HATCP_HEARTBEAT_MS);
	mod_timer(&ch->timer, ch->tick_due);
}

/*
 * Under ch->lock: another peer, key or none. What was seen before proves
 * nothing: a new nonce and no session, nobody heard.
 */
static void chan_reset(struct hatcp_channel *ch)
{
	hs_renew(ch);
	memset(ch->hs.seen, 0, sizeof(ch->hs.seen));
	WRITE_ONCE(ch->rx_seen, false);
	WRITE_ONCE(ch->alive, false);
	WRITE_ONCE(ch->peer_role, -1);
}

enum replay_verdict { REPLAY_OK, REPLAY_NEW_SESSION, REPLAY_SEEN, REPLAY_STALE };

#define REPLAY_WORDS	(HATCP_REPLAY_BITS / BITS_PER_LONG)

/*
 * WireGuard's sliding window (counter_validate), wide enough for the
 * reordering a loaded link shows between the fragments of many messages.
 * One window per session, @gen: the first message of a new session
 * starts it; a session replaced since the tag was checked is stale.
 */
static enum replay_verdict replay_accept(struct hatcp_channel *ch,
					 u64 gen, u64 seq)
{
	struct hatcp_replay *r = &ch->replay;
	enum replay_verdict v = REPLAY_OK;
	const struct hatcp_session *sess;
	unsigned long cur, idx, diff, i;

	spin_lock(&ch->lock);
	sess = rcu_dereference_protected(ch->session,
					 lockdep_is_held(&ch->lock));
	if (!sess || sess->gen != gen) {
		v = REPLAY_STALE;
		goto out;
	}
	if (r->gen != gen) {
		v = REPLAY_NEW_SESSION;
		r->gen = gen;
		r->top = 0;
		memset(r->map, 0, sizeof(r->map));
	}
	if (seq + (HATCP_REPLAY_BITS - BITS_PER_LONG) < r->top) {
		v = REPLAY_SEEN;	/* too old to tell: refused */
		goto out;
	}
	if (seq > r->top) {
		cur = r->top / BITS_PER_LONG;
		idx = seq / BITS_PER_LONG;
		diff = min_t(unsigned long, idx - cur, REPLAY_WORDS);
		for (i = 1; i <= diff; i++)
			r->map[(cur + i) % REPLAY_WORDS] = 0;
		r->top = seq;
	}
	if (__test_and_set_bit(seq % HATCP_REPLAY_BITS, r->map))
		v = REPLAY_SEEN;
out:
	if (v == REPLAY_OK || v == REPLAY_NEW_SESSION) {
		WRITE_ONCE(ch->last_rx, jiffies);
		WRITE_ONCE(ch->rx_seen, true);
		WRITE_ONCE(ch->alive, true);
		ch->hs.heard = true;
	}
	spin_unlock(&ch->lock);
	return v;
}

/*
 * The peer's role, as it states it. Two primaries (split brain: each took
 * the service, e.g. when VRRP's path broke and ours did not) cannot
 * replicate to each other: each goes on unprotected at once, rather than
 * holding its clients' segments until they time out.
 */
static void chan_rx_heartbeat(struct hatcp_net *hn, const void *payload)
{
	struct hatcp_msg_heartbeat hb;
	s8 was;

	memcpy(&hb, payload, sizeof(hb));
	if (hb.role > HATCP_ROLE_MAX)
		return;
	was = xchg(&hn->chan.peer_role, hb.role);
	if (hb.role == HATCP_ROLE_PRIMARY)
		hatcp_primary_peer_lost(hn);
	/* It stepped down (a switchover): is the VIP ours already? */
	if (hb.role == HATCP_ROLE_REPLICA && was != HATCP_ROLE_REPLICA)
		hatcp_takeover_check(hn);
}

static void chan_rx_ack(struct hatcp_net *hn, const void *payload)
{
	struct hatcp_msg_ack ack;

	memcpy(&ack, payload, sizeof(ack));
	hatcp_primary_rx_ack(hn, be64_to_cpu(ack.msg_id), ack.status);
}

/*
 * A HELLO whose tag verified under @peer's hello key. It never makes the
 * peer alive: HELLOs have no replay window, so only session messages
 * may. Answers go out at once: the peer needs one echoing its nonce to
 * adopt ours.
 */
static void chan_rx_hello(struct hatcp_net *hn, const struct hatcp_peer *peer,
			  const void *payload)
{
	struct hatcp_channel *ch = &hn->chan;
	struct hatcp_handshake *hs = &ch->hs;
	struct hatcp_msg_hello h, out;
	struct hatcp_session *sess;
	bool answer = false;
	u64 epoch;

	memcpy(&h, payload, sizeof(h));
	epoch = be64_to_cpu(h.epoch);
	spin_lock(&ch->lock);
	/* Peer changes publish under this lock: the key we checked holds. */
	if (rcu_access_pointer(hn->peer) != peer)
		goto unlock;
	if (!crypto_memneq(h.nonce, hs->nonce, sizeof(h.nonce))) {
		atomic64_inc(&ch->stats.drop_reflected);
		goto unlock;
	}
	memcpy(hs->seen, h.nonce, sizeof(hs->seen));
	if (crypto_memneq(h.echo, hs->nonce, sizeof(h.echo))) {
		/*
		 * It does not know our nonce (it started, or we renewed),
		 * or this is a replay: nothing proves it fresh. Tell it our
		 * nonce, rate limited, since anyone can replay HELLOs.
		 */
		atomic64_inc(&ch->stats.hello_unfresh);
		if (time_after_eq(jiffies, hs->last_answer +
				  msecs_to_jiffies(HATCP_HELLO_ANSWER_MS))) {
			hs->last_answer = jiffies;
			answer = true;
		}
		goto unlock;
	}
	atomic64_inc(&ch->stats.rx);
	/* The session we have: nothing new. */
	if (hs->adopted &&
	    !crypto_memneq(h.nonce, hs->peer_nonce, sizeof(h.nonce)))
		goto unlock;
	if (hs->peer_epoch && epoch <= hs->peer_epoch) {
		atomic64_inc(&ch->stats.hello_old);
		goto unlock;
	}
	/* Out of memory: not adopted, and its next HELLO tries again. */
	sess = session_new(ch, peer, h.nonce);
	if (!sess)
		goto unlock;
	memcpy(hs->peer_nonce, h.nonce, sizeof(hs->peer_nonce));
	hs->peer_epoch = epoch;
	hs->adopted = true;
	hs->heard = false;
	hs->adopted_at = jiffies;
	session_replace(ch, sess);
	atomic64_inc(&ch->stats.sessions);
	answer = true;
unlock:
	if (answer)
		hs_hello(hs, &out, h.nonce);
	spin_unlock(&ch->lock);
	if (answer)
		chan_send_hello(hn, &out);
}

/* Drops are counted, never logged: the sender may be hostile. */
static int chan_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct hatcp_session *sess;
	const struct hatcp_peer *peer;
	u8 tag[HATCP_MSG_TAG_LEN];
	enum replay_verdict verdict;
	struct hatcp_msg_hdr hdr;
	struct hatcp_channel *ch;
	struct hatcp_net *hn;
	unsigned int off, len;
	atomic64_t *drop;
	enum hatcp_role role;
	const u8 *payload;

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
	    !msg_len_ok(hdr.type, len))
		goto drop;
	payload = skb->data + off + sizeof(hdr);

	drop = &ch->stats.drop_bad_mac;
	if (hdr.type == HATCP_MSG_HELLO) {
		msg_tag(peer->hello_key, &hdr, payload, len, tag);
		if (crypto_memneq(tag, hdr.tag, sizeof(tag)))
			goto drop;
		chan_rx_hello(hn, peer, payload);
		consume_skb(skb);
		return 0;
	}

	/* Only HELLOs make a session; without one nothing else verifies. */
	drop = &ch->stats.drop_no_session;
	sess = rcu_dereference(ch->session);
	if (!sess)
		goto drop;
	drop = &ch->stats.drop_reflected;
	if (be64_to_cpu(hdr.session) == sess->tx_id)
		goto drop;
	if (be64_to_cpu(hdr.session) != sess->rx_id) {
		hatcp_count(hn, HATCP_STATS_A_CHAN_DROP_STALE);
		goto free;
	}
	drop = &ch->stats.drop_bad_mac;
	msg_tag(sess->rx_key, &hdr, payload, len, tag);
	if (crypto_memneq(tag, hdr.tag, sizeof(tag)))
		goto drop;

	verdict = replay_accept(ch, sess->gen, be64_to_cpu(hdr.seq));
	if (verdict == REPLAY_STALE) {
		hatcp_count(hn, HATCP_STATS_A_CHAN_DROP_STALE);
		goto free;
	}
	drop = &ch->stats.drop_replay;
	if (verdict == REPLAY_SEEN)
		goto drop;
	/* A new session is a new sender: half-built messages are void. */
	if (verdict == REPLAY_NEW_SESSION)
		hatcp_reasm_flush(hn);

	atomic64_inc(&ch->stats.rx);
	role = READ_ONCE(hn->role);
	switch (hdr.type) {
	case HATCP_MSG_HEARTBEAT:
		chan_rx_heartbeat(hn, payload);
		break;
	case HATCP_MSG_FRAGMENT:
		/* A primary's are forwarded segments (forward.c) alone. */
		if (role != HATCP_ROLE_REPLICA && role != HATCP_ROLE_PRIMARY)
			goto unexpected;
		hatcp_reasm_rx(hn, payload, len);
		break;
	case HATCP_MSG_ACK:
		if (role != HATCP_ROLE_PRIMARY)
			goto unexpected;
		chan_rx_ack(hn, payload);
		break;
	}
	consume_skb(skb);
	return 0;
unexpected:
	hatcp_count(hn, HATCP_STATS_A_CHAN_DROP_UNEXPECTED);
	goto free;
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

	kdf(peer->hello_key, HATCP_KEY_LEN, peer->key, kdf_hello, NULL, NULL);
	/*
	 * Under ch->lock, so that a HELLO checked under the old key is not
	 * adopted after (chan_rx_hello). The same peer again keeps its
	 * session: re-applying a configuration must not cost the flows
	 * their protection.
	 */
	spin_lock_bh(&ch->lock);
	if (!old || old->remote != peer->remote || old->port != peer->port ||
	    crypto_memneq(old->key, peer->key, HATCP_KEY_LEN))
		chan_reset(ch);
	rcu_assign_pointer(hn->peer, peer);
	spin_unlock_bh(&ch->lock);
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
	spin_lock_bh(&ch->lock);
	old = rcu_replace_pointer(hn->peer, NULL, lockdep_is_held(&hn->lock));
	chan_reset(ch);
	spin_unlock_bh(&ch->lock);
	sk = rcu_replace_pointer(ch->sk, NULL, lockdep_is_held(&hn->lock));
	/* The handler re-arms only while a peer is set, so this is final. */
	del_timer_sync(&ch->timer);
	ch->reachable = false;
	if (sk)
		udp_tunnel_sock_release(sk->sk_socket);
	hatcp_peer_free(old);
}

void hatcp_channel_init(struct hatcp_net *hn)
{
	struct hatcp_channel *ch = &hn->chan;

	RCU_INIT_POINTER(ch->sk, NULL);
	ch->peer_role = -1;
	timer_setup(&ch->timer, chan_timer, 0);
	INIT_WORK(&ch->stale_work, hatcp_replica_forget_stale);
	spin_lock_init(&ch->lock);
	RCU_INIT_POINTER(ch->session, NULL);
	spin_lock_bh(&ch->lock);
	chan_reset(ch);
	spin_unlock_bh(&ch->lock);
}
