# SPDX-License-Identifier: GPL-2.0
"""One lab guest: a Debian kernel under qemu TCG running on the host's root over 9p."""

import atexit
import base64
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass

from . import initramfs, kernels, kreports, paths
from .agent import AgentConnection
from .errors import (CommandFailed, CommandTimeout, GuestDied, GuestHung,
                     KernelReport, LabError)

# How long past a command's own timeout the guest may take to report it before we
# call it hung: the agent kills the command, waits up to 5 s for it, then answers.
GRACE_S = 20
CONSOLE_TAIL = 60
# The CPU qemu emulates: the baseline x86-64 plus RDRAND (which seeds the guest's
# crng at boot), not "max". Under "max" a 6.12 guest once took a double fault
# whose exception frame held an impossible RFLAGS, and the newest TCG paths
# (AVX2, 5-level paging) are the least proven. HATCP_LAB_CPU, if set and not
# empty, overrides it.
DEFAULT_CPU = os.environ.get("HATCP_LAB_CPU") or "qemu64,+rdrand"

_live = weakref.WeakSet()
_names = itertools.count(1)


@atexit.register
def _kill_all():
    # Never leave a qemu behind, whatever happened to the caller.
    for vm in list(_live):
        vm.close()


@dataclass
class Result:
    """What a guest command did. .output is stdout followed by stderr."""
    cmd: str
    rc: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def ok(self):
        return self.rc == 0

    def describe(self):
        s = f"$ {self.cmd}\n[rc={self.rc}, {self.duration:.1f} s]\n"
        if self.stdout:
            s += "--- stdout ---\n" + self.stdout + ("" if self.stdout.endswith("\n") else "\n")
        if self.stderr:
            s += "--- stderr ---\n" + self.stderr + ("" if self.stderr.endswith("\n") else "\n")
        return s


class Proc:
    """A background command started with Vm.spawn(); its output goes to .log in the guest."""

    def __init__(self, vm, pid, log, cmd):
        self.vm, self.pid, self.log, self.cmd = vm, pid, log, cmd

    def wait(self, timeout=60):
        """Exit status, or None if still running after timeout seconds."""
        return self.vm._call({"op": "wait", "pid": self.pid, "timeout": timeout},
                             timeout)["rc"]

    def signal(self, sig=signal.SIGTERM, group=True):
        """Signal the process (by default its whole process group, i.e. its children too)."""
        self.vm._call({"op": "signal", "pid": self.pid, "sig": int(sig), "group": group}, 10)

    def kill(self):
        self.signal(signal.SIGKILL)

    def output(self):
        """Everything it printed so far (stdout and stderr)."""
        return self.vm.run(f"cat {self.log}", timeout=30, check=True).stdout

    def __repr__(self):
        return f"<Proc {self.pid} on {self.vm.name}: {self.cmd!r}>"


