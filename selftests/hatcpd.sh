#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hatcpd, the service, on the data-path topology: one hatcpd per namespace
# (primary and replica) with a stand-in for systemd's notify socket. It
# applies its file, reports READY/WATCHDOG/RELOADING, logs peer and flow
# events, serves metrics that move with traffic, reloads on SIGHUP touching
# only what changed (a live flow on an unchanged service is byte-exact
# across it), refuses a bad file keeping the running configuration,
# re-applies after a module reload, answers the health check (which flips
# when hatcpd or its peer goes away), and refuses to start when critical
# sysctls differ from the peer's.
# timeout=300

HATCPCTL=${HATCPCTL:-$(cd "$(dirname "$0")/.." && pwd)/build/userspace/hatcpd/hatcpctl}
[ -x "$HATCPCTL" ] || HATCPCTL=hatcpctl
. "$(dirname "$0")/lib.sh"

HATCPD=${HATCPD:-$HATCP_TOP/build/userspace/hatcpd/hatcpd}
[ -x "$HATCPD" ] || HATCPD=hatcpd
METRICS=127.0.0.1:9471
STUB="/usr/bin/python3 $HATCP_TOP/selftests/sd_notify_stub.py"
GET="/usr/bin/python3 $HATCP_TOP/selftests/metrics_get.py"
RELOAD_PORT=7001

require_root
ktap_plan 66	# + packet captures (lib.sh)

dp_topology || { ktap_fail "topology"; ktap_finish; }
hatcp_load || { ktap_fail "module load"; ktap_finish; }
W=$DP_WORK
declare -A NS=([pri]=$DP_PRI [rep]=$DP_REP) PID=()

# config NODE [SERVICE PORTS] [EXTRA TOML]: NODE's hatcpd.toml.
config() {
	local node=$1 ports=${2:-$DP_PORT} role self remote
	if [ "$node" = pri ]; then
		role=primary self=$DP_CHAN_PRI remote=$DP_CHAN_REP
	else
		role=replica self=$DP_CHAN_REP remote=$DP_CHAN_PRI
	fi
	cat >"$W/$node.toml" <<-TOML
	# hatcpd selftest, $node
	role = "$role"

	[peer]
	local = "$self"
	remote = "$remote"
	device = "$DP_CHAN_DEV"
	key_file = "$W/channel.key"

	[[service]]
	address = "$DP_VIP"
	ports = [$ports]

	[timers]
	module_poll_ms = 200
	sysctl_start_wait_ms = 1500
	sysctl_interval_ms = 1000
	${3:-}
	TOML
}

for node in pri rep; do
	$STUB "$W/notify-$node.sock" "$W/notify-$node.log" &
	hatcp_bg $!
done

# start NODE: hatcpd in NODE's namespace (by --netns) under the stub.
start() {
	NOTIFY_SOCKET=$W/notify-$1.sock WATCHDOG_USEC=1000000 \
		"$HATCPD" --netns "${NS[$1]}" -c "$W/$1.toml" >>"$W/$1.log" 2>&1 &
	PID[$1]=$!
	hatcp_bg $!
}

stop() {
	kill "${PID[$1]}" 2>/dev/null && wait "${PID[$1]}" 2>/dev/null
}

notified() { grep -q "^pid=${PID[$1]}|.*$2" "$W/notify-$1.log"; }
notified_count() { grep -c "^pid=${PID[$1]}|$2" "$W/notify-$1.log"; }
logged() { grep -q -- "$2" "$W/$1.log"; }
health() { ip netns exec "${NS[$1]}" "$HATCPD" --health "${@:2}"; }
health_is() {
	local want=$2 got
	health "$1" "${@:3}" >/dev/null
	got=$?
	[ "$got" -eq "$want" ]
}
# keepalived's track script, as keepalived/keepalived.conf.in runs it with
# --hatcpd yes.
track() {
	ip netns exec "${NS[$1]}" env HATCPD="$HATCPD" HATCPCTL="$HATCPCTL" \
		"$HATCP_TOP/keepalived/hatcp-track" hatcpd
}
track_fails() { ! track "$1" 2>/dev/null; }
metric() { ip netns exec "${NS[$1]}" $GET "$METRICS" "$2"; }
metric_above() { [ "$(metric "$1" "$2" | cut -d. -f1)" -gt "$3" ]; }
policies() { ctl "${NS[$1]}" -j policy list; }
show_log() { tail -n "${2:-15}" "$W/$1.log" | sed 's/^/#   /'; }

