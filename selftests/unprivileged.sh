#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every command, reads included, needs CAP_NET_ADMIN in the initial user
# namespace; a user namespace's root only with the userns_admin parameter.
# timeout=180

. "$(dirname "$0")/lib.sh"

require_root
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) missing"
ktap_plan 11

check "module loads" hatcp_load
ns=$(new_ns priv) || exit $KSFT_FAIL
ctl "$ns" policy add port 22

# nobody, with every capability dropped.
nobody() {
	ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$HATCPCTL" "$@"
}
denied='operation not permitted'
check_fails "unprivileged role show refused" "$denied" nobody role show
check_fails "unprivileged stats refused" "$denied" nobody stats
check_fails "unprivileged policy list refused" "$denied" nobody policy list
check_fails "unprivileged policy add refused" "$denied" nobody policy add port 23
check_fails "unprivileged promote refused" "$denied" nobody promote
check_eq "nothing changed" '[{"port":22}]' "$(ctl "$ns" policy list -j)"

# A user namespace's root is no administrator of hatcp by default, even
# of the network namespace it created (the capability must be held in the
# initial user namespace); the userns_admin parameter allows it.
param=/sys/module/hatcp/parameters/userns_admin
userns_ctl() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -U -r -n sh -c "$HATCPCTL policy add port 9 && $HATCPCTL policy list -j"
}
if unshare -U -r -n true 2>/dev/null; then
	check_eq "userns_admin is off by default" N "$(cat $param)"
	check_fails "userns root refused by default" "initial user namespace" userns_ctl
	echo 1 >$param
	check_eq "userns_admin: userns root configures its own netns" '[{"port":9}]' \
		"$(userns_ctl 2>&1)"
	echo 0 >$param
	check_eq "userns root's change stayed in its netns" '[{"port":22}]' \
		"$(ctl "$ns" policy list -j)"
else
	for _ in 1 2 3 4; do
		ktap_ok "# SKIP unprivileged user namespaces disabled"
	done
fi

ktap_finish
