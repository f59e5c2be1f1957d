#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The data-path topology of lib.sh (dp_topology) on its own, hatcp not
# loaded: client, primary and replica on one bridged LAN plus a channel
# link. The client reaches the service address (VIP) and is served by the
# primary; only the primary answers ARP for the VIP although the replica
# holds it as a local address. Then the helpers the replication tests use:
# netem on the channel, and dp_hatcp_up configuring both ends.
# timeout=300

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 19	# + packet captures (lib.sh)

# jq-less JSON field of a file holding one object.
jfield() {
	json_get "$(cat "$1")" "$2"
}

# records FILE: client addresses of the connection records in echod stats.
records() {
	/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("type") == "connection":
        print(r["client"].rsplit(":", 1)[0], r["end"], r["bytes_in"])' "$1"
}

# ok_if DESC CMD...: like check, but CMD runs in this shell (it sets
# variables, namespaces and background jobs that must outlive it).
ok_if() {
	local desc=$1

	shift
	if "$@"; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		return 1
	fi
}

netem_on_both() {
	dp_netem_channel "loss 5% duplicate 2% reorder 25% delay 2ms" &&
	tc -n "$DP_PRI" qdisc show dev "$DP_CHAN_DEV" | grep -q 'netem.*loss 5%' &&
	tc -n "$DP_REP" qdisc show dev "$DP_CHAN_DEV" | grep -q 'netem.*loss 5%' &&
	ip netns exec "$DP_PRI" ping -c 10 -i 0.1 -W 2 "$DP_CHAN_REP" |
		grep -Eq ' [1-9][0-9]* received'
}

no_netem() {
	! tc -n "$DP_PRI" qdisc show dev "$DP_CHAN_DEV" | grep -q netem &&
	! tc -n "$DP_REP" qdisc show dev "$DP_CHAN_DEV" | grep -q netem
}

hatcp_unload
check "hatcp is not loaded" eval '! hatcp_loaded'
ok_if "dp_topology builds and passes its self-check" dp_topology ||
	{ echo "Bail out! no topology"; exit $KSFT_FAIL; }
vjson=$DP_WORK/verify.json
ok_if "dp_servers_start: echod on VIP:$DP_PORT in pri and rep" dp_servers_start ||
	{ echo "Bail out! no servers"; exit $KSFT_FAIL; }

check "client -> VIP: 1 MB verified" eval 'dp_verify --bytes 1M --timeout 60 >"$vjson"'
check_eq "verdict pass" pass "$(jfield "$vjson" 'j["verdict"]')"
local_addr=$(jfield "$vjson" 'j["connections"][0]["local"]')
check_eq "the client connected from its LAN address" "$DP_CLI_ADDR" "${local_addr%:*}"
dp_servers_stop
check_eq "served by the primary's echod" "$DP_CLI_ADDR eof 1048576" \
	"$(records "$(dp_stats pri)")"
check_eq "the replica's echod saw nothing" "" "$(records "$(dp_stats rep)")"

check_eq "only the primary answers ARP for the VIP" "$DP_PRI_MAC" \
	"$(dp_arp_who_has "$DP_VIP")"
check_eq "client's neighbour entry for the VIP is the primary's MAC" \
	"$DP_PRI_MAC" \
	"$(ip -n "$DP_CLI" neigh show "$DP_VIP" dev "$DP_LAN_DEV" | awk '{print $3}')"
check_eq "replica's LAN link: arp_ignore=1 arp_announce=2" "1 2" \
	"$(ip netns exec "$DP_REP" sysctl -n "net.ipv4.conf.$DP_LAN_DEV.arp_ignore" \
		"net.ipv4.conf.$DP_LAN_DEV.arp_announce" | paste -sd ' ')"
check "VIP is local in rep" eval \
	'ip -n "$DP_REP" route get "$DP_VIP" | grep -q "^local $DP_VIP "'
check "channel link pings both ways" eval \
	'ip netns exec "$DP_PRI" ping -c 2 -i 0.2 -W 2 "$DP_CHAN_REP" &&
	 ip netns exec "$DP_REP" ping -c 2 -i 0.2 -W 2 "$DP_CHAN_PRI"'

check "dp_netem_channel: netem on both channel ends, still pings" netem_on_both
dp_netem_channel_clear
check "dp_netem_channel_clear removes it" no_netem

# The configuration helper the replication tests start from.
check "dp_hatcp_up: configured, both ends hear their peer" dp_hatcp_up
check_eq "pri: primary, peer and policy" \
	"{\"role\":\"primary\"} $DP_CHAN_PRI $DP_CHAN_REP [{\"addr\":\"$DP_VIP\",\"port\":$DP_PORT}]" \
	"$(ctl "$DP_PRI" role show -j) $(json_get "$(ctl "$DP_PRI" peer show -j)" 'j["local"] + " " + j["remote"]') $(ctl "$DP_PRI" policy list -j)"
check_eq "rep: replica, peer and policy" \
	"{\"role\":\"replica\"} $DP_CHAN_REP $DP_CHAN_PRI [{\"addr\":\"$DP_VIP\",\"port\":$DP_PORT}]" \
	"$(ctl "$DP_REP" role show -j) $(json_get "$(ctl "$DP_REP" peer show -j)" 'j["local"] + " " + j["remote"]') $(ctl "$DP_REP" policy list -j)"

ktap_finish
