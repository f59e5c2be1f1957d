#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flapping (issue #4): 12 crash failovers in a row, one every 10 s
# (PERIOD), with new connections opening throughout. On the guest's one
# emulated CPU a round needs most of that: keepalived's promotion (~1.5 s
# polled), the crashed node's return (hatcpd and servers ~2.5 s after the
# crash, keepalived BACKUP ~1.5 s later), and the new connections'
# protection; a slow return makes that round's crash late (10.0-10.7 s
# apart, measured). keepalived promotes
# (its notify script runs hatcpctl promote; this script never does); the
# crashed node comes back as failover.sh brings it back (hatcpd first, so
# it is a replica, then its links, its servers and keepalived) and is the
# replica for the next round, so the two nodes take turns: ~12 failovers.
#
# Two kinds of connections, on two protected ports:
#
# - long ($LONG_PORT, served by an echod that pauses $LONG_DELAY_US us
#   after every read, so that a connection lives at least LONG_RR times
#   that: ~8 s here, and longer on a loaded TCG guest): each round, once
#   the crashed node is back as the replica (the new primary hears it;
#   its keepalived may still be starting), and no sooner than LONG_LEAD s
#   before the next crash is due, LONG_CONNS request/response connections
#   open on the new primary and must be counted protected there. The
#   next crash comes
#   when they are CRASH_MIN_PCT % through their replies (and PERIOD s
#   after the last crash), or CRASH_MAX_PCT % through, whichever is first
#   (the client's own socket counters say how far), so it hits them live
#   and protected, whatever the guest's speed.
#   Should a loaded guest let them get CRASH_LATE_PCT % through first, the
#   crash would find them all but done: they are checked as connections
#   no crash hit, and new ones open (twice at most) for the crash to hit.
#   They must then complete byte-exact on the promoted node, with its
#   server's digests equal to the client's, counted as carried over
#   (unprot_failover). They are checked once they end, before the next
#   long client starts, so that none lives through two crashes: after the
#   first it has no twin (the returning node takes no connection back),
#   and a second would lose it.
# - short ($DP_PORT): a loop of hatcp-verify --connect-only runs
#   (bounded in count and time), each connection 1 KB there and back, then
#   closed: milliseconds, or a few seconds when its SYN meets the gap
#   before a promotion (SYN retransmission). Some are in flight when a
#   crash hits: they are protected, and survive it. Some open while the
#   crashed node is away, when the survivor has no replica: unprotected by
#   design (no twin), but they end long before the next crash, which only
#   comes after the crashed node is back and the next long client is
#   protected, seconds later. Every run must pass with every connection it
#   asked for.
#
# Each round also checks: exactly one promotion (the survivor's counter
# +1, the crashed node's unchanged, up to the next crash), never two
# primaries when both nodes are up, the VIP on one LAN link, the crashed
# node's keepalived BACKUP again, and the protection of new connections
# once it is back. Reported
# as "# " lines: failovers, connections completed, and the pause of the
# long connections at each crash (their stalls spanning it, fo_pauses).
# timeout=660

. "$(dirname "$0")/failover_lib.sh"

require_root

ROUNDS=${FLAP_ROUNDS:-12}	# failovers
# A returning node's hatcpd waits this long, not 3 s, for its peer's
# sysctls before it applies its file: its links are down until then
# (fo_return), so no answer can come, and 3 s would make that round's
# crash late. It compares them once the links are up.
FO_SYSCTL_START_WAIT_MS=500
PERIOD=10			# s between crashes, at least
ROUNDS_BOUND=480		# s: no round starts after this (20-40 s a round on a loaded lab)
LONG_PORT=7001
LONG_CONNS=4
LONG_RR=140			# round trips of 1 KB per long connection
LONG_DELAY_US=50000		# so a long connection lives 7 s at least
LONG_LEAD=3			# s: it starts this long before its crash is due
LONG_BYTES=$((LONG_RR * 1024))
CRASH_MIN_PCT=15		# the crash comes once the long connections are
CRASH_MAX_PCT=50		# this far in (and PERIOD s after the last), or this far;
CRASH_LATE_PCT=80		# from this far in, too late (new long connections)
SHORT_RUN=10			# connections per short run, one at a time
SHORT_PAUSE=1			# s between short runs
SHORT_RUNS_MAX=1000		# short runs, at most
SHORT_BOUND=$((ROUNDS_BOUND + 90))	# s: the short loop stops by then
PER_ROUND=5
ktap_plan $((2 + ROUNDS * PER_ROUND + 5 + 1))	# + packet captures (lib.sh)

