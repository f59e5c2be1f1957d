# SPDX-License-Identifier: GPL-2.0
"""Several lab guests joined by virtual Ethernet links and LANs.

Each guest NIC is a qemu `-netdev dgram` backend on unix datagram sockets: it
binds its own socket and sends to its peer's. A link joins two NICs directly; a
LAN joins any number through a learning switch in a host thread (switch.py).
No TCP ports (so parallel labs cannot clash), no listen/connect order at boot,
and when one guest's qemu dies the others just see its frames dropped: the
survivors keep running, which is what the failover tests need.
"""

import ipaddress
import os
import random
import shutil
import tempfile
from dataclasses import dataclass

from .errors import LabError
from .switch import Switch
from .vm import Vm


@dataclass
class Endpoint:
    vm: Vm
    ifname: str
    mac: str
    addr: str        # "10.77.0.1/24", or None for no address

    @property
    def ip(self):
        """The address without the prefix length."""
        return self.addr.split("/")[0] if self.addr else None


@dataclass
class Link:
    a: Endpoint
    b: Endpoint

    def end(self, vm):
        """The endpoint of this link on vm."""
        for e in (self.a, self.b):
            if e.vm is vm:
                return e
        raise LabError(f"{vm.name} is not on this link")

    def peer(self, vm):
        """The endpoint at the other side of the link from vm."""
        return self.b if self.end(vm) is self.a else self.a


@dataclass
class Lan:
    name: str
    ends: list

    def end(self, vm):
        """The endpoint of vm on this LAN."""
        for e in self.ends:
            if e.vm is vm:
                return e
        raise LabError(f"{vm.name} is not on LAN {self.name}")


