# SPDX-License-Identifier: GPL-2.0
"""Run every executable selftests/*.sh and *.py (kselftest style) in the session VM
of each kernel.

Exit codes: 0 pass, 4 skip (kselftest KSFT_SKIP), anything else fails. A script
may set its timeout with a line "# timeout=N" (or "timeout=N" alone on a line of
a docstring; default 300 s). Shell libraries meant to be sourced (lib.sh,
*_lib.sh) are not run; python helpers are simply not executable.

The same script runs on all kernels at once (one guest each, started by the
first of its tests), so a suite on 2 cores takes about the time of one kernel.
"""

import concurrent.futures
import glob
import os
import re
import shlex

import pytest

import hatcplab

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TIMEOUT = 300
KSFT_SKIP = 4

NOT_SCRIPTS = re.compile(r"(.*_)?lib\.sh|test_.*\.py|conftest\.py")
SCRIPTS = sorted(p for ext in ("sh", "py") for p in glob.glob(os.path.join(HERE, "*." + ext))
                 if os.access(p, os.X_OK) and not NOT_SCRIPTS.fullmatch(os.path.basename(p)))


def script_timeout(path):
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"\s*(#\s*)?timeout\s*=\s*(\d+)\s*$", line)
            if m:
                return int(m.group(2))
    return DEFAULT_TIMEOUT


def skip_reason(output):
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    said = [l for l in lines if "SKIP" in l]
    return (said or lines or ["exit status 4 (kselftest skip)"])[-1]


# (kernel, script) -> Future of its Result; filled by the first test of a script,
# emptied by that kernel's test of it.
_runs = {}
# (kernel, script) ever started: the second kernel's test must not start the
# first kernel's run again once that test has taken its result from _runs.
_started = set()
# One worker per kernel: scripts never overlap inside one guest (they would fight
# over netns names, ports, modules), whatever order the tests run in.
_workers = {}


def _run(vm, path):
    rel = os.path.relpath(path, hatcplab.paths.REPO)
    # A private hatcpctl build (e.g. a worktree's) instead of the installed one.
    ctl = os.environ.get("HATCPCTL")
    env = f"HATCPCTL={shlex.quote(ctl)} " if ctl else ""
    return vm.run(f"{env}./{rel}", timeout=script_timeout(path))


def _start_everywhere(request, lab_pool, path):
    """Start path on the session VM of every kernel whose test of it was selected."""
    wanted = {(it.callspec.params.get("kernel"), it.callspec.params.get("script"))
              for it in request.session.items
              if it.originalname == request.node.originalname and hasattr(it, "callspec")}
    for k in request.config.lab_kernels:
        if (k, path) in wanted and (k, path) not in _started:
            _started.add((k, path))
            # lab_pool.get() may boot a VM: keep that in the main thread (see Vm.launch).
            w = _workers.setdefault(k, concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix=f"selftest-{k}"))
            _runs[(k, path)] = w.submit(_run, lab_pool.get(k), path)


@pytest.mark.parametrize("script", SCRIPTS, ids=[os.path.basename(p) for p in SCRIPTS])
def test_selftest(request, lab_pool, vm, kernel, script):
    _start_everywhere(request, lab_pool, script)
    name = os.path.basename(script)
    times = request.config.lab_script_times.setdefault(name, {})
    try:
        res, err = _runs.pop((kernel, script)).result(), None
        times[kernel] = res.duration
    except hatcplab.CommandTimeout as e:
        res, err = None, f"{name} timed out on {kernel}\n{e.result.describe()}"
        times[kernel] = e.result.duration
    except (hatcplab.GuestDied, hatcplab.GuestHung) as e:
        res, err = None, str(e)
    if err:
        pytest.fail(err, pytrace=False)   # outside except: no chained traceback
    if res.rc == KSFT_SKIP:
        pytest.skip(skip_reason(res.stdout + res.stderr))
    if res.rc != 0:
        pytest.fail(f"{name} failed on {vm.kver}\n{res.describe()}", pytrace=False)


def test_selftests_exist():
    # The lab's own sanity script must be here; an empty list would pass silently.
    assert any(os.path.basename(p) == "lab_sanity.sh" for p in SCRIPTS), SCRIPTS
