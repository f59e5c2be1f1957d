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
ktap_plan 49

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

# grep rather than python: polled, and python starts slowly in a guest.
reachable() {
	ctl "$1" -j peer show | grep -q '"reachable": *true'
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

# Times come from the module's own events: a monitor per namespace,
# each line stamped (µs) as it arrives, so slow polling under a loaded
# lab does not count. A peer_reachable event follows the first accepted
# heartbeat by at most one 100 ms tick.
now_us() {
	echo "${EPOCHREALTIME/./}"
}

mon_start() {
	ip netns exec "$1" "$HATCPCTL" monitor -j | while IFS= read -r line; do
		printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"
	done >"$tmp/mon-$1" &
}

# event_us NS EVENT T0: when (µs) NS's first EVENT at or after T0 came.
event_us() {
	awk -v t0="$3" -v ev="\"$2\"" '$1 >= t0 && index($0, "\"event\":" ev) {
		print $1; exit }' "$tmp/mon-$1" 2>/dev/null | grep .
}

# reached_ms NS T0: ms from T0 (µs) to NS's first peer_reachable after it.
reached_ms() {
	local t

	t=$(event_us "$1" peer_reachable "$2") && echo $(((t - $2) / 1000))
}

# both_reached T0: both ends raised peer_reachable since T0.
both_reached() {
	reached_ms "$a" "$1" >/dev/null && reached_ms "$b" "$1" >/dev/null
}

