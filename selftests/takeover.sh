#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module promotes a replica itself once the VIP is on a link of it
# that answers ARP, as keepalived puts it there when it makes the node
# MASTER, and the channel has lost its peer or the peer says it is a replica
# (kmod/takeover.c): no hatcpctl, no notify script. There is no
# keepalived here: the test moves the VIP by hand, between the nodes' LAN
# links (both always have it on a NOARP dummy, fo_topology), under live
# request/response connections:
#
# 1. The VIP on rep's LAN link too, pri a live primary (a broken VRRP
#    path): rep stays the replica.
# 2. A switchover by hand: pri migrates (hatcpctl migrate: a replica
#    now, keeping its flows). Before the VIP leaves pri's LAN link, an
#    address event makes pri look: that VIP predates its demotion, so it
#    stays the replica. The VIP moves to rep's LAN link: the module
#    promotes rep, the flows kept protected.
# 3. rep dies (links down, processes killed); the VIP stays on pri's
#    dummy only (keepalived has not moved it, as when only the channel
#    broke): pri stays the replica.
# 4. The VIP arrives on pri's LAN link: the module promotes pri and
#    announces the VIP (a gratuitous ARP: the client learns pri's MAC),
#    and the connections complete byte-exact from it. A promote after it
#    (what keepalived's notify script runs) succeeds and changes nothing;
#    a demote, the VIP still there (a late BACKUP call), is refused.

. "$(dirname "$0")/failover_lib.sh"

require_root
ktap_plan 17	# + packet captures (lib.sh)

CONNS=10
fo_topology || { ktap_fail "topology"; ktap_finish; }
DP_PEER_WAIT=10 dp_hatcp_up || { ktap_fail "hatcp up"; ktap_finish; }

role_of() {
	ctl "$1" role show 2>/dev/null | awk '{print $NF}'
}
vip_to() {	# vip_to FROM_NS TO_NS [noflush]: as keepalived moves it, with its GARP
	[ -z "$1" ] || ip -n "$1" addr del "$DP_VIP/32" dev "$DP_LAN_DEV"
	ip -n "$2" addr add "$DP_VIP/32" dev "$DP_LAN_DEV"
	# The client asks again who has the VIP; only $2 answers it now.
	[ "${3:-}" = noflush ] || ip -n "$DP_CLI" neigh flush dev "$DP_LAN_DEV"
}
# echod NS NAME: a server pausing 10 ms after each read, so that the
# connections live through all four steps.
echod() {
	local ready=$DP_WORK/echod-$2.ready

	ip netns exec "$1" hatcp-echod --listen "$DP_VIP:$DP_PORT" --delay-us 10000 \
		--stats "$(dp_stats "$2")" --ready-file "$ready" >/dev/null 2>&1 &
	hatcp_bg $!
	wait_for 10 test -s "$ready"
}
protected() {
	[ "$(ctl "$1" -j flows | grep -o '"protected": *true' | wc -l)" -ge "$CONNS" ]
}
silent() {
	[ "$(hatcp_stat "$1" peer_last_rx_ms)" -gt 500 ]
}
is_role() {
	[ "$(role_of "$1")" = "$2" ]
}
summary() {	# summary NS: role, promote_auto, promotions (role set primary is none)
	echo "$(role_of "$1") $(hatcp_stat "$1" promote_auto) $(hatcp_stat "$1" promotions)"
}

vip_to "" "$DP_PRI"
echod "$DP_PRI" pri && echod "$DP_REP" rep || { ktap_fail "servers"; ktap_finish; }
dp_verify --timeout 300 --conns "$CONNS" --rr 2500 --chunk 1k --stall-ms 100 \
	>"$DP_WORK/verify.json" &
client=$!
hatcp_bg $client
check "the client's $CONNS connections are protected on pri" wait_for 20 protected "$DP_PRI"

# 1. pri a live primary: nothing.
ip -n "$DP_REP" addr add "$DP_VIP/32" dev "$DP_LAN_DEV"
sleep 1
check_eq "1. VIP on rep's LAN link too, pri a live primary: rep stays the replica" \
	"replica 0 0" "$(summary "$DP_REP")"
ip -n "$DP_REP" addr del "$DP_VIP/32" dev "$DP_LAN_DEV"

