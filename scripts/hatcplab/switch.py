# SPDX-License-Identifier: GPL-2.0
"""A learning Ethernet switch in a host thread, for LANs of more than two guests.

Every port is a unix datagram socket that one guest's `-netdev dgram` talks to.
Broadcast, multicast (VRRP, ARP) and unknown destinations are flooded. Frames to
a dead guest are dropped, so a SIGKILLed node never stalls the others.
"""

import os
import selectors
import socket
import threading


class Switch:
    def __init__(self, dirpath, name):
        self.dir, self.name = dirpath, name
        self.socks = []       # our end of each port
        self.peers = []       # the guest-side socket path of each port
        self.fdb = {}         # source MAC -> port it was last seen on
        self._stop = threading.Event()
        self._thread = None

    def add_port(self):
        """A new port: returns (guest_path, switch_path) for -netdev dgram local/remote."""
        i = len(self.socks)
        ours = os.path.join(self.dir, f"{self.name}-p{i}.sock")
        theirs = os.path.join(self.dir, f"{self.name}-g{i}.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(ours)
        s.setblocking(False)
        self.socks.append(s)
        self.peers.append(theirs)
        return theirs, ours

    def start(self):
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name=f"hatcplab-switch-{self.name}")
        self._thread.start()

    def _forward(self, i, frame):
        if len(frame) < 14:
            return
        dst, src = frame[0:6], frame[6:12]
        self.fdb[src] = i
        out = None if dst[0] & 1 else self.fdb.get(dst)   # group bit: flood
        if out == i:
            return
        for j in ([out] if out is not None else range(len(self.socks))):
            if j == i:
                continue
            try:
                self.socks[j].sendto(frame, self.peers[j])
            except OSError:
                pass   # guest not up yet, dead, or its queue is full: drop, like a switch

    def _loop(self):
        sel = selectors.DefaultSelector()
        for i, s in enumerate(self.socks):
            sel.register(s, selectors.EVENT_READ, i)
        while not self._stop.is_set():
            for key, _ in sel.select(0.2):
                while True:
                    try:
                        frame = key.fileobj.recv(65536)
                    except (BlockingIOError, OSError):
                        break
                    self._forward(key.data, frame)
        sel.close()

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join()
        for s in self.socks:
            s.close()
