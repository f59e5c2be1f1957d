# SPDX-License-Identifier: GPL-2.0
"""TCP-MD5 (RFC 2385) peers for the lab: a flow hatcp must leave alone.

  md5sig.py serve ADDR PORT PEER KEY   echo each connection, signed with KEY
  md5sig.py call ADDR PORT KEY         send 1000 bytes, expect them back

Python has no wrapper for TCP_MD5SIG, so struct tcp_md5sig is built here:
the peer's sockaddr_storage (128 bytes), flags, prefixlen, keylen,
ifindex, then the key in 80 bytes.
"""
import socket
import struct
import sys

TCP_MD5SIG = 14


def md5sig(sock, peer, key):
    addr = struct.pack("<H", socket.AF_INET) + b"\0\0" + socket.inet_aton(peer)
    sig = addr.ljust(128, b"\0") + struct.pack("<BBHi", 0, 0, len(key), 0)
    sock.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, sig + key.ljust(80, b"\0"))


def serve(addr, port, peer, key):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    md5sig(srv, peer, key)
    srv.bind((addr, port))
    srv.listen()
    while True:
        conn, _ = srv.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)


def call(addr, port, key):
    sock = socket.socket()
    md5sig(sock, addr, key)
    sock.settimeout(30)
    sock.connect((addr, port))
    payload = bytes(range(250)) * 4
    sock.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    sock.close()
    if got != payload:
        sys.exit(f"md5sig: got {len(got)} bytes back, not the 1000 sent")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5].encode())
    else:
        call(sys.argv[2], int(sys.argv[3]), sys.argv[4].encode())
