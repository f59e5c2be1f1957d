#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Crash failover driven by keepalived, in namespaces of one guest, with
# hatcp configured by hatcpd as an operator runs it: the
# primary dies under 100 live connections, keepalived on the replica
# notices and promotes it, and every connection carries on from the
# replica's shadow sockets, byte-exact. Then the dead node comes back: it
# takes no connection back, becomes the replica, and new connections are
# protected again; and when the other node dies in turn, under short
# connections, every one of them completes.
# timeout=1200

. "$(dirname "$0")/failover_lib.sh"

require_root
ktap_plan 24	# + packet captures (lib.sh)

CONNS=100
fo_start_pair
check_eq "the client's ARP for the VIP is answered by pri alone" "$DP_PRI_MAC " \
	"$(dp_arp_who_has | tr '\n' ' ')"

# 100 connections in request/response, each sending 1 KB and waiting for
# its reply; the primary dies in the middle of them.
dp_verify --timeout 600 --conns "$CONNS" --rr 1000 --chunk 1k --stall-ms 150 \
	>"$DP_WORK/verify.json" &
client=$!
sleep 5
flows=$(hatcp_stat "$DP_PRI" flows_protected)
kill -0 $client 2>/dev/null && live=yes || live=no
t_crash=$(date +%s.%N)
fo_crash "$DP_PRI"
promoted() {
	[ "$(fo_role "$DP_REP")" = primary ]
}
wait_for 30 promoted
t_promoted=$(date +%s.%N)
wait $client
check_eq "the crash hit $CONNS live connections, all protected" "yes $CONNS" "$live $flows"
check "keepalived promoted the replica (notify: MASTER, promote)" \
	grep -q "MASTER, promote done" "$DP_WORK/notify-rep.log"
check "the VIP moved to the replica's LAN link" fo_vip_on "$DP_REP"
verdict=$(verdict_of "$DP_WORK/verify.json")
check_eq "every connection completed, every reply byte checked" "pass $CONNS " "$verdict"
rep_saw_all() {
	[ "$(dp_digests_same "$DP_WORK/verify.json" "$(dp_stats rep)" 2>/dev/null)" = "$CONNS" ]
}
wait_for 30 rep_saw_all
check_eq "the replica's server saw and answered every byte of every connection" \
	"$CONNS" "$(dp_digests_same "$DP_WORK/verify.json" "$(dp_stats rep)")"
check_eq "every connection was carried over (unprot_failover)" "$CONNS" \
	"$(hatcp_stat "$DP_REP" unprot_failover)"
check_eq "every carried-over flow drained" 0 "$(hatcp_stat "$DP_REP" drain_flows)"
# Each client was told to retransmit at once (kmod/nudge.c): an ICMP host
# unreachable per carried-over connection, quoting a sequence number in
# the client's window (one outside it counts as OutOfWindowIcmps there).
check_eq "the promotion told every client to retransmit now (promote_nudged)" \
	"$CONNS" "$(hatcp_stat "$DP_REP" promote_nudged)"
read -r cli_unreach cli_oow <<<"$(ip netns exec "$DP_CLI" nstat -asz \
	IcmpInDestUnreachs TcpExtOutOfWindowIcmps | awk '{ print $2 }' | tr '\n' ' ')"
check_eq "the client took each in its connection's window" "yes 0" \
	"$([ "${cli_unreach:-0}" -ge "$CONNS" ] && echo yes) ${cli_oow:-none}"
# What an operator's Prometheus sees of it: the promoted node's hatcpd.
rep_metric() {
	ip netns exec "$DP_REP" /usr/bin/python3 "$HATCP_TOP/selftests/metrics_get.py" 127.0.0.1:9471 "$1"
}
check_eq "its hatcpd's metrics say so (carried over, draining, promotions)" "$CONNS 0 1" \
	"$(rep_metric 'hatcp_flows_unprotected_by_reason_total{reason="failover"}') $(rep_metric hatcp_draining_flows) $(rep_metric hatcp_promotions_total)"
