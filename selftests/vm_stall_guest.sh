#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of test_vm_stall.py, not a selftest of its own (so not
# executable; the host runs it with bash): protected connections run
# while the host stops the whole guest for longer than the channel's dead
# time, as a hypervisor does to a VM it deschedules. When the guest runs
# again its timers fire before its receive path has caught up; neither
# node may take the other for dead, and the connections stay protected.
#
# Handshake with the host, in $HATCP_LAB_OUT: this script writes
# stall.ready once the connections run; the host stops and resumes the
# guest, then writes stall.done.

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 7	# + packet captures (lib.sh)

CONNS=10
out=${HATCP_LAB_OUT:?run by test_vm_stall.py}
rm -f "$out/stall.ready" "$out/stall.done"

dp_topology && dp_hatcp_up && dp_servers_start || { ktap_fail "setup"; ktap_finish; }
dp_verify --timeout 300 --conns "$CONNS" --rr 600 --chunk 1k --stall-ms 300 \
	>"$DP_WORK/verify.json" &
client=$!
# The longest gap the guest's own monotonic clock shows between wakeups
# 20 ms apart, while the host stops it: the stall as the guest lived it.
# The host may stop the guest only once this watch runs (gap.watching):
# python can take seconds to start on a busy TCG guest, and a stall
# before its first reading goes unseen.
watch_t0=$(date +%s.%N)
/usr/bin/python3 - "$out/stall.done" "$DP_WORK/gap" <<'PY' &
import os, sys, time
last, gap = time.monotonic(), 0.0
open(sys.argv[2] + ".tmp", "w").write(f"{time.time():.3f}")
os.replace(sys.argv[2] + ".tmp", sys.argv[2] + ".watching")   # whole, or not there
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
    now = time.monotonic()
    gap, last = max(gap, now - last), now
open(sys.argv[2], "w").write(str(round(gap * 1000)))
PY
gap_pid=$!
sleep 3
if ! wait_for 60 test -e "$DP_WORK/gap.watching"; then
	# Let the host go on, so that it does not wait for stall.ready in vain.
	touch "$out/stall.ready"
	ktap_fail "the guest's clock watch never started"
	ktap_finish
fi
echo "# the clock watch started $(awk -v a="$watch_t0" '{ printf "%.2f", $1 - a }' \
	"$DP_WORK/gap.watching") s after its launch"
echo "# flows protected before the stall: $(hatcp_stat "$DP_PRI" flows_protected)"
touch "$out/stall.ready"
wait_for 120 test -e "$out/stall.done"
wait $gap_pid
gap=$(cat "$DP_WORK/gap" 2>/dev/null || echo 0)
clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
check "the guest was stopped for over twice the dead time (its $clock clock jumped $gap ms)" \
	test "$gap" -ge 700
echo "# the host stopped the guest for $(cat "$out/stall.done") ms"
wait $client
verdict=$(verdict_of "$DP_WORK/verify.json")
check_eq "every connection completed byte-exact" "pass $CONNS " "$verdict"
check_eq "neither node took the other for dead (peer_lost on pri, rep)" "0 0" \
	"$(hatcp_stat "$DP_PRI" peer_lost) $(hatcp_stat "$DP_REP" peer_lost)"
check_eq "every connection stayed protected, no shadow aborted" "$CONNS 0 0" \
	"$(hatcp_stat "$DP_PRI" flows_protected) $(hatcp_stat "$DP_PRI" flows_unprotected) $(hatcp_stat "$DP_REP" repl_stale_aborted)"
rep_saw_all() {
	dp_digests_agree "$DP_WORK/verify.json" 2>/dev/null
}
check "the replica's server saw every byte of every connection" \
	wait_for 30 rep_saw_all
check "the module unloads clean" dp_hatcp_down
ktap_finish
