# SPDX-License-Identifier: GPL-2.0
"""Raw-socket ARP probe for lib.sh's data-path topology.

  arpprobe.py IFNAME SENDER_IP TARGET_IP [WAIT_S]

Broadcasts one ARP request "who has TARGET_IP, tell SENDER_IP" on IFNAME
and prints, one per line and sorted, the MAC address of every host that
answered within WAIT_S seconds (default 1). Unlike `ip neigh`, which keeps
whichever reply came first, this sees every answer: two lines mean two
hosts claim the address. Exit status 0 whatever the answers, 1 on error.
"""
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    ifname, sender, target = sys.argv[1:4]
    wait = float(sys.argv[4]) if len(sys.argv) == 5 else 1.0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((ifname, ETH_P_ARP))
    mac = s.getsockname()[4]
    spa, tpa = socket.inet_aton(sender), socket.inet_aton(target)
    frame = (b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP) +
             struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + spa + b"\0" * 6 + tpa)
    s.send(frame)
    answers = set()
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            pkt = s.recv(2048)
        except socket.timeout:
            break
        if len(pkt) < 42:
            continue
        op = struct.unpack("!H", pkt[20:22])[0]
        sha, sip, tip = pkt[22:28], pkt[28:32], pkt[38:42]
        if op == 2 and sip == tpa and tip == spa:
            answers.add(":".join("%02x" % b for b in sha))
    for a in sorted(answers):
        print(a)


if __name__ == "__main__":
    main()