class Vm:
    """A lab guest. Use as a context manager, or call start() and close().

    kernel: "6.1", "6.12" or a full version from /lib/modules.
    outdir: host directory shared writable with the guest as $HATCP_LAB_OUT
            (default: out/ inside the VM's temp dir, removed on success).
    keep:   keep the VM's temp dir (console log, agent transcript) even on success.
    cmdline, qemu_args: extra kernel command line / qemu arguments.
    """

    def __init__(self, kernel="6.12", *, name=None, mem=1024, cpus=1, boot_timeout=180,
                 outdir=None, keep=False, cmdline="", cpu=None, qemu_args=(), quiet=False):
        self.kver = kernels.resolve(kernel)
        self.kernel = kernels.short_name(self.kver)
        self.name = name or "lab%s-%d" % (self.kernel.replace(".", ""), next(_names))
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}", self.name):
            raise LabError(f"bad VM name {self.name!r} (used as the guest hostname)")
        self.mem, self.cpus, self.cpu = mem, cpus, cpu or DEFAULT_CPU
        self.boot_timeout = boot_timeout
        self.extra_cmdline = cmdline
        self.qemu_args = list(qemu_args)
        self.keep = keep
        self.quiet = quiet
        self.failed = None          # why the run failed, if it did
        self.killed = False         # kill() was called: the death is deliberate
        self.boot_time = None
        self.nics = []              # (netdev option string, mac), filled by links
        self.proc = None
        self.agent = None
        self._kmsg_seq = -1
        self._kmsg_ts = 0.0         # guest time of the last kmsg record seen
        self._earlier_reports = []  # kernel reports of boots before restart(), not yet returned
        self.boots = 0              # how many times this VM was launched
        self._closed = False
        self._close_lock = threading.Lock()
        self.dir = self._mkdtemp()
        self.console_log = os.path.join(self.dir, "console.log")
        self.qemu_log = os.path.join(self.dir, "qemu.log")
        self.outdir = outdir or os.path.join(self.dir, "out")
        os.makedirs(self.outdir, exist_ok=True)
        self._transcript = open(os.path.join(self.dir, "agent.log"), "w")

    def _mkdtemp(self):
        d = tempfile.mkdtemp(prefix=f"hatcp-lab-{self.name}-")
        # unix socket paths are limited to 107 bytes; fall back to /tmp for long $TMPDIR.
        if len(d) > 80:
            os.rmdir(d)
            d = tempfile.mkdtemp(prefix=f"hatcp-lab-{self.name[:20]}-", dir="/tmp")
        return d

    def __repr__(self):
        return f"<Vm {self.name} {self.kver}>"

    # ---- life cycle -------------------------------------------------------

    def _say(self, msg):
        if not self.quiet:
            print(f"hatcplab: {self.name}: {msg}", file=sys.stderr, flush=True)

    def qemu_argv(self, initrd):
        cmdline = " ".join(filter(None, [
            "console=ttyS0",
            # A crashed guest must stop at once with its trace on the console,
            # not reboot (-no-reboot turns the reboot into a qemu exit) or hang.
            "panic=-1 oops=panic",
            "log_buf_len=4M",
            f"hatcplab.init={paths.GUEST_INIT}",
            f"hatcplab.repo={paths.REPO}",
            f"hatcplab.name={self.name}",
            "hatcplab.out=1",
            self.extra_cmdline,
        ]))
        sock = os.path.join(self.dir, "agent.sock")
        for p in (self.outdir, paths.REPO, self.dir):
            if "," in p:   # qemu option values are comma-separated
                raise LabError(f"qemu cannot take a path with a comma: {p}")
        fs = "security_model=none,multidevs=remap"
        argv = [
            paths.QEMU, "-name", self.name,
            "-accel", "tcg",   # never KVM: KVM guests hang on these machines
            # The model has RDRAND, so the guest's RNG is ready at once and python
            # does not wait for entropy at start-up (DEFAULT_CPU says why not max).
            "-cpu", self.cpu, "-m", str(self.mem), "-smp", str(self.cpus),
            "-nodefaults", "-display", "none", "-no-reboot", "-nic", "none",
            "-kernel", kernels.vmlinuz(self.kver), "-initrd", initrd, "-append", cmdline,
            "-chardev", f"file,id=con,path={self.console_log}", "-serial", "chardev:con",
            "-virtfs", f"local,path=/,mount_tag=hostroot,readonly=on,{fs}",
            "-virtfs", f"local,path={paths.REPO},mount_tag=repo,readonly=on,{fs}",
            "-virtfs", f"local,path={self.outdir},mount_tag=labout,{fs}",
            "-device", "virtio-serial-pci,id=vser",
            "-chardev", f"socket,id=agent,path={sock},server=on,wait=off",
            "-device", "virtserialport,bus=vser.0,chardev=agent,name=hatcp.agent",
        ]
        for i, (netdev, mac) in enumerate(self.nics):
            argv += ["-netdev", f"{netdev},id=net{i}",
                     "-device", f"virtio-net-pci,netdev=net{i},mac={mac}"]
        return argv + self.qemu_args, sock

    def launch(self):
        """Start qemu without waiting for the guest. Pair with wait_booted().

        Several VMs boot in parallel if all are launched before any is waited for.
        Call from the main thread: qemu is tied to its parent thread's life
        (PR_SET_PDEATHSIG), so it also dies if this process is SIGKILLed.
        """
        if not os.access(paths.QEMU, os.X_OK):
            raise LabError(f"{paths.QEMU} missing (apt-get install qemu-system-x86)")
        initrd = initramfs.build(self.kver)
        argv, sock = self.qemu_argv(initrd)
        if threading.current_thread() is threading.main_thread():
            argv = ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"] + argv
        with open(self.qemu_log, "w") as f:
            f.write(" ".join(argv) + "\n\n")
            f.flush()
            # Own session: a Ctrl-C on the terminal reaches only us, and we stop
            # qemu in order (its own SIGINT handling would race our cleanup).
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        _live.add(self)
        self._t_launch = time.monotonic()
        self.boots += 1
        self.agent = AgentConnection(sock, self._transcript)
        self._say(f"booting {self.kver} in {self.dir}")
        return self

    def wait_booted(self):
        """Wait until the guest agent says hello; raise (and kill qemu) if it does not."""
        deadline = self._t_launch + self.boot_timeout
        if not self.agent.connect(deadline, self.alive):
            if not self.alive():
                self._died("at start")
            self._no_answer("boot (qemu did not open the agent socket)", self.boot_timeout)
        while not self.agent.hello_event.wait(0.1):
            if not self.alive() or self.agent.closed.is_set():
                self._died("during boot")
            if time.monotonic() > deadline:
                self._no_answer("boot", self.boot_timeout)
        self.boot_time = time.monotonic() - self._t_launch
        self._say(f"up in {self.boot_time:.1f} s")
        return self

    def start(self):
        try:
            return self.launch().wait_booted()
        except BaseException:
            self.close()
            raise

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def restart(self):
        """Boot again after the guest died or was kill()ed: a node coming back.

        Same name, NICs (MACs and link sockets) and outdir; a fresh kernel and
        fresh tmpfs. The previous boot's console log is kept as console-N.log
        (N: that boot's number) and its kernel reports are returned by the next
        kernel_reports(), so a crash trace is never lost to the reboot.
        """
        if self.proc is None or self._closed:
            raise LabError(f"{self.name}: restart() of a VM that was never started or is closed")
        if self.alive():
            raise LabError(f"{self.name}: restart() of a running VM: kill() it first")
        self._sigkill()     # reaps it
        self._earlier_reports += self.kernel_reports()
        if self.agent:
            self.agent.close()
        for log in (self.console_log, self.qemu_log):
            if os.path.exists(log):
                base, ext = os.path.splitext(log)
                os.replace(log, f"{base}-{self.boots}{ext}")
        # qemu binds these afresh: the dead qemu's socket files would be in the way.
        for netdev, _ in self.nics:
            m = re.search(r"local\.path=([^,]+)", netdev)
            if m and os.path.exists(m.group(1)):
                os.unlink(m.group(1))
        sock = os.path.join(self.dir, "agent.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        self.killed = False
        self._kmsg_seq, self._kmsg_ts = -1, 0.0
        self.boot_time = None
        try:
            self.launch()
            return self.wait_booted()
        except BaseException:
            self.mark_failed("restart failed")
            raise

    def kill(self):
        """SIGKILL qemu: a real crash of this node, as later failover tests need."""
        self.killed = True
        self._sigkill()

    def _sigkill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        while True:
            try:
                self.proc.wait()
                return
            except KeyboardInterrupt:
                # A second Ctrl-C while cleaning up: qemu is already dead or dying,
                # reap it anyway so nothing is left behind.
                continue

    def shutdown(self, timeout=30):
        """Orderly poweroff. Falls back to SIGKILL if the guest does not go down in time."""
        if not self.alive():
            return
        try:
            self._call({"op": "poweroff"}, 10)
            self.proc.wait(timeout)
        except (LabError, subprocess.TimeoutExpired):
            self._sigkill()

    def mark_failed(self, why):
        """Keep this VM's directory (console log, transcript) for a post-mortem."""
        if not self.failed:
            self.failed = why

    def close(self):
        """Stop the guest and clean up; a failed run's directory is kept and printed."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        if self.alive() and not self.failed:
            self.shutdown(timeout=10)
        self._sigkill()
        if self.agent:
            self.agent.close()
        self._transcript.close()
        _live.discard(self)
        if self.failed or self.keep:
            why = f" ({self.failed})" if self.failed else ""
            print(f"hatcplab: {self.name}: logs kept in {self.dir}{why}", file=sys.stderr,
                  flush=True)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, etype, exc, tb):
        if etype is not None:
            self.mark_failed(f"{etype.__name__}: {exc}".splitlines()[0][:200])
        self.close()

    # ---- failure paths ----------------------------------------------------

    def console_tail(self, n=CONSOLE_TAIL):
        try:
            with open(self.console_log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except FileNotFoundError:
            return ""

    def _qemu_output(self):
        try:
            with open(self.qemu_log, errors="replace") as f:
                return f.read().split("\n\n", 1)[-1].strip()
        except FileNotFoundError:
            return ""

    def _no_answer(self, what, secs):
        """The guest did not answer: kill it and raise GuestHung with the console tail."""
        self._sigkill()
        self.mark_failed("guest hung")
        raise GuestHung(f"{self.name}: guest hung during {what}, killed after {secs:.0f} s\n"
                        f"--- console tail ({self.console_log}) ---\n{self.console_tail()}")

    def _died(self, what):
        # The agent's socket closes a moment before qemu exits: let qemu finish
        # (and flush the console) so its exit status means something.
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self._sigkill()
        rc = self.proc.returncode
        if self.killed:
            raise GuestDied(f"{self.name}: guest was killed (kill()) {what}")
        self.mark_failed("guest died")
        reports = self.kernel_reports()
        qemu_out = self._qemu_output()
        msg = f"{self.name}: guest died {what} (qemu exit status {rc})\n"
        if qemu_out:
            msg += f"--- qemu output ---\n{qemu_out}\n"
        if reports:
            msg += kreports.format_reports(reports) + f"\n(console log: {self.console_log})"
        else:
            msg += f"--- console tail ({self.console_log}) ---\n{self.console_tail()}"
        raise GuestDied(msg)

    # ---- talking to the agent --------------------------------------------

    def _call(self, req, timeout, on_chunk=None):
        """Send a request and wait up to timeout + GRACE_S for its answer."""
        if self.proc is None:
            raise LabError(f"{self.name}: not started")
        if not self.alive() or self.agent.closed.is_set():
            self._died(f"before {req['op']}")
        rid, p = self.agent.request(req, on_chunk)
        limit = (timeout or 0) + GRACE_S
        reply = self.agent.wait(rid, p, limit)
        if reply is None:
            if not self.alive() or self.agent.closed.is_set():
                self._died(f"during {req['op']} {req.get('cmd', '')!r}")
            self._no_answer(f"{req['op']} {req.get('cmd', '')!r}", limit)
        if "error" in reply:
            raise LabError(f"{self.name}: agent: {reply['error']}")
        reply["_chunks"] = p.chunks
        return reply

    def run(self, cmd, timeout=120, env=None, *, check=False, input=None, cwd=None,
            on_output=None):
        """Run a shell command in the guest as root (cwd: the repo) and wait for it.

        Background jobs (`server &`) are fine: run() returns when the shell exits.
        timeout: the guest kills the command (and its process group) after this
        many seconds and CommandTimeout is raised; the guest stays usable. A guest
        that does not even answer then is killed and GuestHung is raised.
        on_output(kind, bytes) is called as output arrives (kind "out" or "err").
        """
        req = {"op": "run", "cmd": cmd, "timeout": timeout, "env": env or {}, "cwd": cwd}
        if input is not None:
            data = input.encode() if isinstance(input, str) else input
            req["input"] = base64.b64encode(data).decode()
        reply = self._call(req, timeout, on_output)
        ch = reply["_chunks"]
        res = Result(cmd, reply["rc"], b"".join(ch["out"]).decode(errors="replace"),
                     b"".join(ch["err"]).decode(errors="replace"), reply["duration"],
                     reply["timed_out"])
        self.agent.log(f"   rc={res.rc} {res.duration:.2f}s output: {res.output[:4000]!r}")
        if res.timed_out:
            raise CommandTimeout(f"{self.name}: command timed out after {timeout} s "
                                 f"(killed in the guest)\n{res.describe()}", res)
        if check and res.rc != 0:
            raise CommandFailed(f"{self.name}: command failed\n{res.describe()}", res)
        return res

    def wait_until(self, cmd, timeout=30, interval=0.2):
        """Re-run shell condition cmd in the guest until it succeeds; LabError after timeout.

        The loop runs inside the guest: one round trip, however many polls.
        """
        loop = f"until {cmd}\ndo sleep {interval}; done"
        res = self.run(f"timeout {timeout} sh -c {shlex.quote(loop)}", timeout=timeout + 10)
        if res.rc != 0:
            raise LabError(f"{self.name}: still false after {timeout} s: {cmd}\n{res.describe()}")
        return res

    def spawn(self, cmd, env=None, cwd=None):
        """Start cmd in the background in the guest (own session); returns a Proc."""
        reply = self._call({"op": "spawn", "cmd": cmd, "env": env or {}, "cwd": cwd}, 30)
        return Proc(self, reply["pid"], reply["log"], cmd)

    def ping(self, timeout=10):
        self._call({"op": "ping"}, timeout)

    # ---- kernel health ----------------------------------------------------

    def kernel_log(self):
        """New kernel log lines ("[ts] text") since the last call, from the live guest."""
        reply = self._call({"op": "kmsg", "after": self._kmsg_seq}, 30)
        lines = []
        for seq, _level, ts_us, text in reply["records"]:
            self._kmsg_seq = max(self._kmsg_seq, seq)
            self._kmsg_ts = max(self._kmsg_ts, ts_us / 1e6)
            lines.append("[%12.6f] %s" % (ts_us / 1e6, text))
        return lines

    def _console_lines_after_kmsg(self):
        """Console lines the kmsg reader has not seen (used once the guest is dead)."""
        try:
            with open(self.console_log, errors="replace") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            m = kreports.TIMESTAMP.match(line)
            if m and float(m.group(1)) <= self._kmsg_ts:
                continue
            out.append(line)
        self._kmsg_ts = float("inf")    # do not report the same console lines twice
        return out

    def kernel_reports(self):
        """New kernel WARN/BUG/Oops/lockdep/... reports since the last call.

        Read from the guest's kernel log while it runs, from the console log once it
        is dead (where a panic trace ends up). Reports mark the VM failed.
        """
        if self.alive() and self.agent and not self.agent.closed.is_set():
            try:
                lines = self.kernel_log()
            except GuestDied:
                lines = self._console_lines_after_kmsg()
        else:
            lines = self._console_lines_after_kmsg()
        reports = self._earlier_reports + kreports.scan(lines)
        self._earlier_reports = []
        if reports:
            self.mark_failed("kernel reports")
        return reports

    def check_kernel(self, where=""):
        """Raise KernelReport (with the traces) if the kernel reported problems."""
        reports = self.kernel_reports()
        if reports:
            raise KernelReport(f"{self.name} ({self.kver}): " +
                               kreports.format_reports(reports, where), reports)
