#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What the data path allocates for a namespace is charged to the memory
# cgroup of the process that set its role: with the replica's application
# stopped, client bytes pile up in hatcp's queue on the replica, and the
# cgroup that configured the replica is charged for them; once the
# application reads again and the queue drains, the charge goes.
# timeout=400

. "$(dirname "$0")/lib.sh"

require_root
root=/sys/fs/cgroup
grep -qw memory "$root/cgroup.controllers" 2>/dev/null ||
	skip_all "no cgroup v2 memory controller"
ktap_plan 8

echo +memory >"$root/cgroup.subtree_control"
cg=$root/hatcp-memcg-$$
mkdir "$cg"
cleanup() {
	cleanup_ns
	rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT

dp_topology || { ktap_fail "topology"; ktap_finish; }
dp_hatcp_up || { ktap_fail "hatcp up"; ktap_finish; }
dp_servers_start "$DP_PORT" || { ktap_fail "servers"; ktap_finish; }

# kib: the cgroup's memory.current in KiB.
kib() {
	echo $(($(cat "$cg/memory.current") / 1024))
}

check "the replica's role set from a process in the cgroup" \
	sh -c "echo \$\$ >$cg/cgroup.procs && exec ip netns exec $DP_REP $HATCPCTL role set replica"
base=$(kib)
rep_echod=${__dp_echod[1]}	# dp_servers_start: pri, then rep
kill -STOP "$rep_echod"
out="$DP_WORK/verify.json"
dp_verify --bytes 6M --timeout 300 >"$out" &
verify=$!
hatcp_bg $verify
# Until the client has sent everything: the primary then has it all, and
# the replica queues what its stopped application cannot take.
queued_enough() {
	[ "$(hatcp_stat "$DP_REP" queued_bytes)" -ge $((2 * 1024 * 1024)) ]
}
check "2 MiB and more queued on the replica" wait_for 120 queued_enough
queued=$(($(hatcp_stat "$DP_REP" queued_bytes) / 1024))
grown=$(($(kib) - base))
echo "# queued $queued KiB; the cgroup's charge grew by $grown KiB"
check "the cgroup is charged at least what is queued" test "$grown" -ge "$queued"
kill -CONT "$rep_echod"
wait $verify
check_eq "the client's connection: every byte" "pass 1 " "$(verdict_of "$out")"
wait_for 60 test "$(hatcp_stat "$DP_REP" queued_bytes)" -eq 0
check_eq "the queue drained" 0 "$(hatcp_stat "$DP_REP" queued_bytes)"
left=$(($(kib) - base))
echo "# after the drain the charge is $left KiB above where it began"
check "the charge went with it" test "$left" -lt $((grown / 2))
check "module unloads" hatcp_unload
ktap_finish
