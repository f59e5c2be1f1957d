#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The replica dies under 100 live connections (issue #4, replica failure),
# with hatcpd and keepalived on both nodes as an operator runs them. The
# primary notices on the channel (3 heartbeats missed: 350 ms, checked
# every 100 ms), says so on `hatcpctl monitor` and in its counters, lets
# every held segment into its stack at once and serves on unprotected:
# every connection completes byte-exact, none waits for a held segment's
# timeout, and keepalived leaves the VIP where it is. The replica comes
# back: new connections are protected again, and one opened while it was
# away stays unprotected and says why in `hatcpctl flows`.
# timeout=600

. "$(dirname "$0")/failover_lib.sh"

require_root
ktap_plan 19	# + packet captures (lib.sh)

CONNS=100
# kmod/channel.h and primary.c: the peer is lost 3.5 heartbeats after the
# last one heard, seen on the next 100 ms tick; a held segment times out
# after 1 s.
DETECT_BOUND_MS=450
HOLD_TIMEOUT_MS=1000

fo_start_pair
ctl "$DP_PRI" monitor -j >"$DP_WORK/monitor-pri.jsonl" 2>&1 &
hatcp_bg $!
notify_lines=$(wc -l <"$DP_WORK/notify-pri.log")

dp_verify --timeout 300 --conns "$CONNS" --rr 400 --chunk 1k --stall-ms 150 \
	>"$DP_WORK/verify.json" &
client=$!
sleep 5
flows=$(hatcp_stat "$DP_PRI" flows_protected)
timeouts=$(hatcp_stat "$DP_PRI" seg_hold_timeout)
kill -0 $client 2>/dev/null && live=yes || live=no
t_crash=$(date +%s.%N)
fo_crash "$DP_REP"
wait $client
check_eq "the crash hit $CONNS live connections, all protected" "yes $CONNS" "$live $flows"
verdict=$(verdict_of "$DP_WORK/verify.json")
check_eq "every connection completed, every reply byte checked" "pass $CONNS " "$verdict"
check_eq "the primary's server saw and answered every byte of every connection" \
	"$CONNS" "$(dp_digests_same "$DP_WORK/verify.json" "$(dp_stats pri)")"

# What the primary said about it.
unreachable_seen() {
	grep -q '"event":"peer_unreachable"' "$DP_WORK/monitor-pri.jsonl"
}
check "hatcpctl monitor on the primary reported peer_unreachable" \
	wait_for 5 unreachable_seen
check_eq "counted: peer_lost" 1 "$(hatcp_stat "$DP_PRI" peer_lost)"
check_eq "every protected flow went on unprotected (unprot_no_peer)" \
	"$CONNS" "$(hatcp_stat "$DP_PRI" unprot_no_peer)"
released=$(hatcp_stat "$DP_PRI" seg_released_no_peer)
check_eq "held segments were let in when the peer was lost, none held to its timeout" \
	"yes $timeouts" "$([ "$released" -gt 0 ] && echo yes) $(hatcp_stat "$DP_PRI" seg_hold_timeout)"
check_eq "nothing stays held" 0 "$(hatcp_stat "$DP_PRI" held_segs)"

# The stall each client saw. Its bound is the detection's, plus a round
# trip; the emulated CPU's timers slip, so the test holds it to the hold
# timeout, which only segments left to time out would reach, and reports it.
crash_rel=$(fo_client_s "$DP_WORK/verify.json" "$t_crash")
read -r n p50 p99 max <<<"$(fo_pauses "$DP_WORK/verify.json" "$crash_rel")"
echo "# replica crash: stall per connection (ms, spanning the crash): n=$n p50=$p50" \
	"p99=$p99 max=$max; detection bound $DETECT_BOUND_MS ms;" \
	"$released held segments let in"
check "no connection stalled as long as a held segment's timeout (max $max ms)" \
	test "$max" -lt "$HOLD_TIMEOUT_MS"

# keepalived: a primary whose replica died keeps the VIP (hatcp-track
# checks only the local hatcpd), and its notify script ran nothing.
check_eq "the primary keeps serving with the VIP, no VRRP transition" \
	"primary pri $notify_lines" \
	"$(fo_role "$DP_PRI") $(fo_vip_on "$DP_PRI" && echo pri) $(wc -l <"$DP_WORK/notify-pri.log")"

# A connection opened while no replica lives: unprotected, for good.
hold_open() {
	ip netns exec "$DP_CLI" /usr/bin/python3 - "$DP_VIP" "$DP_PORT" "$DP_WORK/open" <<'PY' &
import os, socket, sys, time
base = sys.argv[3]
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.settimeout(60)


def exchange(n):
    s.sendall(bytes(range(256)) * n)
    got = 0
    while got < 256 * n:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("closed by the server")
        got += len(chunk)


exchange(40)
open(base + ".port", "w").write(str(s.getsockname()[1]))
deadline = time.monotonic() + 120
while not os.path.exists(base + ".go"):
    if time.monotonic() > deadline:
        sys.exit("never told to go on")
    time.sleep(0.1)
exchange(40)
open(base + ".done", "w").write("ok")
PY
	hatcp_bg $!
}
hold_open
wait_for 60 test -s "$DP_WORK/open.port"
cport=$(cat "$DP_WORK/open.port")
open_flow() {
	json_get "$(ctl "$DP_PRI" -j flows)" \
		"[str(f['protected']) + ' ' + f.get('unprotected_reason', '') for f in j
		  if f['saddr'] == '$DP_CLI_ADDR' and f['sport'] == $cport][0]"
}

# The replica comes back as after a reboot: hatcpd first, then its links,
# its server and keepalived.
fo_return rep && back=yes || back=no
ip netns exec "$DP_REP" hatcp-echod --listen "$DP_VIP:$DP_PORT" \
	--stats "$DP_WORK/echod-rep-back.jsonl" >/dev/null 2>&1 &
hatcp_bg $!
fo_keepalived_back rep
check_eq "the returning replica's hatcpd makes it a replica" yes "$back"
check "the primary hears it again" wait_for 20 dp_peer_wait 1
sleep 3
check_eq "it takes nothing over: pri still serves, rep is its replica" \
	"primary replica pri" \
	"$(fo_role "$DP_PRI") $(fo_role "$DP_REP") $(fo_vip_on "$DP_PRI" && echo pri)"
before=$(hatcp_stat "$DP_PRI" flows_protected)
out=$(dp_verify --timeout 120 --conns 4 --bytes 256k)
check_eq "new connections are protected again" "pass $((before + 4))" \
	"$(json_get "$out" "j['verdict']") $(hatcp_stat "$DP_PRI" flows_protected)"
check_eq "the one opened while the replica was away stays unprotected (no_peer)" \
	"False no_peer" "$(open_flow)"
touch "$DP_WORK/open.go"
check "... and is still served" wait_for 60 test -s "$DP_WORK/open.done"

check "the module unloads clean" dp_hatcp_down
ktap_finish
