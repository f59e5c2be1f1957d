# SPDX-License-Identifier: GPL-2.0
"""Which Debian kernels the lab boots, and where their files are."""

import os
import re

from .errors import LabError

BOOT = "/boot"
MODULES = "/lib/modules"


def _installed():
    """Versions with a vmlinuz and a modules tree (what a guest needs to boot)."""
    try:
        names = os.listdir(MODULES)
    except FileNotFoundError:
        return []
    return [v for v in names
            if os.path.isfile(os.path.join(BOOT, "vmlinuz-" + v))
            and os.path.isfile(os.path.join(MODULES, v, "modules.dep"))]


def _vkey(ver):
    """Sort key for versions like 6.12.117+deb12-amd64: numeric parts compare as numbers."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ver)]


def _newest(pattern, need_build):
    cands = [v for v in _installed() if re.fullmatch(pattern, v)]
    if need_build:
        # The module is built against /lib/modules/<ver>/build, so a kernel
        # without headers is useless to the project even if it boots.
        cands = [v for v in cands if os.path.isdir(os.path.join(MODULES, v, "build"))]
    return max(cands, key=_vkey) if cands else None


# Short names used on command lines and in test ids, mapped to version patterns.
SERIES = {
    "6.1": r"6\.1\.\d+-\d+-amd64",
    "6.12": r"6\.12\.\d+\+deb12-amd64",
}


def lab_kernels():
    """The full versions of the lab kernels, 6.1 first. Missing ones raise: the lab needs both."""
    out = []
    for short, pat in SERIES.items():
        v = _newest(pat, need_build=True)
        if not v:
            raise LabError(f"no installed {short} kernel with /boot/vmlinuz-* and "
                           f"/lib/modules/*/build (run scripts/setup)")
        out.append(v)
    return out


def resolve(kernel):
    """Map "6.1", "6.12" or a full version to an installed full version."""
    if kernel in SERIES:
        v = _newest(SERIES[kernel], need_build=False)
        if not v:
            raise LabError(f"no installed {kernel} kernel in {BOOT} and {MODULES} "
                           f"(run scripts/setup)")
        return v
    if kernel in _installed():
        return kernel
    raise LabError(f"kernel {kernel!r} is not installed (need {BOOT}/vmlinuz-{kernel} "
                   f"and {MODULES}/{kernel}/modules.dep)")


def short_name(ver):
    """"6.12.117+deb12-amd64" -> "6.12": the series name used in test ids."""
    for short, pat in SERIES.items():
        if re.fullmatch(pat, ver):
            return short
    return ver


def vmlinuz(ver):
    return os.path.join(BOOT, "vmlinuz-" + ver)
