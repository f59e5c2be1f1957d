# SPDX-License-Identifier: GPL-2.0
"""docs/benchmarks.md has two parts, each written by its own benchmark:
the data path's cost (scripts/bench) first, then from FAILOVER_HEADING on
the failover pauses (scripts/bench-failover). Each rewrites its own part
and keeps the other's as it is."""

FAILOVER_HEADING = "## Failover and switchover pauses"


def _split(path):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    at = text.find("\n" + FAILOVER_HEADING + "\n")
    if at < 0:
        return text, ""
    return text[:at + 1], text[at + 1:]


def write_datapath(path, text):
    _, failover = _split(path)
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n" + ("\n" + failover if failover else ""))


def write_failover(path, text):
    datapath, _ = _split(path)
    assert text.startswith(FAILOVER_HEADING + "\n")
    with open(path, "w") as f:
        f.write(datapath.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n")