# The guest has one slow (TCG) CPU, and keepalived's health check (every
# FO_HEALTH_INTERVAL s on each node, itself 2 s or more of that CPU) must
# get its share in time, or it times out and keepalived itself flaps: this
# script polls once a second, with ip, hatcpctl and sed (no python) while
# rounds run, and its traffic is modest.
# poll SECONDS CMD...: CMD until it succeeds, every second, for SECONDS.
poll() {
	WAIT_FOR_INTERVAL=1 wait_for "$@"
}
# fast SECONDS CMD...: the same every 0.1 s, for a CMD that costs the guest
# next to nothing (test, grep).
fast() {
	WAIT_FOR_INTERVAL=0.1 wait_for "$@"
}
# pick NAME STATS: one counter of STATS, hatcpctl -j stats' output (-1
# if absent); kstat NS NAME: the same, read from NS now.
pick() {
	local re="\"$1\": *(-?[0-9]+)"

	# A bash match, not grep: the guest's emulated CPU execs slowly.
	[[ $2 =~ $re ]] && echo "${BASH_REMATCH[1]}" || echo -1
}
kstat() {
	pick "$2" "$(ctl "$1" -j stats 2>/dev/null)"
}

fo_topology || { ktap_fail "topology"; ktap_finish; }
fo_hatcp_up "$DP_PORT" "$LONG_PORT" || { ktap_fail "hatcp up"; ktap_finish; }
dp_servers_start "$DP_PORT" || { ktap_fail "servers"; ktap_finish; }

declare -A NS OTHER GEN LONGSTATS
NS[pri]=$DP_PRI OTHER[pri]=rep
NS[rep]=$DP_REP OTHER[rep]=pri
GEN[pri]=0 GEN[rep]=0

# long_echod_start NAME: the long port's echod in NAME, a new stats file.
long_echod_start() {
	local name=$1 ready

	GEN[$name]=$((GEN[$name] + 1))
	LONGSTATS[$name]=$DP_WORK/echod-$name-$LONG_PORT-g${GEN[$name]}.jsonl
	ready=$DP_WORK/echod-$name-$LONG_PORT-g${GEN[$name]}.ready
	ip netns exec "${NS[$name]}" hatcp-echod --listen "$DP_VIP:$LONG_PORT" \
		--delay-us "$LONG_DELAY_US" --stats "${LONGSTATS[$name]}" \
		--ready-file "$ready" >/dev/null 2>&1 &
	hatcp_bg $!
	fast 10 test -s "$ready"
}

# short_echod_start NAME: the short port's echod, back in a returned node.
short_echod_start() {
	local name=$1 ready=$DP_WORK/echod-$1-$DP_PORT-g${GEN[$1]}.ready

	ip netns exec "${NS[$name]}" hatcp-echod --listen "$DP_VIP:$DP_PORT" \
		--stats "$DP_WORK/echod-$name-$DP_PORT-g${GEN[$name]}.jsonl" \
		--ready-file "$ready" >/dev/null 2>&1 &
	hatcp_bg $!
	fast 10 test -s "$ready"
}

if ! long_echod_start pri || ! long_echod_start rep; then
	ktap_fail "long servers"
	ktap_finish
