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
__hatcp_netns=()

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
	echo "# Totals: pass:$((__ktap_n - __ktap_fail)) fail:$__ktap_fail"
	[ "$__ktap_fail" -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
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
new_ns() {
	local ns="$HATCP_NS_PREFIX$1"

	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	__hatcp_netns+=("$ns")
	echo "$ns"
}

cleanup_ns() {
	local ns

	for ns in "${__hatcp_netns[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	__hatcp_netns=()
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

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

trap cleanup_ns EXIT
