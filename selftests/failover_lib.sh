#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Failover labs: the data-path topology (lib.sh) made symmetric, with
# keepalived owning the VIP on the LAN, as an operator runs it.
#
# fo_topology              dp_topology, then both nodes alike: the VIP NOARP
#                          on a dummy (local to each, so their sockets stay),
#                          arp_ignore on lan0, and the LAN copy of the VIP
#                          left to keepalived
# fo_hatcp_up [PORT...]    hatcp on both, configured by hatcpd (role
#                          replica, peer with a shared key, the service):
#                          keepalived decides who is primary
# fo_hatcpd_start NS NAME SELF PEER [PORT...]
#                          hatcpd in NS with $DP_WORK/NAME.toml, logs in
#                          $DP_WORK/hatcpd-NAME.log
# fo_keepalived_start NS NAME SELF PEER PRIORITY
#                          keepalived (VRRP only) in NS from our template,
#                          logs in $DP_WORK/keepalived-NAME.log, notify
#                          actions in $DP_WORK/notify-NAME.log; its
#                          track file for hatcp-migrate $DP_WORK/yield-NAME
# fo_migrate NS NAME       planned switchover from NS (the primary) with
#                          keepalived/hatcp-migrate; its log in
#                          $DP_WORK/migrate-NAME.log
# fo_pair_up               all of the above for pri (priority 200) and rep
#                          (100), with the servers: keepalived decides
# fo_start_pair            fo_pair_up, then one test case: keepalived made
#                          pri the primary and rep the replica (logs if not)
# fo_serving NS PEER_NS    NS is the primary with the VIP on its LAN,
#                          PEER_NS the replica without it
# fo_role NS               the node's hatcp role (primary, replica, ...)
# fo_vip_on NS             the VIP is on NS's lan0 (keepalived put it there)
# fo_stands_aside NAME     NAME (pri, rep) stands aside: its yield file
#                          says 253 (VRRP priority 1)
# fo_crash NS              the node dies: its links go down at once, then every
#                          process in it is SIGKILLed, its packet captures
#                          too (hatcp keeps its state: the kernel did not
#                          reboot)
# fo_return NAME [PORT...] NAME (pri or rep), crashed, comes back as after
#                          a reboot: hatcpd first (its file makes it a
#                          replica, protecting PORTs), then its links and
#                          its packet captures (lib.sh); fails
#                          if hatcpd had not made it a replica within 20 s.
#                          hatcpd waits for its peer's sysctls first, in
#                          vain with its links down: 3 s, or
#                          FO_SYSCTL_START_WAIT_MS
# fo_keepalived_back NAME  keepalived again in NAME, once it is back
# fo_pri_return            fo_return pri, its server, fo_keepalived_back pri
# fo_pauses JSON CRASH_S [SERVED_S]
#                          per connection, the stall spanning CRASH_S
#                          seconds after the client started, or with
#                          SERVED_S the longest that began in its window
#                          (selftests/pauses.py): "n p50 p99 max" in ms
# fo_client_s JSON WALL    WALL (date +%s.%N) in seconds after the client
#                          of report JSON started (its started_at_s)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# VRRP adverts every 0.2 s, not the template's 0.1: two guests share the
# host's two cores in a suite run, and a guest stalled as a whole for a
# third of a second (keepalived's VRRP process runs real-time inside it,
# see keepalived.conf.in) made a node miss three adverts and elect itself.
# scripts/bench-failover measures at 0.1 s.
FO_ADVERT=${FO_ADVERT:-0.2}
# The guest's emulated CPUs (one until issue 15, two now) run the
# traffic, both nodes and their health checks:
# a check that takes seconds there is slow, not failing. Every 3 s, not
# 2: under load a check took 2 to 16 s, so at 2 s each node ran one
# back to back, and their CPU was missing from everything else.
FO_HEALTH_INTERVAL=${FO_HEALTH_INTERVAL:-3}
FO_HEALTH_TIMEOUT=${FO_HEALTH_TIMEOUT:-20}
FO_KEEPALIVED_DIR=$HATCP_TOP/keepalived

fo_topology() {
	local ns

	dp_topology || return 1
	ip -n "$DP_PRI" addr del "$DP_VIP/32" dev "$DP_LAN_DEV" || return 1
	ip netns exec "$DP_PRI" sysctl -qw \
		"net.ipv4.conf.$DP_LAN_DEV.arp_ignore=1" \
		"net.ipv4.conf.$DP_LAN_DEV.arp_announce=2" || return 1
	ns=$DP_PRI
	ip -n "$ns" link add "$DP_VIP_DEV" type dummy &&
	ip -n "$ns" link set "$DP_VIP_DEV" arp off up &&
	ip -n "$ns" addr add "$DP_VIP/32" dev "$DP_VIP_DEV"
}

FO_HATCPD=${HATCPD:-$HATCP_TOP/build/userspace/hatcpd/hatcpd}
[ -x "$FO_HATCPD" ] || FO_HATCPD=hatcpd