class Topology:
    """VMs and links; boot them all in parallel with start() or `with`.

        with Topology("6.12") as t:       # or t = Topology(...); ...; t.start()
            a, b = t.vm("a"), t.vm("b")   # before start()
            l = t.link(a, b)              # eth0 10.77.0.1/24 <-> eth0 10.77.0.2/24
            t.start()
            a.run(f"ping -c1 {l.b.ip}")

    VMs see their link/LAN interfaces named eth0, eth1, ... in the order they were
    attached (or as given by ifname/ifnames), up and addressed, virtio_net loaded.
    """

    def __init__(self, kernel="6.12", **vm_defaults):
        self.kernel = kernel
        self.vm_defaults = vm_defaults
        self.vms = []
        self.links = []
        self.lans = []
        self.switches = []
        self.started = False
        self.dir = tempfile.mkdtemp(prefix="hatcp-lab-links-")
        self._macs = set()

    def vm(self, name=None, **kw):
        """Declare a VM (booted by start())."""
        if self.started:
            raise LabError("add VMs before start()")
        opts = dict(self.vm_defaults, **kw)
        v = Vm(opts.pop("kernel", self.kernel), name=name, **opts)
        self.vms.append(v)
        return v

    def _mac(self):
        while True:
            # 52:54:00 is qemu's locally administered prefix.
            mac = "52:54:00:%02x:%02x:%02x" % tuple(random.randrange(256) for _ in range(3))
            if mac not in self._macs:
                self._macs.add(mac)
                return mac

    def link(self, a, b, *, ifnames=(None, None), addrs=None):
        """Join a and b with a virtual Ethernet link; returns the Link.

        ifnames: guest interface names (default eth0, eth1, ... per VM, in order).
        addrs:   (addr_a, addr_b) with prefix, default 10.77.<link>.1/24 and .2/24;
                 pass (None, None) to leave the interfaces without addresses.
        """
        if self.started:
            raise LabError("add links before start()")
        i = len(self.links)
        if addrs is None:
            net = ipaddress.ip_network(f"10.77.{i}.0/24")
            addrs = (f"{net[1]}/24", f"{net[2]}/24")
        socks = [os.path.join(self.dir, f"l{i}{side}.sock") for side in "ab"]
        ends = [self._attach(vm, socks[side], socks[1 - side], ifname, addr)
                for side, (vm, ifname, addr) in enumerate(zip((a, b), ifnames, addrs))]
        link = Link(*ends)
        self.links.append(link)
        return link

    def _attach(self, vm, local, remote, ifname, addr):
        """Give vm a NIC whose frames go to the unix datagram socket remote."""
        for p in (local, remote):
            if "," in p:   # qemu options are comma-separated
                raise LabError(f"comma in socket path {p}")
        netdev = (f"dgram,local.type=unix,local.path={local},"
                  f"remote.type=unix,remote.path={remote}")
        vm.nics.append((netdev, self._mac()))
        return Endpoint(vm, ifname or f"eth{len(vm.nics) - 1}", vm.nics[-1][1], addr)

    def lan(self, vms, *, ifnames=None, addrs=None):
        """Put vms on one Ethernet segment (a learning switch); returns the Lan.

        addrs default: 10.78.<lan>.1/24, .2/24, ... in the order of vms; pass a
        list of None to leave them unaddressed. ifnames as for link().
        """
        if self.started:
            raise LabError("add LANs before start()")
        i = len(self.lans)
        if addrs is None:
            net = ipaddress.ip_network(f"10.78.{i}.0/24")
            addrs = [f"{net[n + 1]}/24" for n in range(len(vms))]
        ifnames = ifnames or [None] * len(vms)
        sw = Switch(self.dir, f"lan{i}")
        self.switches.append(sw)
        ends = []
        for vm, ifname, addr in zip(vms, ifnames, addrs):
            guest_side, switch_side = sw.add_port()
            ends.append(self._attach(vm, guest_side, switch_side, ifname, addr))
        lan = Lan(f"lan{i}", ends)
        self.lans.append(lan)
        return lan

    def endpoints(self, vm):
        """All link and LAN endpoints of vm, in NIC order."""
        ends = [e for l in self.links for e in (l.a, l.b)] + [e for n in self.lans for e in n.ends]
        macs = [mac for _, mac in vm.nics]
        return sorted((e for e in ends if e.vm is vm), key=lambda e: macs.index(e.mac))

    def start(self):
        """Boot all VMs in parallel, then name and address their link interfaces."""
        self.started = True
        try:
            for sw in self.switches:
                sw.start()
            for v in self.vms:
                v.launch()
            for v in self.vms:
                v.wait_booted()
            for v in self.vms:
                configure_nics(v, self.endpoints(v))
        except BaseException:
            self.close(failed=True)
            raise
        return self

    def restart(self, vm):
        """Boot vm again after it was kill()ed (or died), with its links set up as at
        start(): the same interfaces, MACs and addresses; the rest of the guest is new."""
        if vm not in self.vms:
            raise LabError(f"{vm.name} is not in this topology")
        vm.restart()
        configure_nics(vm, self.endpoints(vm))
        return vm

    def close(self, failed=False):
        for v in self.vms:
            if failed:
                v.mark_failed("topology failed")
            v.close()
        for sw in self.switches:
            sw.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        if not self.started and self.vms:
            self.start()
        return self

    def __exit__(self, etype, exc, tb):
        if etype is not None:
            for v in self.vms:
                v.mark_failed(f"{etype.__name__} in topology")
        self.close()


def configure_nics(vm, endpoints):
    """Load virtio_net in the guest, then find each endpoint's NIC by MAC and set it up."""
    if not endpoints:
        return
    script = ["set -e", "modprobe virtio_net",
              "byaddr() { for d in /sys/class/net/*; do "
              "[ \"$(cat $d/address)\" = \"$1\" ] && { echo ${d##*/}; return; }; done; "
              "echo \"no NIC with MAC $1\" >&2; return 1; }"]
    # The kernel names NICs eth0, eth1... in PCI order; rename in two steps so a
    # wanted name still held by another NIC never collides.
    for i, e in enumerate(endpoints):
        script.append(f"ip link set dev \"$(byaddr {e.mac})\" name labtmp{i}")
    for i, e in enumerate(endpoints):
        script.append(f"ip link set dev labtmp{i} name {e.ifname}")
        if e.addr:
            script.append(f"ip addr add {e.addr} dev {e.ifname}")
        script.append(f"ip link set dev {e.ifname} up")
    res = vm.run("\n".join(script), timeout=60)
    if res.rc != 0:
        raise LabError(f"{vm.name}: could not set up its link interfaces\n{res.describe()}")
