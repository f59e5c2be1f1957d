#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The replication channel between two namespaces joined by veth:
# a session is established and heartbeats flow both ways and make the
# peer reachable; link loss makes it unreachable; datagrams from
# elsewhere, corrupt, malformed, replayed, of another session or under
# another key are dropped and counted by reason; replacing, deleting the
# peer, deleting the namespace and unloading leave no WARN and no leak.
# Attacks on the handshake are channel_attacks.sh's.
# timeout=300

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 37

FORGE="/usr/bin/python3 $(dirname "$0")/chanforge.py"
A=10.50.0.1
B=10.50.0.2
PORT=7471
tmp=$(mktemp -d)

rx_above() {
	[ "$(hatcp_stat "$1" chan_rx)" -gt "$2" ]
}

# events NS: the monitor's event names so far, one per line.
events() {
	/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.loads(l)["event"])' "$tmp/monitor-$1"
}

event_count() {
	events "$1" | grep -cx "$2"
}

event_seen() {
	[ "$(event_count "$1" "$2")" -gt "$3" ]
}

# last_reach_is NS EVENT: the latest reachability event is EVENT.
last_reach_is() {
	[ "$(events "$1" | grep -Ex 'peer_(un)?reachable' | tail -n 1)" = "$2" ]
}

# delta_is NS COUNTER BEFORE WANT
delta_is() {
	[ $(($(hatcp_stat "$1" "$2") - $3)) -eq "$4" ]
}

dmesg_mark=$(dmesg | wc -l)
new_warnings() {
	dmesg | tail -n +"$((dmesg_mark + 1))" |
		grep -E 'WARNING|BUG|leaked|Oops|Call Trace' || true
}

hatcp_load || exit $KSFT_FAIL
a=$(new_ns a) || exit $KSFT_FAIL
b=$(new_ns b) || exit $KSFT_FAIL
ip link add a0 netns "$a" type veth peer name b0 netns "$b"
ip -n "$a" addr add $A/24 dev a0
ip -n "$b" addr add $B/24 dev b0
ip -n "$a" link set a0 up
ip -n "$b" link set b0 up

monitors=()
for ns in "$a" "$b"; do
	ip netns exec "$ns" "$HATCPCTL" monitor -j >"$tmp/monitor-$ns" 2>&1 &
	monitors+=($!)
done
trap 'kill "${monitors[@]}" 2>/dev/null; cleanup_ns; rm -rf "$tmp"' EXIT
sleep 0.5

# --- Heartbeats without a key (standalone, so no opt-out is needed): an
# integrity check only.
check "peer set on a" ctl "$a" peer set local $A remote $B dev a0
check "peer set on b" ctl "$b" peer set local $B remote $A
check_eq "peer show reports port and keyed" "7471 False None" \
	"$(json_get "$(ctl "$a" peer show -j)" 'j["port"], j["keyed"], j.get("key")' | tr -d "(),'")"
check "heartbeats received on a" wait_for 10 rx_above "$a" 5
check "heartbeats received on b" wait_for 10 rx_above "$b" 5
last=$(hatcp_stat "$a" peer_last_rx_ms)
check "peer_last_rx_ms is recent ($last ms)" test "$last" -ge 0 -a "$last" -lt 1000
check "reachable event on a" wait_for 5 event_seen "$a" peer_reachable 0
check "reachable event on b" wait_for 5 event_seen "$b" peer_reachable 0
check_eq "no drops between matching peers" "0 0 0 0" \
	"$(for c in chan_drop_not_peer chan_drop_malformed chan_drop_bad_mac chan_drop_replay; do
		hatcp_stat "$a" $c; done | xargs)"

# --- Link loss: unreachable within 3 missed intervals (plus TCG slack).
ip -n "$a" link set a0 down
t0=$(date +%s%N)
check "unreachable event after link down" wait_for 5 event_seen "$a" peer_unreachable 0
ms=$((($(date +%s%N) - t0) / 1000000))
check "unreachable within 2 s (took $ms ms, bound 350 ms + timer slack)" test $ms -lt 2000
check "tx errors counted while the route is gone" test "$(hatcp_stat "$a" chan_tx_errors)" -gt 0
ip -n "$a" link set a0 up
check "reachable again after link up" wait_for 10 event_seen "$a" peer_reachable 1

