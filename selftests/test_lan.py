# SPDX-License-Identifier: GPL-2.0
"""Three guests on one Ethernet segment (the lab's host-side switch).

The shape of a primary/replica/client failover setup: ARP (broadcast), unicast
and IPv4 multicast (what VRRP uses) between all, and the segment keeps working
for the others when one node's qemu is SIGKILLed.
"""


def ping_all(vm, ips):
    cmd = "; ".join(f"ping -c 1 -W 2 {ip} >/dev/null || echo unreachable {ip}" for ip in ips)
    res = vm.run(cmd, timeout=60)
    assert res.rc == 0 and not res.stdout, f"{vm.name}:\n{res.describe()}"


def test_lan_three_vms(lab):
    topo = lab.topology()
    vms = [topo.vm(n) for n in ("primary", "replica", "client")]
    lan = topo.lan(vms)
    topo.start()
    ips = {v.name: lan.end(v).ip for v in vms}

    for v in vms:
        ping_all(v, [ip for n, ip in ips.items() if n != v.name])

    # Multicast to all hosts: each peer answers, so both show up.
    for v in vms:
        v.run("sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0", check=True)
    res = vms[2].run("ping -I eth0 -c 3 -i 0.3 -W 2 224.0.0.1", timeout=30)
    for name in ("primary", "replica"):
        assert f"from {ips[name]}" in res.stdout, res.describe()

    vms[0].kill()
    ping_all(vms[2], [ips["replica"]])
    ping_all(vms[1], [ips["client"]])
