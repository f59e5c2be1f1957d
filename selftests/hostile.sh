#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a hostile client, a broken channel or IPv6 must never do: stall
# other connections' protection, make the service refuse clients, or pass
# unprotected without a word. While a client floods its own connection with
# segments its server's stack refuses (past the window, long acknowledged,
# a bad data offset), other clients' connections stay protected and
# byte-exact and nothing piles up on the replica. A channel whose path
# MTU cannot carry bodies is refused when configured; one that shrinks
# later unprotects each new flow, counted, and the clients are served.
# IPv6 connections to a protected port are counted as unprotected.
# timeout=900

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 40

FLOOD=3000		# forged segments per kind
CAT=7002		# protected, served by cat: replies are the requests
BOUND=7003		# protected, served by cat bound to the LAN device
V6PORT=7001		# protected on any address, reached over IPv6
V6_CLI=fd00:1::100
V6_PRI=fd00:1::1

dp_topology || { ktap_fail "topology"; ktap_finish; }
dp_hatcp_up "$DP_PORT" "$CAT" "$BOUND" || { ktap_fail "hatcp up"; ktap_finish; }
dp_servers_start "$DP_PORT" || { ktap_fail "servers"; ktap_finish; }
for ns in "$DP_PRI" "$DP_REP"; do
	ip netns exec "$ns" socat "TCP4-LISTEN:$CAT,bind=$DP_VIP,reuseaddr,fork" EXEC:cat &
	hatcp_bg $!
	wait_for 10 sh -c "ip netns exec $ns ss -Htln | grep -q ':$CAT '"
	ip netns exec "$ns" socat \
		"TCP4-LISTEN:$BOUND,bind=$DP_VIP,so-bindtodevice=$DP_LAN_DEV,reuseaddr,fork" EXEC:cat &
	hatcp_bg $!
	wait_for 10 sh -c "ip netns exec $ns ss -Htln | grep -q ':$BOUND '"
done

# Other clients' connections run throughout the flood.
victims="$DP_WORK/victims.json"
dp_verify --conns 8 --bytes 4M --chunk 16k --timeout 600 >"$victims" &
victims_pid=$!
hatcp_bg $victims_pid

# hostile KIND [PORT]: the hostile client floods its own connection to
# PORT (default $CAT) with KIND, then holds it open 20 s; its "PORT OK"
# line lands in $DP_WORK/KIND.out.
hostile() {
	ip netns exec "$DP_CLI" /usr/bin/python3 "$HATCP_TOP/selftests/hostile.py" \
		"$DP_VIP" "${2:-$CAT}" "$1" "$FLOOD" 20 >"$DP_WORK/$1.out" 2>&1 &
	hatcp_bg $!
	wait_for 120 grep -q "OK\|rror\|differs\|EOF" "$DP_WORK/$1.out"
}
# reasons NS: NS's counters of why flows went unprotected, and hold
# timeouts, where not zero (a diagnostic line).
reasons() {
	echo "# $(basename "$1"): $(ctl "$1" -j stats | tr -d '{}"' | tr ',' '\n' |
		grep -E '^(unprot_|seg_hold_timeout|peer_lost|repl_align|repl_queue_full)' |
		grep -v ':0$' | tr '\n' ' ')"
}
# The flow of the hostile client's port PORT on NS, as JSON.
flow_of() {
	ctl "$1" -j flows | /usr/bin/python3 -c 'import json, sys
print(json.dumps([f for f in json.load(sys.stdin) if f["sport"] == int(sys.argv[1])]))' "$2"
}

for kind in beyond old baddoff; do
	hostile $kind
	out=$(cat "$DP_WORK/$kind.out")
	check_eq "$kind: the hostile client's own connection survives" OK \
		"$(echo "$out" | awk '{print $2}')"
	port=$(echo "$out" | awk '{print $1}')
	# A flow kept protected after 5 hold timeouts' worth of time would
	# have been unprotected by them, had its segments been held.
	[ $kind != baddoff ] || sleep 6
	check_eq "$kind: its flow is still protected on the primary" True \
		"$(json_get "$(flow_of "$DP_PRI" "$port")" 'j[0]["protected"] if j else "gone"')"
done

reasons "$DP_PRI"
check "the flood was refused on the primary, not replicated" \
	test "$(hatcp_stat "$DP_PRI" seg_out_of_window)" -ge $((2 * FLOOD))
check "bad data offsets counted" \
	test "$(hatcp_stat "$DP_PRI" seg_bad)" -ge "$FLOOD"
check_eq "no hold timed out" 0 "$(hatcp_stat "$DP_PRI" seg_hold_timeout)"
check_eq "the replica's queues never filled" 0 "$(hatcp_stat "$DP_REP" repl_queue_full)"

