# SPDX-License-Identifier: GPL-2.0
"""hatcp VM lab: Debian kernels under qemu TCG, driven from the host.

    from hatcplab import Vm, Topology
    with Vm("6.12") as vm:
        print(vm.run("uname -r", timeout=30).stdout)
"""

from .errors import (CommandFailed, CommandTimeout, GuestDied, GuestHung,
                     KernelReport, LabError)
from .kernels import lab_kernels, resolve as resolve_kernel
from .kreports import Report, format_reports
from .topology import Endpoint, Lan, Link, Topology
from .vm import Proc, Result, Vm

__all__ = ["CommandFailed", "CommandTimeout", "GuestDied", "GuestHung", "KernelReport",
           "LabError", "lab_kernels", "resolve_kernel", "Report", "format_reports",
           "Endpoint", "Lan", "Link", "Topology", "Proc", "Result", "Vm"]
