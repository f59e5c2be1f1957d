#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The replication data path, end to end: a client talks to the VIP served
# by the primary, while the replica's own unmodified server gets the same
# bytes through hatcp and its replies go nowhere. Every reply byte is
# checked by hatcp-verify; each server's per-connection digests must equal
# the client's; the shadow sockets must match the primary's.
# timeout=1800

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 58	# + packet captures (lib.sh)

PROT=$DP_PORT		# protected, served on both nodes
OPEN=7001		# not in the policy: must be untouched
NOREP=7003		# protected, but the replica has no listener
SLOW=7002		# protected, the replica's server is slow
CLOSER=7004		# protected, the server closes first
MD5=7005		# protected, but the client signs with TCP-MD5
TS_MARGIN_MS=5		# kmod/replica.c

dp_topology || { ktap_fail "topology"; ktap_finish; }
# TFO without cookies (client 0x5, server 0x602 = 1538: sysctl wants
# decimal), so a client's very first SYN may carry data. Only SYNs sent
# with data use it; listeners pick it up at listen(), so it is set first.
ip netns exec "$DP_CLI" sysctl -qw net.ipv4.tcp_fastopen=5
ip netns exec "$DP_PRI" sysctl -qw net.ipv4.tcp_fastopen=1538
dp_hatcp_up "$PROT" "$NOREP" "$SLOW" "$CLOSER" "$MD5" || { ktap_fail "hatcp up"; ktap_finish; }
dp_servers_start "$PROT" "$OPEN" || { ktap_fail "servers"; ktap_finish; }
ip netns exec "$DP_PRI" hatcp-echod --listen "$DP_VIP:$NOREP" >/dev/null 2>&1 &
hatcp_bg $!

# transfer DESC PORT ARGS...: a checked transfer whose digests must agree
# on both servers once the replica has caught up.
transfer() {
	local desc=$1 port=$2 out
	shift 2
	out="$DP_WORK/verify-$__ktap_n.json"
	if ! dp_verify --port "$port" --timeout 600 "$@" >"$out"; then
		ktap_fail "$desc: client"
		cut -c1-400 "$out" | head -5 | sed 's/^/#   /'
		return
	fi
	# The replica's server logs a connection when it ends there.
	wait_for 120 dp_digests_agree "$out" "$port" 2>/dev/null
	desc="$desc: every byte, digests equal on client, primary and replica"
	if dp_digests_agree "$out" "$port" 2>"$out.err"; then
		ktap_ok "$desc"
		return
	fi
	ktap_fail "$desc"
	sed 's/^/#   /' "$out.err" | tail -2
	echo "#   replica flows: $(ctl "$DP_REP" -j flows | cut -c1-1500)"
	echo "#   replica stats: $(ctl "$DP_REP" -j stats | tr ',' '\n' | grep -v ':0$' | tr '\n' ' ')"
	ip netns exec "$DP_REP" ss -tni | sed 's/^/#   /' | head -20
}

transfer "1 byte" "$PROT" --bytes 1
transfer "1 MB" "$PROT" --bytes 1M
transfer "200 MB on one connection" "$PROT" --bytes 200M
transfer "200 connections at once" "$PROT" --conns 200 --bytes 16k
transfer "half-close, both directions" "$PROT" --conns 4 --bytes 256k --half-close
check "short connections opened and closed in a loop" \
	dp_verify --port "$PROT" --timeout 300 --connect-only 100
check_eq "no flow was left unprotected" 0 "$(hatcp_stat "$DP_PRI" flows_unprotected)"
check "the primary held and released segments" \
	test "$(hatcp_stat "$DP_PRI" seg_released)" -gt 1000
check "the replica stole its egress" \
	test "$(hatcp_stat "$DP_REP" repl_suppressed)" -gt 1000
check_eq "nothing was dropped on the channel" \
	"0 0 0 0" "$(hatcp_stat "$DP_REP" chan_drop_bad_mac) $(hatcp_stat "$DP_REP" chan_drop_malformed) $(hatcp_stat "$DP_REP" chan_drop_reasm) $(hatcp_stat "$DP_REP" repl_bad_segment)"

