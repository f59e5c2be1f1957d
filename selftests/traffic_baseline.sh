#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The traffic tools across a real kernel path, without hatcp: a client
# namespace and a server namespace joined by veth. Every byte of every
# reply is checked by hatcp-verify, and the server's per-connection digests
# must equal the client's. This is the baseline the replication tests
# compare against.
# timeout=300

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 7

cli=$(new_ns cli) || exit $KSFT_FAIL
srv=$(new_ns srv) || exit $KSFT_FAIL
ip link add veth-c netns "$cli" type veth peer name veth-s netns "$srv"
ip -n "$cli" addr add 10.10.0.1/24 dev veth-c
ip -n "$srv" addr add 10.10.0.2/24 dev veth-s
ip -n "$cli" link set veth-c up
ip -n "$srv" link set veth-s up

work=$(mktemp -d)
ip netns exec "$srv" hatcp-echod --listen 10.10.0.2:7000 \
	--stats "$work/server.jsonl" >"$work/echod.out" 2>&1 &
echod=$!
trap 'kill $echod 2>/dev/null; rm -rf "$work"; cleanup_ns' EXIT
ip netns exec "$cli" sh -c 'for i in $(seq 50); do
	nc -z 10.10.0.2 7000 2>/dev/null && exit 0; sleep 0.1; done; exit 1'

verify() {
	ip netns exec "$cli" hatcp-verify --connect 10.10.0.2:7000 --timeout 120 \
		--json "$@"
}

check "1 byte" verify --bytes 1
check "1 MB" verify --bytes 1M
check "20 MB" verify --bytes 20M
check "50 connections of 256 KB at once" verify --conns 50 --bytes 256k
check "half-close" verify --conns 4 --bytes 64k --half-close
verify --conns 8 --bytes 100k --seed 7 >"$work/client.json"
check "short connections in a loop" verify --connect-only 100

# The digests each side computed agree, connection by connection.
kill $echod
wait $echod 2>/dev/null
check "server and client digests agree" /usr/bin/python3 - \
	"$work/server.jsonl" "$work/client.json" <<'PY'
import json, sys
server = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "client" in r:
        server[r["client"]] = (r["sha256_in"], r["sha256_out"])
client = json.load(open(sys.argv[2]))
conns = client["connections"]
assert len(conns) == 8, conns
for c in conns:
    assert server[c["local"]] == (c["sha256_sent"], c["sha256_received"]), c
PY

ktap_finish
