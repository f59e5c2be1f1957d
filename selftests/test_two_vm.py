# SPDX-License-Identifier: GPL-2.0
"""Two guests joined by a virtual link: ping, a checked TCP transfer, then a crash.

This is the shape of hatcp's failover tests: the node that is SIGKILLed must not
take its peer down with it.
"""

import time

SIZE_MB = 8
PORT = 5001


def test_two_vm_link(lab):
    topo = lab.topology()
    a, b = topo.vm("node-a"), topo.vm("node-b")
    link = topo.link(a, b)
    topo.start()
    ip_a, ip_b = link.end(a).ip, link.end(b).ip

    a.run(f"ping -c 3 -i 0.2 -W 2 {ip_b}", timeout=30, check=True)
    b.run(f"ping -c 3 -i 0.2 -W 2 {ip_a}", timeout=30, check=True)

    # b receives into a file; its nc exits when a closes the connection.
    rx = b.spawn(f"nc -l -p {PORT} > /tmp/rx")
    b.wait_until(f"ss -Hltn 'sport = :{PORT}' | grep -q .")
    a.run(f"head -c {SIZE_MB}M /dev/urandom > /tmp/tx", timeout=60, check=True)
    sent = a.run("sha256sum < /tmp/tx", check=True).stdout.split()[0]
    t0 = time.monotonic()
    a.run(f"nc -N {ip_b} {PORT} < /tmp/tx", timeout=120, check=True)
    assert rx.wait(60) == 0, rx.output()
    elapsed = time.monotonic() - t0
    got = b.run("sha256sum < /tmp/rx; stat -c %s /tmp/rx", check=True).stdout.split()
    assert got[0] == sent, f"sha256 differs: sent {sent}, received {got[0]}, {got[2]} bytes"
    print(f"{SIZE_MB} MiB over the link in {elapsed:.2f} s")

    # Crash a: b must keep running and answering, with a dead link.
    a.kill()
    assert not a.alive()
    lost = b.run(f"ping -c 2 -i 0.2 -W 1 {ip_a}", timeout=30)
    assert lost.rc != 0, "ping to a SIGKILLed guest succeeded:\n" + lost.describe()
    res = b.run("echo survivor ok; ip -br link show dev eth0", timeout=30, check=True)
    assert "survivor ok" in res.stdout
    assert b.alive()
