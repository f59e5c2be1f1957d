# SPDX-License-Identifier: GPL-2.0
"""Where things are. The guest sees the host root, so these paths are valid in both."""

import os

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(SCRIPTS)
LIB = os.path.join(SCRIPTS, "lib")
BUILD_LAB = os.path.join(REPO, "build", "lab")

INITRAMFS_INIT = os.path.join(LIB, "initramfs-init")
GUEST_INIT = os.path.join(LIB, "guest-init")
GUEST_AGENT = os.path.join(LIB, "guest-agent")

# The guest must use Debian's python, never a pyenv shim that happens to be on PATH.
PYTHON = "/usr/bin/python3"
QEMU = "/usr/bin/qemu-system-x86_64"
