#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Failover labs: the data-path topology (lib.sh) made symmetric, with
# keepalived owning the VIP on the LAN, as an operator runs it.
#
# fo_topology              dp_topology, then both nodes alike: the VIP NOARP
#                          on a dummy (local to each, so their sockets stay),
#                          arp_ignore on lan0, and the LAN copy of the VIP
#                          left to keepalived
# fo_hatcp_up [PORT...]    hatcp on both with role replica: keepalived
#                          decides who is primary
# fo_keepalived_start NS NAME SELF PEER PRIORITY
#                          keepalived (VRRP only) in NS from our template,
#                          logs in $DP_WORK/keepalived-NAME.log, notify
#                          actions in $DP_WORK/notify-NAME.log
# fo_role NS               the node's hatcp role (primary, replica, ...)
# fo_vip_on NS             the VIP is on NS's lan0 (keepalived put it there)
# fo_crash NS              the node dies: its links go down, then every
#                          process in it is SIGKILLed (hatcp keeps its
#                          state: the kernel did not reboot)
# fo_pauses JSON CRASH_S   per connection, the stall spanning CRASH_S
#                          seconds after the client started: prints
#                          "n p50 p99 max" in ms
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FO_ADVERT=${FO_ADVERT:-0.1}
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

fo_hatcp_up() {
	local port

	hatcp_load || return 1
	ctl "$DP_PRI" peer set local "$DP_CHAN_PRI" remote "$DP_CHAN_REP" &&
	ctl "$DP_REP" peer set local "$DP_CHAN_REP" remote "$DP_CHAN_PRI" &&
	ctl "$DP_PRI" role set replica &&
	ctl "$DP_REP" role set replica || return 1
	for port in "${@:-$DP_PORT}"; do
		ctl "$DP_PRI" policy add addr "$DP_VIP" port "$port" &&
		ctl "$DP_REP" policy add addr "$DP_VIP" port "$port" || return 1
	done
}

fo_keepalived_start() {
	local ns=$1 name=$2 self=$3 peer=$4 prio=$5 conf

	conf=$DP_WORK/keepalived-$name.conf
	"$FO_KEEPALIVED_DIR/hatcp-keepalived-config" --iface "$DP_LAN_DEV" \
		--vip "$DP_VIP" --self "$self" --peer "$peer" --priority "$prio" \
		--advert "$FO_ADVERT" --node "$name" --output "$conf" || return 1
	ip netns exec "$ns" env HATCPCTL="$HATCPCTL" \
		HATCP_NOTIFY_LOG="$DP_WORK/notify-$name.log" \
		keepalived --vrrp --dont-fork --log-console --log-detail \
		--use-file "$conf" --pid "$DP_WORK/ka-$name.pid" \
		--vrrp_pid "$DP_WORK/ka-$name-vrrp.pid" \
		>"$DP_WORK/keepalived-$name.log" 2>&1 &
	hatcp_bg $!
}

fo_role() {
	ctl "$1" role show 2>/dev/null | awk '{print $NF}'
}

fo_vip_on() {
	ip -n "$1" -br addr show dev "$DP_LAN_DEV" | grep -qw "$DP_VIP/32"
}

fo_crash() {
	# Links first: a dead node sends nothing more, not even the FINs the
	# kernel sends for the sockets of killed processes.
	ip -n "$1" link set "$DP_LAN_DEV" down
	ip -n "$1" link set "$DP_CHAN_DEV" down
	ip netns pids "$1" | xargs -r kill -9
}

fo_pauses() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
crash = float(sys.argv[2])
pauses = []
for conn in report["connections"]:
    # The stall the crash began: the last receipt before it, give or
    # take the 0.5 s our clock and the client's may disagree by.
    spans = [s["gap_ms"] for s in conn["stall_events"]
             if s["at_s"] - 0.5 <= crash <= s["at_s"] + s["gap_ms"] / 1000.0]
    pauses.append(max(spans) if spans else 0)
pauses.sort()
if not pauses:
    print("0 0 0 0")
else:
    pick = lambda q: pauses[min(len(pauses) - 1, int(q * len(pauses)))]
    print(len(pauses), pick(0.5), pick(0.99), pauses[-1])
PY
}