# ---- configuration files -------------------------------------------------
openssl rand -hex 32 >"$W/channel.key"
config pri
config rep
check "hatcpd --check accepts the primary's file" "$HATCPD" --check "$W/pri.toml"
printf 'role = "primary"\n[peer]\nlocal = "10.0.9.1"\nremote = "10.0.9.1"\n' >"$W/bad.toml"
check_fails "hatcpd --check names file, line, field and reason" \
	"^hatcpd: $W/bad.toml:4:10: peer.remote: must differ from peer.local\$" \
	"$HATCPD" --check "$W/bad.toml"

# ---- start, apply, notify ------------------------------------------------
start rep
start pri
check "replica hatcpd: READY=1" wait_for 20 notified rep 'READY=1'
check "primary hatcpd: READY=1" wait_for 20 notified pri 'READY=1'
check_eq "primary's role applied" '{"role":"primary"}' "$(ctl "$DP_PRI" -j role show)"
check_eq "replica's role applied" '{"role":"replica"}' "$(ctl "$DP_REP" -j role show)"
check_eq "primary's policy applied" "[{\"addr\":\"$DP_VIP\",\"port\":$DP_PORT}]" "$(policies pri)"
check "peer applied, keyed, bound to $DP_CHAN_DEV" \
	sh -c "$(printf '%q ' ip netns exec "$DP_PRI" "$HATCPCTL" peer show) | grep -q '^local $DP_CHAN_PRI remote $DP_CHAN_REP dev $DP_CHAN_DEV port 7471 keyed reachable '"
check "the peers' sysctls compared and equal" wait_for 10 logged pri "peer's sysctls match ours"
check "WATCHDOG=1 every half WatchdogSec" wait_for 5 sh -c "[ \$(grep -c '^pid=${PID[pri]}|WATCHDOG=1' $W/notify-pri.log) -ge 3 ]"
check "STATUS says the configuration is applied" notified pri 'STATUS=configuration applied, 1 policies'
check "peer found is logged" wait_for 10 logged pri "peer found: peer_reachable"
check "health: healthy (exit 0)" wait_for 10 health_is pri 0
check "health line says healthy" sh -c "$(printf '%q ' ip netns exec "$DP_PRI" "$HATCPD" --health) | grep -q '^healthy: role primary, peer heard'"

# ---- metrics move with traffic ---------------------------------------------
dp_servers_start "$DP_PORT" "$RELOAD_PORT" || { ktap_fail "servers"; ktap_finish; }
protected0=$(metric pri hatcp_flows_protected_total)
replicated0=$(metric pri 'hatcp_segments_total{reason="replicated"}')
check "metrics: module loaded, configuration applied" \
	sh -c "[ \"\$($(printf '%q ' ip netns exec "$DP_PRI" $GET "$METRICS" hatcpd_module_loaded))\" = 1 ]"
check "metrics: last heartbeat under a second ago" \
	sh -c "ip netns exec $DP_PRI $GET $METRICS hatcp_peer_last_heartbeat_seconds | awk '{exit !(\$1 < 1)}'"
dp_verify --conns 4 --bytes 256k >"$W/verify-metrics.json"
check "metrics: flows_protected_total rose by the 4 connections" \
	sh -c "[ \$(( \$($(printf '%q ' ip netns exec "$DP_PRI" $GET "$METRICS" hatcp_flows_protected_total)) - $protected0 )) -eq 4 ]"
check "metrics: replicated segments rose" metric_above pri 'hatcp_segments_total{reason="replicated"}' "$replicated0"
check "metrics: the replica's page counts suppressed segments" metric_above rep 'hatcp_replica_segments_total{reason="suppressed"}' 0
check "metrics: unknown path is 404" sh -c "! ip netns exec $DP_PRI /usr/bin/python3 -c 'import urllib.request; urllib.request.urlopen(\"http://$METRICS/nope\", timeout=5)' 2>/dev/null"

# ---- SIGHUP: add a service while a flow lives on the unchanged one ---------
events_before="$(grep -c 'event: policy_deleted' "$W/pri.log") $(grep -c 'role changed' "$W/pri.log")"
dp_verify --rr 300 --chunk 1k --timeout 120 >"$W/verify-reload.json" &
verify=$!
wait_for 10 sh -c "ip netns exec $DP_CLI ss -Htn state established 'dport = :$DP_PORT' | grep -q ."
config pri "$DP_PORT, $RELOAD_PORT"
config rep "$DP_PORT, $RELOAD_PORT"
kill -HUP "${PID[pri]}" "${PID[rep]}"
check "SIGHUP: RELOADING=1, then READY=1 again" \
	wait_for 10 sh -c "grep '^pid=${PID[pri]}|' $W/notify-pri.log | grep -A9 RELOADING=1 | grep -q READY=1"
