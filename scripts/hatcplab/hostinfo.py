# SPDX-License-Identifier: GPL-2.0
"""What a benchmark report says about where it ran: host CPU, qemu, commit."""

import subprocess

from . import paths


def host_facts():
    """(CPU model, qemu version line, git describe of the repo)."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        qemu = subprocess.run([paths.QEMU, "--version"], capture_output=True, text=True,
                              timeout=10).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        qemu = "qemu (version unknown)"
    try:
        commit = subprocess.run(["git", "-C", paths.REPO, "describe", "--always", "--dirty"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return cpu, qemu, commit
