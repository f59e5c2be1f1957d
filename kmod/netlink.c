// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: the generic netlink family "hatcp". It translates requests into
 * calls on config.c and policy.c and announces every change on the events
 * multicast group.
 *
 * Requests are parsed here, strictly, rather than by the genetlink core, so
 * that a malformed request is counted in the caller's namespace as well as
 * refused with an extended ack naming the attribute.
 */
#include <linux/moduleparam.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "channel.h"
#include "config.h"
#include "flow.h"
#include "memcg.h"
#include "netlink.h"
#include "policy.h"

static const struct nla_policy peer_nl_policy[HATCP_PEER_A_MAX + 1] = {
	[HATCP_PEER_A_LOCAL_IPV4] = { .type = NLA_BE32 },
	[HATCP_PEER_A_REMOTE_IPV4] = { .type = NLA_BE32 },
	[HATCP_PEER_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[HATCP_PEER_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[HATCP_PEER_A_KEY] = NLA_POLICY_EXACT_LEN(HATCP_KEY_LEN),
	[HATCP_PEER_A_INSECURE_NO_KEY] = { .type = NLA_FLAG },
};

static const struct nla_policy policy_nl_policy[HATCP_POLICY_A_MAX + 1] = {
	[HATCP_POLICY_A_ADDR_IPV4] = { .type = NLA_BE32 },
	[HATCP_POLICY_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

/* Output-only attributes have no entry, so requests carrying them fail. */
static const struct nla_policy hatcp_nl_policy[HATCP_A_MAX + 1] = {
	[HATCP_A_ROLE] = NLA_POLICY_MAX(NLA_U32, HATCP_ROLE_MAX),
	[HATCP_A_PEER] = NLA_POLICY_NESTED(peer_nl_policy),
	[HATCP_A_POLICY] = NLA_POLICY_NESTED(policy_nl_policy),
};

enum hatcp_mcgrp { HATCP_MCGRP_EVENTS_IDX };

static const struct genl_multicast_group hatcp_mcgrps[] = {
	[HATCP_MCGRP_EVENTS_IDX] = { .name = HATCP_MCGRP_EVENTS },
};

static struct genl_family hatcp_family;

/*
 * Cleared, then an RCU grace period, before the family goes: the channel
 * timer raises events from softirq and may still run until pernet exit.
 */
static bool events_open;

static struct hatcp_net *info_pernet(struct genl_info *info)
{
	return hatcp_pernet(genl_info_net(info));
}

static int malformed(struct hatcp_net *hn, int err)
{
	atomic64_inc(&hn->stats.malformed);
	return err;
}

/*
 * Every command, reads included, needs CAP_NET_ADMIN: flows and peers are
 * not for unprivileged eyes, and a role or peer change is a way into live
 * connections. The genetlink core checks it over the caller's namespace
 * (GENL_UNS_ADMIN_PERM); unless userns_admin is set we also want it in the
 * initial user namespace, so that an unprivileged user's own user and
 * network namespaces do not make them an administrator of hatcp.
 */
static bool userns_admin;
module_param(userns_admin, bool, 0644);
MODULE_PARM_DESC(userns_admin,
		 "Let a user namespace's root administer hatcp in its network namespaces (default N; exposes the module to unprivileged users)");

static int admin_check(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (READ_ONCE(userns_admin) || netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "CAP_NET_ADMIN in the initial user namespace needed (see the userns_admin parameter)");
	return -EPERM;
}

/* Strict parse of a request's attributes into @tb, for an administrator. */
static int parse_request(struct sk_buff *skb, struct genl_info *info,
			 struct nlattr **tb)
{
	struct hatcp_net *hn = info_pernet(info);
	int err;

	err = admin_check(skb, info->extack);
	if (err)
		return err;
	if (info->genlhdr->reserved) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "genetlink header reserved field must be 0");
		return malformed(hn, -EINVAL);
	}
	err = nlmsg_parse(info->nlhdr, GENL_HDRLEN, tb, HATCP_A_MAX,
			  hatcp_nl_policy, info->extack);
	return err ? malformed(hn, err) : 0;
}

/* Parses the nest @type of @tb, which the request must carry. */
static int parse_nest(struct genl_info *info, struct nlattr **tb, int type,
		      struct nlattr **ntb, int maxtype,
		      const struct nla_policy *policy)
{
	if (NL_REQ_ATTR_CHECK(info->extack, NULL, tb, type)) {
		NL_SET_ERR_MSG_MOD(info->extack, "required attribute missing");
		return malformed(info_pernet(info), -EINVAL);
	}
	/* Cannot fail: nlmsg_parse() validated the nest already. */
	return nla_parse_nested(ntb, maxtype, tb[type], policy, info->extack);
}

/* Dumps take no attributes; refuse any rather than ignore them. */
static int check_dump_request(struct netlink_callback *cb)
{
	const struct genlmsghdr *ghdr = nlmsg_data(cb->nlh);
	int err;

	err = admin_check(cb->skb, cb->extack);
	if (err)
		return err;
	if (!ghdr->reserved && !nlmsg_attrlen(cb->nlh, GENL_HDRLEN))
		return 0;
	NL_SET_ERR_MSG_MOD(cb->extack, "dump requests take no attributes");
	return malformed(hatcp_pernet(sock_net(cb->skb->sk)), -EINVAL);
}

/* The peer as configured, and as its heartbeats show it. */
static int put_peer(struct sk_buff *skb, struct hatcp_net *hn,
		    const struct hatcp_peer *peer)
{
	struct nlattr *nest = nla_nest_start(skb, HATCP_A_PEER);
	int role = hatcp_chan_peer_role(hn);

	if (!nest ||
	    nla_put_u8(skb, HATCP_PEER_A_REACHABLE,
		       hatcp_chan_peer_alive(hn)) ||
	    (role >= 0 && nla_put_u32(skb, HATCP_PEER_A_ROLE, role)) ||
	    nla_put_in_addr(skb, HATCP_PEER_A_LOCAL_IPV4, peer->local) ||
	    nla_put_in_addr(skb, HATCP_PEER_A_REMOTE_IPV4, peer->remote) ||
	    (peer->ifindex &&
	     nla_put_u32(skb, HATCP_PEER_A_IFINDEX, peer->ifindex)) ||
	    nla_put_u16(skb, HATCP_PEER_A_PORT, peer->port) ||
	    nla_put_u8(skb, HATCP_PEER_A_KEYED, peer->keyed) ||
	    (peer->insecure &&
	     nla_put_flag(skb, HATCP_PEER_A_INSECURE_NO_KEY))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_policy(struct sk_buff *skb, __be32 addr, u16 port)
{
	struct nlattr *nest = nla_nest_start(skb, HATCP_A_POLICY);

	if (!nest ||
	    (addr && nla_put_in_addr(skb, HATCP_POLICY_A_ADDR_IPV4, addr)) ||
	    nla_put_u16(skb, HATCP_POLICY_A_PORT, port)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Events. A failure to allocate or send one is not the requester's
 * problem: the change itself is done, so events are best effort.
 */
static struct sk_buff *event_new_gfp(struct hatcp_net *hn,
				     enum hatcp_event ev, void **hdr, gfp_t gfp)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&hatcp_family, hn->net, HATCP_MCGRP_EVENTS_IDX))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &hatcp_family, 0, HATCP_CMD_EVENT);
	if (!*hdr || nla_put_u32(skb, HATCP_A_EVENT, ev)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static struct sk_buff *event_new(struct hatcp_net *hn, enum hatcp_event ev,
				 void **hdr)
{
	return event_new_gfp(hn, ev, hdr, GFP_KERNEL);
}

static void event_send_gfp(struct hatcp_net *hn, struct sk_buff *skb,
			   void *hdr, gfp_t gfp)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&hatcp_family, hn->net, skb, 0,
				HATCP_MCGRP_EVENTS_IDX, gfp);
}

static void event_send(struct hatcp_net *hn, struct sk_buff *skb, void *hdr)
{
	event_send_gfp(hn, skb, hdr, GFP_KERNEL);
}

/* From the channel timer, in softirq, under rcu_read_lock(). */
void hatcp_nl_event_reachable(struct hatcp_net *hn,
			      const struct hatcp_peer *peer, bool reachable)
{
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(events_open))
		return;
	skb = event_new_gfp(hn, reachable ? HATCP_EVENT_PEER_REACHABLE :
			    HATCP_EVENT_PEER_UNREACHABLE, &hdr, GFP_ATOMIC);
	if (!skb)
		return;
	if (put_peer(skb, hn, peer)) {
		nlmsg_free(skb);
		return;
	}
	event_send_gfp(hn, skb, hdr, GFP_ATOMIC);
}

void hatcp_nl_event_role(struct hatcp_net *hn,
			 const struct hatcp_role_change *chg)
{
	struct sk_buff *skb;
	void *hdr;

	if (chg->old_role == chg->new_role)
		return;
	skb = event_new(hn, HATCP_EVENT_ROLE_CHANGED, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, HATCP_A_ROLE, chg->new_role) ||
	    nla_put_u32(skb, HATCP_A_OLD_ROLE, chg->old_role)) {
		nlmsg_free(skb);
		return;
	}
	event_send(hn, skb, hdr);
}

