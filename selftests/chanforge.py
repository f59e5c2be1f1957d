# SPDX-License-Identifier: GPL-2.0
"""Raw-socket helper for channel.sh: capture a channel datagram, send forged ones.

  chanforge.py capture SRC PORT FILE   save the UDP payload of the next datagram
                                       from SRC:PORT seen in this namespace
  chanforge.py send SRC DST PORT FILE MODE [COUNT]
                                       send FILE's payload from SRC:PORT to
                                       DST:PORT, as it is or spoiled by MODE:
                                       asis, badtag, badmagic, truncate
  chanforge.py forge SRC DST PORT FILE KIND
                                       send a data-path message that an
                                       unkeyed channel accepts (valid tag,
                                       FILE's session, a fresh sequence)
                                       but the module must refuse, by KIND:
                                       inconsistent (fragment fields that
                                       disagree), nottcp (a body that is
                                       not TCP/IPv4), unknownflow (a client
                                       segment for no flow), stale (an
                                       older session), fwdunknown (a
                                       forwarded segment for no flow)

Raw IP sockets need no bound port, so datagrams can claim the peer's own
address and port while its channel socket holds them.
"""
import hashlib
import socket
import struct
import sys

HDR_LEN, TAG_OFF = 40, 24


def capture(src, port, path, timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.settimeout(timeout)
    while True:
        pkt = s.recv(65535)
        ihl = (pkt[0] & 0x0F) * 4
        saddr = socket.inet_ntoa(pkt[12:16])
        sport = struct.unpack_from("!H", pkt, ihl)[0]
        if saddr == src and sport == port:
            open(path, "wb").write(pkt[ihl + 8:])
            return


def spoil(msg, mode):
    msg = bytearray(msg)
    if mode == "badtag":
        msg[TAG_OFF] ^= 0x01
    elif mode == "badmagic":
        msg[0] ^= 0xFF
    elif mode == "truncate":
        msg = msg[:HDR_LEN - 1]
    elif mode != "asis":
        sys.exit(f"unknown mode {mode}")
    return bytes(msg)


MSG_FRAGMENT = 2
# Sequence numbers ahead of the captured message: fresh to the receiver,
# yet inside its 2048-wide window, so the real sender is barely disturbed.
SEQ_AHEAD = 200


def tagged(session, seq, mtype, payload):
    """A message with a valid tag under the all-zero (unset) key."""
    hdr = struct.pack("!IBBHQQ", 0x48744370, 1, mtype, len(payload),
                      session, seq)
    tag = hashlib.blake2s(hdr + bytes(16) + payload, digest_size=16,
                          key=bytes(32)).digest()
    return hdr + tag + payload


def tcp_packet(src, dst, sport, dport, proto=socket.IPPROTO_TCP):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4,
                      0x18, 65535, 0, 0) + b"forged"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64,
                     proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return ip + tcp


def forge(path, kind):
    session, seq = struct.unpack_from("!QQ", open(path, "rb").read(), 8)
    # Each kind its own sequence: the same one twice would be a replay.
    seq += SEQ_AHEAD + ("inconsistent", "nottcp", "unknownflow",
                        "stale", "fwdunknown").index(kind)
    body_kind = 3 if kind == "fwdunknown" else 1   # FORWARD, SEGMENT
    body_hdr = struct.pack("!BBHHBBII", body_kind, 0, 0, 0, 0, 0, 0, 0)
    count = 1
    if kind == "nottcp":
        body = body_hdr + tcp_packet("10.0.1.100", "10.0.1.10", 1, 7000,
                                     socket.IPPROTO_UDP)
    elif kind in ("unknownflow", "stale", "fwdunknown"):
        body = body_hdr + tcp_packet("10.0.1.100", "10.0.1.10", 1, 7000)
        if kind == "stale":
            session -= 1
    elif kind == "inconsistent":
        body = body_hdr + tcp_packet("10.0.1.100", "10.0.1.10", 1, 7000)
        count = 0
    else:
        sys.exit(f"unknown kind {kind}")
    frag = struct.pack("!QIHBB", 1 << 40, len(body), len(body), 0, count)
    return tagged(session, seq, MSG_FRAGMENT, frag + body)


def send(src, dst, port, path, mode, count=1):
    if mode.startswith("forge:"):
        payload = forge(path, mode[len("forge:"):])
    else:
        payload = spoil(open(path, "rb").read(), mode)
    udp = struct.pack("!HHHH", port, port, 8 + len(payload), 0) + payload
    # Checksum and id 0: the kernel fills both in for IP_HDRINCL.
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(count):
        s.sendto(ip + udp, (dst, 0))


if __name__ == "__main__":
    if sys.argv[1] == "capture":
        capture(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "forge":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
             "forge:" + sys.argv[6])
    elif sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
             sys.argv[6], int(sys.argv[7]) if len(sys.argv) > 7 else 1)
    else:
        sys.exit(__doc__)
