#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# hatcp-echod and hatcp-verify end to end over loopback, small enough for
# every ctest run: the modes, half-close, a slow server, the server's digests
# against the client's, a wrong server caught, and a clean SIGTERM.
# Usage: loopback_test.sh HATCP_ECHOD HATCP_VERIFY
set -euo pipefail

echod=$1
verify=$2
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok %s\n' "$1"; }
not_ok() { failed=$((failed + 1)); printf 'not ok %s\n' "$1"; }

# start_echod NAME ARGS...: runs hatcp-echod on a free port; sets $addr.
start_echod() {
	local name=$1
	shift
	"$echod" --listen 127.0.0.1:0 --ready-file "$work/$name.addr" --stats "$work/$name.jsonl" "$@" \
		>"$work/$name.out" 2>&1 &
	pids+=($!)
	eval "${name}_pid=$!"
	for _ in $(seq 100); do
		[ -s "$work/$name.addr" ] && break
		sleep 0.05
	done
	addr=$(cat "$work/$name.addr")
}

# check NAME ARGS...: hatcp-verify must pass.
check() {
	local name=$1
	shift
	if "$verify" --timeout 30 --json "$@" >"$work/$name.json" 2>"$work/$name.err"; then
		ok "$name"
	else
		not_ok "$name: $(cat "$work/$name.err")"
	fi
}

start_echod main
check one-byte --connect "$addr" --bytes 1
check one-mib --connect "$addr" --bytes 1M
check counter --connect "$addr" --bytes 300k --pattern counter --chunk 1000
check conns-50 --connect "$addr" --conns 50 --bytes 64k --seed 9
check half-close --connect "$addr" --conns 4 --bytes 100k --half-close
check rr --connect "$addr" --rr 100 --chunk 64
check connect-only --connect "$addr" --connect-only 100 --conns 4

# The server's record of each connection, by the client's address, must
# have the client's digests and counts.
if python3 - "$work/main.jsonl" "$work"/conns-50.json "$work"/half-close.json "$work"/one-mib.json <<'PY'; then
import json, sys
server = {}
for line in open(sys.argv[1]):
    record = json.loads(line)
    if record["type"] == "connection":
        server[record["client"]] = record
for path in sys.argv[2:]:
    for conn in json.load(open(path))["connections"]:
        s = server[conn["local"]]
        assert s["end"] == "eof", (path, s)
        assert (s["sha256_in"], s["bytes_in"]) == (conn["sha256_sent"], conn["sent"]), (path, conn, s)
        assert (s["sha256_out"], s["bytes_out"]) == (conn["sha256_received"], conn["received"]), (path, conn, s)
PY
	ok "server digests equal the client's"
else
	not_ok "server digests equal the client's"
fi

# A slow server (1 ms after every 4 KiB read) is slow but byte-exact.
start_echod slow --delay-us 1000 --read-size 4k
check slow --connect "$addr" --bytes 256k
if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["elapsed_s"] < 0.06)' "$work/slow.json"; then
	ok "delay slows the reply"
else
	not_ok "delay slows the reply"
fi

# A plain echo is not the transform: the first byte is reported, exit 1.
if command -v socat >/dev/null; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" EXEC:cat 2>/dev/null &
	pids+=($!)
	sleep 0.3
	status=0
	"$verify" --connect "127.0.0.1:$port" --bytes 64k --timeout 10 >/dev/null 2>"$work/echo.err" || status=$?
	if [ "$status" = 1 ] && grep -q 'mismatch at reply offset 0' "$work/echo.err"; then
		ok "plain echo caught"
	else
		not_ok "plain echo caught (exit $status: $(cat "$work/echo.err"))"
	fi
else
	printf 'skip plain echo caught: no socat\n'
fi

# Nobody listening: a connect error, exit 1.
status=0
"$verify" --connect 127.0.0.1:1 --bytes 1 --timeout 5 >/dev/null 2>"$work/refused.err" || status=$?
if [ "$status" = 1 ] && grep -q 'connect failed' "$work/refused.err"; then
	ok "connect error reported"
else
	not_ok "connect error reported (exit $status)"
fi

# SIGTERM: exit 0 with a summary line.
# shellcheck disable=SC2154 # set by start_echod through eval
kill -TERM "$main_pid"
status=0
wait "$main_pid" || status=$?
if [ "$status" = 0 ] && tail -n 1 "$work/main.out" | grep -q '"type":"summary"'; then
	ok "SIGTERM ends the server cleanly"
else
	not_ok "SIGTERM ends the server cleanly (exit $status)"
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