static void event_peer(struct hatcp_net *hn)
{
	const struct hatcp_peer *peer;
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(hn, HATCP_EVENT_PEER_CHANGED, &hdr);
	if (!skb)
		return;
	peer = rcu_dereference_protected(hn->peer, lockdep_is_held(&hn->lock));
	if (peer && put_peer(skb, hn, peer)) {
		nlmsg_free(skb);
		return;
	}
	event_send(hn, skb, hdr);
}

static void event_policy(struct hatcp_net *hn, enum hatcp_event ev,
			 __be32 addr, u16 port)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(hn, ev, &hdr);
	if (!skb)
		return;
	if (put_policy(skb, addr, port)) {
		nlmsg_free(skb);
		return;
	}
	event_send(hn, skb, hdr);
}

/* A unicast reply to @info carrying what @fill puts in it. */
static int reply(struct genl_info *info, u8 cmd,
		 int (*fill)(struct sk_buff *skb, struct hatcp_net *hn),
		 struct hatcp_net *hn)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &hatcp_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto fail;
	}
	err = fill(skb, hn);
	if (err)
		goto fail;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
fail:
	nlmsg_free(skb);
	return err;
}

static int fill_role(struct sk_buff *skb, struct hatcp_net *hn)
{
	return nla_put_u32(skb, HATCP_A_ROLE, READ_ONCE(hn->role));
}