check "SIGHUP: only the new service is added" \
	wait_for 10 logged pri "applied: policy added: addr $DP_VIP port $RELOAD_PORT"
check_eq "SIGHUP: both services protected" \
	"[{\"addr\":\"$DP_VIP\",\"port\":$DP_PORT},{\"addr\":\"$DP_VIP\",\"port\":$RELOAD_PORT}]" \
	"$(ctl "$DP_PRI" -j policy list | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin), key=lambda p: p["port"]), separators=(",", ":")))')"
check_eq "SIGHUP: no policy deleted, no role change" "$events_before" \
	"$(grep -c 'event: policy_deleted' "$W/pri.log") $(grep -c 'role changed' "$W/pri.log")"
wait "$verify"
check_eq "the flow across the reload: every reply byte right (hatcp-verify exit 0)" 0 "$?"
wait_for 60 dp_digests_agree "$W/verify-reload.json" "$DP_PORT" 2>/dev/null
check "the flow across the reload: digests equal on client, primary, replica" \
	dp_digests_agree "$W/verify-reload.json" "$DP_PORT"
check "the flow across the reload stayed protected" \
	sh -c "ip netns exec $DP_PRI $GET $METRICS hatcp_flows_unprotected_total | grep -qx 0"
dp_verify --port "$RELOAD_PORT" --bytes 64k >"$W/verify-new.json"
check "the added service is replicated" wait_for 60 dp_digests_agree "$W/verify-new.json" "$RELOAD_PORT"

# ---- a bad file on SIGHUP keeps the running configuration -------------------
cp "$W/pri.toml" "$W/pri.good"
sed "s/^ports = .*/ports = [$DP_PORT, 70000]/" "$W/pri.good" >"$W/pri.toml"
kill -HUP "${PID[pri]}"
check "bad file on SIGHUP: refused with file, line and field" \
	wait_for 10 logged pri "reload refused, running configuration unchanged: $W/pri.toml:12:16: service\[1\].ports\[2\]: 70000 is out of range 1..65535"
check "bad file on SIGHUP: hatcpd runs on, configuration intact" \
	sh -c "kill -0 ${PID[pri]} && [ \"\$($(printf '%q ' ip netns exec "$DP_PRI" "$HATCPCTL" -j stats) | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"policies\"])')\" = 2 ]"
check "bad file on SIGHUP: still healthy" health_is pri 0
cp "$W/pri.good" "$W/pri.toml"

# ---- module reload --------------------------------------------------------
dp_servers_stop
rmmod hatcp
check "module gone: health unhealthy (exit 1)" wait_for 10 health_is pri 1
check "module gone: health says why" sh -c "$(printf '%q ' ip netns exec "$DP_PRI" "$HATCPD" --health) | grep -qx 'unhealthy: hatcp module not loaded'"
check "module gone: metrics say so" wait_for 5 sh -c "[ \"\$(ip netns exec $DP_PRI $GET $METRICS hatcpd_module_loaded)\" = 0 ]"
check "module gone: logged" logged pri "hatcp module unloaded; re-applying the configuration when it is back"
hatcp_load
check "module back: primary re-applied" wait_for 20 sh -c "[ \"\$($(printf '%q ' ip netns exec "$DP_PRI" "$HATCPCTL" -j role show))\" = '{\"role\":\"primary\"}' ]"
check "module back: replica re-applied" wait_for 20 sh -c "[ \"\$($(printf '%q ' ip netns exec "$DP_REP" "$HATCPCTL" -j role show))\" = '{\"role\":\"replica\"}' ]"
check "module back: both policies again" wait_for 10 sh -c "[ \"\$($(printf '%q ' ip netns exec "$DP_PRI" "$HATCPCTL" -j stats) | grep -o '\"policies\":[0-9]*')\" = '\"policies\":2' ]"
check "module back: healthy" wait_for 20 health_is pri 0

