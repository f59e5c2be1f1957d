# SPDX-License-Identifier: GPL-2.0
"""selftests/datapath.sh once more, in a 4-vCPU guest with RPS (issue 15, 16 §2).

The suite's guests have LAB_CPUS (2) vCPUs. Here datapath.sh runs in a guest
of its own with 4, and HATCP_RPS=1 makes dp_topology (lib.sh) spread the
receive of the primary's and the replica's LAN and channel links over all
of them: a veth delivers on the sender's CPU, so without RPS the softirqs of
one client's segments never run on two CPUs at once. The test also checks
that they did spread: NET_RX softirqs ran on every CPU during the script,
and at least two CPUs were woken to process packets RPS steered to them
(/proc/net/softnet_stat, column 10).

Newest lab kernel only: a whole datapath.sh costs CI about 10 min more.
"""

import os
import re

import pytest

import hatcplab
from test_guest_selftests import script_timeout

CPUS = 4
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datapath.sh")


def _newest(kernels):
    """The newest of these lab kernels ("6.12.118+deb12-amd64" > "6.1.0-57-amd64")."""
    return max(kernels, key=lambda k: [int(x) for x in
                                       re.findall(r"\d+", hatcplab.resolve_kernel(k))[:3]])


NET_RX = "grep NET_RX: /proc/softirqs; cat /proc/net/softnet_stat"


def _counts(res):
    """NET_RX softirqs per CPU, and per CPU the IPIs it took to process packets
    RPS steered to it (softnet_stat column 10, received_rps)."""
    lines = res.stdout.splitlines()
    rx = [int(x) for x in lines[0].split()[1:]]
    rps = [int(line.split()[9], 16) for line in lines[1:] if line.strip()]
    return rx, rps


def test_datapath_4cpu_rps(request, lab, kernel):
    if os.environ.get("HATCP_LAB_SMP") != "1":
        pytest.skip("HATCP_LAB_SMP=1 runs it: 4 vCPUs on a 2-core host starve the "
                    "channel (selftests/README.md)")
    if kernel != _newest(request.config.lab_kernels):
        pytest.skip("the 4-vCPU data-path run is on the newest lab kernel only (CI time)")
    vm = lab.vm(cpus=CPUS, name="smp4")
    assert vm.run("nproc", timeout=30, check=True).stdout.split() == [str(CPUS)]
    rx0, rps0 = _counts(vm.run(NET_RX, timeout=30, check=True))

    ctl = os.environ.get("HATCPCTL")
    env = {"HATCP_RPS": "1", **({"HATCPCTL": ctl} if ctl else {})}
    rel = os.path.relpath(SCRIPT, hatcplab.paths.REPO)
    times = request.config.lab_script_times.setdefault(f"datapath.sh ({CPUS} vCPUs, RPS)", {})
    try:
        res = vm.run(f"./{rel}", timeout=script_timeout(SCRIPT), env=env)
    except hatcplab.CommandTimeout as e:
        times[kernel] = e.result.duration
        pytest.fail(f"datapath.sh timed out on {kernel} with {CPUS} vCPUs\n{e.result.describe()}",
                    pytrace=False)
    times[kernel] = res.duration
    rx1, rps1 = _counts(vm.run(NET_RX, timeout=30, check=True))
    rx = [b - a for a, b in zip(rx0, rx1)]
    rps = [b - a for a, b in zip(rps0, rps1)]
    spread = f"NET_RX softirqs per CPU during datapath.sh: {rx}; RPS IPIs taken: {rps}"
    print(spread)
    assert res.rc == 0, (f"datapath.sh failed on {vm.kver} with {CPUS} vCPUs, RPS ({spread})\n"
                         f"{res.describe()}")
    assert len(rx) == CPUS and min(rx) > 100, f"NET_RX did not run on every CPU: {rx}"
    assert sum(1 for n in rps if n > 100) >= 2, f"RPS steered (almost) nothing: {rps}"
