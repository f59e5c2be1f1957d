# SPDX-License-Identifier: GPL-2.0
"""A raw generic netlink client for hatcp's tests.

hatcpctl only ever sends well-formed requests; this speaks the wire
format directly, so tests can send every kind of malformed one and read
the kernel's error code and extended ack message back.
"""
import errno
import os
import socket
import struct

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
NETLINK_EXT_ACK, NETLINK_CAP_ACK = 11, 10
SOL_NETLINK = 270
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_TYPE = 1, 2, 5
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2


def nla(atype, payload):
    """One attribute, padded to 4 bytes."""
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * (-len(payload) % 4)


def nla_u8(atype, v):
    return nla(atype, struct.pack("=B", v))


def nla_u16(atype, v):
    return nla(atype, struct.pack("=H", v))


def nla_u32(atype, v):
    return nla(atype, struct.pack("=I", v))


def nla_in_addr(atype, dotted):
    return nla(atype, socket.inet_aton(dotted))


def nest(atype, *attrs, flag=True):
    return nla(atype | (NLA_F_NESTED if flag else 0), b"".join(attrs))


def parse_attrs(buf):
    """{type: payload} of a flat attribute stream (nested flag cleared)."""
    out = {}
    while len(buf) >= 4:
        alen, atype = struct.unpack_from("=HH", buf)
        if alen < 4:
            break
        out[atype & ~NLA_F_NESTED] = buf[4:alen]
        buf = buf[(alen + 3) & ~3:]
    return out


class NetlinkError(Exception):
    def __init__(self, err, msg, miss_type=None):
        super().__init__(f"{errno.errorcode.get(err, err)}: {msg}")
        self.errno = err
        self.msg = msg
        self.miss_type = miss_type


class Genl:
    def __init__(self, family="hatcp"):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             nla(CTRL_ATTR_FAMILY_NAME,
                                 family.encode() + b"\0"), version=1)
        self.family = struct.unpack(
            "=H", parse_attrs(reply[0][4:])[CTRL_ATTR_FAMILY_ID])[0]

    def close(self):
        self.sock.close()

    def send_raw(self, nlmsg_type, body, flags=NLM_F_REQUEST | NLM_F_ACK,
                 length=None):
        """Sends one message; @length overrides nlmsg_len for lies."""
        self.seq += 1
        hdr = struct.pack("=IHHII",
                          length if length is not None else 16 + len(body),
                          nlmsg_type, flags, self.seq, 0)
        self.sock.send(hdr + body)

    def send(self, cmd, attrs=b"", version=1, reserved=0, flags=None,
             length=None):
        body = struct.pack("=BBH", cmd, version, reserved) + attrs
        self.send_raw(self.family, body,
                      flags if flags is not None else NLM_F_REQUEST | NLM_F_ACK,
                      length)

    def recv(self):
        """Genl payloads (genl header included) until the ack or DONE."""
        msgs = []
        while True:
            data = self.sock.recv(1 << 20)
            while data:
                nlen, ntype, nflags, _, _ = struct.unpack_from("=IHHII", data)
                payload = data[16:nlen]
                data = data[(nlen + 3) & ~3:]
                if nflags & NLM_F_DUMP_INTR:
                    self.interrupted = True
                if ntype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", payload)[0]
                    if err == 0:
                        return msgs
                    # With CAP_ACK only the request's header is echoed.
                    tlvs = parse_attrs(payload[4 + 16:])
                    msg = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
                    miss = tlvs.get(NLMSGERR_ATTR_MISS_TYPE)
                    raise NetlinkError(err, msg.decode(),
                                       struct.unpack("=I", miss)[0]
                                       if miss else None)
                if ntype == NLMSG_DONE:
                    err = -struct.unpack_from("=i", payload)[0] \
                        if len(payload) >= 4 else 0
                    if err:
                        tlvs = parse_attrs(payload[4:])
                        msg = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
                        raise NetlinkError(err, msg.decode())
                    return msgs
                msgs.append(payload)

    def request(self, family, cmd, attrs=b"", version=1):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + attrs
        hdr = struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK, self.seq, 0)
        self.sock.send(hdr + body)
        return self.recv()

    def call(self, cmd, attrs=b"", **kw):
        self.send(cmd, attrs, **kw)
        return self.recv()

    def dump(self, cmd, attrs=b""):
        self.interrupted = False
        self.send(cmd, attrs, flags=NLM_F_REQUEST | NLM_F_DUMP)
        return self.recv()


def hatcp_consts(header=os.path.join(os.path.dirname(__file__), "..",
                                     "include/uapi/linux/hatcp.h")):
    """The uapi enums, read from the header itself so tests never drift."""
    import re
    consts, text = {}, open(header).read()
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
        val = 0
        for line in body.splitlines():
            line = re.sub(r"/\*.*?\*/", "", line).strip().rstrip(",")
            if not line:
                continue
            m = re.match(r"(\w+)\s*=\s*(\w+)\s*-\s*1$", line)
            if m:
                consts[m.group(1)] = consts[m.group(2)] - 1
                continue
            m = re.match(r"(\w+)$", line)
            if m:
                consts[m.group(1)] = val
                val += 1
    for name, v in re.findall(r"#define (HATCP_\w+)\s+(\d+)", text):
        consts[name] = int(v)
    return consts
