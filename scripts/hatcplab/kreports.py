# SPDX-License-Identifier: GPL-2.0
"""Find kernel problem reports (WARN, BUG, Oops, lockdep, KASAN, ...) in kernel log lines."""

import re
from dataclasses import dataclass

# A line matching any of these starts a report.
TRIGGERS = re.compile("|".join([
    r"WARNING:",                          # WARN_ON(), lockdep, RCU-lockdep
    r"\bBUG:",                            # KASAN, unable to handle, sleeping in atomic, lockup...
    r"kernel BUG at",
    r"\bOops\b",
    r"general protection fault",
    r"\bKASAN\b",
    r"\bUBSAN\b",
    r"possible circular locking",
    r"inconsistent lock state",
    r"possible recursive locking",
    r"suspicious RCU usage",
    r"Call Trace:",                       # any other dumped stack (hung task, warn_alloc, ...)
    r"Kernel panic",
    r"INFO: task .* blocked for more than",
    r"rcu: INFO: .*detected stalls",
    r"self-detected stall",
    r"hard LOCKUP",
    r"list_(add|del) corruption",
    r"refcount_t: ",
    r"stack-protector",
    r"unreferenced object 0x",            # kmemleak
]))
# "cut here" (and a WARN's message) precede WARN/BUG output; keep them in the report.
CUT_HERE = re.compile(r"-+\[ cut here \]-+")
END = re.compile(r"---\[ end (trace|Kernel panic)")
# After a stack dump ("</TASK>") an Oops/panic still prints these; anything else
# after "</TASK>" is ordinary log again.
AFTER_STACK = re.compile(r"^\s*(Modules linked in|CR2:|RIP:|RSP:|R[A-Z0-9]+:|FS:|CS:|DR[0-9]|"
                         r"Code:|Kernel panic|Kernel Offset|Rebooting|---\[)")
TIMESTAMP = re.compile(r"^\[\s*(\d+\.\d+)\]\s?")
# A report is printed in one go; a silence this long (guest seconds) ends it.
GAP_S = 2.0
MAX_LINES = 150
CUT_LOOKBACK = 4


@dataclass
class Report:
    """One kernel report: the line that triggered it and the whole block of text."""
    title: str
    text: str

    def __str__(self):
        return self.text


def scan(lines):
    """Split kernel log lines into reports.

    Lines are text, optionally prefixed with a dmesg/console "[  12.345678] " timestamp,
    which is used to tell where a report without an end marker stops.
    """
    reports = []
    cur = None          # lines of the open report
    after_stack = False
    last_ts = None
    recent = []         # the last few lines before a report, to find its "cut here"

    def close():
        nonlocal cur, after_stack
        if cur:
            title = next(l for l in cur if TRIGGERS.search(l))
            reports.append(Report(TIMESTAMP.sub("", title).strip(), "\n".join(cur)))
        cur, after_stack = None, False

    for line in lines:
        m = TIMESTAMP.match(line)
        ts = float(m.group(1)) if m else None
        body = line[m.end():] if m else line
        if cur is not None and ts is not None and last_ts is not None and ts - last_ts > GAP_S:
            close()
        if ts is not None:
            last_ts = ts
        if cur is not None:
            if after_stack and not AFTER_STACK.search(body):
                close()     # and look at this line afresh below
            else:
                # A stack dump inside an open report (a WARN's own "Call Trace:")
                # belongs to it and does not start a new one.
                cur.append(line)
                if "</TASK>" in body:
                    after_stack = True
                if END.search(body) or len(cur) >= MAX_LINES:
                    close()
                continue
        if TRIGGERS.search(body):
            # WARN(cond, fmt...) prints "cut here", then its message, then WARNING:.
            cut = [i for i, l in enumerate(recent) if CUT_HERE.search(l)]
            cur = (recent[cut[-1]:] if cut else []) + [line]
            recent = []
            if END.search(body):
                close()
            continue
        recent = (recent + [line])[-CUT_LOOKBACK:]
    close()
    return reports


def format_reports(reports, where=""):
    head = f"kernel reported {len(reports)} problem(s){' in ' + where if where else ''}:"
    return "\n\n".join([head] + [r.text for r in reports])