fi
fo_keepalived_start "$DP_PRI" pri "$DP_PRI_ADDR" "$DP_REP_ADDR" 200
fo_keepalived_start "$DP_REP" rep "$DP_REP_ADDR" "$DP_PRI_ADDR" 100

# ka_says: what keepalived did on each node (state changes, health check
# timeouts: a timeout takes the node to FAULT, and demotes it).
ka_says() {
	local n

	for n in pri rep; do
		echo "#   $n keepalived: $(grep -oE "Entering [A-Z]+ STATE|timed_out" "$DP_WORK/keepalived-$n.log" |
			sort | uniq -c | tr -s ' ' | tr '\n' ',')"
	done
}
# one_primary P R: P is the primary with the VIP on its LAN link, R the
# replica without it; never both primary.
one_primary() {
	fo_vip_on "${NS[$1]}" && ! fo_vip_on "${NS[$2]}" &&
		[ "$(fo_role "${NS[$1]}")" = primary ] && [ "$(fo_role "${NS[$2]}")" = replica ]
}
both_primary=0 role_checks=0
# roles_ok P R: one_primary, counting the checks and any two primaries.
roles_ok() {
	local rp rr

	role_checks=$((role_checks + 1))
	rp=$(fo_role "${NS[$1]}") rr=$(fo_role "${NS[$2]}")
	[ "$rp $rr" != "primary primary" ] || both_primary=$((both_primary + 1))
	[ "$rp $rr" = "primary replica" ] && fo_vip_on "${NS[$1]}" && ! fo_vip_on "${NS[$2]}"
}
# ka_backup NAME LINE: NAME's keepalived entered BACKUP from its log's LINE.
ka_backup() {
	tail -n "+$2" "$DP_WORK/keepalived-$1.log" | grep -q "Entering BACKUP STATE"
}
# fresh MS...: each a peer_last_rx_ms of less than 500 ms (and heard).
fresh() {
	local ms

	for ms; do
		[ "$ms" -ge 0 ] && [ "$ms" -lt 500 ] || return 1
	done
}
# peer_fresh NS: NS heard its peer less than 500 ms ago.
peer_fresh() {
	fresh "$(kstat "$1" peer_last_rx_ms)"
}
# ge N CMD...: CMD prints a number of at least N (CMD runs at each call,
# so that poll re-evaluates it).
ge() {
	local n=$1 got

	shift
	got=$("$@" 2>/dev/null)
	[ "${got:--1}" -ge "$n" ]
}
# long_protected NS: how many flows of the long port NS protects now.
long_protected() {
	ctl "$1" -j flows | grep -o "\"dport\": *$LONG_PORT,[^}]*\"protected\": *true" | wc -l
}
# long_progress: the least reply bytes any live long connection has had,
# in % of all (0 unless all LONG_CONNS are up: before they are, and once
# any has ended).
long_progress() {
	ip netns exec "$DP_CLI" ss -Htin state established "( dport = :$LONG_PORT )" |
		grep -o 'bytes_received:[0-9]*' | cut -d: -f2 |
		awk -v n="$LONG_CONNS" -v all="$LONG_BYTES" \
			'{ c++; if (min == "" || $1 < min) min = $1 }
			END { print (c < n ? 0 : int(100 * min / all)) }'
}
# now_us: the wall clock in microseconds (bash's own: no exec).
now_us() {
	echo "${EPOCHREALTIME/./}"
}
# crash_due: PERIOD s since the last crash (T_PREV_US) and CRASH_MIN_PCT
# into the long connections, or CRASH_MAX_PCT into them, or the long
# client gone. Sets PCT.
crash_due() {
	PCT=0
	kill -0 "$LONG_PID" 2>/dev/null || return 0
	PCT=$(long_progress)
	[ "$PCT" -ge $CRASH_MAX_PCT ] ||
		{ [ "$(now_us)" -ge $((T_PREV_US + PERIOD * 1000000)) ] &&
		  [ "$PCT" -ge $CRASH_MIN_PCT ]; }
}
# crash_wait: until crash_due, for 120 s at most. It polls once a second
# (see poll), but a poll less than a second before PERIOD is up sleeps
# only until then: the crash comes on time, not up to a second late.
crash_wait() {
	local end=$((SECONDS + 120)) left

	until crash_due; do
		[ $SECONDS -lt $end ] || return 1
		left=$((T_PREV_US + PERIOD * 1000000 - $(now_us)))
		if [ $left -gt 0 ] && [ $left -lt 1000000 ]; then
			sleep "0.$(printf %06d $left)"
		else
			sleep 1
		fi
	done
}