# ---- the health check flips when hatcpd or its peer goes away ----------------
stop pri
check "hatcpd stopped: health unhealthy (exit 1)" health_is pri 1
check "hatcpd stopped: keepalived's track script fails" track_fails pri
check "hatcpd stopped: the reason" sh -c "$(printf '%q ' ip netns exec "$DP_PRI" "$HATCPD" --health) | grep -q '^unhealthy: hatcpd is not running in this network namespace'"
check "hatcpd stopped: module kept its configuration" sh -c "[ \"\$($(printf '%q ' ip netns exec "$DP_PRI" "$HATCPCTL" -j role show))\" = '{\"role\":\"primary\"}' ]"
start pri
check "hatcpd restarted: healthy" wait_for 20 health_is pri 0
check "hatcpd restarted: keepalived's track script passes" track pri
ip -n "$DP_REP" link set "$DP_CHAN_DEV" down
check "peer gone: health degraded (exit 3)" wait_for 10 health_is pri 3
check "peer gone: --local still passes" health_is pri 0 --local
check "peer gone: keepalived's track script still passes (the primary keeps the VIP)" track pri
check "peer lost is logged" wait_for 5 logged pri "peer lost: peer_unreachable"
ip -n "$DP_REP" link set "$DP_CHAN_DEV" up
check "peer back: healthy" wait_for 20 health_is pri 0

# ---- state changed behind hatcpd's back; keepalived's role is kept ---------
rep_has_policy() { ctl "$DP_REP" -j policy list | grep -q "\"port\":$1"; }
# promote is refused while pri is a live primary (two primaries): forced.
ctl "$DP_REP" role set primary
ctl "$DP_REP" policy add port 9999
check "a policy added by hand is taken out again" wait_for 10 eval '! rep_has_policy 9999'
ctl "$DP_REP" policy del addr "$DP_VIP" port "$DP_PORT"
check "a policy deleted by hand is put back" wait_for 10 rep_has_policy "$DP_PORT"
check_eq "a role set from outside (keepalived's) is kept" '{"role":"primary"}' "$(ctl "$DP_REP" -j role show)"
ctl "$DP_REP" demote

# ---- one hatcpd per namespace; a recreated namespace restarts it ------------
solo=$(new_ns solo)
printf 'role = "standalone"\n[metrics]\nlisten = ""\n' >"$W/solo.toml"
"$HATCPD" --netns "$solo" -c "$W/solo.toml" >"$W/solo.log" 2>&1 &
solo_pid=$!
hatcp_bg $solo_pid
check "--netns: hatcpd runs in the named namespace" \
	wait_for 10 sh -c "ip netns exec $solo $HATCPD --health | grep -qx 'healthy: role standalone, no peer configured'"
ip netns exec "$solo" "$HATCPD" -c "$W/solo.toml" >"$W/solo2.log" 2>&1
check_eq "a second hatcpd in the same namespace refuses to start (exit 1)" 1 "$?"
check "it says why" grep -q "another hatcpd runs in this network namespace" "$W/solo2.log"
ip netns del "$solo" && ip netns add "$solo"
wait "$solo_pid"
check_eq "namespace recreated: hatcpd exits 1 for the service manager to restart it" 1 "$?"
check "namespace recreated: logged" grep -q "network namespace $solo was deleted or recreated" "$W/solo.log"

# ---- sysctls that differ ---------------------------------------------------
stop rep
ip netns exec "$DP_REP" sysctl -qw net.ipv4.tcp_sack=0
start rep
wait "${PID[rep]}"
rc=$?
check_eq "critical sysctl differs: replica hatcpd refuses to start (exit 1)" 1 "$rc"
check "the refusal names the sysctl and both values" logged rep \
	'refusing to start: critical sysctls differ from the peer.s (tcp_sack here 0 peer 1)'
check "the primary logs it as critical" wait_for 5 logged pri \
	'net.ipv4.tcp_sack differs: here 1, peer 0 (critical'
check "the primary's health says so (exit 1)" wait_for 5 health_is pri 1
ip netns exec "$DP_REP" sysctl -qw net.ipv4.tcp_sack=1
old_rmem=$(ip netns exec "$DP_REP" sysctl -n net.ipv4.tcp_rmem)
ip netns exec "$DP_REP" sysctl -qw net.ipv4.tcp_rmem="4096 65536 1048576"
start rep
check "non-critical sysctl differs: replica starts, READY=1" wait_for 20 notified rep 'READY=1'
check "non-critical difference is warned about" logged rep \
	'warning: net.ipv4.tcp_rmem differs: here 4096 65536 1048576'
check "the primary is healthy again" wait_for 10 health_is pri 0
ip netns exec "$DP_REP" sysctl -qw net.ipv4.tcp_rmem="$old_rmem"

for node in pri rep; do
	if ! kill -0 "${PID[$node]}" 2>/dev/null; then
		echo "# $node hatcpd died; its log:"
		show_log "$node" 30
	fi
done
[ "$__ktap_fail" -eq 0 ] || { echo "# pri log:"; show_log pri 40; echo "# rep log:"; show_log rep 20; }
ktap_finish
