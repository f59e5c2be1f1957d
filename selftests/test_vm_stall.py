# SPDX-License-Identifier: GPL-2.0
"""A stalled VM must not take its peer for dead.

A hypervisor may stop a guest for a moment (steal time, a migration, an
overloaded host). When it runs again its timers fire before its receive
path has taken in what arrived meanwhile, so a channel timer that judged
the peer's silence there and then would declare a live peer dead and
unprotect every connection for good. Here the session VM of each kernel
runs protected connections (selftests/vm_stall_guest.sh) and the host
stops its qemu with SIGSTOP for longer than the channel's dead time
(350 ms), then lets it go on; the guest script checks that neither node
lost the other and that every connection stayed protected and byte-exact.
"""

import os
import signal
import time

import hatcplab

STALL_S = 0.8       # over twice the 350 ms dead time
READY_TIMEOUT_S = 120


def test_channel_survives_a_stalled_vm(vm):
    ready = os.path.join(vm.outdir, "stall.ready")
    done = os.path.join(vm.outdir, "stall.done")
    for f in (ready, done):
        if os.path.exists(f):
            os.unlink(f)
    rel = os.path.join("selftests", "vm_stall_guest.sh")
    # A private hatcpctl build (e.g. a worktree's), as test_guest_selftests.py.
    env = {"HATCPCTL": os.environ["HATCPCTL"]} if os.environ.get("HATCPCTL") else {}
    proc = vm.spawn(f"bash ./{rel}", env=env, cwd=hatcplab.paths.REPO)

    deadline = time.monotonic() + READY_TIMEOUT_S
    while not os.path.exists(ready):
        assert time.monotonic() < deadline, \
            f"the guest script never got its connections running:\n{proc.output()}"
        time.sleep(0.2)

    t0 = time.monotonic()
    os.kill(vm.proc.pid, signal.SIGSTOP)
    try:
        time.sleep(STALL_S)
    finally:
        os.kill(vm.proc.pid, signal.SIGCONT)
    stalled_ms = round((time.monotonic() - t0) * 1000)
    with open(done, "w") as f:
        f.write(str(stalled_ms))

    rc = proc.wait(300)
    out = proc.output()
    print(out)
    assert rc == 0, f"vm_stall_guest.sh failed on {vm.kver} (guest stopped {stalled_ms} ms):\n{out}"
