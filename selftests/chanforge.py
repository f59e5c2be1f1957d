# SPDX-License-Identifier: GPL-2.0
"""Raw-socket helper for the channel's selftests: capture channel datagrams,
send them back or spoiled, forge new ones.

  chanforge.py capture SRC PORT FILE [TYPE]
                                       save the UDP payload of the next datagram
                                       from SRC:PORT seen in this namespace, of
                                       TYPE (hello, heartbeat, any: default)
  chanforge.py send SRC DST PORT FILE MODE [COUNT]
                                       send FILE's payload from SRC:PORT to
                                       DST:PORT, as it is or spoiled by MODE:
                                       asis, badtag, badmagic, truncate
  chanforge.py forge SRC DST PORT FILE KIND [KEYFILE [TAGKEYFILE]]
                                       send a message built from FILE, a HELLO
                                       SRC sent (its nonce and the nonce it
                                       echoes make SRC's session to DST), with
                                       a fresh sequence, tagged as SRC would
                                       with the channel key in KEYFILE (none
                                       or "zero": all zeros, an unkeyed
                                       channel's); with TAGKEYFILE the session
                                       id is KEYFILE's, the tag TAGKEYFILE's
                                       (an attacker who copied the id from a
                                       captured message), by KIND. Ones a keyed sender's tag makes
                                       valid but the module must refuse:
                                       inconsistent (fragment fields that
                                       disagree), nottcp (a body that is
                                       not TCP/IPv4), unknownflow (a client
                                       segment for no flow), stale (another
                                       session's id), fwdunknown (a forwarded
                                       segment for no flow). Ones an attacker
                                       without the key would send: hbprimary
                                       (a heartbeat saying "primary"), ackok
                                       (ACK_OK for message ids 1..64), hello
                                       (a HELLO with a fresh nonce echoing
                                       DST's, from the latest epoch there
                                       can be), oldhello (the same from an
                                       epoch older than any: what a replay
                                       of an earlier incarnation of SRC
                                       looks like)

Raw IP sockets need no bound port, so datagrams can claim the peer's own
address and port while its channel socket holds them. The key schedule is
the module's (kmod/channel.c), written again here from its description:
a forged message the module accepts shows both agree.
"""
import hashlib
import os
import socket
import struct
import sys

HDR_LEN, TAG_OFF = 40, 24
MAGIC, VERSION = 0x48744370, 2
MSG_HEARTBEAT, MSG_FRAGMENT, MSG_ACK, MSG_HELLO = 1, 2, 3, 4
TYPES = {"hello": MSG_HELLO, "heartbeat": MSG_HEARTBEAT}
NONCE_LEN = 32


def capture(src, port, path, mtype="any", timeout=15.0):
    want = TYPES.get(mtype)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.settimeout(timeout)
    while True:
        pkt = s.recv(65535)
        ihl = (pkt[0] & 0x0F) * 4
        saddr = socket.inet_ntoa(pkt[12:16])
        sport = struct.unpack_from("!H", pkt, ihl)[0]
        msg = pkt[ihl + 8:]
        if saddr == src and sport == port and len(msg) >= HDR_LEN and \
                (want is None or msg[5] == want):
            open(path, "wb").write(msg)
            return


def kdf(key, label, *parts, size=32):
    """Keyed BLAKE2s over label || parts: the module's KDF."""
    return hashlib.blake2s(label + b"".join(parts), digest_size=size,
                           key=key).digest()


def session_of(hello, key):
    """(id, tag key) of the session the HELLO's sender has with its peer."""
    nonce, echo = hello[HDR_LEN:HDR_LEN + NONCE_LEN], \
        hello[HDR_LEN + NONCE_LEN:HDR_LEN + 2 * NONCE_LEN]
    sid = struct.unpack("!Q", kdf(key, b"hatcp v2 id", nonce, echo, size=8))[0]
    return sid or 1, kdf(key, b"hatcp v2 data", nonce, echo)


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


# Sequence numbers ahead of the captured message: fresh to the receiver,
# yet inside its 2048-wide window, so the real sender is barely disturbed.
SEQ_AHEAD = 200


def tagged(key, session, seq, mtype, payload):
    """A message tagged under key (a session's, or the HELLO key)."""
    hdr = struct.pack("!IBBHQQ", MAGIC, VERSION, mtype, len(payload),
                      session, seq)
    tag = hashlib.blake2s(hdr + bytes(16) + payload, digest_size=16,
                          key=key).digest()
    return hdr + tag + payload


