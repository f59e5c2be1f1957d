# SPDX-License-Identifier: GPL-2.0
"""A SYN that arrives on a live connection's 4-tuple (a late duplicate of
its first one, or a forged one).

  dupsyn.py ADDR PORT    connect, 1000 bytes there and back, a raw SYN
                         with the same 4-tuple (another sequence number),
                         1000 bytes more there and back, close

Prints "LOCAL_ADDR:PORT SHA256_SENT SHA256_RECEIVED", the digests as
hatcp-echod's --stats file records them (sha256_in, sha256_out). The raw
socket needs CAP_NET_RAW.
"""
import hashlib
import os
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def raw_syn(src, sport, dst, dport):
    """A bare SYN (no options), from src:sport to dst:dport."""
    seq = struct.unpack("!I", os.urandom(4))[0]
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", checksum(pseudo + hdr)) + hdr[18:]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    raw.sendto(hdr, (dst, 0))
    raw.close()


def exchange(sock, payload, sent, received):
    sock.sendall(payload)
    sent.update(payload)
    got = 0
    while got < len(payload):
        data = sock.recv(len(payload) - got)
        if not data:
            sys.exit("EOF before the reply")
        received.update(data)
        got += len(data)


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    sock = socket.create_connection((addr, port), timeout=30)
    local, lport = sock.getsockname()
    sent, received = hashlib.sha256(), hashlib.sha256()
    exchange(sock, bytes(i % 251 for i in range(1000)), sent, received)
    raw_syn(local, lport, addr, port)
    time.sleep(0.5)
    exchange(sock, bytes(i % 241 for i in range(1000)), sent, received)
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)
    sock.close()
    print(f"{local}:{lport} {sent.hexdigest()} {received.hexdigest()}")


if __name__ == "__main__":
    main()