wait $victims_pid
check_eq "the other clients' 8 connections: every byte" "pass 8 " \
	"$(verdict_of "$victims")"
wait_for 60 dp_digests_agree "$victims"
check "their digests equal on client, primary and replica" dp_digests_agree "$victims"
check_eq "no flow was left unprotected" 0 "$(hatcp_stat "$DP_PRI" flows_unprotected)"
wait_for 30 test "$(hatcp_stat "$DP_REP" queued_bytes)" -eq 0
check_eq "nothing left queued on the replica" 0 "$(hatcp_stat "$DP_REP" queued_bytes)"

# ---- a server socket bound to its device ----------------------------------
# Found by its device (a lookup without it finds nothing): the flow lives
# on with its socket past the 5 s a flow without one is given.
hostile clean "$BOUND"
check_eq "device-bound server: the connection's bytes come back" OK \
	"$(awk '{print $2}' "$DP_WORK/clean.out")"
port=$(awk '{print $1}' "$DP_WORK/clean.out")
sleep 7
reasons "$DP_PRI"
for ns in "$DP_PRI" "$DP_REP"; do
	check_eq "device-bound server: after 7 s the flow has its socket and is protected ($([ "$ns" = "$DP_PRI" ] && echo pri || echo rep))" \
		"ESTABLISHED True" \
		"$(json_get "$(flow_of "$ns" "$port")" 'j[0]["state"], j[0]["protected"]' | tr -d "(),'")"
done

# ---- a client that queues bytes past holes it never fills ---------------
# Each of its connections stays within its window and the per-flow bound
# (11 KiB each); together (1.3 MiB) they would take more than their
# address's bound. Its address's bound
# (1 MiB here) stops it alone; another client's connections go on.
HOLE_SRC=10.0.1.101
ip -n "$DP_CLI" addr add "$HOLE_SRC/24" dev "$DP_LAN_DEV"
src_param=/sys/module/hatcp/parameters/queue_src_max_mb
src_max=$(cat $src_param)
echo 1 >$src_param
others="$DP_WORK/others.json"
dp_verify --conns 4 --bytes 2M --chunk 16k --timeout 600 >"$others" &
others_pid=$!
hatcp_bg $others_pid
ip netns exec "$DP_CLI" env HOSTILE_SRC=$HOLE_SRC /usr/bin/python3 \
	"$HATCP_TOP/selftests/hostile.py" "$DP_VIP" "$CAT" hole 120 30 \
	>"$DP_WORK/hole.out" 2>&1 &
hatcp_bg $!
wait_for 120 grep -q "OK\|rror" "$DP_WORK/hole.out"
check_eq "120 connections with bytes past a hole" "120 OK" "$(cat "$DP_WORK/hole.out")"
echo "# replica queued $(hatcp_stat "$DP_REP" queued_bytes) bytes; primary: out of window $(hatcp_stat "$DP_PRI" seg_out_of_window), held $(hatcp_stat "$DP_PRI" held_bytes) bytes"
check "the client address's bound refused the rest" \
	test "$(hatcp_stat "$DP_REP" repl_source_full)" -gt 0
wait $others_pid
check_eq "another client's connections meanwhile: every byte" "pass 4 " \
	"$(verdict_of "$others")"
wait_for 60 dp_digests_agree "$others"
check "and protected: digests equal on client, primary and replica" \
	dp_digests_agree "$others"
check_eq "the namespace's queue never filled" 0 "$(hatcp_stat "$DP_REP" repl_queue_full)"
reasons "$DP_PRI"
echo "$src_max" >$src_param

# ---- a spoofed SYN flood -------------------------------------------------
# Half-open flows live as long as their request socks: a short SYN-ACK
# retry keeps the run short.
ip netns exec "$DP_PRI" sysctl -qw net.ipv4.tcp_synack_retries=1
during="$DP_WORK/during.json"
dp_verify --conns 4 --bytes 2M --chunk 16k --timeout 600 >"$during" &
during_pid=$!
hatcp_bg $during_pid
sent=$(ip netns exec "$DP_CLI" /usr/bin/python3 "$HATCP_TOP/selftests/hostile.py" \
	"$DP_VIP" "$DP_PORT" synflood 20000)
echo "# spoofed SYNs sent: $sent; flows on the primary: $(hatcp_stat "$DP_PRI" flows)"
wait $during_pid
check_eq "connections open during a SYN flood: every byte" "pass 4 " "$(verdict_of "$during")"
wait_for 60 dp_digests_agree "$during"
check "and protected throughout: digests equal on client, primary and replica" \
	dp_digests_agree "$during"