crash_rel=$(fo_client_s "$DP_WORK/verify.json" "$t_crash")
read -r n p50 p99 max <<<"$(fo_pauses "$DP_WORK/verify.json" "$crash_rel")"
echo "# failover: the test saw rep's role as primary $(echo "$t_promoted - $t_crash" | bc | cut -c1-5) s" \
	"after the crash (polled with hatcpctl, slow here; VRRP advert ${FO_ADVERT} s)"
elapsed=$(/usr/bin/python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["elapsed_s"], 1))' \
	"$DP_WORK/verify.json")
echo "# failover pause per connection (ms, stall spanning the crash): n=$n p50=$p50 p99=$p99 max=$max" \
	"(crash ${crash_rel:0:5} s into the client's $elapsed s)"
echo "# rep was promoted by $([ "$(hatcp_stat "$DP_REP" promote_auto)" -ge 1 ] && echo "the module itself (VIP here, peer silent)" || echo "keepalived's notify script")"
sed 's/^/#   notify: /' "$DP_WORK/notify-rep.log"
grep -E "Script|Entering" "$DP_WORK/keepalived-rep.log" | tail -6 | sed 's/^/#   rep keepalived: /'
check_eq "one promotion, no flapping: rep was promoted once" 1 \
	"$(hatcp_stat "$DP_REP" promotions)"
check "promotion is idempotent: promote again succeeds" ctl "$DP_REP" promote
check_eq "promotion is idempotent: a second promote changes nothing" "1 primary" \
	"$(hatcp_stat "$DP_REP" promotions) $(fo_role "$DP_REP")"

# The dead node comes back, as after a reboot: hatcpd starts first and
# makes it a replica (its file says so), then its links come up.
fo_pri_return && back=yes || back=no
check_eq "the returning node's hatcpd makes it a replica" yes "$back"
sleep 3
check_eq "the returning node does not take the VIP back (nopreempt)" \
	"replica rep" "$(fo_role "$DP_PRI") $(fo_vip_on "$DP_REP" && echo rep)"
check_eq "the client's ARP for the VIP is answered by the new primary alone" \
	"$(ip -n "$DP_REP" -br link show "$DP_LAN_DEV" | awk '{print $3}') " \
	"$(dp_arp_who_has | tr '\n' ' ')"
wait_for 10 dp_peer_wait 1
before=$(hatcp_stat "$DP_REP" flows_protected)
out=$(dp_verify --timeout 120 --conns 4 --bytes 256k)
check_eq "new connections after the return are served" pass \
	"$(json_get "$out" "j['verdict']")"
check_eq "new connections are protected again, by the returned node" $((before + 4)) \
	"$(hatcp_stat "$DP_REP" flows_protected)"

# The other way round, under short connections: when the new primary
# dies, some of them are in their handshake, some mid-transfer and some
# closing. Every one must complete.
out2=$DP_WORK/verify-short.json
promotions=$(hatcp_stat "$DP_PRI" promotions)
dp_verify --timeout 300 --conns 20 --connect-only 600 --bytes 4k >"$out2" &
client=$!
sleep 3
fo_crash "$DP_REP"
back_promoted() {
	[ "$(fo_role "$DP_PRI")" = primary ]
}
wait_for 30 back_promoted
wait $client
verdict=$(verdict_of "$out2")
check_eq "crash under short connections: all 600 completed (handshake, data, close)" \
	"pass 600 " "$verdict"
check_eq "keepalived promoted the returned node, once" $((promotions + 1)) \
	"$(hatcp_stat "$DP_PRI" promotions)"
echo "# short connections: $(hatcp_stat "$DP_PRI" unprot_failover) carried over by the second promotion"

check "the module unloads clean" dp_hatcp_down
ktap_finish
