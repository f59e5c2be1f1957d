# SPDX-License-Identifier: GPL-2.0
"""Build the guest initramfs: busybox-static, the 9p/virtio modules, and our /init.

The initramfs only has to get the host root mounted over 9p; everything else
(python3, iproute2, nft, modprobe, ...) comes from the host root after switch_root.
The cpio is written by hand (newc format) so no cpio tool and no root-only mknod
are needed, and the output is byte-for-byte reproducible.
"""

import gzip
import hashlib
import lzma
import os
import stat
import tempfile

from . import paths
from .errors import LabError
from .kernels import MODULES

BUSYBOX = "/bin/busybox"

# What the early boot needs: 9p over virtio-pci for the roots, virtio_console for
# the agent's virtio-serial port. Dependencies are added from modules.dep; any of
# these that the kernel has built in (6.12: virtio_pci, virtio_console) are skipped.
WANTED = ["virtio_pci", "virtio_console", "9pnet_virtio", "9p"]


def _modname(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(ext):
            return base[: -len(ext)].replace("-", "_")
    raise LabError(f"not a module file: {path}")


def _module_files(kver):
    """Module files to load, in load order (dependencies first)."""
    mdir = os.path.join(MODULES, kver)
    deps, by_name = {}, {}
    with open(os.path.join(mdir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
            by_name[_modname(mod)] = mod
    builtin = set()
    with open(os.path.join(mdir, "modules.builtin")) as f:
        for line in f:
            builtin.add(_modname(line.strip()))

    order, seen = [], set()

    def visit(mod):
        if mod in seen:
            return
        seen.add(mod)
        for d in deps[mod]:
            visit(d)
        order.append(mod)

    for name in WANTED:
        if name in builtin:
            continue
        if name not in by_name:
            raise LabError(f"kernel {kver} has neither a module nor a built-in {name}")
        visit(by_name[name])
    return [os.path.join(mdir, m) for m in order]


def _read_module(path):
    """Module bytes, uncompressed: busybox insmod does not decompress .ko.xz."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        raise LabError(f"{path}: zstd modules are not supported (no zstd in python stdlib)")
    return data


class _Cpio:
    """Minimal writer for the newc cpio format the kernel unpacks."""

    def __init__(self):
        self.parts, self.ino = [], 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        self.ino += 1
        nameb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nameb), 0))
        blob = hdr.encode() + nameb
        blob += b"\0" * (-len(blob) % 4)
        blob += data + b"\0" * (-len(data) % 4)
        self.parts.append(blob)

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def bytes(self):
        trailer = _Cpio.__new__(_Cpio)
        trailer.parts, trailer.ino = [], 0
        trailer._entry("TRAILER!!!", 0)
        out = b"".join(self.parts) + trailer.parts[0]
        return out + b"\0" * (-len(out) % 512)


def _inputs(kver):
    """Everything the image depends on, for the up-to-date check."""
    files = [BUSYBOX, paths.INITRAMFS_INIT, os.path.abspath(__file__)]
    files += _module_files(kver)
    h = hashlib.sha256()
    for p in files:
        st = os.stat(p)
        h.update(f"{p} {st.st_size} {st.st_mtime_ns}\n".encode())
    return files, h.hexdigest()


def output_path(kver):
    return os.path.join(paths.BUILD_LAB, f"initramfs-{kver}.cpio.gz")


def build(kver, force=False):
    """Build the initramfs for kver if it is missing or stale; return its path."""
    if not os.path.isfile(BUSYBOX) or not os.path.isfile(paths.INITRAMFS_INIT):
        raise LabError(f"missing {BUSYBOX} (apt-get install busybox-static) "
                       f"or {paths.INITRAMFS_INIT}")
    out = output_path(kver)
    stamp = out + ".inputs"
    files, digest = _inputs(kver)
    if not force and os.path.isfile(out):
        try:
            with open(stamp) as f:
                if f.read().strip() == digest:
                    return out
        except FileNotFoundError:
            pass

    cpio = _Cpio()
    for d in ("bin", "dev", "proc", "sys", "newroot", "modules"):
        cpio.dir(d)
    # The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
    cpio.chardev("dev/console", 5, 1)
    with open(BUSYBOX, "rb") as f:
        cpio.file("bin/busybox", f.read(), 0o755)
    with open(paths.INITRAMFS_INIT, "rb") as f:
        cpio.file("init", f.read(), 0o755)
    names = []
    for i, mod in enumerate(_module_files(kver)):
        name = "%02d-%s.ko" % (i, _modname(mod))
        cpio.file("modules/" + name, _read_module(mod))
        names.append(name)
    cpio.file("modules/order", ("\n".join(names) + "\n").encode())

    os.makedirs(paths.BUILD_LAB, exist_ok=True)
    # Write to a temp file and rename, so concurrent lab runs never see half an image.
    fd, tmp = tempfile.mkstemp(dir=paths.BUILD_LAB, prefix=".initramfs-")
    try:
        with os.fdopen(fd, "wb") as f:
            # Level 1: the guest decompresses it under TCG at every boot.
            f.write(gzip.compress(cpio.bytes(), compresslevel=1, mtime=0))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    fd, tmp = tempfile.mkstemp(dir=paths.BUILD_LAB, prefix=".stamp-")
    with os.fdopen(fd, "w") as f:
        f.write(digest + "\n")
    os.replace(tmp, stamp)
    return out
