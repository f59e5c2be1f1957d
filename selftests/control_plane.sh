#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Round trips of every hatcpctl command through the module's netlink
# family, with the events each change must raise.
# timeout=240

. "$(dirname "$0")/lib.sh"

require_root
ktap_plan 43

check "module loads" hatcp_load
ns=$(new_ns cp) || exit $KSFT_FAIL
ip -n "$ns" link add chan0 type dummy
ip -n "$ns" link set chan0 up

# Everything that follows must be announced on the events group.
events=$(mktemp)
key=$(hatcp_keyfile "$(mktemp)")
ip netns exec "$ns" "$HATCPCTL" monitor -j >"$events" &
monitor=$!
trap 'kill $monitor 2>/dev/null; rm -f "$events" "$key"; cleanup_ns' EXIT
sleep 1

# A fresh namespace starts standalone, with nothing configured.
check_eq "fresh role is standalone" '{"role":"standalone"}' \
	"$(ctl "$ns" role show -j)"
check_eq "fresh peer is unset" '{}' "$(ctl "$ns" peer show -j)"
check_eq "fresh policy list is empty" '[]' "$(ctl "$ns" policy list -j)"
check_eq "flow dump is empty without a data path" '[]' \
	"$(ctl "$ns" flows -j)"
check_eq "text role show" 'standalone' "$(ctl "$ns" role show)"

# Role changes need a peer.
check_fails "primary refused without a peer" 'set a peer before' \
	ctl "$ns" role set primary
check_fails "promote refused on standalone" 'only a replica can be promoted' \
	ctl "$ns" promote
check_fails "demote refused on standalone" 'only a primary can be demoted' \
	ctl "$ns" demote

# Peer.
check "peer set" ctl "$ns" peer set local 10.9.0.1 remote 10.9.0.2 dev chan0 key "$key"
check_eq "peer show -j" \
	'{"dev":"chan0","keyed":true,"local":"10.9.0.1","port":7471,"reachable":false,"remote":"10.9.0.2"}' \
	"$(ctl "$ns" peer show -j | /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",",":")))')"
check "peer set without device replaces it" \
	ctl "$ns" peer set local 10.9.0.1 remote 10.9.0.3 key "$key"
check_eq "peer show reflects replacement" '10.9.0.3 None' \
	"$(json_get "$(ctl "$ns" peer show -j)" 'j["remote"], j.get("dev")' | tr -d "(),'")"
check_fails "peer with unknown device refused" 'no such device' \
	ctl "$ns" peer set local 10.9.0.1 remote 10.9.0.2 dev nosuch0
check_fails "peer with multicast remote refused" 'remote address must be unicast' \
	ctl "$ns" peer set local 10.9.0.1 remote 224.0.0.1
check_fails "peer with equal ends refused" 'must differ' \
	ctl "$ns" peer set local 10.9.0.1 remote 10.9.0.1
check_fails "peer with bad address refused by hatcpctl" 'bad address "10.9.0"' \
	ctl "$ns" peer set local 10.9.0 remote 10.9.0.1

# Roles, promotion and demotion; both are idempotent.
check "role set replica" ctl "$ns" role set replica
check_eq "role is replica" '{"role":"replica"}' "$(ctl "$ns" role show -j)"
check "promote" ctl "$ns" promote
check "promote again is harmless" ctl "$ns" promote
check_eq "role is primary after promote" '{"role":"primary"}' \
	"$(ctl "$ns" role show -j)"
check "demote" ctl "$ns" demote
check "demote again is harmless" ctl "$ns" demote
check_eq "role is replica after demote" '{"role":"replica"}' \
	"$(ctl "$ns" role show -j)"
check_fails "peer del refused while replica" 'set role standalone' \
	ctl "$ns" peer del
check_fails "unknown role refused by hatcpctl" 'master' \
	ctl "$ns" role set master

# Policies.
check "policy add any address" ctl "$ns" policy add port 80
check "policy add with address" ctl "$ns" policy add addr 192.0.2.10 port 443
check_fails "duplicate policy refused" 'policy already exists' \
	ctl "$ns" policy add port 80
check_fails "port 0 refused by hatcpctl" 'bad port "0"' \
	ctl "$ns" policy add port 0
check_fails "multicast service address refused" 'must be unicast' \
	ctl "$ns" policy add addr 239.1.1.1 port 80
check_eq "policy list -j" "[[None, 80], ['192.0.2.10', 443]]" \
	"$(json_get "$(ctl "$ns" policy list -j)" \
		'sorted([[p.get("addr"), p["port"]] for p in j], key=lambda x: x[1])')"
check "policy del with address" ctl "$ns" policy del addr 192.0.2.10 port 443
check_fails "deleting a missing policy refused" 'no such policy' \
	ctl "$ns" policy del addr 192.0.2.10 port 443
check_eq "policy list after delete" 'port 80' "$(ctl "$ns" policy list)"

# Counters follow what happened above.
stats=$(ctl "$ns" stats -j)
check_eq "stats: policies, role changes, promotions, demotions" '1 3 1 1' \
	"$(json_get "$stats" '" ".join(str(j[k]) for k in ("policies","role_changes","promotions","demotions"))')"
check_eq "stats: refused requests counted" '9' \
	"$(json_get "$stats" 'j["config_rejected"]')"

check "role set standalone" ctl "$ns" role set standalone
check "peer del" ctl "$ns" peer del
check_eq "peer gone" '{}' "$(ctl "$ns" peer show -j)"

# The monitor saw every change, in order.
sleep 1
kill $monitor
wait $monitor 2>/dev/null
got=$(/usr/bin/python3 - "$events" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    out.append(e["event"] + ("/" + e["role"] if "role" in e else ""))
print(" ".join(out))
PY
)
check_eq "monitor saw every change in order" \
	"peer_changed peer_changed role_changed/replica role_changed/primary role_changed/replica policy_added policy_added policy_deleted role_changed/standalone peer_changed" \
	"$got"
check_eq "role event carries the old role" 'replica' \
	"$(sed -n 4p "$events" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["old_role"])')"

ktap_finish
