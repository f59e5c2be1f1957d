#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module promotes a replica itself when its peer is silent and the
# VIP arrives on a link that answers ARP, as keepalived puts it there
# when it makes the node MASTER (kmod/takeover.c): no hatcpctl, no notify
# script. Without keepalived here, the test moves the VIP by hand:
#
# 1. The VIP on the replica's LAN link while its primary lives (a planned
#    switchover, a broken VRRP path): nothing happens.
# 2. The primary dies (its links go down, its server is killed) and the
#    VIP stays only on the replica's NOARP dummy (keepalived has not
#    moved it, as when only the channel broke): nothing happens.
# 3. The VIP arrives on the replica's LAN link: it is primary at once,
#    counted in promote_auto, and the live connections complete
#    byte-exact from it. A promote after it (what keepalived's notify
#    script runs) succeeds and changes nothing.

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 10

CONNS=20
dp_topology || { ktap_fail "topology"; ktap_finish; }
dp_hatcp_up || { ktap_fail "hatcp up"; ktap_finish; }
dp_servers_start || { ktap_fail "servers"; ktap_finish; }

role_of() {
	ctl "$1" role show 2>/dev/null | awk '{print $NF}'
}
# gone NS: NS has not heard its peer for over 500 ms.
gone() {
	local ms

	ms=$(hatcp_stat "$1" peer_last_rx_ms)
	[ "$ms" -gt 500 ]
}

dp_verify --timeout 240 --conns "$CONNS" --rr 600 --chunk 1k --stall-ms 100 \
	>"$DP_WORK/verify.json" &
client=$!
hatcp_bg $client
protected() {
	[ "$(ctl "$DP_PRI" -j flows | grep -o '"protected": *true' | wc -l)" -ge "$CONNS" ]
}
check "the client's $CONNS connections are protected" wait_for 20 protected

# 1. The VIP on the LAN link, the primary alive: nothing.
ip -n "$DP_REP" addr add "$DP_VIP/32" dev "$DP_LAN_DEV"
sleep 1
check_eq "VIP on rep's LAN link, pri alive: rep stays the replica" "replica 0" \
	"$(role_of "$DP_REP") $(hatcp_stat "$DP_REP" promote_auto)"
ip -n "$DP_REP" addr del "$DP_VIP/32" dev "$DP_LAN_DEV"

# 2. The primary dies; the VIP is on rep's NOARP dummy only: nothing.
kill -0 $client 2>/dev/null && live=yes || live=no
ip -n "$DP_PRI" link set "$DP_LAN_DEV" down
ip -n "$DP_PRI" link set "$DP_CHAN_DEV" down
ip netns pids "$DP_PRI" | xargs -r kill -9
wait_for 5 gone "$DP_REP"
sleep 0.5
check_eq "pri dead, the VIP on rep's NOARP dummy only: rep stays the replica" "yes replica 0" \
	"$live $(role_of "$DP_REP") $(hatcp_stat "$DP_REP" promote_auto)"

# 3. The VIP arrives on rep's LAN link: the module promotes.
t0=$(date +%s.%N)
ip -n "$DP_REP" addr add "$DP_VIP/32" dev "$DP_LAN_DEV"
# The client asks again who has the VIP (keepalived's gratuitous ARP
# would tell it); only rep answers now.
ip -n "$DP_CLI" neigh flush dev "$DP_LAN_DEV"
primary() {
	[ "$(role_of "$DP_REP")" = primary ]
}
wait_for 10 primary
took=$(echo "$(date +%s.%N) - $t0" | bc)
check_eq "the VIP on rep's LAN link, pri silent: the module promoted rep (promote_auto, promotions)" \
	"primary 1 1" "$(role_of "$DP_REP") $(hatcp_stat "$DP_REP" promote_auto) $(hatcp_stat "$DP_REP" promotions)"
echo "# rep seen primary ${took:0:4} s after the VIP arrived (polled with hatcpctl)"
inum=$(ip netns exec "$DP_REP" readlink /proc/self/ns/net | tr -dc 0-9)
check "its kernel log says why" sh -c \
	"dmesg | grep -q 'netns $inum: promoted: the peer is silent and the VIP is here'"

wait $client
verdict=$(/usr/bin/python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(j["verdict"], j["ok"], j.get("reason", ""))' "$DP_WORK/verify.json")
check_eq "every connection completed, every reply byte checked" "pass $CONNS " "$verdict"
check_eq "rep's server answered every byte of every connection; all carried over" "$CONNS $CONNS" \
	"$(dp_digests_same "$DP_WORK/verify.json" "$(dp_stats rep)") $(hatcp_stat "$DP_REP" unprot_failover)"

# What keepalived's notify script runs next: idempotent.
check "hatcpctl promote after it succeeds" ctl "$DP_REP" promote
check_eq "... and changes nothing (promotions, role changes)" "1 primary" \
	"$(hatcp_stat "$DP_REP" promotions) $(role_of "$DP_REP")"

check "the module unloads clean" dp_hatcp_down
ktap_finish
