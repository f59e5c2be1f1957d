#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hatcpd under a real systemd: a container (systemd-nspawn --boot, its own
# network namespace) on an overlay of the guest's root runs the units as
# shipped. Type=notify start with STATUS, journal logging with
# priorities, `systemctl reload` applying a difference and refusing a bad
# file, the watchdog restarting a hung hatcpd, hatcpd@NS in a namespace of
# its own and restarted into it when the namespace is recreated, and stop
# leaving the module configured.
# timeout=300

. "$(dirname "$0")/lib.sh"

require_root
command -v systemd-nspawn >/dev/null || { echo "# systemd-nspawn missing (apt-get install systemd-container)"; exit $KSFT_FAIL; }
BUILD=$HATCP_TOP/build/userspace/hatcpd
DIST=$HATCP_TOP/userspace/hatcpd/dist
[ -x "$BUILD/hatcpd" ] || { echo "# no hatcpd in $BUILD: build first"; exit $KSFT_FAIL; }

ktap_plan 23

hatcp_unload
hatcp_load || { echo "# cannot load hatcp"; exit $KSFT_FAIL; }
R=$(hatcp_tmpdir)
root=$R/root
mkdir -p "$R/upper" "$R/work" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$R/upper,workdir=$R/work" "$root" ||
	{ echo "# cannot mount an overlay of /"; exit $KSFT_FAIL; }

# What the package would install, from this tree's build.
cp "$BUILD/hatcpd" "$BUILD/hatcpctl" "$root/usr/sbin/"
cp "$DIST/hatcpd.service" "$DIST/hatcpd@.service" "$root/etc/systemd/system/"
mkdir -p "$root/etc/hatcp" "$root/etc/systemd/system/hatcpd.service.d"
# A short watchdog, so that the test sees it bite.
printf '[Service]\nWatchdogSec=3\nRestartSec=1\n' >"$root/etc/systemd/system/hatcpd.service.d/test.conf"
printf 'role = "standalone"\n[[service]]\nports = [7000]\n' >"$root/etc/hatcp/hatcpd.toml"
printf 'role = "standalone"\n[[service]]\naddress = "10.9.9.9"\nports = [8000]\n[metrics]\nlisten = ""\n' \
	>"$root/etc/hatcp/blue.toml"
echo hatcp-systemd >"$root/etc/hostname"

systemd-nspawn -D "$root" --register=no --keep-unit --link-journal=no \
	--uuid="$(cat /proc/sys/kernel/random/uuid)" --private-network --boot \
	--console=passive >"$R/nspawn.log" 2>&1 &
nspawn=$!
# The container powers off on SIGTERM to nspawn; then the overlay is free.
trap 'kill $nspawn 2>/dev/null; wait $nspawn 2>/dev/null; cleanup_ns; umount -R "$root" 2>/dev/null; hatcp_unload' EXIT

leader=''
find_leader() { leader=$(ps -o pid= --ppid "$nspawn" | head -n 1 | tr -d ' '); [ -n "$leader" ]; }
wait_for 30 find_leader || { echo "# container did not start:"; sed 's/^/#   /' "$R/nspawn.log"; exit $KSFT_FAIL; }
c() { nsenter -t "$leader" -a "$@"; }
booted() { case $(c systemctl is-system-running 2>/dev/null) in running|degraded) return 0 ;; esac; return 1; }
check "systemd boots in the container" wait_for 120 booted
prop() { c systemctl show -P "$2" "$1"; }
journal() { c journalctl -u "$1" -o cat --no-pager "${@:2}"; }
health_is() { c /usr/sbin/hatcpd --health >/dev/null; [ $? -eq "$1" ]; }