# The flood's flows go with their request socks (syncookies' at once).
flood_gone() {
	[ "$(hatcp_stat "$DP_PRI" flows)" -le 2 ]
}
check "the flood's flows are gone within 30 s" wait_for 30 flood_gone
after="$DP_WORK/after.json"
dp_verify --conns 2 --bytes 256k --timeout 300 >"$after"
check_eq "new connections after it: every byte" "pass 2 " "$(verdict_of "$after")"
wait_for 60 dp_digests_agree "$after"
check "and protected: digests equal on client, primary and replica" \
	dp_digests_agree "$after"
unprot_before_mtu=$(hatcp_stat "$DP_PRI" flows_unprotected)
echo "# flows unprotected by the flood (syncookies, table full): $unprot_before_mtu"
reasons "$DP_PRI"

# ---- a channel that cannot carry bodies ----------------------------------
ip -n "$DP_PRI" link set "$DP_CHAN_DEV" mtu 1000
check_fails "a peer whose path MTU is too small is refused" "too small for the channel" \
	ctl "$DP_PRI" peer set local "$DP_CHAN_PRI" remote "$DP_CHAN_REP" key "$DP_KEY"
check_eq "the peer was left as it was" "$DP_CHAN_REP" \
	"$(json_get "$(ctl "$DP_PRI" peer show -j)" 'j["remote"]')"
# Shrunk after configuration: heartbeats still cross, bodies do not.
ip -n "$DP_PRI" link set "$DP_CHAN_DEV" mtu 500
ip -n "$DP_REP" link set "$DP_CHAN_DEV" mtu 500
small="$DP_WORK/small.json"
dp_verify --conns 3 --bytes 64k --timeout 120 >"$small"
check_eq "3 clients served over a channel too small for bodies: every byte" \
	"pass 3 " "$(verdict_of "$small")"
check_eq "their flows unprotected, reason send_failed" 3 \
	"$(hatcp_stat "$DP_PRI" unprot_send_failed)"
# One held open, to read its flow's reason while it lasts.
ip netns exec "$DP_CLI" /usr/bin/python3 -c 'import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
s.sendall(b"x" * 100)
open(sys.argv[3], "w").write(str(s.getsockname()[1]))
time.sleep(30)' "$DP_VIP" "$CAT" "$DP_WORK/held.port" &
hatcp_bg $!
wait_for 20 test -s "$DP_WORK/held.port"
check_eq "its flow says why" "False send_failed" \
	"$(json_get "$(flow_of "$DP_PRI" "$(cat "$DP_WORK/held.port")")" 'j[0]["protected"], j[0].get("unprotected_reason")' | tr -d "(),'")"
check "the channel's failures were counted" \
	test "$(hatcp_stat "$DP_PRI" seg_send_failed)" -ge 3
ip -n "$DP_PRI" link set "$DP_CHAN_DEV" mtu 1500
ip -n "$DP_REP" link set "$DP_CHAN_DEV" mtu 1500
big="$DP_WORK/big.json"
dp_verify --conns 2 --bytes 1M --timeout 300 >"$big"
check_eq "the MTU restored, new connections protected again: every byte" "pass 2 " \
	"$(verdict_of "$big")"
check_eq "and no more unprotected" $((unprot_before_mtu + 4)) \
	"$(hatcp_stat "$DP_PRI" flows_unprotected)"

# ---- IPv6 to a protected port --------------------------------------------
ip -n "$DP_CLI" addr add "$V6_CLI/64" dev "$DP_LAN_DEV" nodad
ip -n "$DP_PRI" addr add "$V6_PRI/64" dev "$DP_LAN_DEV" nodad
check "a port protected on any address" ctl "$DP_PRI" policy add port "$V6PORT"
before=$(hatcp_stat "$DP_PRI" flows_unprotected)
ip netns exec "$DP_PRI" socat "TCP6-LISTEN:$V6PORT,reuseaddr,fork" EXEC:cat &
hatcp_bg $!
wait_for 10 sh -c "ip netns exec $DP_PRI ss -Htln | grep -q ':$V6PORT '"
check_eq "an IPv6 client is served: 64 KiB echoed intact" OK \
	"$(ip netns exec "$DP_CLI" /usr/bin/python3 - "$V6_PRI" "$V6PORT" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
data = bytes(i % 253 for i in range(65536))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
print("OK" if got == data else f"got {len(got)} bytes, differing")
PY
)"
check_eq "and counted as unprotected, reason ipv6" "1 1" \
	"$(hatcp_stat "$DP_PRI" unprot_ipv6) $(($(hatcp_stat "$DP_PRI" flows_unprotected) - before))"

check "module unloads" hatcp_unload
ktap_finish
