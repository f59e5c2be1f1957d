# SPDX-License-Identifier: GPL-2.0
"""The pause a crash (or a switchover) caused each connection of a
hatcp-verify --json report: the stall it began.

  pauses.py REPORT CRASH_S [SERVED_S]

prints "n p50 p99 max" in ms, CRASH_S being the event in the client's
clock (seconds after its started_at_s). Without SERVED_S, a connection's
pause is its stall spanning the event (spanning()); with it, its longest
stall that began in the event's window, up to SERVED_S after it, when the
other node was seen serving (in_window()). failover_lib.sh's fo_pauses
runs it; flapping.sh imports spanning() and summary(), and
scripts/bench-failover in_window().
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


# The window of an event: from a little before it (its time is taken just
# before the node dies or the move starts; a client's last receipt may
# come a moment after) to a little after the other node was seen serving.
WINDOW_BEFORE_S, WINDOW_AFTER_S = 0.5, 1.0


def window(at_s, served_s):
    """(from, to) of the window of an event at at_s whose other node served
    served_s after it, in at_s's clock."""
    return at_s - WINDOW_BEFORE_S, at_s + served_s + WINDOW_AFTER_S


def in_window(report, at_s, served_s):
    """Per connection: its longest stall that began in the window of an
    event at at_s (client clock), 0 if none."""
    lo, hi = window(at_s, served_s)
    return [max([s["gap_ms"] for s in conn.get("stall_events", []) if lo <= s["at_s"] <= hi],
                default=0)
            for conn in report.get("connections", [])]


def summary(pauses):
    """ "n p50 p99 max" of sorted pauses."""
    if not pauses:
        return "0 0 0 0"
    pick = lambda q: pauses[min(len(pauses) - 1, int(q * len(pauses)))]  # noqa: E731
    return f"{len(pauses)} {pick(0.5)} {pick(0.99)} {pauses[-1]}"


if __name__ == "__main__":
    rep = json.load(open(sys.argv[1]))
    at = float(sys.argv[2])
    if len(sys.argv) > 3:
        print(summary(sorted(in_window(rep, at, float(sys.argv[3])))))
    else:
        print(summary(spanning(rep, at)))