abort=''	# set: the rounds left are not run, and say why
if poll 90 one_primary pri rep && poll 10 peer_fresh "$DP_PRI" &&
   poll 10 peer_fresh "$DP_REP"; then
	ktap_ok "keepalived made pri the primary (VIP on its LAN), rep the replica; channel up"
else
	ktap_fail "keepalived made pri the primary (VIP on its LAN), rep the replica; channel up"
	abort="keepalived did not settle"
	echo "# roles: pri $(fo_role "$DP_PRI"), rep $(fo_role "$DP_REP")"
	ka_says
fi

# ---- the short connections, throughout --------------------------------------
touch "$DP_WORK/short.run"
short_loop() {
	local k deadline=$((SECONDS + SHORT_BOUND))

	for k in $(seq "$SHORT_RUNS_MAX"); do
		if [ ! -e "$DP_WORK/short.run" ] || [ $SECONDS -ge $deadline ]; then
			break
		fi
		dp_verify --timeout 60 --conns 1 --connect-only "$SHORT_RUN" \
			--bytes 1k >"$DP_WORK/short-$k.json" 2>"$DP_WORK/short-$k.err"
		sleep "$SHORT_PAUSE"
	done
}
short_loop &
short=$!
hatcp_bg $short

# long_start: the long client against the VIP; sets LONG_PID and LONG_JSON.
long_n=0
long_start() {
	long_n=$((long_n + 1))
	LONG_JSON=$DP_WORK/long-$long_n.json
	dp_verify --port "$LONG_PORT" --timeout 60 --conns "$LONG_CONNS" \
		--rr "$LONG_RR" --chunk 1k --stall-ms 150 >"$LONG_JSON" &
	LONG_PID=$!
	hatcp_bg $LONG_PID
}

# long_report JSON CRASH: "VERDICT OK PLANNED CRASH_REL REASON" of a long
# client's report, CRASH_REL the crash (date +%s.%N) in the client's clock.
long_report() {
	/usr/bin/python3 - "$1" "$2" <<'PY' 2>/dev/null || echo "none 0 0 0 no report"
import json, sys
j = json.load(open(sys.argv[1]))
print(j["verdict"], j["ok"], j["planned"],
      round(float(sys.argv[2]) - j["started_at_s"], 3), j.get("reason", ""))
PY
}

# long_protected_on NS BEFORE: the long client just started is protected
# on NS (its flows protected there, flows_protected up by as many from
# BEFORE); sets LONG_PROTECTED.
long_protected_on() {
	local ns=$1 before=$2

	LONG_PROTECTED=0
	WAIT_FOR_INTERVAL=0.5 wait_for 30 ge "$LONG_CONNS" long_protected "$ns" &&
		[ "$(kstat "$ns" flows_protected)" -ge $((before + LONG_CONNS)) ] &&
		LONG_PROTECTED=$LONG_CONNS
}
# protection_check NS DESC BEFORE: long_protected_on NS BEFORE, checked
# (the long client just started).
protection_check() {
	local ns=$1 desc=$2 before=$3

	if long_protected_on "$ns" "$before"; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		echo "#   protected long flows $(long_protected "$ns"), flows_protected $before -> $(kstat "$ns" flows_protected)"
		ctl "$ns" -j flows | cut -c1-600 | sed 's/^/#   flows: /'
	fi
}

