# SPDX-License-Identifier: GPL-2.0
"""The kernel-report scanner on real log excerpts (host only, no guest)."""

from hatcplab import kreports

WARN = """\
[    4.475811] warnmod: module verification failed: signature and/or required key missing - tainting kernel
[    4.476678] ------------[ cut here ]------------
[    4.476762] hatcplab: deliberate test warning
[    4.477089] WARNING: CPU: 0 PID: 167 at warnmod.c:4 warnmod_init+0x15/0xff0 [warnmod]
[    4.481672] Modules linked in: warnmod(OE+) 9p 9pnet_virtio 9pnet netfs
[    4.482163] CPU: 0 UID: 0 PID: 167 Comm: insmod Tainted: G           OE      6.12.117+deb12-amd64 #1
[    4.483642] Call Trace:
[    4.484079]  <TASK>
[    4.484168]  do_one_initcall+0x5b/0x320
[    4.485563]  </TASK>
[    4.485619] ---[ end trace 0000000000000000 ]---
[    4.500000] virtio_net virtio2 eth0: renamed from eth1
"""

LOCKDEP = """\
[   10.000000] ======================================================
[   10.000001] WARNING: possible circular locking dependency detected
[   10.000002] 6.12.0 #1 Not tainted
[   10.000003] ------------------------------------------------------
[   10.000010] stack backtrace:
[   10.000011] Call Trace:
[   10.000012]  <TASK>
[   10.000013]  dump_stack_lvl+0x5b/0x80
[   10.000014]  </TASK>
[   10.000100] IPv6: ADDRCONF(NETDEV_CHANGE): veth1: link becomes ready
[   10.000200] BUG: sleeping function called from invalid context at mm/slab.h:1
"""


def test_warn_is_one_report_with_its_trace():
    reps = kreports.scan(WARN.splitlines())
    assert len(reps) == 1
    assert reps[0].title.startswith("WARNING: CPU: 0 PID: 167")
    assert "cut here" in reps[0].text and "deliberate test warning" in reps[0].text
    assert reps[0].text.rstrip().endswith("---[ end trace 0000000000000000 ]---")
    assert "renamed" not in reps[0].text


def test_report_without_end_marker_stops_after_stack():
    reps = kreports.scan(LOCKDEP.splitlines())
    assert [r.title.split(":")[0] for r in reps] == ["WARNING", "BUG"]
    assert "ADDRCONF" not in reps[0].text


def test_clean_log_has_no_reports():
    clean = ["[    1.0] virtio_net virtio2 eth0: renamed from eth1",
             "[    2.0] IPv6: ADDRCONF(NETDEV_CHANGE): veth1: link becomes ready",
             "[    3.0] bridge: filtering via arp/ip/ip6tables is no longer available"]
    assert kreports.scan(clean) == []


def test_silence_ends_a_report():
    lines = ["[    5.000000] WARNING: CPU: 0 PID: 1 at test",
             "[    9.000000] something unrelated, much later",
             "[    9.100000] general protection fault, probably for non-canonical address"]
    reps = kreports.scan(lines)
    assert len(reps) == 2 and "unrelated" not in reps[0].text
