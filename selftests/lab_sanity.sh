#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sanity of the test lab itself: what every hatcp selftest relies on in a guest.
# Two netns joined by veth, ping, a TCP transfer checked by sha256, netem, nft,
# and module autoloading (which breaks if the guest chroots instead of switch_root).
# timeout=180

KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
ns1="lab-sanity-a-$$" ns2="lab-sanity-b-$$"
tmp=$(mktemp -d)
n=0 passed=0 failed=0

cleanup() {
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# check DESCRIPTION COMMAND...: one TAP test; the command's output goes to $tmp/out
# and is shown (as TAP comments) only on failure.
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n - $desc"
		passed=$((passed + 1))
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

in1() { ip netns exec "$ns1" "$@"; }
in2() { ip netns exec "$ns2" "$@"; }

setup_netns() {
	ip netns add "$ns1" && ip netns add "$ns2" &&
	ip link add veth1 netns "$ns1" type veth peer name veth2 netns "$ns2" &&
	in1 ip addr add 10.99.0.1/24 dev veth1 && in2 ip addr add 10.99.0.2/24 dev veth2 &&
	in1 ip link set veth1 up && in2 ip link set veth2 up &&
	in1 ip link set lo up && in2 ip link set lo up
}

ping_across() {
	in1 ping -c 2 -i 0.2 -W 2 10.99.0.2 && in2 ping -c 2 -i 0.2 -W 2 10.99.0.1
}

# Wait for a listener on port $1 in ns2 (no fixed sleeps: TCG timing varies a lot).
wait_listen() {
	local i
	for i in $(seq 100); do
		in2 ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on port $1"
	return 1
}

tcp_transfer() {
	head -c 4M /dev/urandom >"$tmp/tx" || return 1
	in2 nc -l -p 5001 >"$tmp/rx" &
	local srv=$!
	wait_listen 5001 || { kill $srv; return 1; }
	in1 nc -N 10.99.0.2 5001 <"$tmp/tx" || { kill $srv; return 1; }
	wait $srv || return 1
	local a b
	a=$(sha256sum <"$tmp/tx") b=$(sha256sum <"$tmp/rx")
	echo "sent $a"
	echo "recv $b"
	[ "$a" = "$b" ]
}

netem_delay() {
	modprobe sch_netem &&
	in1 tc qdisc add dev veth1 root netem delay 50ms &&
	in1 tc qdisc show dev veth1 | grep -q netem || return 1
	# The delay must really apply: an RTT under 50 ms means netem is not in the path.
	local rtt
	rtt=$(in1 ping -c 3 -i 0.2 -W 2 10.99.0.2 | sed -n 's|^rtt.* = \([0-9.]*\)/.*|\1|p')
	echo "min rtt ${rtt:-none} ms with 50 ms netem delay"
	[ -n "$rtt" ] && awk -v r="$rtt" 'BEGIN { exit !(r >= 50) }'
}

nft_works() {
	nft list ruleset &&
	in1 nft add table inet labsanity &&
	in1 nft add chain inet labsanity input '{ type filter hook input priority 0; }' &&
	in1 nft add rule inet labsanity input tcp dport 5002 counter drop &&
	in1 nft list ruleset | grep -q 'tcp dport 5002'
}

# Creating a bridge autoloads the bridge module through /sbin/modprobe of the root.
autoload_bridge() {
	in1 ip link add labbr0 type bridge && in1 ip -d link show labbr0 | grep -q bridge
}

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP must run as root"
	exit $KSFT_SKIP
fi
for tool in ip tc nft nc ss sha256sum modprobe; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit $KSFT_SKIP
	fi
done

echo "TAP version 13"
echo "1..6"
check "two netns joined by veth" setup_netns
check "ping across the veth, both ways" ping_across
check "4 MiB over TCP, sha256 equal" tcp_transfer
check "netem qdisc delays the veth" netem_delay
check "nft lists and loads rules" nft_works
check "module autoload (bridge) works" autoload_bridge

echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:0 error:0"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && exit $KSFT_PASS
exit $KSFT_FAIL