# A connection left open: its shadow must be the primary's twin.
hold_open() {
	ip netns exec "$DP_CLI" /usr/bin/python3 - "$DP_VIP" "$PROT" "$DP_WORK/open.port" <<'PY' &
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(bytes(range(256)) * 400)
got = 0
while got < 256 * 400:
    got += len(s.recv(65536))
open(sys.argv[3], "w").write(str(s.getsockname()[1]))
time.sleep(120)
PY
	hatcp_bg $!
}
hold_open
wait_for 60 test -s "$DP_WORK/open.port"
cport=$(cat "$DP_WORK/open.port")
flow() {
	json_get "$(ctl "$1" -j flows)" \
		"[f for f in j if f['saddr'] == '$DP_CLI_ADDR' and f['sport'] == $cport][0]['$2']"
}
# At quiescence: the replica's application has read and echoed it all.
twin() {
	[ "$(flow "$DP_PRI" snd_una) $(flow "$DP_PRI" snd_nxt) $(flow "$DP_PRI" rcv_nxt)" = \
	  "$(flow "$DP_REP" snd_una) $(flow "$DP_REP" snd_nxt) $(flow "$DP_REP" rcv_nxt)" ]
}
if wait_for 30 twin; then
	ktap_ok "quiescent shadow socket: snd_una, snd_nxt, rcv_nxt equal the primary's"
else
	ktap_fail "quiescent shadow socket: snd_una, snd_nxt, rcv_nxt equal the primary's"
	echo "#   primary: $(ctl "$DP_PRI" -j flows)"
	echo "#   replica: $(ctl "$DP_REP" -j flows)"
fi
check_eq "the shadow socket is established and protected" "ESTABLISHED True" \
	"$(flow "$DP_REP" state) $(flow "$DP_REP" protected)"
diff=$(/usr/bin/python3 "$HATCP_TOP/selftests/tsclock.py" "$DP_PRI" "$DP_REP" \
	"$DP_CLI_ADDR" "$cport")
# The replica's clock is set a margin ahead, less the channel's one-way
# delay when it aligned (a few ms here); 10 ms of slack for that.
check "TSval clock: the replica's is the primary's + margin, within 10 ms ($diff ms)" \
	test "$diff" -ge $((TS_MARGIN_MS - 10)) -a "$diff" -le $((TS_MARGIN_MS + 10))
check_eq "the replica's queue is empty at quiescence" 0 "$(flow "$DP_REP" queued_segs)"
check_eq "the primary holds nothing at quiescence" 0 "$(flow "$DP_PRI" held_segs)"

# Unprotected traffic is not touched.
before=$(hatcp_stat "$DP_PRI" seg_replicated)
check "unprotected port: 1 MB checked" dp_verify --port "$OPEN" --timeout 120 --bytes 1M
check_eq "unprotected port: nothing replicated" "$before" "$(hatcp_stat "$DP_PRI" seg_replicated)"
check_eq "unprotected port: the replica's server saw nothing" 0 \
	"$(grep -c '"type":"connection"' "$(dp_stats rep "$OPEN")" 2>/dev/null)"

# The same port on another address: the policy names the VIP only.
ip netns exec "$DP_PRI" hatcp-echod --listen "$DP_PRI_ADDR:$PROT" \
	--ready-file "$DP_WORK/other.ready" >/dev/null 2>&1 &
hatcp_bg $!
wait_for 10 test -s "$DP_WORK/other.ready"
before=$(hatcp_stat "$DP_PRI" seg_replicated)
check "other address, protected port: 1 MB checked" \
	ip netns exec "$DP_CLI" hatcp-verify --connect "$DP_PRI_ADDR:$PROT" --json \
	--timeout 120 --bytes 1M
check_eq "other address: nothing replicated" "$before" "$(hatcp_stat "$DP_PRI" seg_replicated)"

# No listener on the replica: the primary serves, unprotected, counted.
before=$(hatcp_stat "$DP_PRI" unprot_refused)
check "replica not listening: the client is served" \
	dp_verify --port "$NOREP" --timeout 120 --bytes 256k
