# SPDX-License-Identifier: GPL-2.0
"""A hostile client on its own connection: segments the server's stack
would refuse, sent on the 4-tuple of a live connection whose sequence
numbers the tool reads from its own socket (TCP_REPAIR, so root).

  hostile.py ADDR PORT MODE COUNT [HOLD]
  hostile.py ADDR PORT synflood COUNT

connects to an echo server (cat), exchanges 1000 bytes, sends COUNT forged segments of MODE
(checksums valid, so only the TCP layer can refuse them), then exchanges
1000 bytes more and closes. MODE:

  beyond    1000 bytes starting 2^30 past the server's window
  old       1000 bytes ending 2^30 before it (already acknowledged)
  baddoff   100 bytes at the next sequence with a data offset of 2
  clean     nothing (COUNT is ignored): a well-behaved client
  hole      COUNT connections, each sent 8 segments of 1400 bytes, all
            inside the initial window (10 MSS) but after a 1400-byte hole
            the client never fills (no second exchange: the hole stalls it)

The connections come from $HOSTILE_SRC when set (an address of the
client's), else from the routing's choice.

synflood sends COUNT bare SYNs to ADDR:PORT, each from its own spoofed
source address in 10.200.0.0/16 and a random port, and prints how many
it sent. Otherwise it prints "PORT OK" once both exchanges came back intact: the connection
survived what its own client did to it. Then keeps the connection open
HOLD seconds (default 0), for its flow to be inspected.
"""
import errno
import hashlib
import os
import random
import socket
import struct
import sys
import time

from dupsyn import checksum  # the TCP sum, as dupsyn.py forges its SYN

TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ = 19, 20, 21
TCP_RECV_QUEUE, TCP_SEND_QUEUE = 1, 2


def segment(src, sport, dst, dport, seq, ack, payload, doff=5):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, doff << 4, 0x18, 502, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, socket.IPPROTO_TCP, len(hdr) + len(payload))
    csum = checksum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack("!H", csum) + hdr[18:] + payload


def send(raw, pkt, addr):
    """One raw send; a full queue (ENOBUFS) waits for room, up to 10 s."""
    for _ in range(1000):
        try:
            raw.sendto(pkt, (addr, 0))
            return
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            time.sleep(0.01)
    sys.exit("the raw socket's queue stayed full for 10 s")


def seqs(sock):
    """(next sequence we send, next we expect), read from the socket."""
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
        snd = sock.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ)
        sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
        rcv = sock.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ)
    finally:
        sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 0)
    return snd & 0xFFFFFFFF, rcv & 0xFFFFFFFF


def exchange(sock, n):
    payload = bytes((i * 7) % 251 for i in range(n))
    sock.sendall(payload)
    got = b""
    while len(got) < n:
        data = sock.recv(n - len(got))
        if not data:
            sys.exit("EOF before the reply")
        got += data
    if hashlib.sha256(got).digest() != hashlib.sha256(payload).digest():
        sys.exit("reply differs from what was sent")


def synflood(addr, port, count):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    rng = random.Random(port)
    deadline = time.monotonic() + 60
    sent = 0
    for i in range(count):
        src = f"10.200.{(i >> 8) & 0xFF}.{i & 0xFF or 1}"
        tcp = struct.pack("!HHIIBBHHH", rng.randrange(1024, 65535), port,
                          rng.getrandbits(32), 0, 5 << 4, 0x02, 64240, 0, 0)
        pseudo = socket.inet_aton(src) + socket.inet_aton(addr) + struct.pack(
            "!BBH", 0, socket.IPPROTO_TCP, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0,
                         64, socket.IPPROTO_TCP, 0, socket.inet_aton(src),
                         socket.inet_aton(addr))
        send(raw, ip + tcp, addr)
        sent += 1
        if time.monotonic() > deadline:
            break
    print(sent)


def connect(addr, port):
    src = os.environ.get("HOSTILE_SRC")
    return socket.create_connection((addr, port), timeout=30,
                                    source_address=(src, 0) if src else None)


def holes(addr, port, count, hold):
    """count connections, each with bytes queued after a hole."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    # The kernel writes the IP header: its source must be the connections'.
    if os.environ.get("HOSTILE_SRC"):
        raw.bind((os.environ["HOSTILE_SRC"], 0))
    socks = []
    for _ in range(count):
        sock = connect(addr, port)
        local, lport = sock.getsockname()
        exchange(sock, 1000)
        snd, rcv = seqs(sock)
        for i in range(8):
            seq = snd + 1400 * (i + 1)
            send(raw, segment(local, lport, addr, port, seq, rcv, bytes(1400)), addr)
        socks.append(sock)
    print(count, "OK", flush=True)
    time.sleep(hold)
    for sock in socks:
        sock.close()


def main():
    addr, port, mode, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    hold = float(sys.argv[5]) if len(sys.argv) > 5 else 0
    if mode == "synflood":
        synflood(addr, port, count)
        return
    if mode == "hole":
        holes(addr, port, count, hold)
        return
    sock = connect(addr, port)
    local, lport = sock.getsockname()
    exchange(sock, 1000)
    snd, rcv = seqs(sock)
    if mode == "beyond":
        seq, payload, doff = snd + (1 << 30), bytes(1000), 5
    elif mode == "old":
        seq, payload, doff = snd - (1 << 30), bytes(1000), 5
    elif mode == "baddoff":
        seq, payload, doff = snd, bytes(100), 2
    elif mode == "clean":
        seq, payload, doff, count = snd, b"", 5, 0
    else:
        sys.exit(f"unknown mode {mode}")
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    pkt = segment(local, lport, addr, port, seq, rcv, payload, doff)
    deadline = time.monotonic() + 30
    for _ in range(count):
        send(raw, pkt, addr)
        if time.monotonic() > deadline:
            sys.exit("sending took over 30 s")
    raw.close()
    exchange(sock, 1000)
    print(lport, "OK", flush=True)
    time.sleep(hold)
    sock.close()


if __name__ == "__main__":
    main()