static int hatcp_nl_get_role(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[HATCP_A_MAX + 1];
	int err;

	err = parse_request(skb, info, tb);
	if (err)
		return err;
	return reply(info, HATCP_CMD_GET_ROLE, fill_role, info_pernet(info));
}

/* The role commands differ only in how they pick the new role. */
static int role_cmd(struct sk_buff *skb, struct genl_info *info,
		    u8 cmd)
{
	struct hatcp_net *hn = info_pernet(info);
	struct nlattr *tb[HATCP_A_MAX + 1];
	struct hatcp_role_change chg;
	int err;

	err = parse_request(skb, info, tb);
	if (err)
		return err;
	if (cmd == HATCP_CMD_SET_ROLE &&
	    NL_REQ_ATTR_CHECK(info->extack, NULL, tb, HATCP_A_ROLE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "role missing");
		return malformed(hn, -EINVAL);
	}

	mutex_lock(&hn->lock);
	if (cmd == HATCP_CMD_PROMOTE)
		err = hatcp_promote(hn, &chg, info->extack);
	else if (cmd == HATCP_CMD_DEMOTE)
		err = hatcp_demote(hn, &chg, info->extack);
	else if (cmd == HATCP_CMD_MIGRATE)
		err = hatcp_migrate(hn, &chg, info->extack);
	else
		err = hatcp_role_set(hn, nla_get_u32(tb[HATCP_A_ROLE]), &chg,
				     info->extack);
	/* Whoever configures the role pays for the data path (memcg.c). */
	if (!err && cmd == HATCP_CMD_SET_ROLE)
		hatcp_memcg_adopt(hn);
	if (!err)
		hatcp_nl_event_role(hn, &chg);
	mutex_unlock(&hn->lock);
	return err;
}

static int hatcp_nl_set_role(struct sk_buff *skb, struct genl_info *info)
{
	return role_cmd(skb, info, HATCP_CMD_SET_ROLE);
}

static int hatcp_nl_promote(struct sk_buff *skb, struct genl_info *info)
{
	return role_cmd(skb, info, HATCP_CMD_PROMOTE);
}

