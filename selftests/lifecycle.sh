#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module unloads while configured, namespaces die while configured,
# and nothing leaks: the module counts what it allocates and WARNs at
# unload if anything is left, which the lab turns into a failure.
# timeout=300

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 13

key=$(hatcp_keyfile "$(mktemp)")
trap 'rm -f "$key"; cleanup_ns' EXIT

configure() {
	local ns=$1 port

	ctl "$ns" peer set local 10.2.0.1 remote 10.2.0.2 key "$key" &&
	ctl "$ns" role set primary &&
	for port in 80 443 8080; do
		ctl "$ns" policy add port $port || return 1
	done
}

dmesg_mark=$(dmesg | wc -l)
new_warnings() {
	dmesg | tail -n +"$((dmesg_mark + 1))" |
		grep -E 'WARNING|BUG|leaked|Oops|Call Trace' || true
}

hatcp_unload
check "module loads" hatcp_load
a=$(new_ns a) || exit $KSFT_FAIL
b=$(new_ns b) || exit $KSFT_FAIL
check "namespace a configured" configure "$a"
check "namespace b configured" configure "$b"

# A subscriber must not pin the module or break the unload.
ip netns exec "$a" "$HATCPCTL" monitor >/dev/null 2>&1 &
monitor=$!
trap 'kill $monitor 2>/dev/null; cleanup_ns' EXIT
sleep 1

check "unload while configured and monitored" rmmod hatcp
check "monitor ends when the module goes" \
	timeout 10 sh -c "while kill -0 $monitor 2>/dev/null; do sleep 0.2; done"
check_fails "hatcpctl says the module is not loaded" 'module not loaded' \
	ctl "$a" role show

# State does not survive a reload: the namespace starts standalone again.
check "module reloads" hatcp_load
check_eq "reload starts clean" '[]' "$(ctl "$a" policy list -j)"

# Namespaces created while loaded, configured, then deleted: their state
# is freed on namespace exit, which the unload below would otherwise
# report as leaked.
check "namespace a configured again" configure "$a"
for i in 1 2 3; do
	n=$(new_ns "tmp$i") && configure "$n"
done
cleanup_ns
check "deleted namespaces' state freed before unload" \
	sh -c "sleep 2; rmmod hatcp"

# Load and unload repeatedly with namespaces alive.
a=$(new_ns again)
ok=1
for i in 1 2 3 4 5; do
	hatcp_load && configure "$a" && rmmod hatcp || ok=0
done
check_eq "five configured load/unload cycles" 1 "$ok"
check_eq "no warning or leak report in dmesg" '' "$(new_warnings)"

hatcp_load
check_eq "module left loaded for later tests" 1 "$(hatcp_loaded && echo 1)"
ktap_finish