# 2. A switchover by hand.
kept=$(hatcp_stat "$DP_REP" promote_kept)
check "2. pri migrates (a replica now, its flows kept)" ctl "$DP_PRI" migrate
# The VIP pri served with is still on its LAN link, rep a live replica:
# an address event makes pri look, and it must not take back what it
# just handed over.
inum_pri=$(ip netns exec "$DP_PRI" readlink /proc/self/ns/net | tr -dc 0-9)
ip -n "$DP_PRI" addr add "$DP_VIP/32" dev lo
sleep 1
ip -n "$DP_PRI" addr del "$DP_VIP/32" dev lo
check_eq "2. pri, its old VIP still on its LAN link, stays the replica (the VIP predates its demotion)" \
	"replica 0 yes" "$(role_of "$DP_PRI") $(hatcp_stat "$DP_PRI" promote_auto) $(dmesg |
	grep -q "netns $inum_pri: not promoted: the VIP here predates our demotion" && echo yes)"
vip_to "$DP_PRI" "$DP_REP"
wait_for 10 is_role "$DP_REP" primary
check_eq "2. the VIP on rep's LAN link, pri a live replica: the module promoted rep" \
	"primary 1 1" "$(summary "$DP_REP")"
check_eq "2. ... keeping the $CONNS flows protected (promote_kept)" "$CONNS" \
	"$(($(hatcp_stat "$DP_REP" promote_kept) - kept))"

# 3. rep dies; the VIP only on pri's dummy: nothing.
wait_for 10 protected "$DP_REP"
kill -0 $client 2>/dev/null && live=yes || live=no
fo_crash "$DP_REP"
wait_for 5 silent "$DP_PRI"
sleep 0.5
check_eq "3. rep dead under live connections, the VIP on pri's NOARP dummy only: pri stays the replica" \
	"yes replica 0" "$live $(role_of "$DP_PRI") $(hatcp_stat "$DP_PRI" promote_auto)"

# 4. The VIP arrives on pri's LAN link. No GARP but the module's own: the
# client, which still has rep's MAC, must learn pri's from it.
pri_mac=$(ip -n "$DP_PRI" -br link show dev "$DP_LAN_DEV" | awk '{print $3}')
learned() {
	ip -n "$DP_CLI" neigh show "$DP_VIP" dev "$DP_LAN_DEV" | grep -q "lladdr $pri_mac"
}
t0=$(date +%s.%N)
vip_to "" "$DP_PRI" noflush
wait_for 10 is_role "$DP_PRI" primary
took=$(echo "$(date +%s.%N) - $t0" | bc)
check_eq "4. the VIP on pri's LAN link, rep silent: the module promoted pri" \
	"primary 1 1" "$(summary "$DP_PRI")"
check "4. the client learned pri's MAC at once, from the module's gratuitous ARP" \
	wait_for 1 learned
echo "# pri seen primary ${took:0:4} s after the VIP arrived (polled with hatcpctl)"
check "4. its kernel log says why" sh -c \
	"dmesg | grep -q 'netns $inum_pri: promoted: the VIP is here and the peer is lost'"

wait $client
verdict=$(verdict_of "$DP_WORK/verify.json")
check_eq "4. every connection completed, every reply byte checked; pri's server saw it all" \
	"pass $CONNS  $CONNS" "$verdict $(dp_digests_same "$DP_WORK/verify.json" "$(dp_stats pri)")"

# What keepalived's notify script runs next: idempotent.
ctl "$DP_PRI" promote
check_eq "4. hatcpctl promote after it succeeds and changes nothing" "0 primary 1 1" \
	"$? $(summary "$DP_PRI")"

# A BACKUP call keepalived made before it gave pri the VIP, run late on a
# loaded node: the module refuses to demote a primary whose VIP it was
# given since its last demotion (MASTER again). `role set replica` forces.
check_fails "4. a late demotion, the VIP on pri's LAN link (MASTER again), is refused" \
	'the VIP is here \(MASTER\)' ctl "$DP_PRI" demote
check_eq "4. ... and changed nothing" "primary 1 1" "$(summary "$DP_PRI")"
check "4. role set replica forces it" ctl "$DP_PRI" role set replica

check "the module unloads clean" dp_hatcp_down
ktap_finish
