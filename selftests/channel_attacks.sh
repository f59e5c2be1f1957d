#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Attacks on the replication channel's sessions, from a host on its path
# (raw sockets in the peer's namespace, with the peer's own address and
# port): a node's own datagrams sent back to it, an earlier session's
# messages replayed to a fresh receiver, an older incarnation's HELLO,
# and forged heartbeats, ACKs, fragments and HELLOs without the key. Each
# is refused and counted, and changes nothing: the session stays up, or
# the real peer establishes one as soon as it speaks. Also: a primary or
# replica needs a key unless the peer opts out (and the log says so), a
# key mismatch never becomes reachable, and how long re-establishing
# takes after a peer re-set and after a node's restart.
# timeout=300

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 43

FORGE="/usr/bin/python3 $(dirname "$0")/chanforge.py"
A=10.51.0.1
B=10.51.0.2
PORT=7471
tmp=$(mktemp -d)
key1=$(hatcp_keyfile "$tmp/key1" one)
key2=$(hatcp_keyfile "$tmp/key2" two)

# delta NS COUNTER BEFORE: how much COUNTER grew since BEFORE.
delta() {
	echo $(($(hatcp_stat "$1" "$2") - $3))
}

delta_is() {
	[ "$(delta "$1" "$2" "$3")" -eq "$4" ]
}

rx_above() {
	[ "$(hatcp_stat "$1" chan_rx)" -gt "$2" ]
}

peer_field() {
	json_get "$(ctl "$1" peer show -j)" "j.get('$2')"
}

reachable() {
	[ "$(peer_field "$1" reachable)" = True ]
}

both_reachable() {
	reachable "$a" && reachable "$b"
}

unreachable() {
	! reachable "$1"
}

peer_role_is() {
	[ "$(peer_field "$1" role)" = "$2" ]
}

sessions_above() {
	[ "$(hatcp_stat "$1" chan_sessions)" -gt "$2" ]
}

keyed_primary() {
	ctl "$a" peer set local $A remote $B key "$key1" && ctl "$a" role set primary
}

keyed_standalone() {
	ctl "$a" role set standalone && ctl "$a" peer set local $A remote $B key "$key1"
}

roles_set() {
	ctl "$a" role set primary && ctl "$b" role set replica
}