check_eq "replica not listening: the flow is counted unprotected (refused)" \
	$((before + 1)) "$(hatcp_stat "$DP_PRI" unprot_refused)"

# A slow replica application: nothing lost, memory bounded.
ip netns exec "$DP_PRI" hatcp-echod --listen "$DP_VIP:$SLOW" \
	--stats "$(dp_stats pri "$SLOW")" >/dev/null 2>&1 &
hatcp_bg $!
ip netns exec "$DP_REP" hatcp-echod --listen "$DP_VIP:$SLOW" --delay-us 20000 --read-size 16k \
	--stats "$(dp_stats rep "$SLOW")" >/dev/null 2>&1 &
hatcp_bg $!
sleep 1
dp_peak_sampler "$DP_REP" queued_bytes "$DP_WORK/peak" 0.5 &
sampler=$!
transfer "slow replica application" "$SLOW" --conns 2 --bytes 4M
kill $sampler 2>/dev/null
peak=$(cat "$DP_WORK/peak" 2>/dev/null || echo 0)
echo "# slow replica: peak queued bytes $peak"
check "slow replica: its queue absorbed the lag (peak above 1 MB)" \
	test "$peak" -gt $((1 << 20))
check "slow replica: queue stayed within its bound (16 MB for 2 flows)" \
	test "$peak" -le $((16 << 20))

# A lossy, reordering, duplicating channel.
dp_netem_channel "loss 3% duplicate 3% reorder 25% 50% delay 2ms"
transfer "channel with loss, duplication and reordering" "$PROT" --conns 4 --bytes 2M
dp_netem_channel_clear

# The replica goes away mid-transfer: the client is served, unprotected.
dp_verify --port "$PROT" --timeout 300 --bytes 20M >"$DP_WORK/cut.json" &
cut=$!
sleep 3
ip -n "$DP_REP" link set "$DP_CHAN_DEV" down
t0=$SECONDS
wait $cut
check_eq "replica lost mid-transfer: the transfer completes" "pass" \
	"$(json_get "$(cat "$DP_WORK/cut.json")" "j['verdict']")"
echo "# replica lost: transfer finished $((SECONDS - t0)) s after the cut"
check "replica lost: its flows are counted unprotected (no peer)" \
	test "$(hatcp_stat "$DP_PRI" unprot_no_peer)" -ge 1
check_eq "replica lost: nothing stays held" 0 "$(hatcp_stat "$DP_PRI" held_segs)"
check "replica lost: new connections are served" \
	dp_verify --port "$PROT" --timeout 120 --bytes 256k
ip -n "$DP_REP" link set "$DP_CHAN_DEV" up
peer_back() {
	local age

	age=$(hatcp_stat "$DP_PRI" peer_last_rx_ms)
	[ "$age" -ge 0 ] && [ "$age" -lt 300 ]
}
wait_for 30 peer_back
before=$(hatcp_stat "$DP_PRI" flows_protected)
transfer "replica back: new connections are protected again" "$PROT" --bytes 1M
check_eq "replica back: one more protected flow" $((before + 1)) \
	"$(hatcp_stat "$DP_PRI" flows_protected)"

# The server closes first: both its socket and the shadow end in TIME_WAIT.
for ns in "$DP_PRI" "$DP_REP"; do
	ip netns exec "$ns" /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen()
while True:
    c, _ = s.accept()
    c.sendall(b"bye\n")
    c.close()
' "$DP_VIP" "$CLOSER" &
	hatcp_bg $!
