# SPDX-License-Identifier: GPL-2.0
"""A raw packet socket reader for captures.sh (not a selftest of its own).

  pktcount.py PORT CHAN_PORT OUT READY MAX_S
      In the current network namespace, read every frame of every device
      from one socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) until SIGTERM
      or MAX_S seconds, then write OUT: per device, JSON counts of frames,
      of TCP segments to or from PORT (svc; svc_in those received, svc_in_own
      those received with the device's own MAC as Ethernet source: what
      hatcp injects on a replica), of UDP to or from CHAN_PORT (chan), and
      of frames whose headers do not parse: bad_ip (type 0x0800 but no
      IPv4 header) and other_type (an Ethernet type that is none of IPv4,
      ARP, IPv6: what a missing MAC header looks like) with a few examples.
      READY is written once the socket is bound.
  pktcount.py pair DEV_A DEV_B
      Send 10 frames on DEV_B from a packet socket and count, on DEV_A's,
      those that arrive (the unprivileged case of captures.sh); prints it.
"""
import json
import os
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
KNOWN_TYPES = (0x0800, 0x0806, 0x86DD)


def own_mac(ifname, cache={}):
    if ifname not in cache:
        try:
            with open(f"/sys/class/net/{ifname}/address") as f:
                cache[ifname] = bytes.fromhex(f.read().strip().replace(":", ""))
        except OSError:
            cache[ifname] = b""
    return cache[ifname]


def count(port, chan_port, out, ready, max_s):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.settimeout(0.5)
    with open(ready, "w") as f:
        f.write("1\n")
    devs = {}
    deadline = time.monotonic() + max_s
    while not stop and time.monotonic() < deadline:
        try:
            # The headers are all we look at: 256 bytes of each frame.
            frame, addr = s.recvfrom(256)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        ifname, pkttype = addr[0], addr[2]
        d = devs.setdefault(ifname, {"frames": 0, "svc": 0, "svc_in": 0, "svc_in_own": 0,
                                     "chan": 0, "bad_ip": 0, "other_type": 0,
                                     "examples": []})
        d["frames"] += 1
        if len(frame) < 14:
            d["other_type"] += 1
            continue
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype >= 0x600 and etype not in KNOWN_TYPES:
            d["other_type"] += 1
            if len(d["examples"]) < 3:
                d["examples"].append(frame[:34].hex())
            continue
        if etype != 0x0800:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4 if ip else 0
        if len(ip) < 20 or ip[0] >> 4 != 4 or ihl < 20 or len(ip) < ihl + 4:
            d["bad_ip"] += 1
            if len(d["examples"]) < 3:
                d["examples"].append(frame[:34].hex())
            continue
        sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        if ip[9] == 6 and port in (sport, dport):
            d["svc"] += 1
            if pkttype != PACKET_OUTGOING and dport == port:
                d["svc_in"] += 1
                if frame[6:12] == own_mac(ifname):
                    d["svc_in_own"] += 1
        elif ip[9] == 17 and chan_port in (sport, dport):
            d["chan"] += 1
    with open(out + ".tmp", "w") as f:
        json.dump(devs, f)
    os.replace(out + ".tmp", out)


def pair(dev_a, dev_b):
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((dev_a, ETH_P_ALL))
    rx.settimeout(0.2)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((dev_b, 0))
    src = tx.getsockname()[4]
    # A local experimental Ethernet type, so nothing else matches.
    frame = b"\xff" * 6 + src + struct.pack("!H", 0x88B5) + b"hatcp-captures" + b"\0" * 32
    got = 0
    deadline = time.monotonic() + 10
    for _ in range(10):
        tx.send(frame)
    while got < 10 and time.monotonic() < deadline:
        try:
            f = rx.recv(256)
        except socket.timeout:
            continue
        if f[12:14] == b"\x88\xb5" and f[14:28] == b"hatcp-captures":
            got += 1
    print(got)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "pair":
        pair(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6:
        count(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
