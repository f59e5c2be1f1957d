#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for hatcp's kselftest-style scripts (source this file).
# Output is KTAP; exit status follows kselftest: 0 pass, 1 fail, 4 skip.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

HATCP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HATCPCTL=${HATCPCTL:-hatcpctl}

__ktap_n=0
__ktap_fail=0
# Unique per run, so parallel runs and leftovers never collide.
HATCP_NS_PREFIX="hatcp-$$-"

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok() {
	__ktap_n=$((__ktap_n + 1))
	echo "ok $__ktap_n - $*"
}

ktap_fail() {
	__ktap_n=$((__ktap_n + 1))
	__ktap_fail=$((__ktap_fail + 1))
	echo "not ok $__ktap_n - $*"
}

# check DESC CMD...: one test case passing when CMD succeeds.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		printf '#   %s\n' "$ ${*}" "${out//$'\n'/$'\n'#   }"
	fi
}

# check_fails DESC PATTERN CMD...: CMD must fail with a single line on
# stderr matching the extended regular expression PATTERN.
check_fails() {
	local desc=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
	   printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		printf '#   %s\n' "$ ${*}" "exit $rc, stderr: $out" "wanted: $pattern"
	fi
}

# check_eq DESC WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1"
		printf '#   want: %s\n#   got:  %s\n' "$2" "$3"
	fi
}

