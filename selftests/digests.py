# SPDX-License-Identifier: GPL-2.0
"""Which connections of a hatcp-verify --json report a server saw and
answered byte for byte: the digests in its hatcp-echod --stats file equal
the client's.

  digests.py REPORT STATS...

prints how many connections every STATS file agrees on (a difference is
explained on stderr) and exits 0 when that is all of them. lib.sh's
dp_digests_same runs it; flapping.sh imports agreeing().
"""
import json
import sys


def server_digests(stats_path):
    """client address -> (digest in, digest out) of each connection the
    server closed."""
    got = {}
    with open(stats_path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "connection":
                got[r["client"]] = (r["sha256_in"], r["sha256_out"])
    return got


def agreeing(report, stats_paths, explain=None):
    """The client addresses of the report's connections whose digests every
    stats file has, equal; explain(msg) hears about each file that differs."""
    want = {c["local"]: (c["sha256_sent"], c["sha256_received"]) for c in report["connections"]}
    same = set(want)
    for path in stats_paths:
        got = server_digests(path)
        missing = [k for k in want if got.get(k) != want[k]]
        if missing and explain:
            explain(f"{path}: {len(missing)} of {len(want)} differ or are missing, e.g. {missing[:2]}")
        same -= set(missing)
    return same, len(want)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        rep = json.load(f)
    same, total = agreeing(rep, sys.argv[2:], lambda m: print(m, file=sys.stderr))
    print(len(same))
    sys.exit(0 if len(same) == total else 1)