# report_reached WHAT T0: the later end's ms from b's peer_changed (the
# peer set taking effect, without hatcpctl's start-up) after T0.
report_reached() {
	local tc ta tb

	tc=$(event_us "$b" peer_changed "$2") || tc=$2
	ta=$(reached_ms "$a" "$tc") tb=$(reached_ms "$b" "$tc")
	echo "# $1: a reachable after $ta ms, b after $tb ms" >&2
	echo $((ta > tb ? ta : tb))
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
mon_start "$a"
mon_start "$b"
sleep 0.5

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
t0=$(now_us)
ctl "$b" peer set local $B remote $A key "$key1"
check "same key: both reachable" wait_for 10 both_reached "$t0"
ms=$(report_reached "key fixed on b" "$t0")
check "same key: reachable within 1 s ($ms ms)" test "$ms" -lt 1000

# Roles, so that a heartbeat claiming "primary" would matter.
check "a primary, b replica" roles_set
check "a sees b's role: replica" wait_for 5 peer_role_is "$a" replica

# --- (a) Reflection: a's own datagrams back to a, from b's address.
s=$(hatcp_stat "$a" chan_sessions)
ip netns exec "$b" $FORGE capture $A $PORT "$tmp/hb-a" heartbeat
ip netns exec "$b" $FORGE capture $A $PORT "$tmp/hello-a" hello
r=$(hatcp_stat "$a" chan_drop_reflected)
lost=$(hatcp_stat "$a" peer_lost)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb-a" asis 3
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hello-a" asis 3
check "reflected heartbeats and HELLOs dropped as reflected" wait_for 3 delta_is "$a" chan_drop_reflected "$r" 6
n=$(hatcp_stat "$a" chan_rx)
check "after reflection: b's heartbeats still accepted" wait_for 3 rx_above "$a" $((n + 5))
# Not peer_lost: a loaded lab's stalls draw verdicts of their own.
echo "# during the reflection: a lost the peer $(delta "$a" peer_lost "$lost") time(s)"
check_eq "after reflection: same session, peer reachable, its role kept" "0 True replica" \
	"$(delta "$a" chan_sessions "$s") $(peer_field "$a" reachable) $(peer_field "$a" role)"

# --- (c) Without the key: forged heartbeat "primary", ACK_OK, fragment and
# HELLO, with b's current session id and nonces (from its HELLO), tagged
# under the all-zero key.
ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hello-b" hello
m=$(hatcp_stat "$a" chan_drop_bad_mac)
u=$(hatcp_stat "$a" chan_drop_unexpected)
st=$(hatcp_stat "$a" chan_drop_stale)
s=$(hatcp_stat "$a" chan_sessions)
rel=$(hatcp_stat "$a" seg_released)
# The session id copied (as from any captured message), the tag not.
for kind in hbprimary ackok unknownflow hello; do
	ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" $kind "$key1" zero
done
check "forgeries with the session's id fail the tag (1 + 64 + 1 + 1)" \
	wait_for 3 delta_is "$a" chan_drop_bad_mac "$m" 67
# Nothing of the key at all: the id is wrong too, so it is another session.
for kind in hbprimary ackok unknownflow; do
	ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" $kind zero
done
check "forgeries without any key are another session's (stale, 1 + 64 + 1)" \
	wait_for 3 delta_is "$a" chan_drop_stale "$st" 66
check_eq "... and change nothing: role, session, releases, reachability" "replica 0 0 0 True" \
	"$(peer_field "$a" role) $(delta "$a" chan_sessions "$s") $(delta "$a" seg_released "$rel") $(delta "$a" chan_drop_unexpected "$u") $(peer_field "$a" reachable)"
# The same fragment under the right key passes the tag (and is then
# refused for the role): the tag, not the forger, made the difference.
# A HELLO captured now: its sequence must still be ahead of b's.
ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hello-b" hello
ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" unknownflow "$key1"
check "the same forgery under the key passes the tag (chan_drop_unexpected)" \
	wait_for 3 delta_is "$a" chan_drop_unexpected "$u" 1

# --- The epoch rule, made exact with the key: a HELLO echoing a's
# current nonce, with a new nonce, from an epoch older than b's (what a
# replay of an earlier incarnation of b looks like while a keeps its
# nonce) is refused; one from a later epoch is adopted (only a holder of
# the key can make it), which breaks the channel with the real b until
# a's session goes quiet and a renews its nonce: then b is back.
s=$(hatcp_stat "$a" chan_sessions)
old=$(hatcp_stat "$a" chan_hello_old)
ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" oldhello "$key1"
check "older epoch, fresh echo: refused (hello_old)" wait_for 3 delta_is "$a" chan_hello_old "$old" 1
check_eq "... and the session stays" "0 True" "$(delta "$a" chan_sessions "$s") $(peer_field "$a" reachable)"
t0=$(now_us)
ip netns exec "$b" $FORGE forge $B $A $PORT "$tmp/hello-b" hello "$key1"
# Both ends renew on the quiet session, and crossing HELLOs may take a
# round or two more: seconds on a loaded lab, so the bound is loose.
check "later epoch, fresh echo: adopted, then the real b again" \
	wait_for 30 sessions_above "$a" $((s + 1))
# a lost b for certain (b may renew in time to never lose a).
check "... and a reaches b again" wait_for 30 reached_ms "$a" "$t0"
ms=$(reached_ms "$a" "$t0")
echo "# an impostor's session adopted: a reachable again after $ms ms"
check "... within 5 s ($ms ms)" test "$ms" -lt 5000

# --- An older incarnation of b: its HELLO echoes a's nonce, but b has
# restarted since. Refused by its epoch (or, had a renewed its nonce
# meanwhile, by its echo); the new session stays.
# b's HELLO of now: it echoes a's current nonce (the impostor made a
# renew it since the last capture).
ip netns exec "$a" $FORGE capture $B $PORT "$tmp/hello-b" hello
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
check "the old incarnation's HELLO refused (hello_old or hello_unfresh)" test $((o + f)) -ge 2
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
t0=$(now_us)
ctl "$b" peer set local $B remote $A key "$key1"
check "the real b establishes at once" wait_for 10 both_reached "$t0"
ms=$(report_reached "fresh receiver, then b's peer set" "$t0")
check "... within 1 s ($ms ms)" test "$ms" -lt 1000
stale=$(hatcp_stat "$a" chan_drop_stale)
s=$(hatcp_stat "$a" chan_sessions)
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hb-b" asis 3
ip netns exec "$b" $FORGE send $B $A $PORT "$tmp/hello-b" asis 1
check "replayed into the new session: stale" wait_for 3 delta_is "$a" chan_drop_stale "$stale" 3
check_eq "... and the session stays" "0 True" "$(delta "$a" chan_sessions "$s") $(peer_field "$a" reachable)"

# --- (f) A node restarts: b's namespace (and all its state) goes, a new
# one with the same addresses comes. a's session goes quiet, a renews
# its nonce, and the new b's first HELLOs establish a session.
# Its monitor first: a namespace lives while a process is in it.
ip netns pids "$b" | xargs -r kill
ip netns del "$b"
check "a loses the peer when b goes" wait_for 5 unreachable "$a"
# The veth goes with b's namespace, which the kernel frees later.
wait_for 10 sh -c "! ip -n '$a' link show a0 >/dev/null 2>&1"
b=$(link_ns b2 $B) || exit $KSFT_FAIL
mon_start "$b"
sleep 0.5
t0=$(now_us)
ctl "$b" peer set local $B remote $A key "$key1"
check "restarted b: both reachable" wait_for 10 both_reached "$t0"
ms=$(report_reached "b restarted (a new namespace), then its peer set" "$t0")
check "... within 1 s ($ms ms)" test "$ms" -lt 1000

# A restart faster than a's verdict: b re-set twice in a row, a keeps its
# nonce, adopts the new b by its later epoch.
lost=$(hatcp_stat "$a" peer_lost)
s=$(hatcp_stat "$a" chan_sessions)
b_reset "$key2"
t0=$(now_us)
b_reset "$key1"
check "quick restart: a adopts the new session" wait_for 5 sessions_above "$a" "$s"
check "... and b hears a" wait_for 10 reached_ms "$b" "$t0"
ms=$(reached_ms "$b" "$t0")
echo "# quick restart: b reachable $ms ms after its last re-set; a lost the peer $(delta "$a" peer_lost "$lost") time(s) meanwhile"
check "... within 1 s ($ms ms)" test "$ms" -lt 1000

check "unload with sessions up" rmmod hatcp
check_eq "no warning or leak report in dmesg" '' \
	"$(new_dmesg | grep -E 'WARNING|BUG|leaked|Oops|Call Trace' || true)"
hatcp_load
ktap_finish
