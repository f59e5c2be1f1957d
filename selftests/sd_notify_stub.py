# SPDX-License-Identifier: GPL-2.0
"""A stand-in for systemd's side of sd_notify(3), for the lab (whose guests
boot without systemd): binds the datagram socket NOTIFY_SOCKET names and
appends every notification to a file, one line per message with its
assignments joined by '|' (e.g. "RELOADING=1|MONOTONIC_USEC=12|STATUS=...").
Like systemd it accepts only what comes with the sender's credentials and
records the sending pid ("pid=N|...").

  python3 sd_notify_stub.py SOCKET LOGFILE
"""

import os
import signal
import socket
import sys


def main():
    path, log = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(log, "a", buffering=1) as out:
        while True:
            data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
            pid = "?"
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = str(int.from_bytes(payload[0:4], "little"))
            fields = [f for f in data.decode(errors="replace").split("\n") if f]
            out.write("|".join([f"pid={pid}"] + fields) + "\n")


if __name__ == "__main__":
    main()