def tcp_packet(src, dst, sport, dport, proto=socket.IPPROTO_TCP):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4,
                      0x18, 65535, 0, 0) + b"forged"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64,
                     proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return ip + tcp


KINDS = ("inconsistent", "nottcp", "unknownflow", "stale", "fwdunknown",
         "hbprimary", "ackok", "hello", "oldhello")


def forge(path, kind, key, tag_key=None):
    """The datagrams of KIND, as a list of UDP payloads."""
    hello = open(path, "rb").read()
    if hello[5] != MSG_HELLO:
        sys.exit(f"{path} is not a HELLO")
    session, tkey = session_of(hello, key)
    if tag_key is not None:
        tkey = session_of(hello, tag_key)[1]
        key = tag_key
    seq = struct.unpack_from("!Q", hello, 16)[0]
    # Each kind its own sequence: the same one twice would be a replay.
    seq += SEQ_AHEAD + KINDS.index(kind) * 100
    if kind == "hbprimary":
        return [tagged(tkey, session, seq, MSG_HEARTBEAT,
                       struct.pack("!B3xI", 1, 100))]
    if kind == "ackok":
        return [tagged(tkey, session, seq + i, MSG_ACK,
                       struct.pack("!QB7x", i, 1)) for i in range(1, 65)]
    if kind in ("hello", "oldhello"):
        echo = hello[HDR_LEN + NONCE_LEN:HDR_LEN + 2 * NONCE_LEN]
        epoch = 2**63 - 1 if kind == "hello" else 1
        payload = os.urandom(NONCE_LEN) + echo + struct.pack("!Q", epoch)
        return [tagged(kdf(key, b"hatcp v2 hello"), 0, seq, MSG_HELLO,
                       payload)]
    body_kind = 3 if kind == "fwdunknown" else 1   # FORWARD, SEGMENT
    body_hdr = struct.pack("!BBHHBBII", body_kind, 0, 0, 0, 0, 0, 0, 0)
    count = 1
    if kind == "nottcp":
        body = body_hdr + tcp_packet("10.0.1.100", "10.0.1.10", 1, 7000,
                                     socket.IPPROTO_UDP)
    elif kind in ("unknownflow", "stale", "fwdunknown"):
        body = body_hdr + tcp_packet("10.0.1.100", "10.0.1.10", 1, 7000)
        if kind == "stale":
            session ^= 1
    elif kind == "inconsistent":
        body = body_hdr + tcp_packet("10.0.1.100", "10.0.1.10", 1, 7000)
        count = 0
    else:
        sys.exit(f"unknown kind {kind}")
    frag = struct.pack("!QIHBB", 1 << 40, len(body), len(body), 0, count)
    return [tagged(tkey, session, seq, MSG_FRAGMENT, frag + body)]


def read_key(path):
    if not path or path == "zero":
        return bytes(32)
    return bytes.fromhex(open(path).read().strip())


def send(src, dst, port, path, mode, count=1, keyfile=None, tagkeyfile=None):
    if mode.startswith("forge:"):
        payloads = forge(path, mode[len("forge:"):], read_key(keyfile),
                         read_key(tagkeyfile) if tagkeyfile else None)
    else:
        payloads = [spoil(open(path, "rb").read(), mode)]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for payload in payloads:
        udp = struct.pack("!HHHH", port, port, 8 + len(payload), 0) + payload
        # Checksum and id 0: the kernel fills both in for IP_HDRINCL.
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                         socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                         socket.inet_aton(dst))
        for _ in range(count):
            s.sendto(ip + udp, (dst, 0))


if __name__ == "__main__":
    if sys.argv[1] == "capture":
        capture(sys.argv[2], int(sys.argv[3]), sys.argv[4],
                sys.argv[5] if len(sys.argv) > 5 else "any")
    elif sys.argv[1] == "forge":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
             "forge:" + sys.argv[6],
             keyfile=sys.argv[7] if len(sys.argv) > 7 else None,
             tagkeyfile=sys.argv[8] if len(sys.argv) > 8 else None)
    elif sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
             sys.argv[6], int(sys.argv[7]) if len(sys.argv) > 7 else 1)
    else:
        sys.exit(__doc__)