# round_baseline R STATS_P STATS_R: the counters each round's checks
# compare against, from P's and R's hatcpctl -j stats, read before its
# long client starts (they change only at a crash): prom_p, prom_r,
# carried (R's unprot_failover), logged (R's notify log).
round_baseline() {
	prom_p=$(pick promotions "$2")
	prom_r=$(pick promotions "$3")
	carried=$(pick unprot_failover "$3")
	logged=$(promo_logged "$1")
}

# ---- the rounds ---------------------------------------------------------------
promoted() {
	fo_vip_on "${NS[$R]}" && [ "$(fo_role "${NS[$R]}")" = primary ]
}
promo_logged() {
	grep -c "MASTER, promote done" "$DP_WORK/notify-$1.log" 2>/dev/null
}
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}
# lead_wait: until LONG_LEAD s before the next crash is due. A long
# client started then is that far into its life at the crash, and has
# ended before the one after.
lead_wait() {
	local left=$((T_PREV_US + (PERIOD - LONG_LEAD) * 1000000 - $(now_us)))

	[ $left -le 0 ] || sleep "$((left / 1000000)).$(printf %06d $((left % 1000000)))"
}
# tenths US: US microseconds as seconds, to a tenth.
tenths() {
	local ds=$((($1 + 50000) / 100000))

	echo "$((ds / 10)).$((ds % 10))"
}

# The connections a crash hits are checked once they end, which is late
# in the round, while the next long client waits for its start and
# before the next crash (which would lose them: they have no twin).
# HIT_* describe them; hit_check checks them and clears HIT_ROUND.
HIT_ROUND=''
# hit_summary JSON STATS CRASH: "VERDICT OK PLANNED SAME N P50 P99 MAX REASON"
# of a hit long client: its report, the server's digests equal to its own
# (SAME of them, digests.py as dp_digests_same), and the pause of each
# connection (pauses.py, as fo_pauses), in one python for the emulated
# CPU's sake.
hit_summary() {
	/usr/bin/python3 - "$HATCP_TOP/selftests" "$@" <<'PY' 2>/dev/null || echo "none 0 0 0 0 0 0 0 no report"
import json, sys
sys.path.insert(0, sys.argv.pop(1))
from digests import agreeing
from pauses import spanning, summary
j = json.load(open(sys.argv[1]))
crash = float(sys.argv[3]) - j["started_at_s"]
same, _ = agreeing(j, [sys.argv[2]])
print(j["verdict"], j["ok"], j["planned"], len(same), summary(spanning(j, crash)), j.get("reason", ""))
PY
}
hit_check() {
	local v ok planned same n p50 p99 pmax reason

	[ -n "$HIT_ROUND" ] || return 0
	wait "$HIT_PID"
	# The server writes a connection's digests once it has closed it.
	read -r v ok planned same n p50 p99 pmax reason <<<"$(hit_summary "$HIT_JSON" "$HIT_STATS" "$HIT_CRASH")"
	[ "$same" = "$LONG_CONNS" ] || { sleep 2; read -r v ok planned same n p50 p99 pmax reason \
		<<<"$(hit_summary "$HIT_JSON" "$HIT_STATS" "$HIT_CRASH")"; }
	check_eq "round $HIT_ROUND: the $LONG_CONNS long connections completed byte-exact on $HIT_TO, its server's digests equal, carried over" \
		"pass $LONG_CONNS $LONG_CONNS $LONG_CONNS yes" \
		"$v $ok $planned $same $([ "$HIT_CARRIED" -ge "$LONG_CONNS" ] && echo yes || echo "no ($HIT_CARRIED carried over)")"
	[ "$v" = pass ] || echo "#   hatcp-verify: $reason"
	[ "$v $ok" = "pass $LONG_CONNS" ] && long_ok=$((long_ok + LONG_CONNS))
	pauses+=("$pmax")
	echo "# round $HIT_ROUND: $HIT_FROM -> $HIT_TO: $HIT_TO seen primary $HIT_PROMOTED s after the crash (polled)," \
		"$HIT_FROM back $HIT_BACK s after; $HIT_CARRIED flows carried over;" \
		"long connections' pause (ms): n=$n p50=$p50 p99=$p99 max=$pmax"
	HIT_ROUND=''
}