static int hatcp_nl_demote(struct sk_buff *skb, struct genl_info *info)
{
	return role_cmd(skb, info, HATCP_CMD_DEMOTE);
}

static int hatcp_nl_migrate(struct sk_buff *skb, struct genl_info *info)
{
	return role_cmd(skb, info, HATCP_CMD_MIGRATE);
}

static int fill_peer(struct sk_buff *skb, struct hatcp_net *hn)
{
	const struct hatcp_peer *peer;
	int err = 0;

	rcu_read_lock();
	peer = rcu_dereference(hn->peer);
	if (peer)
		err = put_peer(skb, hn, peer);
	rcu_read_unlock();
	return err;
}

static int hatcp_nl_get_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[HATCP_A_MAX + 1];
	int err;

	err = parse_request(skb, info, tb);
	if (err)
		return err;
	return reply(info, HATCP_CMD_GET_PEER, fill_peer, info_pernet(info));
}

static int hatcp_nl_set_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct hatcp_net *hn = info_pernet(info);
	struct nlattr *ptb[HATCP_PEER_A_MAX + 1];
	struct nlattr *tb[HATCP_A_MAX + 1];
	struct hatcp_peer want = {};
	int err;

	err = parse_request(skb, info, tb);
	if (!err)
		err = parse_nest(info, tb, HATCP_A_PEER, ptb,
				 HATCP_PEER_A_MAX, peer_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, tb[HATCP_A_PEER], ptb,
			      HATCP_PEER_A_LOCAL_IPV4) ||
	    NL_REQ_ATTR_CHECK(info->extack, tb[HATCP_A_PEER], ptb,
			      HATCP_PEER_A_REMOTE_IPV4)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "peer needs a local and a remote address");
		return malformed(hn, -EINVAL);
	}
	want.local = nla_get_in_addr(ptb[HATCP_PEER_A_LOCAL_IPV4]);
	want.remote = nla_get_in_addr(ptb[HATCP_PEER_A_REMOTE_IPV4]);
	if (ptb[HATCP_PEER_A_IFINDEX])
		want.ifindex = nla_get_u32(ptb[HATCP_PEER_A_IFINDEX]);
	want.port = ptb[HATCP_PEER_A_PORT] ?
		    nla_get_u16(ptb[HATCP_PEER_A_PORT]) : HATCP_CHANNEL_PORT;
	if (ptb[HATCP_PEER_A_KEY]) {
		nla_memcpy(want.key, ptb[HATCP_PEER_A_KEY], HATCP_KEY_LEN);
		want.keyed = true;
	}
	want.insecure = nla_get_flag(ptb[HATCP_PEER_A_INSECURE_NO_KEY]);

	mutex_lock(&hn->lock);
	err = hatcp_peer_set(hn, &want, info->extack);
	if (!err)
		event_peer(hn);
	mutex_unlock(&hn->lock);
	memzero_explicit(want.key, sizeof(want.key));
	return err;
}

static int hatcp_nl_del_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct hatcp_net *hn = info_pernet(info);
	struct nlattr *tb[HATCP_A_MAX + 1];
	int err;

	err = parse_request(skb, info, tb);
	if (err)
		return err;
	mutex_lock(&hn->lock);
	err = hatcp_peer_del(hn, info->extack);
	if (!err)
		event_peer(hn);
	mutex_unlock(&hn->lock);
	return err;
}

/* Add and delete share the request layout and differ in the call. */
static int policy_cmd(struct sk_buff *skb, struct genl_info *info,
		      bool add)
{
	struct hatcp_net *hn = info_pernet(info);
	struct nlattr *ptb[HATCP_POLICY_A_MAX + 1];
	struct nlattr *tb[HATCP_A_MAX + 1];
	__be32 addr = 0;
	u16 port;
	int err;

	err = parse_request(skb, info, tb);
	if (!err)
		err = parse_nest(info, tb, HATCP_A_POLICY, ptb,
				 HATCP_POLICY_A_MAX, policy_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, tb[HATCP_A_POLICY], ptb,
			      HATCP_POLICY_A_PORT)) {
		NL_SET_ERR_MSG_MOD(info->extack, "policy needs a port");
		return malformed(hn, -EINVAL);
	}
	port = nla_get_u16(ptb[HATCP_POLICY_A_PORT]);
	if (ptb[HATCP_POLICY_A_ADDR_IPV4])
		addr = nla_get_in_addr(ptb[HATCP_POLICY_A_ADDR_IPV4]);

	mutex_lock(&hn->lock);
	if (add)
		err = hatcp_policy_add(hn, addr, port, info->extack);
	else
		err = hatcp_policy_del(hn, addr, port, info->extack);
	if (!err)
		event_policy(hn, add ? HATCP_EVENT_POLICY_ADDED :
				 HATCP_EVENT_POLICY_DELETED, addr, port);
	mutex_unlock(&hn->lock);
	return err;
}

