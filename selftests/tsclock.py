#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tsclock.py NS_A NS_B SADDR SPORT: the difference, in TSval units, between
the clocks of the flow SADDR:SPORT's sockets in two namespaces of this
machine (B minus A). Both are read from one process, a few microseconds
apart, so hatcpctl's start-up time under TCG does not blur it.
(Not a selftest: a helper for datapath.sh.)"""
import ctypes
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import Genl, parse_attrs, hatcp_consts  # noqa: E402

C = hatcp_consts()
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def connect_in(ns):
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"setns {ns}")
    finally:
        os.close(fd)
    return Genl()


def tsval(g, saddr, sport):
    for msg in g.dump(C["HATCP_CMD_GET_FLOW"]):
        flow = parse_attrs(parse_attrs(msg[4:])[C["HATCP_A_FLOW"]])
        if (socket.inet_ntoa(flow[C["HATCP_FLOW_A_SADDR_IPV4"]]) == saddr and
                struct.unpack("=H", flow[C["HATCP_FLOW_A_SPORT"]])[0] == sport):
            return struct.unpack("=I", flow[C["HATCP_FLOW_A_TSVAL"]])[0]
    raise SystemExit(f"no flow {saddr}:{sport}")


def main():
    ns_a, ns_b, saddr, sport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    # Sockets keep the namespace they were made in: open both first.
    a, b = connect_in(ns_a), connect_in(ns_b)
    ta = tsval(a, saddr, sport)
    tb = tsval(b, saddr, sport)
    diff = (tb - ta) & 0xffffffff
    print(diff - (1 << 32) if diff >= 1 << 31 else diff)


main()