P=pri R=rep	# P is the primary, crashed this round; R its replica
stats_p=$(ctl "$DP_PRI" -j stats 2>/dev/null)
round_baseline "$R" "$stats_p" "$(ctl "$DP_REP" -j stats 2>/dev/null)"
long_start
protection_check "$DP_PRI" "the first $LONG_CONNS long connections are protected on pri" \
	"$(pick flows_protected "$stats_p")"
T_PREV_US=$(now_us)
failovers=0 long_ok=0 pauses=() gaps=() rounds_end=$((SECONDS + ROUNDS_BOUND))
missed=0 missed_bad=()	# long clients that ended before their crash came
for round in $(seq "$ROUNDS"); do
	[ $SECONDS -lt $rounds_end ] || abort=${abort:-"the rounds' time bound ($ROUNDS_BOUND s) is over"}
	if [ -n "$abort" ]; then
		for _ in $(seq $PER_ROUND); do
			ktap_fail "round $round: not run: $abort"
		done
		continue
	fi
	# The crash must find the long connections live, with most of their
	# replies to come: on a slow guest they may all but end first. Then
	# that client is checked as one no crash hit, and a new one started.
	tries=0
	while crash_wait; [ "$PCT" -lt $CRASH_MIN_PCT ] || [ "$PCT" -ge $CRASH_LATE_PCT ]; do
		tries=$((tries + 1))
		[ $tries -le 2 ] || break
		echo "# round $round: the long connections were ${PCT}% through when their crash came due: too late, new ones"
		wait "$LONG_PID"
		read -r lv lok _ _ lreason <<<"$(long_report "$LONG_JSON" 0)"
		missed=$((missed + 1))
		[ "$lv $lok" = "pass $LONG_CONNS" ] && long_ok=$((long_ok + LONG_CONNS)) ||
			missed_bad+=("long-$long_n: $lv $lok $lreason")
		before=$(kstat "${NS[$P]}" flows_protected)
		long_start
		long_protected_on "${NS[$P]}" "$before"
	done
	[ "$PCT" -ge $CRASH_MIN_PCT ] && [ "$PCT" -lt $CRASH_LATE_PCT ] && live=yes || live="no (${PCT}% through)"
	protected=$LONG_PROTECTED
	t_crash=$EPOCHREALTIME
	[ "$round" -eq 1 ] || gaps+=("$(tenths $((${t_crash/./} - T_PREV_US)))")
	T_PREV_US=${t_crash/./}
	fo_crash "${NS[$P]}"
	WAIT_FOR_INTERVAL=0.5 wait_for 30 promoted && is_promoted=yes || is_promoted=no
	t_promoted=$(date +%s.%N)
	desc="round $round: $P crashed under $LONG_CONNS live protected long connections, keepalived promoted $R (VIP moved)"
	if [ "$live $protected $is_promoted" = "yes $LONG_CONNS yes" ] &&
	   fast 10 ge $((logged + 1)) promo_logged "$R"; then
		ktap_ok "$desc"
		failovers=$((failovers + 1))
	else
		ktap_fail "$desc"
		abort="round $round failed over wrongly"
		echo "#   long client live at the crash: $live, its protected flows: $protected;" \
			"$R: role $(fo_role "${NS[$R]}"), VIP $(fo_vip_on "${NS[$R]}" && echo on || echo off)"
		tail -n 3 "$DP_WORK/notify-$R.log" 2>/dev/null | sed 's/^/#   notify: /'
		ka_says
	fi
	HIT_ROUND=$round HIT_PID=$LONG_PID HIT_JSON=$LONG_JSON HIT_STATS=${LONGSTATS[$R]}
	HIT_CRASH=$t_crash HIT_FROM=$P HIT_TO=$R HIT_PROMOTED=$(secs "$t_crash" "$t_promoted")

	# P comes back as failover.sh brings it back: hatcpd first (replica),
	# its links and servers.
	fo_return "$P" "$DP_PORT" "$LONG_PORT"
	long_echod_start "$P" && short_echod_start "$P"
	echod_back=$?

	# R protects new connections once it hears P. The counters this
	# round checks and the next compares against are read then, before
	# the next long client starts.
	WAIT_FOR_INTERVAL=0.5 wait_for 20 peer_fresh "${NS[$R]}"
	stats_p=$(ctl "${NS[$P]}" -j stats 2>/dev/null)
	stats_r=$(ctl "${NS[$R]}" -j stats 2>/dev/null)
	HIT_CARRIED=$(($(pick unprot_failover "$stats_r") - carried))
	if [ "$HIT_CARRIED" -lt "$LONG_CONNS" ]; then
		# Its connections are still live: what R knows of them now.
		ctl "${NS[$R]}" -j flows | grep -o "{[^{}]*\"dport\": *$LONG_PORT,[^}]*}" |
			cut -c1-400 | sed 's/^/#   flows: /'
		echo "#   $R: $(grep -o '"unprot[a-z_]*": *[0-9]*' <<<"$stats_r" | tr '\n' ' ')"
	fi
	promotions_want="$((prom_r + 1)) $prom_p yes"
	promotions_got="$(pick promotions "$stats_r") $(pick promotions "$stats_p")"
	round_baseline "$P" "$stats_r" "$stats_p"
	ka_from=$(($(wc -l <"$DP_WORK/keepalived-$P.log") + 1))
	fo_keepalived_back "$P"
	HIT_BACK=$(secs "$t_crash" "$(date +%s.%N)")

	# P's keepalived is BACKUP, ready to take over at the next crash.
	fast 20 ka_backup "$P" "$ka_from" && ka=BACKUP || ka="not BACKUP"
	roles=no
	! roles_ok "$R" "$P" || roles=yes	# not in $(): it counts
	heard="$(kstat "${NS[$P]}" peer_last_rx_ms) $(kstat "${NS[$R]}" peer_last_rx_ms)"
	if [ "$echod_back $roles $ka" = "0 yes BACKUP" ] && fresh $heard; then
		ktap_ok "round $round: $P back as the replica (servers up, channel up, keepalived BACKUP), $R alone primary"
	else
		ktap_fail "round $round: $P back as the replica (servers up, channel up, keepalived BACKUP), $R alone primary"
		abort="$P did not come back in round $round"
		echo "#   roles: $P $(fo_role "${NS[$P]}"), $R $(fo_role "${NS[$R]}");" \
			"VIP on $P: $(fo_vip_on "${NS[$P]}" && echo yes || echo no), on $R: $(fo_vip_on "${NS[$R]}" && echo yes || echo no);" \
			"peer last heard ($P $R): $heard ms; echod $echod_back; $P's keepalived $ka"
		tail -n 3 "$DP_WORK/hatcpd-$P.log" | sed 's/^/#   hatcpd: /'
		ka_says
	fi

	# Exactly one promotion this round (the end checks the total: one
	# at the start and one per failover). The promotion counted the
	# flows it carried over.
	check_eq "round $round: exactly one promotion ($R +1, $P +0), $R alone primary" \
		"$promotions_want" "$promotions_got $roles"

	# The long connections this crash hit end before the next.
	hit_check

	# Protection resumes: the next long client, protected on R by P. It
	# starts LONG_LEAD s before the next crash is due.
	P=${OTHER[$P]} R=${OTHER[$R]}
	lead_wait
	long_start
	protection_check "${NS[$P]}" "round $round: protection resumed: $LONG_CONNS new connections protected on $P" \
		"$(pick flows_protected "$stats_r")"
