#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packet captures everywhere while hatcp replicates (issue 15: a tcpdump on
# the replica's client link panicked it, skb_under_panic, as the skbs it
# injected had no MAC header). On the data-path topology, every device of
# every namespace has a tcpdump (AF_PACKET SOCK_RAW) besides one on "any"
# (cooked) per namespace, and each namespace a python raw packet socket
# reading all its devices. Protected connections must stay byte-exact and
# protected on both nodes, and the captures must have seen the injected
# segments with a well-formed Ethernet header; the harness fails the run
# on any kernel report. Last, an unprivileged user's packet socket on its
# own veth, in its own user and network namespace, while hatcp runs.
# timeout=600

. "$(dirname "$0")/lib.sh"

require_root
command -v tcpdump >/dev/null || skip_all "tcpdump missing"
ktap_plan 16	# the last: every tap ran to the end (lib.sh)

CHAN_PORT=7471		# the channel's UDP port (hatcpctl's default)
READ_MAX_S=500		# the python readers stop by then whatever happens
HATCP_CAPTURE_DIR=$(mktemp -d) || exit $KSFT_FAIL
__hatcp_dirs+=("$HATCP_CAPTURE_DIR")

dp_topology || { ktap_fail "topology"; ktap_finish; }

# The rest of every namespace's devices (dp_topology tapped the client
# links, the channel and "any"), and a python reader per namespace.
declare -A READER
taps_everywhere() {
	local ns dev role

	for ns in "$DP_LAN" "$DP_CLI" "$DP_PRI" "$DP_REP"; do
		for dev in $(ip -n "$ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
			case " $DP_LAN_DEV $DP_CHAN_DEV " in
			*" $dev "*) [ "$ns" = "$DP_LAN" ] || continue ;;
			esac
			captures_start "$ns" "$dev" || return 1
		done
		role=${ns#"$HATCP_NS_PREFIX"}
		READER[$role]=$DP_WORK/pkt-$role.json
		ip netns exec "$ns" /usr/bin/python3 "$HATCP_TOP/selftests/pktcount.py" \
			"$DP_PORT" "$CHAN_PORT" "${READER[$role]}" "$DP_WORK/pkt-$role.ready" \
			"$READ_MAX_S" 2>"$DP_WORK/pkt-$role.err" &
		READER[$role.pid]=$!
		hatcp_bg $!
	done
	for role in lan cli pri rep; do
		wait_for 30 test -s "$DP_WORK/pkt-$role.ready" || return 1
	done
}
if taps_everywhere; then
	ktap_ok "a tcpdump on each device of every namespace ($__cap_total in all), a packet socket reader in each"
else
	ktap_fail "a tcpdump on each device of every namespace, a packet socket reader in each"
	tail -n 3 "$DP_WORK"/capture-*.err "$DP_WORK"/pkt-*.err 2>/dev/null | sed 's/^/#   /'
	ktap_finish
fi

if ! dp_hatcp_up "$DP_PORT" || ! dp_servers_start "$DP_PORT"; then
	ktap_fail "hatcp up, servers"
	ktap_finish
fi

# A connection left open, for hatcpctl flows on both nodes.
ip netns exec "$DP_CLI" /usr/bin/python3 - "$DP_VIP" "$DP_PORT" "$DP_WORK/open.port" <<'PY' &
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"x" * 65536)
got = 0
while got < 65536:
    got += len(s.recv(65536))
open(sys.argv[3], "w").write(str(s.getsockname()[1]))
time.sleep(300)
PY
hatcp_bg $!
wait_for 60 test -s "$DP_WORK/open.port"
cport=$(cat "$DP_WORK/open.port" 2>/dev/null)
# protected NS: NS's flow of the open connection says protected.
# shellcheck disable=SC2317 # called through check and wait_for
protected() {
	[ "$(json_get "$(ctl "$1" -j flows)" \
		"[f['protected'] for f in j if f['saddr'] == '$DP_CLI_ADDR' and f['sport'] == ${cport:-0}]")" = "[True]" ]
}
check "an open connection's flow is protected on the primary" wait_for 30 protected "$DP_PRI"
check "... and on the replica" wait_for 30 protected "$DP_REP"

