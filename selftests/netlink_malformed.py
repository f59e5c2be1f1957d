#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed, truncated and oversized requests are refused with a clear
extended ack, counted, and change nothing; the table limit holds and large
dumps span several messages. The lab fails the run on any kernel WARN.
timeout=300
"""
import errno
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import (Genl, NetlinkError, hatcp_consts, nest, nla,  # noqa: E402
                  nla_in_addr, nla_u8, nla_u16, nla_u32, parse_attrs)

C = hatcp_consts()
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
results = []


def ok(cond, desc, detail=""):
    results.append(bool(cond))
    n = len(results)
    print(f"{'ok' if cond else 'not ok'} {n} - {desc}")
    if not cond and detail:
        for line in str(detail).splitlines():
            print(f"#   {line}")


def stats(g):
    reply = g.call(C["HATCP_CMD_GET_STATS"])
    nested = parse_attrs(parse_attrs(reply[0][4:])[C["HATCP_A_STATS"]])
    out = {}
    for name, v in C.items():
        if name.startswith("HATCP_STATS_A_") and v in nested:
            raw = nested[v]
            out[name[14:].lower()] = struct.unpack(
                "=Q" if len(raw) == 8 else "=I", raw)[0]
    return out


def refused(g, desc, want_errnos, send, want_msg=None, want_miss=None):
    """Sends a bad request and checks how it is refused."""
    try:
        send(g)
        g.recv()
    except NetlinkError as e:
        good = e.errno in want_errnos and (e.msg or want_msg == "")
        if want_msg:
            good = good and want_msg in e.msg
        if want_miss is not None:
            good = good and e.miss_type == want_miss
        ok(good, desc, f"errno {e.errno} msg {e.msg!r} miss {e.miss_type}")
        return
    ok(False, desc, "request was accepted")


def main():
    print("TAP version 13")
    g = Genl()
    before = stats(g)
    A, P, PO = C["HATCP_A_ROLE"], C["HATCP_A_PEER"], C["HATCP_A_POLICY"]
    SET_ROLE, SET_PEER = C["HATCP_CMD_SET_ROLE"], C["HATCP_CMD_SET_PEER"]
    ADD_POL = C["HATCP_CMD_ADD_POLICY"]
    EINVAL, ERANGE = errno.EINVAL, errno.ERANGE
    peer_local = nla_in_addr(C["HATCP_PEER_A_LOCAL_IPV4"], "10.3.0.1")
    peer_remote = nla_in_addr(C["HATCP_PEER_A_REMOTE_IPV4"], "10.3.0.2")

    # Each case reaches hatcp's own parser, so each must be counted.
    cases = [
        ("truncated attribute", {EINVAL},
         lambda g: g.send(SET_ROLE, struct.pack("=HH", 8, A) + b"\x01\x00")),
        ("role of the wrong size", {EINVAL, ERANGE},
         lambda g: g.send(SET_ROLE, nla_u16(A, 1))),
        ("role out of range", {ERANGE, EINVAL},
         lambda g: g.send(SET_ROLE, nla_u32(A, C["HATCP_ROLE_MAX"] + 1))),
        ("unknown attribute type", {EINVAL},
         lambda g: g.send(SET_ROLE, nla_u32(A, 1) + nla_u32(99, 1))),
        ("output-only attribute in a request", {EINVAL},
         lambda g: g.send(C["HATCP_CMD_GET_ROLE"],
                          nla_u32(C["HATCP_A_EVENT"], 1))),
        ("nest without NLA_F_NESTED", {EINVAL},
         lambda g: g.send(SET_PEER, nest(P, peer_local, peer_remote,
                                         flag=False))),
        ("unknown attribute inside a nest", {EINVAL},
         lambda g: g.send(SET_PEER, nest(P, peer_local, peer_remote,
                                         nla_u32(C["HATCP_PEER_A_MAX"] + 1, 1)))),
        ("policy port 0", {ERANGE, EINVAL},
         lambda g: g.send(ADD_POL, nest(PO, nla_u16(
             C["HATCP_POLICY_A_PORT"], 0)))),
        ("policy port oversized to 32 bits", {EINVAL, ERANGE},
         lambda g: g.send(ADD_POL, nest(PO, nla_u32(
             C["HATCP_POLICY_A_PORT"], 80)))),
        ("channel key of 31 bytes", {EINVAL, ERANGE},
         lambda g: g.send(SET_PEER, nest(P, peer_local, peer_remote, nla(
             C["HATCP_PEER_A_KEY"], b"k" * (C["HATCP_KEY_LEN"] - 1))))),
        ("channel key of 33 bytes", {EINVAL, ERANGE},
         lambda g: g.send(SET_PEER, nest(P, peer_local, peer_remote, nla(
             C["HATCP_PEER_A_KEY"], b"k" * (C["HATCP_KEY_LEN"] + 1))))),
        ("output-only KEYED in a peer request", {EINVAL},
         lambda g: g.send(SET_PEER, nest(P, peer_local, peer_remote, nla_u8(
             C["HATCP_PEER_A_KEYED"], 1)))),
        ("channel port 0", {ERANGE, EINVAL},
         lambda g: g.send(SET_PEER, nest(P, peer_local, peer_remote, nla_u16(
             C["HATCP_PEER_A_PORT"], 0)))),
        ("oversized 60000-byte attribute", {EINVAL, ERANGE},
         lambda g: g.send(SET_ROLE, nla(A, b"\x01" * 60000))),
        ("reserved header field set", {EINVAL},
         lambda g: g.send(C["HATCP_CMD_GET_ROLE"], reserved=7)),
    ]
    for desc, errnos, send in cases:
        refused(g, desc + " refused with an extack message", errnos, send)

    # Missing required attributes name the attribute that is missing.
    refused(g, "set role without a role names the missing attribute",
            {EINVAL}, lambda g: g.send(SET_ROLE), want_miss=A)
    refused(g, "peer without remote names the missing attribute",
            {EINVAL}, lambda g: g.send(SET_PEER, nest(P, peer_local)),
            want_miss=C["HATCP_PEER_A_REMOTE_IPV4"])
    refused(g, "policy without a port names the missing attribute",
            {EINVAL}, lambda g: g.send(ADD_POL, nest(PO)),
            want_miss=C["HATCP_POLICY_A_PORT"])
    counted = len(cases) + 3

    # Refused by the netlink core before hatcp sees them.
    refused(g, "message shorter than its genetlink header", {EINVAL},
            lambda g: g.send_raw(g.family, b"\x01\x01"), want_msg="")
    refused(g, "unknown command", {errno.EOPNOTSUPP},
            lambda g: g.send(200), want_msg="")

    after = stats(g)
    ok(after["malformed"] - before["malformed"] == counted,
       f"each of the {counted} malformed requests counted once",
       f"before {before['malformed']} after {after['malformed']}")
    ok(after["policies"] == before["policies"]
       and after["role_changes"] == before["role_changes"],
       "refused requests changed nothing", f"{before} -> {after}")

    # Dumps take no attributes.
    try:
        g.dump(C["HATCP_CMD_GET_POLICY"], nla_u32(A, 1))
        ok(False, "dump with attributes refused", "accepted")
    except NetlinkError as e:
        ok(e.errno == EINVAL and "no attributes" in e.msg,
           "dump with attributes refused", f"{e.errno} {e.msg!r}")

    # Random garbage, bounded: every message answered, no WARN, no change.
    rng = random.Random(1234)
    answered = 0
    for _ in range(300):
        cmd = rng.randrange(0, C["HATCP_CMD_MAX"] + 3)
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
        try:
            g.send(cmd, body)
            g.recv()
        except NetlinkError:
            pass
        answered += 1
    ok(answered == 300, "300 random requests each answered")

    # The table limit: HATCP_MAX_POLICIES fit, one more is refused.
    limit = C["HATCP_MAX_POLICIES"]
    start = stats(g)["policies"]
    try:
        for port in range(1, limit - start + 1):
            g.call(ADD_POL, nest(PO, nla_u16(C["HATCP_POLICY_A_PORT"],
                                             20000 + port)))
        ok(stats(g)["policies"] == limit, f"{limit} policies fit")
    except NetlinkError as e:
        ok(False, f"{limit} policies fit", str(e))
    refused(g, "one policy over the limit refused", {errno.ENOSPC},
            lambda g: g.send(ADD_POL, nest(PO, nla_u16(
                C["HATCP_POLICY_A_PORT"], 19999))),
            want_msg=f"at most {limit}")
    dumped = g.dump(C["HATCP_CMD_GET_POLICY"])
    ports = {struct.unpack("=H", parse_attrs(parse_attrs(m[4:])[PO])[
        C["HATCP_POLICY_A_PORT"]])[0] for m in dumped}
    ok(len(dumped) == limit and len(ports) == limit,
       f"dump of {limit} policies returns each once", f"{len(dumped)} msgs")
    for port in range(1, limit - start + 1):
        g.call(C["HATCP_CMD_DEL_POLICY"],
               nest(PO, nla_u16(C["HATCP_POLICY_A_PORT"], 20000 + port)))
    ok(stats(g)["policies"] == start, "all of them deleted")

    print(f"1..{len(results)}")
    print(f"# Totals: pass:{sum(results)} fail:{len(results) - sum(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root")
        sys.exit(4)
    # Its own namespace, so the test neither sees nor disturbs others.
    if os.environ.get("HATCP_IN_NETNS") != "1":
        env = dict(os.environ, HATCP_IN_NETNS="1")
        subprocess.run(["sh", "-c", f"[ -d /sys/module/hatcp ] || {{ modprobe udp_tunnel && insmod "
                        f"{TOP}/build/module/$(uname -r)/hatcp.ko; }}"], check=True)
        os.execvpe("unshare", ["unshare", "-n", sys.executable,
                               os.path.abspath(__file__)], env)
    sys.exit(main())