done

# ---- the end ------------------------------------------------------------------
# The last long client sees no crash.
wait "$LONG_PID"
read -r lv lok _ _ lreason <<<"$(long_report "$LONG_JSON" 0)"
[ "$lv $lok" = "pass $LONG_CONNS" ] && long_ok=$((long_ok + LONG_CONNS))
rm -f "$DP_WORK/short.run"
wait "$short"
short_sum=$(/usr/bin/python3 - "$DP_WORK" "$SHORT_RUN" <<'PY'
import glob, json, sys
runs = passed = ok = planned = 0
bad = []
for path in sorted(glob.glob(sys.argv[1] + "/short-*.json")):
    runs += 1
    name = path.rsplit("/", 1)[1]
    try:
        j = json.load(open(path))
    except ValueError:
        bad.append(f"{name}: no report")
        continue
    ok += j["ok"]
    planned += j["planned"]
    if j["verdict"] == "pass" and j["ok"] == j["planned"] == int(sys.argv[2]):
        passed += 1
    else:
        bad.append(f'{name}: {j["verdict"]} {j["ok"]}/{j["planned"]} {j.get("reason", "")}')
print(runs, passed, ok, planned, "; ".join(bad[:3]))
PY
)
read -r s_runs s_passed s_ok s_planned s_bad <<<"$short_sum"
check_eq "short connections throughout: every run passed, every connection asked for completed" \
	"$s_runs $s_runs $((s_runs * SHORT_RUN)) $((s_runs * SHORT_RUN))" \
	"$s_runs $s_passed $s_ok $s_planned"
