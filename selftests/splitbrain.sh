#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Split brain, both ways, under live connections, with hatcpd and
# keepalived on both nodes (namespaces of one guest).
#
# 1. The VRRP path breaks, the channel works. The replica hears no
#    adverts and keepalived makes it MASTER, but its primary is alive on
#    the channel: the module refuses the promotion, hatcp-notify yields
#    the VIP (keepalived's track file), and the node stays a replica. The
#    connections carry on from the primary, still protected. Once the
#    primary really dies, hatcp-track ends the yield and the replica
#    takes over as after any crash.
# 2. The channel breaks, VRRP works. The primary keeps the VIP, goes on
#    unprotected (no_peer) and every connection completes. When the
#    channel returns, the replica aborts its stale shadows (the primary
#    unprotected them for good) and new connections are protected again.
# timeout=600

. "$(dirname "$0")/failover_lib.sh"

require_root
ktap_plan 19	# + packet captures (lib.sh)

CONNS=10
fo_start_pair

# ---- 1. VRRP path broken, channel working ---------------------------------
vrrp_block() {
	local ns

	for ns in "$DP_PRI" "$DP_REP"; do
		ip netns exec "$ns" nft -f - <<-NFT
		table inet hatcp_split {
			chain input {
				type filter hook input priority 0; policy accept;
				ip protocol vrrp drop
			}
		}
		NFT
	done
}
vrrp_unblock() {
	ip netns exec "$DP_PRI" nft delete table inet hatcp_split
	ip netns exec "$DP_REP" nft delete table inet hatcp_split
}

dp_verify --timeout 300 --conns "$CONNS" --rr 1500 --chunk 1k --stall-ms 200 \
	>"$DP_WORK/verify-vrrp.json" &
client=$!
sleep 3
vrrp_block
yielded() {
	grep -q "yielding the VIP" "$DP_WORK/notify-rep.log" 2>/dev/null
}
check "VRRP cut: rep became MASTER, its promotion was refused, it yielded" \
	wait_for 30 yielded
check_eq "VRRP cut: pri still the primary, rep still a replica" "primary replica" \
	"$(fo_role "$DP_PRI") $(fo_role "$DP_REP")"
rep_yielded() { ! fo_vip_on "$DP_REP"; }
check "VRRP cut: rep gave the VIP back (FAULT)" wait_for 20 rep_yielded
wait $client
check_eq "VRRP cut: every connection completed, byte-exact" "pass $CONNS " \
	"$(verdict_of "$DP_WORK/verify-vrrp.json")"
unprot=$(hatcp_stat "$DP_PRI" flows_unprotected)
check_eq "VRRP cut: every connection stayed protected on pri" 0 "$unprot"
[ "$unprot" = 0 ] ||
	echo "#   pri: $(ctl "$DP_PRI" -j stats | grep -oE '"(unprot_[a-z_]+|peer_lost|seg_hold_timeout)": *[0-9]+' | tr '\n' ' ')"
check_eq "VRRP cut: no promotion on rep" 0 "$(hatcp_stat "$DP_REP" promotions)"
grep -E "refused|yield" "$DP_WORK/notify-rep.log" | tail -2 | sed 's/^/#   notify: /'

# The VRRP path heals; rep stays yielded while pri lives. When pri dies,
# hatcp-track ends the yield and rep takes over, with the connections.
vrrp_unblock
dp_verify --timeout 300 --conns "$CONNS" --rr 1500 --chunk 1k --stall-ms 200 \
	>"$DP_WORK/verify-crash.json" &
client=$!
sleep 3
fo_crash "$DP_PRI"
promoted() { [ "$(fo_role "$DP_REP")" = primary ]; }
check "after the cut, pri crashes: rep's yield ends and keepalived promotes it" \
	wait_for 40 promoted
wait $client
check_eq "after the cut, pri crashes: every connection completed, byte-exact" \
	"pass $CONNS " "$(verdict_of "$DP_WORK/verify-crash.json")"

# ---- 2. Channel broken, VRRP working --------------------------------------
# pri comes back as the replica (as failover.sh does); rep now serves.
fo_pri_return
check "pri is back as the replica, rep serves" wait_for 30 fo_serving "$DP_REP" "$DP_PRI"
# With its configured priority (200 against 100), pri missing three of
# rep's adverts would elect itself and rep would yield it the VIP, and
# the connections opened while pri was away, of which pri has no twin.
check "pri, a replica of a live primary, stands aside (yield file 253: VRRP priority 1)" \
	wait_for 20 fo_stands_aside pri
wait_for 10 dp_peer_wait 1

no_peer=$(hatcp_stat "$DP_REP" unprot_no_peer)
dp_verify --timeout 300 --conns "$CONNS" --rr 1500 --chunk 1k --stall-ms 200 \
	>"$DP_WORK/verify-chan.json" &
client=$!
sleep 3
ip -n "$DP_PRI" link set "$DP_CHAN_DEV" down
sleep 2
ip -n "$DP_PRI" link set "$DP_CHAN_DEV" up
wait $client
check_eq "channel cut: every connection completed, byte-exact" "pass $CONNS " \
	"$(verdict_of "$DP_WORK/verify-chan.json")"
check_eq "channel cut: rep kept the VIP and the role" "primary replica" \
	"$(fo_role "$DP_REP") $(fo_role "$DP_PRI")"
check_eq "channel cut: rep went on unprotected (no_peer), every connection" \
	"$CONNS" "$(($(hatcp_stat "$DP_REP" unprot_no_peer) - no_peer))"
aborted() { [ "$(hatcp_stat "$DP_PRI" repl_stale_aborted)" -ge 1 ]; }
check "channel back: pri aborted its stale shadows" wait_for 20 aborted
echo "# stale shadows aborted on pri: $(hatcp_stat "$DP_PRI" repl_stale_aborted)"
before=$(hatcp_stat "$DP_REP" flows_protected)
out=$(dp_verify --timeout 120 --conns 4 --bytes 256k)
check_eq "channel back: new connections are served" pass "$(json_get "$out" "j['verdict']")"
check_eq "channel back: new connections are protected" $((before + 4)) \
	"$(hatcp_stat "$DP_REP" flows_protected)"

check "the module unloads clean" dp_hatcp_down
ktap_finish