# --- Forged datagrams. A third address is not the peer.
ip -n "$b" addr add 10.50.0.3/24 dev b0
check "captured a heartbeat from b" \
	ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hb" heartbeat
n=$(hatcp_stat "$a" chan_drop_not_peer)
ip netns exec "$b" $FORGE send 10.50.0.3 $A $PORT "$tmp/hb" asis 3
check "third address dropped as not_peer" wait_for 3 delta_is "$a" chan_drop_not_peer "$n" 3

# From the peer's own address and port, via raw sockets in b. Each case
# captures a heartbeat of the current session afresh: one captured
# before a (load-induced) renewal would be another session's.
for case in "asis chan_drop_replay exact replay" \
	    "badtag chan_drop_bad_mac corrupt tag" \
	    "badmagic chan_drop_malformed bad magic" \
	    "truncate chan_drop_malformed truncated"; do
	set -- $case
	ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hb" heartbeat
	n=$(hatcp_stat "$a" "$2")
	ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb" "$1" 2
	check "${*:3} dropped as ${2#chan_drop_}" wait_for 3 delta_is "$a" "$2" "$n" 2
done

# --- A shared key. Same local address and port: the socket is kept.
printf '%064x\n' 1 | tr 0 a >"$tmp/key1"
printf '%064x\n' 2 | tr 0 b >"$tmp/key2"
printf 'abcd\n' >"$tmp/shortkey"
check_fails "short key file refused by hatcpctl" 'bad key file .*want 64 hex digits' \
	ctl "$a" peer set local $A remote $B key "$tmp/shortkey"
check "key set on a" ctl "$a" peer set local $A remote $B dev a0 key "$tmp/key1"
check "key set on b" ctl "$b" peer set local $B remote $A key "$tmp/key1"
check_eq "peer show says keyed, never the key" "True None" \
	"$(json_get "$(ctl "$a" peer show -j)" 'j["keyed"], j.get("key")' | tr -d "(),'")"
n=$(hatcp_stat "$a" chan_rx)
check "keyed heartbeats flow" wait_for 10 rx_above "$a" $((n + 5))
n=$(hatcp_stat "$a" chan_drop_stale)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb" asis 1
check "the unkeyed session's message is stale under the key" wait_for 3 delta_is "$a" chan_drop_stale "$n" 1

# --- Mismatched keys: bad_mac, and never reachable.
check "other key on b" ctl "$b" peer set local $B remote $A key "$tmp/key2"
check "mismatched key: unreachable" wait_for 5 last_reach_is "$a" peer_unreachable
reach=$(event_count "$a" peer_reachable)
n=$(hatcp_stat "$a" chan_rx)
m=$(hatcp_stat "$a" chan_drop_bad_mac)
sleep 1
check_eq "mismatched key: nothing accepted in 1 s" "$n" "$(hatcp_stat "$a" chan_rx)"
check "mismatched key: bad_mac grows" test "$(hatcp_stat "$a" chan_drop_bad_mac)" -ge $((m + 5))
check_eq "mismatched key: never reachable" "$reach" "$(event_count "$a" peer_reachable)"

# --- Another port: a new socket, opened before the old one goes.
check "a moves to port 7600" ctl "$a" peer set local $A remote $B port 7600 key "$tmp/key1"
check "b moves to port 7600" ctl "$b" peer set local $B remote $A port 7600 key "$tmp/key1"
n=$(hatcp_stat "$a" chan_rx)
check "heartbeats flow on port 7600" wait_for 10 rx_above "$a" $((n + 5))

# --- Lifecycle while heartbeats flow.
check "peer del on a while flowing" ctl "$a" peer del
check "namespace b deleted while flowing" ip netns del "$b"
check "unload with a peer set and a monitor" \
	sh -c "$(printf '%q ' ip netns exec "$a" "$HATCPCTL") peer set local $A remote $B && sleep 0.5 && rmmod hatcp"
check_eq "no warning or leak report in dmesg" '' "$(new_warnings)"
hatcp_load
ktap_finish