# transfer DESC ARGS...: checked by hatcp-verify, digests equal on the
# client, the primary and the replica.
transfer() {
	local desc=$1 out=$DP_WORK/verify-$__ktap_n.json
	shift
	if ! dp_verify --timeout 300 "$@" >"$out"; then
		ktap_fail "$desc: client"
		cut -c1-400 "$out" | head -5 | sed 's/^/#   /'
		return
	fi
	wait_for 120 dp_digests_agree "$out" 2>/dev/null
	local failed=$__ktap_fail
	check "$desc: every byte, digests equal on client, primary and replica" \
		dp_digests_agree "$out"
	[ "$__ktap_fail" = "$failed" ] || why_unprotected
}
# why_unprotected: what both nodes counted (non-zero), for a failure.
why_unprotected() {
	echo "#   primary: $(ctl "$DP_PRI" -j stats | tr -d '{}"' | tr ',' '\n' | grep -v ': *0$' | tr '\n' ' ')"
	echo "#   replica: $(ctl "$DP_REP" -j stats | tr -d '{}"' | tr ',' '\n' | grep -v ': *0$' | tr '\n' ' ')"
}
transfer "8 connections at once, 1 MB each" --conns 8 --bytes 1M
transfer "16 MB on one connection" --bytes 16M
check "40 short connections opened and closed" \
	dp_verify --timeout 300 --connect-only 40 --bytes 1k
failed=$__ktap_fail
check_eq "no flow was left unprotected" 0 "$(hatcp_stat "$DP_PRI" flows_unprotected)"
[ "$__ktap_fail" = "$failed" ] || why_unprotected

# The tcpdumps' files, read while they run (-U writes each packet).
svc_frames() {
	tcpdump -r "$(capture_file "$1" "$2")" -n "tcp dst port $DP_PORT" 2>/dev/null | wc -l
}
check "tcpdump on the replica's client link captured the injected segments" \
	test "$(svc_frames "$DP_REP" "$DP_LAN_DEV")" -gt 0
check "tcpdump -i any (cooked) on the replica captured them too" \
	test "$(svc_frames "$DP_REP" any)" -gt 0

# Stop the readers: each writes its counts.
for role in lan cli pri rep; do
	kill -TERM "${READER[$role.pid]}" 2>/dev/null
done
for role in lan cli pri rep; do
	wait_for 30 test -s "${READER[$role]}"
done
# count ROLE DEV FIELD: the reader's count (-1 if it wrote none).
count() {
	json_get "$(cat "${READER[$1]}" 2>/dev/null || echo '{}')" \
		"j.get('$2', {}).get('$3', -1)"
}
echo "# replica $DP_LAN_DEV reader: $(count rep "$DP_LAN_DEV" frames) frames," \
	"$(count rep "$DP_LAN_DEV" svc_in) to the service port," \
	"$(count rep "$DP_LAN_DEV" svc_in_own) of them from its own MAC"
check "the replica's packet socket saw the injected segments on $DP_LAN_DEV (IPv4 in Ethernet, source its own MAC)" \
	test "$(count rep "$DP_LAN_DEV" svc_in_own)" -gt 0
check "the primary's packet socket saw the client's segments on $DP_LAN_DEV" \
	test "$(count pri "$DP_LAN_DEV" svc_in)" -gt 0
check "the channel was seen on both ends ($DP_CHAN_DEV, UDP $CHAN_PORT)" \
	test "$(count pri "$DP_CHAN_DEV" chan)" -gt 0 -a "$(count rep "$DP_CHAN_DEV" chan)" -gt 0
# bad_frames: every device of every namespace, frames whose Ethernet type
# or IPv4 header does not parse (a missing MAC header shows as 0x0a00).
bad_frames() {
	/usr/bin/python3 -c 'import json, sys
bad = []
for f in sys.argv[1:]:
    for dev, d in json.load(open(f)).items():
        if d["bad_ip"] or d["other_type"]:
            bad.append("%s %s: %d bad IPv4, %d other type, e.g. %s" % (
                f.rsplit("/", 1)[1], dev, d["bad_ip"], d["other_type"], d["examples"]))
print("\n".join(bad))' "${READER[lan]}" "${READER[cli]}" "${READER[pri]}" "${READER[rep]}"
}
check_eq "no frame on any device had a malformed Ethernet or IPv4 header" "" "$(bad_frames 2>&1)"

# An unprivileged user's own user and network namespace, a veth pair in
# it and packet sockets on both, while a protected transfer runs.
if setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n true 2>/dev/null; then
	dp_verify --timeout 300 --conns 2 --bytes 4M >"$DP_WORK/verify-userns.json" &
	client=$!
	got=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -r -n sh -c \
		"ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up &&
		 /usr/bin/python3 $HATCP_TOP/selftests/pktcount.py pair v0 v1" 2>&1)
	wait $client
	check_eq "unprivileged user: its packet socket on its own veth saw its 10 frames" 10 "$got"
	check_eq "... while 2 protected connections ran byte-exact" "pass 2 " \
		"$(verdict_of "$DP_WORK/verify-userns.json")"
else
	ktap_ok "# SKIP unprivileged user namespaces disabled"
	ktap_ok "# SKIP unprivileged user namespaces disabled"
fi

ktap_finish
