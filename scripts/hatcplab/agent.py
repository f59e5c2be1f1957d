# SPDX-License-Identifier: GPL-2.0
"""Host side of the guest command agent (scripts/lib/guest-agent has the wire format).

One unix socket per VM (qemu's end of the virtio-serial port). A reader thread
routes replies to waiting callers by request id, so several threads may talk to
one guest at once.
"""

import base64
import json
import socket
import threading
import time

from .errors import LabError


class _Pending:
    def __init__(self, on_chunk):
        self.done = threading.Event()
        self.reply = None
        self.chunks = {"out": [], "err": []}
        self.on_chunk = on_chunk


class AgentConnection:
    def __init__(self, sock_path, transcript):
        self.sock_path = sock_path
        self.transcript = transcript   # file object, or None
        self.sock = None
        self.hello = None
        self.hello_event = threading.Event()
        self.closed = threading.Event()   # set when qemu's end goes away
        self._pending = {}
        self._lock = threading.Lock()
        self._next_id = 1
        self._tlock = threading.Lock()

    def log(self, text):
        if self.transcript:
            with self._tlock:
                t = time.time()
                stamp = time.strftime("%H:%M:%S", time.localtime(t)) + ".%03d" % (t * 1000 % 1000)
                self.transcript.write(f"{stamp} {text}\n")
                self.transcript.flush()

    def connect(self, deadline, alive):
        """Connect to qemu's socket; it appears a moment after qemu starts."""
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if not alive() or time.monotonic() > deadline:
                    return False
                time.sleep(0.02)
        self.sock = s
        threading.Thread(target=self._reader, daemon=True,
                         name="agent-" + self.sock_path).start()
        return True

    def _reader(self):
        buf = b""
        try:
            while True:
                data = self.sock.recv(1 << 20)
                if not data:
                    break
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self._dispatch(json.loads(line))
        except OSError:
            pass
        finally:
            self.closed.set()
            with self._lock:
                pending = list(self._pending.values())
            for p in pending:
                p.done.set()

    def _dispatch(self, msg):
        if msg.get("op") == "hello":
            self.hello = msg
            self.log("<- hello " + json.dumps(msg))
            self.hello_event.set()
            return
        with self._lock:
            p = self._pending.get(msg.get("id"))
        if p is None:
            self.log("<- unexpected " + json.dumps(msg)[:500])
            return
        if "chunk" in msg:
            data = base64.b64decode(msg["data"])
            p.chunks[msg["chunk"]].append(data)
            if p.on_chunk:
                p.on_chunk(msg["chunk"], data)
            return
        p.reply = msg
        p.done.set()

    def request(self, msg, on_chunk=None):
        """Send a request; returns a handle for wait()."""
        if self.sock is None or self.closed.is_set():
            raise LabError("agent connection is closed")
        with self._lock:
            rid = self._next_id
            self._next_id += 1
            p = _Pending(on_chunk)
            self._pending[rid] = p
        msg = dict(msg, id=rid)
        self.log("-> " + json.dumps(msg)[:2000])
        data = (json.dumps(msg, separators=(",", ":")) + "\n").encode()
        try:
            self.sock.sendall(data)
        except OSError:
            pass   # the reader sees the EOF and wakes the waiter
        return rid, p

    def wait(self, rid, p, timeout):
        """The reply, or None if the guest did not answer in time or went away."""
        p.done.wait(timeout)
        with self._lock:
            self._pending.pop(rid, None)
        if p.reply is not None:
            shown = {k: v for k, v in p.reply.items() if k != "records"}
            self.log("<- " + json.dumps(shown)[:500])
        return p.reply

    def close(self):
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