# b_reset KEY...: b's peer set with each KEY in turn, back to back.
b_reset() {
	local k

	for k in "$@"; do
		ctl "$b" peer set local $B remote $A key "$k" || return 1
	done
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

dmesg_mark=$(dmesg | wc -l)
new_dmesg() {
	dmesg | tail -n +"$((dmesg_mark + 1))"
}

# link_ns NAME ADDR: namespace NAME joined to a by a veth (a's end a0).
link_ns() {
	local ns

	ns=$(new_ns "$1") || return 1
	ip link add a0 netns "$a" type veth peer name b0 netns "$ns" &&
	ip -n "$a" addr add $A/24 dev a0 &&
	ip -n "$ns" addr add "$2/24" dev b0 &&
	ip -n "$a" link set a0 up &&
	ip -n "$ns" link set b0 up &&
	echo "$ns"
}

hatcp_load || exit $KSFT_FAIL
a=$(new_ns a) || exit $KSFT_FAIL
b=$(link_ns b $B) || exit $KSFT_FAIL
trap 'cleanup_ns; rm -rf "$tmp"' EXIT

# --- (d) A primary or replica needs a key, or a loud opt-out.
check "unkeyed peer set while standalone" ctl "$a" peer set local $A remote $B
check_fails "role primary refused with an unkeyed peer" \
	'needs a channel key.*for lab use only.*insecure-no-key' ctl "$a" role set primary
check "keyed peer, then role primary" keyed_primary
check_fails "an unkeyed peer refused while primary" 'needs a channel key' \
	ctl "$a" peer set local $A remote $B
check_fails "key and insecure-no-key refused together" 'exclude each other' \
	ctl "$a" peer set local $A remote $B key "$key1" insecure-no-key
check "unkeyed peer accepted while primary with insecure-no-key" \
	ctl "$a" peer set local $A remote $B insecure-no-key
check_eq "peer show says insecure_no_key, not keyed" "True False" \
	"$(json_get "$(ctl "$a" peer show -j)" 'j.get("insecure_no_key"), j["keyed"]' | tr -d "(),'")"
check "the kernel log warns of the insecure channel" \
	sh -c "dmesg | tail -n +$((dmesg_mark + 1)) | grep -q 'INSECURE channel to $B'"
check "back to standalone and keyed" keyed_standalone
check_eq "peer show no longer says insecure_no_key" "None True" \
	"$(json_get "$(ctl "$a" peer show -j)" 'j.get("insecure_no_key"), j["keyed"]' | tr -d "(),'")"

# --- (e) Another key: never a session, never reachable.
s=$(hatcp_stat "$a" chan_sessions)
m=$(hatcp_stat "$a" chan_drop_bad_mac)
ctl "$b" peer set local $B remote $A key "$key2"
sleep 2
check_eq "key mismatch: no session in 2 s" 0 "$(delta "$a" chan_sessions "$s")"
check "key mismatch: b's HELLOs fail the tag on a (bad_mac grew by $(delta "$a" chan_drop_bad_mac "$m"))" \
	test "$(delta "$a" chan_drop_bad_mac "$m")" -ge 5
check "key mismatch: never reachable" unreachable "$a"
t0=$(now_ms)
ctl "$b" peer set local $B remote $A key "$key1"
check "same key: both reachable" wait_for 5 both_reachable
ms=$(($(now_ms) - t0))
echo "# same key: both ends reachable $ms ms after b's key was fixed"
check "same key: reachable within 2 s ($ms ms)" test $ms -lt 2000

# Roles, so that a heartbeat claiming "primary" would matter.
check "a primary, b replica" roles_set
check "a sees b's role: replica" wait_for 5 peer_role_is "$a" replica

# --- (a) Reflection: a's own datagrams back to a, from b's address.
ip netns exec "$b" $FORGE capture $A $PORT "$tmp/hb-a" heartbeat
ip netns exec "$b" $FORGE capture $A $PORT "$tmp/hello-a" hello
s=$(hatcp_stat "$a" chan_sessions)
r=$(hatcp_stat "$a" chan_drop_reflected)
lost=$(hatcp_stat "$a" peer_lost)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb-a" asis 3
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hello-a" asis 3
check "reflected heartbeats and HELLOs dropped as reflected" wait_for 3 delta_is "$a" chan_drop_reflected "$r" 6
n=$(hatcp_stat "$a" chan_rx)
check "after reflection: b's heartbeats still accepted" wait_for 3 rx_above "$a" $((n + 5))
check_eq "after reflection: same session, peer never lost" "0 0 True replica" \
	"$(delta "$a" chan_sessions "$s") $(delta "$a" peer_lost "$lost") $(peer_field "$a" reachable) $(peer_field "$a" role)"

# --- (c) Without the key: forged heartbeat "primary", ACK_OK, fragment and
# HELLO, with b's current session id and nonces (from its HELLO), tagged
# under the all-zero key.
ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hello-b" hello
m=$(hatcp_stat "$a" chan_drop_bad_mac)
u=$(hatcp_stat "$a" chan_drop_unexpected)
s=$(hatcp_stat "$a" chan_sessions)
rel=$(hatcp_stat "$a" seg_released)
for kind in hbprimary ackok unknownflow hello; do
	ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" $kind
done
check "unkeyed forgeries fail the tag (1 + 64 + 1 + 1)" wait_for 3 delta_is "$a" chan_drop_bad_mac "$m" 67
check_eq "... and change nothing: role, session, releases, reachability" "replica 0 0 0 True" \
	"$(peer_field "$a" role) $(delta "$a" chan_sessions "$s") $(delta "$a" seg_released "$rel") $(delta "$a" chan_drop_unexpected "$u") $(peer_field "$a" reachable)"
# The same fragment under the right key passes the tag (and is then
# refused for the role): the tag, not the forger, made the difference.
ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" unknownflow "$key1"
check "the same forgery under the key passes the tag (chan_drop_unexpected)" \
	wait_for 3 delta_is "$a" chan_drop_unexpected "$u" 1

# --- An older incarnation of b: its HELLO echoes a's nonce, but b has
# restarted since. Refused by its epoch (or, had a renewed its nonce
# meanwhile, by its echo); the new session stays.
s=$(hatcp_stat "$a" chan_sessions)
ctl "$b" role set standalone
b_reset "$key2" "$key1"
check "b re-set: a adopts b's new session" wait_for 5 sessions_above "$a" "$s"
check "and both are reachable again" wait_for 5 both_reachable
s=$(hatcp_stat "$a" chan_sessions)
old=$(hatcp_stat "$a" chan_hello_old)
unfresh=$(hatcp_stat "$a" chan_hello_unfresh)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hello-b" asis 2
sleep 0.5
o=$(delta "$a" chan_hello_old "$old")
f=$(delta "$a" chan_hello_unfresh "$unfresh")
echo "# the old incarnation's HELLO: hello_old +$o, hello_unfresh +$f"
check "the old incarnation's HELLO refused (hello_old or hello_unfresh)" test $((o + f)) -eq 2
n=$(hatcp_stat "$a" chan_rx)
check_eq "... the session stays" "0 True" "$(delta "$a" chan_sessions "$s") $(peer_field "$a" reachable)"
check "... and carries b's heartbeats" wait_for 3 rx_above "$a" $((n + 5))

# --- (b) A fresh receiver (a's peer re-set) and a replayed earlier
# session, while b is silent: refused; then the real b establishes.
ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hb-b" heartbeat
ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hello-b" hello
ctl "$b" peer del
ctl "$a" role set standalone
ctl "$a" peer del
ctl "$a" peer set local $A remote $B key "$key1"
s=$(hatcp_stat "$a" chan_sessions)
unfresh=$(hatcp_stat "$a" chan_hello_unfresh)
nos=$(hatcp_stat "$a" chan_drop_no_session)
n=$(hatcp_stat "$a" chan_rx)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hello-b" asis 1
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb-b" asis 3
check "fresh receiver: the old HELLO is not fresh (hello_unfresh)" wait_for 3 delta_is "$a" chan_hello_unfresh "$unfresh" 1
check "fresh receiver: old heartbeats have no session (no_session)" wait_for 3 delta_is "$a" chan_drop_no_session "$nos" 3
sleep 1
check_eq "fresh receiver: nothing accepted, no session, unreachable" "0 0 False" \
	"$(delta "$a" chan_rx "$n") $(delta "$a" chan_sessions "$s") $(peer_field "$a" reachable)"
t0=$(now_ms)
ctl "$b" peer set local $B remote $A key "$key1"
check "the real b establishes at once" wait_for 5 both_reachable
ms=$(($(now_ms) - t0))
echo "# after a peer re-set: both ends reachable $ms ms after b's peer set"
check "... within 2 s ($ms ms)" test $ms -lt 2000
stale=$(hatcp_stat "$a" chan_drop_stale)
s=$(hatcp_stat "$a" chan_sessions)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb-b" asis 3
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hello-b" asis 1
check "replayed into the new session: stale" wait_for 3 delta_is "$a" chan_drop_stale "$stale" 3
check_eq "... and the session stays" "0 True" "$(delta "$a" chan_sessions "$s") $(peer_field "$a" reachable)"

# --- (f) A node restarts: b's namespace (and all its state) goes, a new
# one with the same addresses comes. a's session goes quiet, a renews
# its nonce, and the new b's first HELLOs establish a session.
ip netns del "$b"
check "a loses the peer when b goes" wait_for 5 unreachable "$a"
# The veth goes with b's namespace, which the kernel frees later.
wait_for 10 sh -c "! ip -n '$a' link show a0 >/dev/null 2>&1"
b=$(link_ns b2 $B) || exit $KSFT_FAIL
t0=$(now_ms)
ctl "$b" peer set local $B remote $A key "$key1"
check "restarted b: both reachable" wait_for 5 both_reachable
ms=$(($(now_ms) - t0))
echo "# after b's restart: both ends reachable $ms ms after its peer set"
check "... within 2 s ($ms ms)" test $ms -lt 2000

# A restart faster than a's verdict: b re-set twice in a row, a keeps its
# nonce, adopts the new b by its later epoch.
lost=$(hatcp_stat "$a" peer_lost)
s=$(hatcp_stat "$a" chan_sessions)
t0=$(now_ms)
b_reset "$key2" "$key1"
check "quick restart: a adopts the new session" wait_for 5 sessions_above "$a" "$s"
check "... and b hears a" wait_for 5 reachable "$b"
ms=$(($(now_ms) - t0))
echo "# quick restart: b reachable again $ms ms after its re-set; a lost the peer $(delta "$a" peer_lost "$lost") time(s)"
check "... within 2 s ($ms ms)" test $ms -lt 2000

check "unload with sessions up" rmmod hatcp
check_eq "no warning or leak report in dmesg" '' \
	"$(new_dmesg | grep -E 'WARNING|BUG|leaked|Oops|Call Trace' || true)"
hatcp_load
ktap_finish