ktap_finish() {
	__captures_finish
	echo "# Totals: pass:$((__ktap_n - __ktap_fail)) fail:$__ktap_fail"
	__keep_work
	[ "$__ktap_fail" -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# __keep_work: a failed lab script (or any, with HATCP_KEEP_LOGS set)
# copies its data-path work directory (daemon, keepalived and notify
# logs, server digests) to the lab's out directory, which outlives the
# guest: the only evidence of a failure seen in CI.
__keep_work() {
	local dst

	{ [ "$__ktap_fail" -ne 0 ] || [ -n "${HATCP_KEEP_LOGS:-}" ]; } || return 0
	[ -n "${HATCP_LAB_OUT:-}" ] && [ -n "${DP_WORK:-}" ] && [ -d "$DP_WORK" ] || return 0
	dst=$HATCP_LAB_OUT/$(basename "$0" .sh)-$(uname -r)
	rm -rf "$dst"
	cp -r "$DP_WORK" "$dst" && echo "# logs kept in \$HATCP_LAB_OUT/${dst##*/}"
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# hatcp_module: the module built for the running kernel.
hatcp_module() {
	echo "$HATCP_TOP/build/module/$(uname -r)/hatcp.ko"
}

hatcp_loaded() {
	[ -d /sys/module/hatcp ]
}

# insmod does not resolve dependencies: the channel needs udp_tunnel.
hatcp_load() {
	hatcp_loaded || { modprobe udp_tunnel && insmod "$(hatcp_module)"; }
}

hatcp_unload() {
	! hatcp_loaded || rmmod hatcp
}

# new_ns NAME: a fresh namespace, deleted at exit; prints its full name.
# Callers run it in $(...), a subshell: cleanup_ns finds its namespaces by
# their prefix, not by a list the subshell could not add to.
new_ns() {
	local ns="$HATCP_NS_PREFIX$1"

	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	echo "$ns"
}

# Background processes (hatcp_bg PID) and scratch directories
# (hatcp_tmpdir) that cleanup_ns removes along with the namespaces.
__hatcp_pids=()
__hatcp_dirs=()

# hatcp_bg PID: kill PID at exit (before its namespace goes).
hatcp_bg() {
	__hatcp_pids+=("$1")
}

# hatcp_tmpdir: a scratch directory removed at exit; prints its path.
hatcp_tmpdir() {
	local d

	d=$(mktemp -d) || return 1
	__hatcp_dirs+=("$d")
	echo "$d"
}

cleanup_ns() {
	local ns pid

	for pid in "${__hatcp_pids[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	__hatcp_pids=()
	# What still runs in them goes first: a namespace outlives its name
	# while a process holds it.
	for ns in $(ip netns list | awk -v p="$HATCP_NS_PREFIX" 'index($1, p) == 1 { print $1 }'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "${__hatcp_dirs[@]}"
	__hatcp_dirs=()
}

# hatcp_keyfile PATH [SEED]: writes a channel key (64 hex digits) to PATH,
# random unless SEED (a word) makes it reproducible; prints PATH.
hatcp_keyfile() {
	if [ -n "${2:-}" ]; then
		printf '%s' "$2" | sha256sum | cut -c1-64 >"$1"
	else
		od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$1" && echo >>"$1"
	fi && echo "$1"
}

# ctl NS ARGS...: hatcpctl in namespace NS.
ctl() {
	local ns=$1
	shift
	ip netns exec "$ns" "$HATCPCTL" "$@"
}

# json_get JSON PYEXPR: evaluates PYEXPR on the parsed JSON (named j).
json_get() {
	/usr/bin/python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# hatcp_stat NS NAME: one counter of `hatcpctl -j stats` in NS (-1 if absent).
hatcp_stat() {
	json_get "$(ctl "$1" -j stats)" "j.get('$2', -1)"
}

# wait_for SECONDS CMD...: polls CMD every $WAIT_FOR_INTERVAL s (default
# 0.1) until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))

	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep "${WAIT_FOR_INTERVAL:-0.1}"
	done
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}


# ---- the data-path topology ----------------------------------------------
#
# dp_topology builds, in fresh namespaces, the network every replication
# selftest (and scripts/bench) uses:
#
#          cli (client)                                  lan (bridge br0)
#   lan0 10.0.1.100/24 ------------------------------+-- br0 ports cli, pri, rep
#                                                     |
#   pri (primary) lan0 10.0.1.1/24 + VIP 10.0.1.10/32 -+
#   rep (replica) lan0 10.0.1.2/24 (arp_ignore=1, arp_announce=2)
#                 hatcp-vip (dummy, NOARP) VIP 10.0.1.10/32
#   pri chan0 10.0.9.1/24 <------ veth ------> rep chan0 10.0.9.2/24
#
# The replica holds the VIP as a local address (its application can listen
# on it) but never answers ARP for it, so clients reach the primary only.
#
# Set by dp_topology (namespace names, full, for ip -n / ip netns exec):
#   DP_CLI DP_PRI DP_REP DP_LAN
#   DP_WORK       scratch directory (echod stats and logs), removed at exit
#   DP_KEY        the channel key file dp_hatcp_up uses ($DP_WORK/chan.key)
#   DP_PRI_MAC    the primary's LAN MAC (the one clients must see for the VIP)
# Constants:
#   DP_VIP=10.0.1.10 DP_PORT=7000 (the protected service port)
#   DP_CLI_ADDR=10.0.1.100 DP_PRI_ADDR=10.0.1.1 DP_REP_ADDR=10.0.1.2
#   DP_CHAN_PRI=10.0.9.1 DP_CHAN_REP=10.0.9.2 (the replication channel)
#   DP_LAN_DEV=lan0 DP_CHAN_DEV=chan0 DP_VIP_DEV=hatcp-vip
# Functions:
#   dp_topology              build it and self-check it (returns 1, with a
#                            "# dp_topology: ..." line, if a check fails)
#   dp_check                 the self-check alone
#   dp_hatcp_up [PORT...]    load hatcp; pri: peer (keyed by $DP_KEY, made
#                            if missing), role primary, policy VIP:PORT;
#                            rep: peer, role replica, same policy
#                            (default PORT: DP_PORT); then dp_peer_wait
#                            $DP_PEER_WAIT (default 10; 0: do not wait)
#   dp_peer_wait [SECONDS]   until both ends have heard their peer over the
#                            channel (default 10 s); 1 if they did not
#   dp_hatcp_down            unload hatcp (its state in every namespace goes)
#   dp_servers_start [PORT...]  hatcp-echod on VIP:PORT in pri and in rep,
#                            stats in $(dp_stats pri|rep PORT); waits until
#                            both listen (default PORT: DP_PORT)
#   dp_servers_stop          SIGTERM every echod started, wait (stats summary)
#   verdict_of REPORT        "VERDICT OK REASON" of a dp_verify --json report
#                            file ("pass N " when all N connections passed)
#   dp_stats ROLE [PORT]     path of ROLE's (pri, rep) echod --stats file
#   dp_verify [--port P] ARGS...  hatcp-verify --json from cli to VIP:P
#   dp_digests_same CLIENT_JSON STATS...  how many of the connections in
#                            hatcp-verify's report CLIENT_JSON have both
#                            digests equal in every echod --stats file
#                            STATS (the last record per client address);
#                            0 if that is all of them, else 1 with which
#                            differ on stderr
#   dp_digests_agree CLIENT_JSON [PORT]  every connection's digests equal
#                            on client, primary and replica (PORT's stats)
#   dp_peak_sampler NS STAT FILE INTERVAL [COUNT]  writes to FILE each new
#                            peak of hatcp_stat NS STAT, sampled every
#                            INTERVAL s, COUNT times (default 600); run it
#                            in the background and kill it when done
#   dp_arp_who_has [IP]      MACs answering an ARP request from cli (VIP)
#   dp_netem_channel SPEC    netem SPEC (e.g. "loss 5% duplicate 2% reorder
#                            25% delay 2ms") on both channel veths
#   dp_netem_channel_clear   remove it
#   dp_rps_all NS...         RPS over all CPUs on NS's lan0 and chan0
# Environment: HATCP_RPS=1 runs dp_rps_all on pri and rep; HATCP_CAPTURES=0
# starts no packet captures (see "packet captures" below, on by default).
DP_VIP=10.0.1.10
DP_PORT=7000
DP_CLI_ADDR=10.0.1.100
DP_PRI_ADDR=10.0.1.1
DP_REP_ADDR=10.0.1.2
DP_CHAN_PRI=10.0.9.1
DP_CHAN_REP=10.0.9.2
DP_LAN_DEV=lan0
DP_CHAN_DEV=chan0
DP_VIP_DEV=hatcp-vip
DP_CLI='' DP_PRI='' DP_REP='' DP_LAN='' DP_WORK='' DP_PRI_MAC='' DP_KEY=''
__dp_echod=()

__dp_say() {
	echo "# dp_topology: $*" >&2
	return 1
}

# __dp_lan_port NS ADDR BRPORT: NS's lan0 with ADDR/24, its peer BRPORT on br0.
__dp_lan_port() {
	local ns=$1 addr=$2 port=$3

	ip link add "$DP_LAN_DEV" netns "$ns" type veth peer name "$port" \
		netns "$DP_LAN" &&
	ip -n "$DP_LAN" link set "$port" master br0 up &&
	ip -n "$ns" addr add "$addr/24" dev "$DP_LAN_DEV"
}

dp_topology() {
	DP_LAN=$(new_ns lan) && DP_CLI=$(new_ns cli) && DP_PRI=$(new_ns pri) &&
		DP_REP=$(new_ns rep) || __dp_say "cannot create namespaces" || return
	DP_WORK=$(hatcp_tmpdir) || return 1
	{
		ip -n "$DP_LAN" link add br0 type bridge &&
		ip -n "$DP_LAN" link set br0 up &&
		__dp_lan_port "$DP_CLI" "$DP_CLI_ADDR" cli &&
		__dp_lan_port "$DP_PRI" "$DP_PRI_ADDR" pri &&
		__dp_lan_port "$DP_REP" "$DP_REP_ADDR" rep &&
		# Before the link is up: the replica must never answer for the
		# VIP, nor use it as the source of its own ARP requests.
		ip netns exec "$DP_REP" sysctl -qw \
			"net.ipv4.conf.$DP_LAN_DEV.arp_ignore=1" \
			"net.ipv4.conf.$DP_LAN_DEV.arp_announce=2" &&
		ip -n "$DP_PRI" addr add "$DP_VIP/32" dev "$DP_LAN_DEV" &&
		ip -n "$DP_REP" link add "$DP_VIP_DEV" type dummy &&
		ip -n "$DP_REP" link set "$DP_VIP_DEV" arp off up &&
		ip -n "$DP_REP" addr add "$DP_VIP/32" dev "$DP_VIP_DEV" &&
		ip -n "$DP_CLI" link set "$DP_LAN_DEV" up &&
		ip -n "$DP_PRI" link set "$DP_LAN_DEV" up &&
		ip -n "$DP_REP" link set "$DP_LAN_DEV" up &&
		ip link add "$DP_CHAN_DEV" netns "$DP_PRI" type veth \
			peer name "$DP_CHAN_DEV" netns "$DP_REP" &&
		ip -n "$DP_PRI" addr add "$DP_CHAN_PRI/24" dev "$DP_CHAN_DEV" &&
		ip -n "$DP_REP" addr add "$DP_CHAN_REP/24" dev "$DP_CHAN_DEV" &&
		ip -n "$DP_PRI" link set "$DP_CHAN_DEV" up &&
		ip -n "$DP_REP" link set "$DP_CHAN_DEV" up
	} || __dp_say "cannot set up the links" || return
	DP_PRI_MAC=$(ip -n "$DP_PRI" -br link show "$DP_LAN_DEV" | awk '{print $3}')
	if [ -n "${HATCP_RPS:-}" ] && [ "$HATCP_RPS" != 0 ]; then
		dp_rps_all "$DP_PRI" "$DP_REP" || __dp_say "cannot set RPS" || return
	fi
	if [ "$HATCP_CAPTURES" != 0 ]; then
		# Before any traffic, dp_check's included: a capture must see
		# every packet the node's stack is handed.
		captures_start "$DP_CLI" "$DP_LAN_DEV" any &&
		captures_start "$DP_PRI" "$DP_LAN_DEV" "$DP_CHAN_DEV" any &&
		captures_start "$DP_REP" "$DP_LAN_DEV" "$DP_CHAN_DEV" any ||
			__dp_say "cannot start the packet captures" || return
	fi
	__cap_wanted=1
	dp_check
}

# dp_rps_all NS...: RPS spreads the receive of NS's LAN and channel links
# over every CPU (HATCP_RPS=1 makes dp_topology do it for pri and rep).
# A veth hands its packets to netif_rx() on the sender's CPU, so without
# RPS one client connection's softirqs never run on two CPUs at once.
dp_rps_all() {
	local ns dev mask

	mask=$(printf '%x' $(((1 << $(nproc)) - 1)))
	for ns in "$@"; do
		for dev in "$DP_LAN_DEV" "$DP_CHAN_DEV"; do
			# In NS: ip netns exec mounts NS's /sys. Read back (no
			# commas, no leading zeros), so a mask the kernel did not
			# take fails here, not as a test that spread nothing.
			# shellcheck disable=SC2016 # expanded by that sh
			ip netns exec "$ns" sh -c '
				for q in /sys/class/net/"$1"/queues/rx-*/rps_cpus; do
					echo "$2" >"$q" || exit 1
					got=$(tr -d , <"$q" | sed "s/^0*//")
					[ "$got" = "$2" ] || { echo "$q: $got" >&2; exit 1; }
				done' sh "$dev" "$mask" || return 1
		done
	done
}

# __dp_ping NS ADDR: up to 10 one-second tries (links and bridge come up).
__dp_ping() {
	local _

	for _ in 1 2 3 4 5 6 7 8 9 10; do
		ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}

dp_arp_who_has() {
	ip netns exec "$DP_CLI" /usr/bin/python3 "$HATCP_TOP/selftests/arpprobe.py" \
		"$DP_LAN_DEV" "$DP_CLI_ADDR" "${1:-$DP_VIP}" 1
}

dp_check() {
	local got

	__dp_ping "$DP_CLI" "$DP_PRI_ADDR" || __dp_say "cli cannot ping the primary" || return
	__dp_ping "$DP_CLI" "$DP_REP_ADDR" || __dp_say "cli cannot ping the replica" || return
	__dp_ping "$DP_CLI" "$DP_VIP" || __dp_say "cli cannot ping the VIP" || return
	__dp_ping "$DP_PRI" "$DP_CHAN_REP" || __dp_say "channel link does not ping" || return
	got=$(ip netns exec "$DP_REP" sysctl -n "net.ipv4.conf.$DP_LAN_DEV.arp_ignore" \
		"net.ipv4.conf.$DP_LAN_DEV.arp_announce" | tr '\n' ' ')
	[ "$got" = "1 2 " ] || __dp_say "rep $DP_LAN_DEV arp_ignore/arp_announce: $got" || return
	got=$(ip -n "$DP_REP" route get "$DP_VIP")
	[ "${got%% *}" = local ] || __dp_say "VIP not local in rep: $got" || return
	got=$(dp_arp_who_has "$DP_VIP" | tr '\n' ' ')
	[ "$got" = "$DP_PRI_MAC " ] ||
		__dp_say "ARP for the VIP answered by '$got', want only the primary ($DP_PRI_MAC)"
}

dp_hatcp_up() {
	local port

	hatcp_load || return 1
	DP_KEY=${DP_KEY:-$DP_WORK/chan.key}
	[ -s "$DP_KEY" ] || hatcp_keyfile "$DP_KEY" >/dev/null || return 1
	ctl "$DP_PRI" peer set local "$DP_CHAN_PRI" remote "$DP_CHAN_REP" key "$DP_KEY" &&
	ctl "$DP_PRI" role set primary &&
	ctl "$DP_REP" peer set local "$DP_CHAN_REP" remote "$DP_CHAN_PRI" key "$DP_KEY" &&
	ctl "$DP_REP" role set replica || return 1
	for port in "${@:-$DP_PORT}"; do
		ctl "$DP_PRI" policy add addr "$DP_VIP" port "$port" &&
		ctl "$DP_REP" policy add addr "$DP_VIP" port "$port" || return 1
	done
	[ "${DP_PEER_WAIT:-10}" -eq 0 ] || dp_peer_wait "${DP_PEER_WAIT:-10}" ||
		__dp_say "pri and rep did not hear each other over the channel" \
			"within ${DP_PEER_WAIT:-10} s"
}

# __dp_heard NS: NS's hatcp has accepted a message from its peer.
__dp_heard() {
	ctl "$1" stats -j 2>/dev/null | grep -q '"peer_last_rx_ms"'
}

dp_peer_wait() {
	local deadline=$((SECONDS + ${1:-10}))

	until __dp_heard "$DP_PRI" && __dp_heard "$DP_REP"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

dp_hatcp_down() {
	hatcp_unload
}

dp_stats() {
	echo "$DP_WORK/echod-$1-${2:-$DP_PORT}.jsonl"
}

dp_servers_start() {
	local port role ns ready

	for port in "${@:-$DP_PORT}"; do
		for role in pri rep; do
			[ $role = pri ] && ns=$DP_PRI || ns=$DP_REP
			ready="$DP_WORK/echod-$role-$port.ready"
			rm -f "$ready"
			ip netns exec "$ns" hatcp-echod --listen "$DP_VIP:$port" \
				--stats "$(dp_stats $role "$port")" --ready-file "$ready" \
				>"$DP_WORK/echod-$role-$port.out" 2>&1 &
			hatcp_bg $!
			__dp_echod+=($!)
		done
		for role in pri rep; do
			ready="$DP_WORK/echod-$role-$port.ready"
			for _ in $(seq 100); do
				[ -s "$ready" ] && break
				sleep 0.1
			done
			[ -s "$ready" ] || __dp_say "echod in $role not listening on" \
				"$DP_VIP:$port after 10 s: $(cat "$DP_WORK/echod-$role-$port.out")" ||
				return
		done
	done
}

dp_servers_stop() {
	local pid

	for pid in "${__dp_echod[@]}"; do
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	__dp_echod=()
}

dp_verify() {
	local port=$DP_PORT

	if [ "${1:-}" = --port ]; then
		port=$2
		shift 2
	fi
	ip netns exec "$DP_CLI" hatcp-verify --connect "$DP_VIP:$port" --json "$@"
}

verdict_of() {
	/usr/bin/python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(j["verdict"], j["ok"], j.get("reason", ""))' "$1"
}

dp_digests_same() {
	/usr/bin/python3 "$HATCP_TOP/selftests/digests.py" "$@"
}

dp_digests_agree() {
	dp_digests_same "$1" "$(dp_stats pri "${2:-$DP_PORT}")" \
		"$(dp_stats rep "${2:-$DP_PORT}")" >/dev/null
}

dp_peak_sampler() {
	local ns=$1 stat=$2 file=$3 interval=$4 peak=0 v _

	for _ in $(seq "${5:-600}"); do
		v=$(hatcp_stat "$ns" "$stat" 2>/dev/null || echo 0)
		[ "$v" -gt "$peak" ] && peak=$v && echo "$peak" >"$file"
		sleep "$interval"
	done
}

dp_netem_channel() {
	modprobe -q sch_netem
	# shellcheck disable=SC2086 # SPEC is a list of netem words
	tc -n "$DP_PRI" qdisc replace dev "$DP_CHAN_DEV" root netem $1 &&
	tc -n "$DP_REP" qdisc replace dev "$DP_CHAN_DEV" root netem $1
}

dp_netem_channel_clear() {
	tc -n "$DP_PRI" qdisc del dev "$DP_CHAN_DEV" root 2>/dev/null
	tc -n "$DP_REP" qdisc del dev "$DP_CHAN_DEV" root 2>/dev/null
	return 0
}

# ---- packet captures -------------------------------------------------------
#
# A packet socket sees every skb its device hands the stack, with the MAC
# header pushed back (packet_rcv): skbs hatcp injected without one
# panicked the replica (skb_under_panic, issue 15), and 340 tests had not
# noticed, as none ran what dhclient or a monitoring agent does. So
# dp_topology starts, before any traffic, on each node's (cli, pri, rep)
# client link and on the channel, a tcpdump per device (an AF_PACKET
# SOCK_RAW tap) and one on "any" (cooked, SOCK_DGRAM), and ktap_finish
# adds one test case: every tap ran to the end (one that died fails it).
# HATCP_CAPTURES=0 turns them off (the benchmarks do: they measure hatcp,
# not tcpdump); the test case then says SKIP.
#
#   captures_start NS DEV...  a tcpdump on each DEV of NS ("any": all of
#                             NS's devices, cooked), writing to
#                             $HATCP_CAPTURE_DIR/NS-DEV.pcap if that is set,
#                             else to /dev/null; returns once each listens
#                             (10 s bound; 1 if one did not)
#   captures_node_down NS     NS's taps died with its processes (fo_crash):
#                             not checked any more; fo_return starts new ones
#   captures_check            every tap still runs (0), else 1 and which
#                             died, with its last words, on stderr
#   captures_stop             stop them all; a "# capture NS/DEV: ..." line
#                             each with what it captured and what the
#                             kernel dropped (its ring was full)
#   capture_file NS DEV       the file of that tap (with HATCP_CAPTURE_DIR)
HATCP_CAPTURES=${HATCP_CAPTURES:-1}
__cap=()		# "PID NS DEV" of each tap still checked
__cap_wanted=''		# dp_topology ran: ktap_finish reports on the taps
__cap_total=0		# taps ever started
__cap_down=0		# taps that died with their node

capture_file() {
	echo "${HATCP_CAPTURE_DIR:-/dev}/${1#"$HATCP_NS_PREFIX"}-$2.pcap"
}

# __cap_err NS DEV: where that tap's stderr goes.
__cap_err() {
	echo "${DP_WORK:?dp_topology first}/capture-${1#"$HATCP_NS_PREFIX"}-$2.err"
}

# __cap_alive PID: running, not a zombie (kill -0 succeeds on those).
__cap_alive() {
	local st

	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ] && [ "$st" != X ]
}

captures_start() {
	local ns=$1 dev out flush err pid i
	local -a mine=()

	shift
	for dev in "$@"; do
		# -U (a write per packet) only for a file read while it runs: to
		# /dev/null it is a system call per packet for nothing, on TCG.
		out=/dev/null flush=
		[ -z "${HATCP_CAPTURE_DIR:-}" ] || out=$(capture_file "$ns" "$dev") flush=-U
		err=$(__cap_err "$ns" "$dev")
		# -s 128: headers are what packet_rcv and the checks need, and
		# copying less leaves the emulated CPUs to the test. -Z root:
		# Debian's tcpdump drops to its own user, who could not write
		# into the root-only work directory.
		ip netns exec "$ns" tcpdump -i "$dev" -n -s 128 $flush -Z root -w "$out" \
			>/dev/null 2>"$err" &
		__cap+=("$! $ns $dev")
		mine+=("$! $err")
		__cap_total=$((__cap_total + 1))
	done
	for i in "${mine[@]}"; do
		pid=${i%% *} err=${i#* }
		wait_for 10 grep -q '^tcpdump: listening on' "$err" && continue
		echo "# captures_start: tcpdump -i ${err##*/capture-} did not listen in 10 s:" \
			"$(__cap_alive "$pid" && echo running || echo exited)," \
			"$(tail -n 2 "$err" | tr '\n' ' ')" >&2
		return 1
	done
}

captures_node_down() {
	local e ns
	local -a keep=()

	for e in "${__cap[@]}"; do
		read -r _ ns _ <<<"$e"
		if [ "$ns" = "$1" ]; then
			__cap_down=$((__cap_down + 1))
		else
			keep+=("$e")
		fi
	done
	__cap=("${keep[@]}")
}

captures_check() {
	local e pid ns dev rc=0

	for e in "${__cap[@]}"; do
		read -r pid ns dev <<<"$e"
		__cap_alive "$pid" && continue
		echo "tcpdump -i $dev in ${ns#"$HATCP_NS_PREFIX"} (pid $pid) died:" \
			"$(tail -n 3 "$(__cap_err "$ns" "$dev")" | tr '\n' ' ')" >&2
		rc=1
	done
	return $rc
}

captures_stop() {
	local e pid ns dev err

	for e in "${__cap[@]}"; do
		read -r pid ns dev <<<"$e"
		kill -TERM "$pid" 2>/dev/null
	done
	for e in "${__cap[@]}"; do
		read -r pid ns dev <<<"$e"
		err=$(__cap_err "$ns" "$dev")
		# Bounded: a tcpdump that ignores SIGTERM is killed.
		for _ in $(seq 50); do
			__cap_alive "$pid" || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "# capture ${ns#"$HATCP_NS_PREFIX"}/$dev: $(grep -E \
			'packets (captured|dropped by kernel)' "$err" | tr '\n' ' ')"
	done
	__cap=()
}

# __captures_finish: ktap_finish's test case on the taps dp_topology
# started (and any a script added).
__captures_finish() {
	local desc err

	[ -n "$__cap_wanted" ] || return 0
	__cap_wanted=''
	desc="packet captures on the client links and the channel ran to the end"
	if [ "$HATCP_CAPTURES" = 0 ]; then
		ktap_ok "$desc # SKIP HATCP_CAPTURES=0"
		return 0
	fi
	desc="$desc ($__cap_total taps, $__cap_down of them died with their node)"
	err=$(captures_check 2>&1)
	if [ -z "$err" ] && [ "$__cap_total" -gt 0 ]; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		printf '#   %s\n' "${err:-no tap was started}"
	fi
	captures_stop
}

trap cleanup_ns EXIT