[ -z "$s_bad" ] || echo "#   $s_bad"
check_eq "the long connections no crash hit (the last, and $missed that ended before theirs) completed byte-exact" \
	"pass $LONG_CONNS 0" "$lv $lok ${#missed_bad[@]}"
[ "$lv" = pass ] || echo "#   hatcp-verify: $lreason"
[ ${#missed_bad[@]} -eq 0 ] || echo "#   ${missed_bad[*]}"
check_eq "$ROUNDS failovers, two primaries never seen ($role_checks checks)" "$ROUNDS 0" \
	"$failovers $both_primary"
check_eq "promotions: one at the start and one per failover; keepalived's as many as hatcp's (pri, rep); none failed" \
	"$((1 + failovers)) $(kstat "$DP_PRI" promotions) $(kstat "$DP_REP" promotions) 0" \
	"$(($(kstat "$DP_PRI" promotions) + $(kstat "$DP_REP" promotions))) $(promo_logged pri) $(promo_logged rep) $(cat "$DP_WORK"/notify-*.log | grep -c FAILED)"

echo "# failovers: $failovers in $ROUNDS rounds ($long_n long clients);" \
	"s between crashes ($PERIOD asked): ${gaps[*]}"
echo "# connections completed: $((s_ok + long_ok)) ($s_ok short in $s_runs runs of $SHORT_RUN," \
	"$long_ok long of $((long_n * LONG_CONNS)))"
echo "# per-failover pause, the longest stall of the long connections spanning each crash (ms, sorted):" \
	"$(printf '%s\n' "${pauses[@]}" | sort -n | tr '\n' ' ')"
for n in pri rep; do
	echo "# $n: promotions $(kstat "${NS[$n]}" promotions), carried over $(kstat "${NS[$n]}" unprot_failover)," \
		"flows protected $(kstat "${NS[$n]}" flows_protected), unprotected $(kstat "${NS[$n]}" flows_unprotected)"
done
ka_says

check "the module unloads clean" dp_hatcp_down
ktap_finish