done
sleep 1
cport=$(ip netns exec "$DP_CLI" /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
while s.recv(100):
    pass
print(s.getsockname()[1])
s.close()
' "$DP_VIP" "$CLOSER")
time_wait() {
	ip netns exec "$1" ss -Htan state time-wait "( sport = :$CLOSER )" |
		grep -q "$DP_CLI_ADDR:$cport"
}
check "server closes first: the primary's socket is in TIME_WAIT" \
	wait_for 10 time_wait "$DP_PRI"
check "server closes first: the shadow socket is in TIME_WAIT too" \
	wait_for 10 time_wait "$DP_REP"

# Flows the replica cannot twin: served by the primary, counted, reported.
ip netns exec "$DP_PRI" sysctl -qw net.ipv4.tcp_syncookies=2
before=$(hatcp_stat "$DP_PRI" unprot_syncookie)
check "syncookie: the client is served" \
	dp_verify --port "$PROT" --timeout 120 --bytes 64k
check_eq "syncookie: the flow is counted unprotected (syncookie)" \
	$((before + 1)) "$(hatcp_stat "$DP_PRI" unprot_syncookie)"
ip netns exec "$DP_PRI" sysctl -qw net.ipv4.tcp_syncookies=1
before=$(hatcp_stat "$DP_PRI" unprot_fastopen)
tfo() {
	ip netns exec "$DP_CLI" /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.sendto(b"x" * 100, socket.MSG_FASTOPEN, (sys.argv[1], int(sys.argv[2])))
got = b""
while len(got) < 100:
    got += s.recv(100)
assert len(got) == 100
' "$DP_VIP" "$PROT"
}
check "fast open: the client is answered" tfo
check_eq "fast open: the flow is counted unprotected (fastopen)" \
	$((before + 1)) "$(hatcp_stat "$DP_PRI" unprot_fastopen)"

# TCP-MD5 signs every segment with a key the replica would need too.
MD5SIG="/usr/bin/python3 $HATCP_TOP/selftests/md5sig.py"
ip netns exec "$DP_PRI" $MD5SIG serve "$DP_VIP" "$MD5" "$DP_CLI_ADDR" hatcp-lab-key &
hatcp_bg $!
sleep 1
before=$(hatcp_stat "$DP_PRI" unprot_md5)
check "TCP-MD5: the client is served" \
	ip netns exec "$DP_CLI" $MD5SIG call "$DP_VIP" "$MD5" hatcp-lab-key
check_eq "TCP-MD5: the flow is counted unprotected (md5)" \
	$((before + 1)) "$(hatcp_stat "$DP_PRI" unprot_md5)"

# A SYN on a live protected connection's 4-tuple (a late duplicate of its
# first, or forged) opens nothing: the flow and the replica's twin stay,
# and the bytes after it reach both servers.
before=$(hatcp_stat "$DP_PRI" flows_protected)
read -r dup_local dup_sent dup_received <<<"$(ip netns exec "$DP_CLI" \
	/usr/bin/python3 "$HATCP_TOP/selftests/dupsyn.py" "$DP_VIP" "$PROT")"
echo "{\"connections\": [{\"local\": \"$dup_local\", \"sha256_sent\": \"$dup_sent\"," \
	"\"sha256_received\": \"$dup_received\"}]}" >"$DP_WORK/dupsyn.json"
check_eq "duplicate SYN: one protected flow, not a second" $((before + 1)) \
	"$(hatcp_stat "$DP_PRI" flows_protected)"
dup_seen() {
	[ "$(dp_digests_same "$DP_WORK/dupsyn.json" "$(dp_stats "$1" "$PROT")" 2>/dev/null)" = 1 ]
}
wait_for 30 dup_seen rep
check "duplicate SYN: the primary's server got every byte" dup_seen pri
check "duplicate SYN: the replica's twin got every byte after it too" dup_seen rep

# The primary's hold bound: past it a segment is dropped and counted, and
# the client's retransmission brings it back. A channel delay fills the
# hold; the bound is lowered to its minimum to reach it with one flow.
PARAMS=/sys/module/hatcp/parameters
check_fails "hold bound: a value below one GRO body is refused" \
	'Invalid argument|I/O error' sh -c "echo 64 >$PARAMS/hold_flow_max_kb"
check_eq "hold bound: the refused value changed nothing" 8192 "$(cat "$PARAMS/hold_flow_max_kb")"
echo 128 >"$PARAMS/hold_flow_max_kb"
dp_netem_channel "delay 20ms"
before=$(hatcp_stat "$DP_PRI" seg_hold_full)
dp_peak_sampler "$DP_PRI" held_bytes "$DP_WORK/held-peak" 0.2 &
sampler=$!
transfer "hold bound reached" "$PROT" --bytes 8M
kill $sampler 2>/dev/null
dp_netem_channel_clear
echo 8192 >"$PARAMS/hold_flow_max_kb"
peak=$(cat "$DP_WORK/held-peak" 2>/dev/null || echo 0)
echo "# hold bound 128 KB: peak held bytes $peak," \
	"$(($(hatcp_stat "$DP_PRI" seg_hold_full) - before)) segments dropped at the bound"
check "hold bound: segments past it were dropped and counted (seg_hold_full)" \
	test "$(hatcp_stat "$DP_PRI" seg_hold_full)" -gt "$before"
check "hold bound: held bytes never exceeded 128 KB" test "$peak" -le 131072

# Data-path messages with a valid tag (made with the channel key, from the
# nonces in a captured HELLO) that must still be refused, each counted
# where it belongs.
FORGE="/usr/bin/python3 $HATCP_TOP/selftests/chanforge.py"
ip netns exec "$DP_REP" $FORGE capture "$DP_CHAN_PRI" 7471 "$DP_WORK/hb-pri" hello &
capture=$!
ip netns exec "$DP_PRI" $FORGE capture "$DP_CHAN_REP" 7471 "$DP_WORK/hb-rep" hello
wait $capture
# counter_above NS NAME N: the counter is above N now (re-read each poll).
counter_above() {
	[ "$(hatcp_stat "$1" "$2")" -gt "$3" ]
}
forged() {
	local ns=$1 src=$2 dst=$3 file=$4 kind=$5 counter=$6 before

	before=$(hatcp_stat "$dst_ns" "$counter")
	ip netns exec "$ns" $FORGE forge "$src" "$dst" 7471 "$file" "$kind" "$DP_KEY"
	wait_for 5 counter_above "$dst_ns" "$counter" "$before"
}
dst_ns=$DP_REP
check "forged fragment with fields that disagree: chan_drop_reasm" \
	forged "$DP_PRI" "$DP_CHAN_PRI" "$DP_CHAN_REP" "$DP_WORK/hb-pri" inconsistent chan_drop_reasm
check "forged body that is not TCP/IPv4: repl_bad_segment" \
	forged "$DP_PRI" "$DP_CHAN_PRI" "$DP_CHAN_REP" "$DP_WORK/hb-pri" nottcp repl_bad_segment
check "forged segment for no flow: repl_unknown_flow, nothing injected" \
	forged "$DP_PRI" "$DP_CHAN_PRI" "$DP_CHAN_REP" "$DP_WORK/hb-pri" unknownflow repl_unknown_flow
check "fragment from another session: chan_drop_stale" \
	forged "$DP_PRI" "$DP_CHAN_PRI" "$DP_CHAN_REP" "$DP_WORK/hb-pri" stale chan_drop_stale
dst_ns=$DP_PRI
check "fragment sent to a primary: chan_drop_unexpected" \
	forged "$DP_REP" "$DP_CHAN_REP" "$DP_CHAN_PRI" "$DP_WORK/hb-rep" unknownflow chan_drop_unexpected
taken=$(hatcp_stat "$DP_PRI" fwd_taken)
check "forwarded segment for no flow, to a primary: fwd_dropped" \
	forged "$DP_REP" "$DP_CHAN_REP" "$DP_CHAN_PRI" "$DP_WORK/hb-rep" fwdunknown fwd_dropped
check_eq "... and not taken in (fwd_taken unchanged)" "$taken" "$(hatcp_stat "$DP_PRI" fwd_taken)"
check_eq "no forged segment reached a socket (no flow appeared)" "[]" \
	"$(ctl "$DP_REP" -j flows | /usr/bin/python3 -c 'import json,sys; print([f for f in json.load(sys.stdin) if f["sport"] == 1])')"

check "the module unloads with every flow and held segment freed" dp_hatcp_down
ktap_finish
