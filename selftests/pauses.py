# SPDX-License-Identifier: GPL-2.0
"""The pause a crash (or a switchover) caused each connection of a
hatcp-verify --json report: the stall it began.

  pauses.py REPORT CRASH_S

prints "n p50 p99 max" in ms, CRASH_S being the event in the client's
clock (seconds after its started_at_s). failover_lib.sh's fo_pauses runs
it; flapping.sh imports spanning() and summary().
"""
import json
import sys


def spanning(report, crash):
    """Per connection, sorted: its longest stall spanning crash, 0 if none."""
    pauses = []
    for conn in report["connections"]:
        # The stall the crash began: the last receipt before it, give or
        # take 0.5 s: the crash's time is taken just before the node dies,
        # and another machine's client has its own clock.
        spans = [s["gap_ms"] for s in conn["stall_events"]
                 if s["at_s"] - 0.5 <= crash <= s["at_s"] + s["gap_ms"] / 1000.0]
        pauses.append(max(spans) if spans else 0)
    return sorted(pauses)


def summary(pauses):
    """ "n p50 p99 max" of sorted pauses."""
    if not pauses:
        return "0 0 0 0"
    pick = lambda q: pauses[min(len(pauses) - 1, int(q * len(pauses)))]  # noqa: E731
    return f"{len(pauses)} {pick(0.5)} {pick(0.99)} {pauses[-1]}"


if __name__ == "__main__":
    print(summary(spanning(json.load(open(sys.argv[1])), float(sys.argv[2]))))
