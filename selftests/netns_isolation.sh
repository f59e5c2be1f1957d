#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configuration is per network namespace: what one namespace sets, another
# neither sees nor changes, and its events stay in it.
# timeout=180

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 11

check "module loads" hatcp_load
a=$(new_ns a) || exit $KSFT_FAIL
b=$(new_ns b) || exit $KSFT_FAIL

events_b=$(mktemp)
key=$(hatcp_keyfile "$(mktemp)")
ip netns exec "$b" "$HATCPCTL" monitor -j >"$events_b" &
monitor=$!
trap 'kill $monitor 2>/dev/null; rm -f "$events_b" "$key"; cleanup_ns' EXIT
sleep 1

ctl "$a" peer set local 10.1.0.1 remote 10.1.0.2 key "$key"
ctl "$a" role set primary
ctl "$a" policy add addr 10.1.0.10 port 8080

check_eq "A has its policy" '[{"addr":"10.1.0.10","port":8080}]' \
	"$(ctl "$a" policy list -j)"
check_eq "B sees no policy" '[]' "$(ctl "$b" policy list -j)"
check_eq "B sees no peer" '{}' "$(ctl "$b" peer show -j)"
check_eq "B is still standalone" '{"role":"standalone"}' \
	"$(ctl "$b" role show -j)"
check_eq "B's counters are untouched" '0 0' \
	"$(json_get "$(ctl "$b" stats -j)" 'str(j["policies"]) + " " + str(j["role_changes"])')"

# The same policy may exist in both, and deleting it in B leaves A alone.
check "same policy added in B" ctl "$b" policy add addr 10.1.0.10 port 8080
check "deleted in B" ctl "$b" policy del addr 10.1.0.10 port 8080
check_eq "A keeps its policy" '1' \
	"$(json_get "$(ctl "$a" stats -j)" 'j["policies"]')"

sleep 1
kill $monitor
wait $monitor 2>/dev/null
check_eq "B's monitor saw only B's events" 'policy_added policy_deleted' \
	"$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1])))' "$events_b")"

# The init namespace is a namespace like any other.
check_eq "init namespace sees none of it" '0' \
	"$(json_get "$(hatcpctl stats -j)" 'j["policies"]')"

ktap_finish