# ---- start: Type=notify ----------------------------------------------------
check "systemctl start hatcpd (Type=notify: returns once READY=1)" c systemctl start hatcpd
check_eq "active (running)" "active running" "$(prop hatcpd ActiveState) $(prop hatcpd SubState)"
check_eq "STATUS= reaches systemd" "configuration applied, 1 policies" "$(prop hatcpd StatusText)"
check_eq "the policy is applied in the container's namespace" '[{"port":7000}]' "$(c hatcpctl -j policy list)"
check "health check: healthy" health_is 0
journal_has() { journal hatcpd | grep -qx "$1"; }
check "the journal has hatcpd's lines" journal_has 'applied: policy added: port 7000'

# ---- reload ---------------------------------------------------------------
pid=$(prop hatcpd MainPID)
printf 'role = "standalone"\n[[service]]\nports = [7000, 7001]\n' >"$root/etc/hatcp/hatcpd.toml"
check "systemctl reload applies a changed file" c systemctl reload hatcpd
check_eq "only the new port was added" '[{"port":7000},{"port":7001}]' \
	"$(c hatcpctl -j policy list | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin), key=lambda p: p["port"]), separators=(",", ":")))')"
check_eq "same process, no restart" "$pid 0" "$(prop hatcpd MainPID) $(prop hatcpd NRestarts)"
printf 'role = "standalone"\n[[service]]\nports = [7000, "x"]\n' >"$root/etc/hatcp/hatcpd.toml"
check "systemctl reload refuses a bad file (ExecReload --check)" eval '! c systemctl reload hatcpd 2>/dev/null'
c systemctl kill -s HUP --kill-whom=main hatcpd
refused() { journal hatcpd -p err | grep -q "reload refused, running configuration unchanged: /etc/hatcp/hatcpd.toml:3:16: service\[1\].ports\[2\]: must be an integer, not a string"; }
check "SIGHUP with a bad file: logged at priority err with file:line:col and field" wait_for 10 refused
check_eq "info lines are not at err priority" "0" "$(journal hatcpd -p err | grep -c 'applied:')"
check_eq "the running configuration stays, hatcpd runs on" "2 active" \
	"$(c hatcpctl -j stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["policies"])') $(prop hatcpd ActiveState)"
printf 'role = "standalone"\n[[service]]\nports = [7000]\n' >"$root/etc/hatcp/hatcpd.toml"

# ---- the watchdog ---------------------------------------------------------
pid=$(prop hatcpd MainPID)
c kill -STOP "$pid"	# MainPID is a pid of the container's namespace
restarted() { [ "$(prop hatcpd NRestarts)" -ge 1 ] && [ "$(prop hatcpd ActiveState)" = active ] &&
	[ "$(prop hatcpd MainPID)" != "$pid" ]; }
check "a hung hatcpd: the watchdog (3 s) kills it and systemd restarts it" wait_for 30 restarted
watchdog_logged() { c journalctl -u hatcpd --no-pager | grep -q 'Watchdog timeout'; }
check "the watchdog is what the journal reports" watchdog_logged
check "healthy again after the restart" wait_for 10 health_is 0

# ---- hatcpd@NS ------------------------------------------------------------
c ip netns add blue
c ip -n blue link set lo up
check "systemctl start hatcpd@blue" c systemctl start hatcpd@blue
check_eq "its policy is in namespace blue" '[{"addr":"10.9.9.9","port":8000}]' "$(c ip netns exec blue hatcpctl -j policy list)"
check "ip netns exec blue hatcpd --health: healthy" c ip netns exec blue hatcpd --health
c ip netns del blue
c ip netns add blue
back() { [ "$(prop hatcpd@blue NRestarts)" -ge 1 ] && [ "$(prop hatcpd@blue ActiveState)" = active ] &&
	c ip netns exec blue hatcpctl -j policy list 2>/dev/null | grep -q 8000; }
check "namespace recreated: hatcpd@blue restarted into it and re-applied" wait_for 30 back

# ---- stop -----------------------------------------------------------------
check "systemctl stop hatcpd" c systemctl stop hatcpd
check_eq "the module keeps its configuration" '[{"port":7000}]' "$(c hatcpctl -j policy list)"
ktap_finish