static int hatcp_nl_add_policy(struct sk_buff *skb, struct genl_info *info)
{
	return policy_cmd(skb, info, true);
}

static int hatcp_nl_del_policy(struct sk_buff *skb, struct genl_info *info)
{
	return policy_cmd(skb, info, false);
}

struct dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static void *dump_put(struct dump_ctx *ctx, u8 cmd)
{
	void *hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
				ctx->cb->nlh->nlmsg_seq, &hatcp_family,
				NLM_F_MULTI, cmd);

	if (hdr)
		nl_dump_check_consistent(ctx->cb, genlmsg_nlhdr(hdr));
	return hdr;
}

static int dump_one_policy(const struct hatcp_policy *p, void *arg)
{
	struct dump_ctx *ctx = arg;
	void *hdr = dump_put(ctx, HATCP_CMD_GET_POLICY);

	if (!hdr)
		return -EMSGSIZE;
	if (put_policy(ctx->skb, p->addr, p->port)) {
		genlmsg_cancel(ctx->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(ctx->skb, hdr);
	return 0;
}

/* cb->args: [0] started, [1] hash bucket, [2] index in the bucket. */
static int hatcp_nl_dump_policy(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct hatcp_net *hn = hatcp_pernet(sock_net(skb->sk));
	struct dump_ctx ctx = { .skb = skb, .cb = cb };
	struct hatcp_policy_cursor cur;
	int err;

	if (!cb->args[0]) {
		err = check_dump_request(cb);
		if (err)
			return err;
		cb->args[0] = 1;
	}
	cur.bucket = cb->args[1];
	cur.index = cb->args[2];
	cb->seq = READ_ONCE(hn->policy_gen);
	err = hatcp_policy_walk(hn, &cur, dump_one_policy, &ctx);
	cb->args[1] = cur.bucket;
	cb->args[2] = cur.index;
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int put_flow(struct sk_buff *skb, struct hatcp_flow *f)
{
	struct nlattr *nest = nla_nest_start(skb, HATCP_A_FLOW);
	struct hatcp_flow_info in;

	hatcp_flow_info(f, &in);
	if (!nest ||
	    nla_put_u32(skb, HATCP_FLOW_A_ROLE, f->role) ||
	    nla_put_in_addr(skb, HATCP_FLOW_A_SADDR_IPV4, f->saddr) ||
	    nla_put_in_addr(skb, HATCP_FLOW_A_DADDR_IPV4, f->daddr) ||
	    nla_put_u16(skb, HATCP_FLOW_A_SPORT, ntohs(f->sport)) ||
	    nla_put_u16(skb, HATCP_FLOW_A_DPORT, ntohs(f->dport)) ||
	    nla_put_u32(skb, HATCP_FLOW_A_STATE, in.state) ||
	    nla_put_u8(skb, HATCP_FLOW_A_PROTECTED, in.protected) ||
	    nla_put_u32(skb, HATCP_FLOW_A_UNPROT_REASON, in.unprot))
		goto cancel;
	if (f->role == HATCP_ROLE_PRIMARY &&
	    (nla_put_u32(skb, HATCP_FLOW_A_HELD_SEGS, in.held_segs) ||
	     nla_put_u32(skb, HATCP_FLOW_A_HELD_BYTES, in.held_bytes)))
		goto cancel;
	if (f->role == HATCP_ROLE_REPLICA &&
	    (nla_put_u32(skb, HATCP_FLOW_A_QUEUED_SEGS, in.queued_segs) ||
	     nla_put_u32(skb, HATCP_FLOW_A_QUEUED_BYTES, in.queued_bytes) ||
	     nla_put_u32(skb, HATCP_FLOW_A_LAG_BYTES, in.lag_bytes)))
		goto cancel;
	if (in.has_sock &&
	    (nla_put_u32(skb, HATCP_FLOW_A_SND_UNA, in.snd_una) ||
	     nla_put_u32(skb, HATCP_FLOW_A_SND_NXT, in.snd_nxt) ||
	     nla_put_u32(skb, HATCP_FLOW_A_RCV_NXT, in.rcv_nxt) ||
	     nla_put_u32(skb, HATCP_FLOW_A_TSVAL, in.tsval)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* A flow left unprotected; from the data path, in any context. */
void hatcp_nl_event_flow(struct hatcp_net *hn, struct hatcp_flow *f)
{
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(events_open))
		return;
	skb = event_new_gfp(hn, HATCP_EVENT_FLOW_UNPROTECTED, &hdr,
			    GFP_ATOMIC);
	if (!skb)
		return;
	if (put_flow(skb, f)) {
		nlmsg_free(skb);
		return;
	}
	event_send_gfp(hn, skb, hdr, GFP_ATOMIC);
}

/* cb->args: [0] started, [1] bucket, [2] flows of it already sent. */
static int hatcp_nl_dump_flow(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hatcp_net *hn = hatcp_pernet(sock_net(skb->sk));
	struct dump_ctx ctx = { .skb = skb, .cb = cb };
	struct hatcp_flow *f;
	bool full = false;
	long i;
	void *hdr;
	int err;

	if (!cb->args[0]) {
		err = check_dump_request(cb);
		if (err)
			return err;
		cb->args[0] = 1;
	}
	rcu_read_lock();
	for (; cb->args[1] < HASH_SIZE(hn->flows) && !full; cb->args[1]++) {
		i = 0;
		hlist_for_each_entry_rcu(f, &hn->flows[cb->args[1]], node) {
			if (i++ < cb->args[2])
				continue;
			hdr = dump_put(&ctx, HATCP_CMD_GET_FLOW);
			if (!hdr || put_flow(skb, f)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				full = true;
				break;
			}
			genlmsg_end(skb, hdr);
			cb->args[2]++;
		}
		if (full)
			break;
		cb->args[2] = 0;
	}
	rcu_read_unlock();
	return skb->len;
}

static int put_u64_stat(struct sk_buff *skb, int type, atomic64_t *v)
{
	return nla_put_u64_64bit(skb, type, atomic64_read(v),
				 HATCP_STATS_A_PAD);
}

static int put_chan_stats(struct sk_buff *skb, struct hatcp_channel *ch)
{
	struct hatcp_chan_stats *s = &ch->stats;

	if (put_u64_stat(skb, HATCP_STATS_A_CHAN_TX, &s->tx) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_RX, &s->rx) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_TX_ERRORS, &s->tx_errors) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_DROP_NOT_PEER,
			 &s->drop_not_peer) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_DROP_MALFORMED,
			 &s->drop_malformed) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_DROP_BAD_MAC,
			 &s->drop_bad_mac) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_DROP_REPLAY,
			 &s->drop_replay) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_SESSIONS, &s->sessions) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_DROP_REFLECTED,
			 &s->drop_reflected) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_DROP_NO_SESSION,
			 &s->drop_no_session) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_HELLO_UNFRESH,
			 &s->hello_unfresh) ||
	    put_u64_stat(skb, HATCP_STATS_A_CHAN_HELLO_OLD, &s->hello_old))
		return -EMSGSIZE;
	if (READ_ONCE(ch->rx_seen) &&
	    nla_put_u64_64bit(skb, HATCP_STATS_A_PEER_LAST_RX_MS,
			      jiffies_to_msecs(jiffies -
					       READ_ONCE(ch->last_rx)),
			      HATCP_STATS_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int put_dp_stats(struct sk_buff *skb, struct hatcp_net *hn)
{
	int attr;

	for (attr = HATCP_DP_STAT_FIRST; attr <= HATCP_DP_STAT_LAST; attr++)
		if (put_u64_stat(skb, attr, hatcp_dp_stat(hn, attr)))
			return -EMSGSIZE;
	return 0;
}

static int fill_stats(struct sk_buff *skb, struct hatcp_net *hn)
{
	const struct hatcp_ctl_stats *s = &hn->stats;
	struct nlattr *nest = nla_nest_start(skb, HATCP_A_STATS);

	if (!nest ||
	    nla_put_u32(skb, HATCP_STATS_A_POLICIES, READ_ONCE(hn->n_policies)) ||
	    nla_put_u32(skb, HATCP_STATS_A_FLOWS, READ_ONCE(hn->n_flows)) ||
	    nla_put_u64_64bit(skb, HATCP_STATS_A_ROLE_CHANGES,
			      atomic64_read(&s->role_changes),
			      HATCP_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, HATCP_STATS_A_PROMOTIONS,
			      atomic64_read(&s->promotions),
			      HATCP_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, HATCP_STATS_A_DEMOTIONS,
			      atomic64_read(&s->demotions),
			      HATCP_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, HATCP_STATS_A_CONFIG_REJECTED,
			      atomic64_read(&s->config_rejected),
			      HATCP_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, HATCP_STATS_A_MALFORMED,
			      atomic64_read(&s->malformed),
			      HATCP_STATS_A_PAD) ||
	    put_chan_stats(skb, &hn->chan) || put_dp_stats(skb, hn)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int hatcp_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[HATCP_A_MAX + 1];
	int err;

	err = parse_request(skb, info, tb);
	if (err)
		return err;
	return reply(info, HATCP_CMD_GET_STATS, fill_stats, info_pernet(info));
}

/* See admin_check(): the core's check, then ours. */
#define HATCP_PERM GENL_UNS_ADMIN_PERM

static const struct genl_small_ops hatcp_ops[] = {
	{ .cmd = HATCP_CMD_GET_ROLE, .flags = HATCP_PERM,
	  .doit = hatcp_nl_get_role },
	{ .cmd = HATCP_CMD_SET_ROLE, .flags = HATCP_PERM,
	  .doit = hatcp_nl_set_role },
	{ .cmd = HATCP_CMD_GET_PEER, .flags = HATCP_PERM,
	  .doit = hatcp_nl_get_peer },
	{ .cmd = HATCP_CMD_SET_PEER, .flags = HATCP_PERM,
	  .doit = hatcp_nl_set_peer },
	{ .cmd = HATCP_CMD_DEL_PEER, .flags = HATCP_PERM,
	  .doit = hatcp_nl_del_peer },
	{ .cmd = HATCP_CMD_ADD_POLICY, .flags = HATCP_PERM,
	  .doit = hatcp_nl_add_policy },
	{ .cmd = HATCP_CMD_DEL_POLICY, .flags = HATCP_PERM,
	  .doit = hatcp_nl_del_policy },
	{ .cmd = HATCP_CMD_GET_POLICY, .flags = HATCP_PERM,
	  .dumpit = hatcp_nl_dump_policy },
	{ .cmd = HATCP_CMD_GET_STATS, .flags = HATCP_PERM,
	  .doit = hatcp_nl_get_stats },
	{ .cmd = HATCP_CMD_GET_FLOW, .flags = HATCP_PERM,
	  .dumpit = hatcp_nl_dump_flow },
	{ .cmd = HATCP_CMD_PROMOTE, .flags = HATCP_PERM,
	  .doit = hatcp_nl_promote },
	{ .cmd = HATCP_CMD_DEMOTE, .flags = HATCP_PERM,
	  .doit = hatcp_nl_demote },
	{ .cmd = HATCP_CMD_MIGRATE, .flags = HATCP_PERM,
	  .doit = hatcp_nl_migrate },
};

/*
 * No family policy and every command below resv_start_op: the core then
 * leaves parsing to us (see parse_request()), including the reserved
 * header field.
 */
static struct genl_family hatcp_family __ro_after_init = {
	.name = HATCP_GENL_NAME,
	.version = HATCP_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = hatcp_ops,
	.n_small_ops = ARRAY_SIZE(hatcp_ops),
	.resv_start_op = HATCP_CMD_MAX + 1,
	.mcgrps = hatcp_mcgrps,
	.n_mcgrps = ARRAY_SIZE(hatcp_mcgrps),
};

int __init hatcp_genl_init(void)
{
	int err = genl_register_family(&hatcp_family);

	if (!err)
		WRITE_ONCE(events_open, true);
	return err;
}

void hatcp_genl_exit(void)
{
	WRITE_ONCE(events_open, false);
	synchronize_rcu();
	genl_unregister_family(&hatcp_family);
}