# The lab shares the repo uncached (the module is rebuilt under a running
# guest), so every exec of a binary from build/ reads its pages from the
# host again: `hatcpctl role show` took 2 s of an idle TCG guest that
# way. keepalived's scripts run hatcpctl several times a check, and a
# check that times out fails the node. Copies on the guest's tmpfs stand
# in for them, as an installed package's would on a local disk.
__fo_local_bins() {
	local d

	d=$(mktemp -d) || return 0
	__hatcp_dirs+=("$d")
	if [[ $HATCPCTL == /* ]] && cp "$HATCPCTL" "$d/hatcpctl"; then
		HATCPCTL=$d/hatcpctl
	fi
	if [[ $FO_HATCPD == /* ]] && cp "$FO_HATCPD" "$d/hatcpd"; then
		FO_HATCPD=$d/hatcpd
	fi
}
__fo_local_bins

fo_hatcpd_start() {
	local ns=$1 name=$2 self=$3 peer=$4 ports

	shift 4
	ports=$(echo "${@:-$DP_PORT}" | tr ' ' ',')
	[ -s "$DP_WORK/channel.key" ] || openssl rand -hex 32 >"$DP_WORK/channel.key"
	cat >"$DP_WORK/$name.toml" <<-TOML
	# As keepalived/README.md says: replica on both, keepalived promotes.
	role = "replica"

	[peer]
	local = "$self"
	remote = "$peer"
	device = "$DP_CHAN_DEV"
	key_file = "$DP_WORK/channel.key"

	[[service]]
	address = "$DP_VIP"
	ports = [$ports]
	TOML
	[ -z "${FO_SYSCTL_START_WAIT_MS:-}" ] ||
		printf '\n[timers]\nsysctl_start_wait_ms = %s\n' "$FO_SYSCTL_START_WAIT_MS" \
			>>"$DP_WORK/$name.toml"
	"$FO_HATCPD" --netns "$ns" -c "$DP_WORK/$name.toml" \
		>>"$DP_WORK/hatcpd-$name.log" 2>&1 &
	hatcp_bg $!
}

fo_hatcp_up() {
	hatcp_load || return 1
	fo_hatcpd_start "$DP_PRI" pri "$DP_CHAN_PRI" "$DP_CHAN_REP" "$@"
	fo_hatcpd_start "$DP_REP" rep "$DP_CHAN_REP" "$DP_CHAN_PRI" "$@"
	if ! wait_for 20 __fo_configured "$DP_PRI" ||
	   ! wait_for 20 __fo_configured "$DP_REP"; then
		__dp_say "hatcpd did not configure both nodes in 20 s:" \
			"$(tail -3 "$DP_WORK"/hatcpd-*.log)"
		return 1
	fi
}

# __fo_configured NS: hatcpd has applied its file there (role and policy).
__fo_configured() {
	[ "$(fo_role "$1")" = replica ] &&
		[ "$(hatcp_stat "$1" policies)" -ge 1 ]
}

fo_keepalived_start() {
	local ns=$1 name=$2 self=$3 peer=$4 prio=$5 conf

	conf=$DP_WORK/keepalived-$name.conf
	"$FO_KEEPALIVED_DIR/hatcp-keepalived-config" --iface "$DP_LAN_DEV" \
		--vip "$DP_VIP" --self "$self" --peer "$peer" --priority "$prio" \
		--advert "$FO_ADVERT" --node "$name" --hatcpd yes \
		--yield-file "$DP_WORK/yield-$name" \
		--health-interval "$FO_HEALTH_INTERVAL" \
		--health-timeout "$FO_HEALTH_TIMEOUT" --output "$conf" || return 1
	__fo_keepalived_run "$ns" "$name"
}

# __fo_keepalived_run NS NAME: keepalived in NS with NAME's configuration.
__fo_keepalived_run() {
	local ns=$1 name=$2 conf=$DP_WORK/keepalived-$2.conf

	ip netns exec "$ns" env HATCPCTL="$HATCPCTL" HATCPD="$FO_HATCPD" \
		HATCP_NOTIFY_LOG="$DP_WORK/notify-$name.log" \
		keepalived --vrrp --dont-fork --log-console --log-detail \
		--use-file "$conf" --pid "$DP_WORK/ka-$name.pid" \
		--vrrp_pid "$DP_WORK/ka-$name-vrrp.pid" \
		>>"$DP_WORK/keepalived-$name.log" 2>&1 &
	hatcp_bg $!
}

fo_migrate() {
	ip netns exec "$1" env HATCPCTL="$HATCPCTL" \
		"$FO_KEEPALIVED_DIR/hatcp-migrate" --yield-file "$DP_WORK/yield-$2" \
		--timeout 20 >>"$DP_WORK/migrate-$2.log" 2>&1
}

fo_pair_up() {
	fo_topology && fo_hatcp_up "$DP_PORT" && dp_servers_start || return 1
	fo_keepalived_start "$DP_PRI" pri "$DP_PRI_ADDR" "$DP_REP_ADDR" 200
	fo_keepalived_start "$DP_REP" rep "$DP_REP_ADDR" "$DP_PRI_ADDR" 100
}

fo_start_pair() {
	local what="keepalived made pri the primary (VIP on its LAN), rep the replica"

	fo_pair_up || { ktap_fail "setup"; ktap_finish; }
	if wait_for 30 fo_serving "$DP_PRI" "$DP_REP" && dp_peer_wait 10; then
		ktap_ok "$what"
		return
	fi
	ktap_fail "$what"
	echo "# roles: pri $(fo_role "$DP_PRI"), rep $(fo_role "$DP_REP")"
	tail -n 5 "$DP_WORK"/keepalived-*.log | sed 's/^/#   /'
}

fo_serving() {
	[ "$(fo_role "$1")" = primary ] && fo_vip_on "$1" &&
		[ "$(fo_role "$2")" = replica ] && ! fo_vip_on "$2"
}

fo_role() {
	ctl "$1" role show 2>/dev/null | awk '{print $NF}'
}

fo_vip_on() {
	ip -n "$1" -br addr show dev "$DP_LAN_DEV" | grep -qw "$DP_VIP/32"
}

fo_stands_aside() {
	[ "$(cat "$DP_WORK/yield-$1" 2>/dev/null)" = 253 ]
}

fo_crash() {
	# Links first: a dead node sends nothing more, not even the FINs the
	# kernel sends for the sockets of killed processes. Both at once, from
	# one process: one down before the other (a fork apart, ~0.1 s on the
	# emulated CPU) lets the peer hear heartbeats after VRRP fell silent,
	# which no real crash does, and lets the dying node's keepalived act.
	printf 'link set %s down\nlink set %s down\n' "$DP_LAN_DEV" "$DP_CHAN_DEV" |
		ip -n "$1" -batch -
	ip netns pids "$1" | xargs -r kill -9
	# Its packet captures too, as a real crash would.
	captures_node_down "$1"
}

__fo_is_replica() {
	[ "$(fo_role "$1")" = replica ]
}

# fo_node NAME: pri or rep's namespace, LAN and channel addresses, the
# peer's, and its VRRP priority, as FO_NS FO_LAN FO_CHAN FO_PEER_LAN
# FO_PEER_CHAN FO_PRIO.
fo_node() {
	if [ "$1" = pri ]; then
		FO_NS=$DP_PRI FO_LAN=$DP_PRI_ADDR FO_CHAN=$DP_CHAN_PRI FO_PRIO=200
		FO_PEER_LAN=$DP_REP_ADDR FO_PEER_CHAN=$DP_CHAN_REP
	else
		FO_NS=$DP_REP FO_LAN=$DP_REP_ADDR FO_CHAN=$DP_CHAN_REP FO_PRIO=100
		FO_PEER_LAN=$DP_PRI_ADDR FO_PEER_CHAN=$DP_CHAN_PRI
	fi
}

fo_return() {
	local name=$1 rc=0

	shift
	fo_node "$name"
	fo_hatcpd_start "$FO_NS" "$name" "$FO_CHAN" "$FO_PEER_CHAN" "$@"
	wait_for 20 __fo_is_replica "$FO_NS" || rc=1
	ip -n "$FO_NS" link set "$DP_LAN_DEV" up
	ip -n "$FO_NS" link set "$DP_CHAN_DEV" up
	# Its captures come back with it (dp_topology's, lib.sh): a tcpdump
	# cannot bind a device that is down, so only now.
	[ "$HATCP_CAPTURES" = 0 ] ||
		captures_start "$FO_NS" "$DP_LAN_DEV" "$DP_CHAN_DEV" any || rc=1
	return $rc
}

fo_keepalived_back() {
	fo_node "$1"
	# As after a reboot: no pid file of the killed keepalived is left,
	# and its configuration file is where it was.
	rm -f "$DP_WORK/ka-$1.pid" "$DP_WORK/ka-$1-vrrp.pid"
	if [ -s "$DP_WORK/keepalived-$1.conf" ]; then
		__fo_keepalived_run "$FO_NS" "$1"
	else
		fo_keepalived_start "$FO_NS" "$1" "$FO_LAN" "$FO_PEER_LAN" "$FO_PRIO"
	fi
}

fo_pri_return() {
	local rc=0

	fo_return pri || rc=1
	ip netns exec "$DP_PRI" hatcp-echod --listen "$DP_VIP:$DP_PORT" \
		--stats "$DP_WORK/echod-pri-back.jsonl" >/dev/null 2>&1 &
	hatcp_bg $!
	fo_keepalived_back pri
	return $rc
}

fo_pauses() {
	/usr/bin/python3 "$HATCP_TOP/selftests/pauses.py" "$@"
}

fo_client_s() {
	/usr/bin/python3 -c 'import json, sys
print(round(float(sys.argv[2]) - json.load(open(sys.argv[1]))["started_at_s"], 3))' "$1" "$2"
}
