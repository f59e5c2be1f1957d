# SPDX-License-Identifier: GPL-2.0
"""Real crash, multi-VM lab (issue #4): the primary's qemu is SIGKILLed.

Three guests of the test's kernel: node a and node b (the servers) and a
client, on one LAN (eth0, 10.78.0.1-3/24), with the replication channel on a
link of its own between a and b (eth1, 10.77.0.1-2/24). Each node is set up as
keepalived/README.md tells an operator, like failover_lib.sh does in
namespaces: the VIP 10.78.0.10 NOARP on a dummy, arp_ignore=1 on eth0, hatcpd
making the node a replica with the keyed peer and the service VIP:7000,
hatcp-echod on the VIP, keepalived (VRRPv3, --hatcpd yes, from
hatcp-keepalived-config) owning the LAN copy of the VIP and promoting/demoting
with its notify script. The client runs hatcp-verify against the VIP.

Lab tuning: adverts every 0.5 s (default 0.1 s) and the health check
(hatcp-track) every 3 s with 20 s to answer (template: 1 s, 5 s). With the
template's values these TCG guests (three of them, sharing two host cores
with other labs) took over 5 s for a hatcp-track run now and then, went
FAULT, were demoted and flapped, and a rebooted node that missed the
MASTER's first adverts took the VIP back despite nopreempt. Before each
crash the pair must have settled: one MASTER promotion on the serving node,
BACKUP only on the other, held for a few adverts.

One topology per kernel, three crashes, each of the node serving at the time:

  1. steady transfer: 40 connections in request/response (1 KiB each way),
     all established and tracked on a, 1 s later a is killed -> b promoted,
     and every one of them must have been carried over (unprot_failover).
     a is booted again (Topology.restart) and comes back as the replica.
  2. handshake: short connections (--connect-only, 32 in flight, 16 bytes
     each) opened and closed back to back; b is killed the moment the client
     has connections in SYN-SENT -> a promoted. b is booted again as replica.
  3. FIN: short connections with --half-close and 16 KiB each; a is killed
     the moment the client has connections in FIN-WAIT (its FIN sent, the
     server's reply and FIN still to come) -> b promoted.

For each crash: every connection completes byte-exact (hatcp-verify checks
every reply byte: verdict pass, ok == planned); keepalived promoted the
survivor (its notify log says "MASTER, promote done", hatcpctl says primary,
the VIP is on its eth0, its promotions counter went up by one); the
survivor's echod saw and answered exactly what the client sent and received.
That digest check is per connection by the client's local address in
request/response; hatcp-verify does not list the connections of a
--connect-only run that passed, so there the survivor's echod must hold one
record per connection of the run (shadowed before the crash, carried over, or
served after it), each with a (sha256_in, sha256_out) pair of the reference
set, which the same client options give by connection index against an echod
on the client's loopback (the payload depends on the seed and the index
only), no pair twice. The client's socket states at the crash and its pause
(stall spanning the crash per connection for request/response; longest gap
and slowest connection for short ones) are printed, never asserted: TCG on a
shared 2-core machine makes times noise.

Cost: 3 guests booted in parallel, then 2 reboots: 2.2-3.4 min per kernel
seen on 6.12 with other labs running (keep it under 6).
"""

import json
import os
import re
import secrets
import shlex
import time

import hatcplab  # on sys.path: conftest.py puts scripts/ there

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HATCPD_BUILT = os.path.join(REPO, "build", "userspace", "hatcpd", "hatcpd")
VIP = "10.78.0.10"
PORT = 7000
# Lab tuning, see the module docstring: VRRP adverts every 0.5 s (the
# product's default is 0.1 s) and the health check every 3 s with 20 s to
# answer (the template's 1 s and 5 s).
ADVERT = 0.5
TRACK_INTERVAL, TRACK_TIMEOUT = 3, 20
CLIENT_TIMEOUT = 180


def _hatcpd():
    return HATCPD_BUILT if os.access(HATCPD_BUILT, os.X_OK) else "hatcpd"


class Node:
    """One server guest: hatcp (via hatcpd), echod and keepalived, as an operator sets them up."""

    def __init__(self, vm, peer, lan, link, prio):
        self.vm, self.prio = vm, prio
        self.lan_ip, self.peer_lan_ip = lan.end(vm).ip, lan.end(peer).ip
        self.chan_ip, self.peer_chan_ip = link.end(vm).ip, link.peer(vm).ip

    @property
    def name(self):
        return self.vm.name

    def out(self, f=""):
        """Host path of this boot's log directory (in the VM's outdir, survives the crash)."""
        return os.path.join(self.vm.outdir, f"boot{self.vm.boots}", f)

    def setup(self):
        """Module, VIP, hatcpd, echod; keepalived is started apart (start_keepalived)."""
        gout = f"$HATCP_LAB_OUT/boot{self.vm.boots}"
        script = f"""set -e
mkdir -p {gout}
modprobe udp_tunnel
insmod {REPO}/build/module/$(uname -r)/hatcp.ko
# Before the VIP exists anywhere here: never answer ARP for it from eth0.
sysctl -qw net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
ip link add hatcp-vip type dummy
ip link set hatcp-vip arp off up
ip addr add {VIP}/32 dev hatcp-vip
cat > /run/hatcpd.toml <<EOF
role = "replica"

[peer]
local = "{self.chan_ip}"
remote = "{self.peer_chan_ip}"
device = "eth1"
key_file = "$HATCP_LAB_OUT/channel.key"

[[service]]
address = "{VIP}"
ports = [{PORT}]
EOF
{REPO}/keepalived/hatcp-keepalived-config --iface eth0 --vip {VIP} \\
    --self {self.lan_ip} --peer {self.peer_lan_ip} --priority {self.prio} \\
    --advert {ADVERT} --node {self.name} --hatcpd yes \\
    --health-interval {TRACK_INTERVAL} --health-timeout {TRACK_TIMEOUT} \\
    --output /run/keepalived.conf
"""
        self.vm.run(script, timeout=60, check=True)
        self.vm.spawn(f"exec {_hatcpd()} -c /run/hatcpd.toml >>{gout}/hatcpd.log 2>&1")
        self.vm.wait_until("hatcpctl role show 2>/dev/null | grep -qw replica && "
                           "hatcpctl policy list 2>/dev/null | grep -q .", timeout=30)
        self.vm.spawn(f"exec hatcp-echod --listen {VIP}:{PORT} --stats /tmp/echod.jsonl "
                      f"--ready-file /run/echod.ready >{gout}/echod.out 2>&1")
        self.vm.wait_until("test -s /run/echod.ready", timeout=30)

    def start_keepalived(self):
        gout = f"$HATCP_LAB_OUT/boot{self.vm.boots}"
        self.vm.spawn(f"HATCPD={_hatcpd()} HATCP_NOTIFY_LOG={gout}/notify.log exec keepalived "
                      "--vrrp --dont-fork --log-console --log-detail "
                      "--use-file /run/keepalived.conf --pid /run/ka.pid "
                      f"--vrrp_pid /run/ka-vrrp.pid >{gout}/keepalived.log 2>&1")

    def role(self):
        return self.vm.run("hatcpctl role show", timeout=30).stdout.split()[-1:]

    def stats(self):
        return json.loads(self.vm.run("hatcpctl -j stats", timeout=30, check=True).stdout)

    def wait_role(self, role, vip_here, timeout=30):
        vip = f"ip -br addr show dev eth0 | grep -qw {VIP}/32"
        self.vm.wait_until(f"hatcpctl role show 2>/dev/null | grep -qw {role} && "
                           f"{'' if vip_here else '! '}{vip}", timeout=timeout)

    def wait_peer(self, timeout=30):
        self.vm.wait_until("hatcpctl -j stats 2>/dev/null | grep -q peer_last_rx_ms",
                           timeout=timeout)

    def notify_log(self):
        try:
            with open(self.out("notify.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def echod_records(self):
        recs = {}
        for line in self.vm.run("cat /tmp/echod.jsonl", timeout=60, check=True).stdout.splitlines():
            rec = json.loads(line)
            if rec.get("type") == "connection":
                recs[rec["client"]] = rec
        return recs

    def diagnose(self):
        """What hatcp and keepalived say now, for a failure report."""
        if not self.vm.alive():
            return f"--- {self.name}: dead ---\n"
        out = f"$HATCP_LAB_OUT/boot{self.vm.boots}"
        res = self.vm.run("set -x; hatcpctl role show; hatcpctl -j stats; "
                          "hatcpctl -j flows | head -c 6000; ip -br addr; "
                          "ss -Htan | awk '{print $1}' | sort | uniq -c; "
                          f"tail -20 {out}/keepalived.log; cat {out}/notify.log; "
                          f"tail -20 {out}/hatcpd.log; dmesg | tail -30", timeout=60)
        return f"--- {self.name} ---\n{res.output}"


def settle(primary, replica):
    """Wait for primary MASTER (promoted, VIP on eth0) and replica BACKUP, then make sure
    it holds for a few adverts: a crash must hit a pair that is not flapping."""
    primary.wait_role("primary", vip_here=True)
    replica.vm.wait_until("grep -q 'BACKUP, demote done' "
                          f"$HATCP_LAB_OUT/boot{replica.vm.boots}/notify.log")
    replica.wait_role("replica", vip_here=False)
    primary.wait_peer()
    replica.wait_peer()
    time.sleep(4 * ADVERT + 2)
    problems = []
    pl, rl = primary.notify_log().splitlines(), replica.notify_log().splitlines()
    if sum("MASTER" in x for x in pl) != 1 or "MASTER, promote done" not in pl[-1]:
        problems.append(f"{primary.name} did not become MASTER once for good:\n" + "\n".join(pl))
    if any("MASTER" in x for x in rl) or "BACKUP, demote done" not in rl[-1]:
        problems.append(f"{replica.name} did not stay BACKUP:\n" + "\n".join(rl))
    if primary.role() != ["primary"] or replica.role() != ["replica"]:
        problems.append(f"roles: {primary.name} {primary.role()}, {replica.name} {replica.role()}")
    assert not problems, ("the pair did not settle before the crash:\n" + "\n".join(problems) +
                          "\n" + primary.diagnose() + replica.diagnose())


def client_states():
    """A shell snippet printing the client's socket states towards the VIP ("STATE n, ...")."""
    return (f"ss -Htan 'dst {VIP}' | awk '{{n[$1]++}} END {{s=\"\"; for (k in n) "
            f"s = s k \" \" n[k] \", \"; print s}}'")


def pauses(client, report_path, crash_s):
    """Per connection, the stall spanning the crash (ms): failover_lib.sh's fo_pauses."""
    lib = f"{REPO}/selftests/failover_lib.sh"
    res = client.run(f"bash -c '. {lib} && fo_pauses {report_path} {crash_s:.3f}'",
                     timeout=60, check=True)
    n, p50, p99, top = res.stdout.split()
    return f"n={n} p50={p50} p99={p99} max={top} ms"


def reference_digests(client, args, n):
    """(sha256_sent, sha256_received) per connection index for these options, on loopback."""
    res = client.run(
        "hatcp-echod --listen 127.0.0.1:7100 --ready-file /run/ref.ready >/dev/null 2>&1 & e=$!; "
        "until test -s /run/ref.ready; do sleep 0.1; done; "
        f"hatcp-verify --connect 127.0.0.1:7100 --conns {n} {args} --timeout 120 --json; "
        "rc=$?; kill $e; rm -f /run/ref.ready; exit $rc", timeout=180, check=True)
    rep = json.loads(res.stdout)
    return {(c["sha256_sent"], c["sha256_received"]) for c in rep["connections"]}


class Moment:
    def __init__(self, name, verify_args, planned, trigger, short_args=None, ready=None):
        self.name, self.verify_args, self.planned = name, verify_args, planned
        self.ready = ready              # shell condition in the client, then the victim's counters
        self.trigger = trigger          # shell condition in the client: crash when true
        self.short_args = short_args    # connect-only: per-connection options, for the reference


def crash(moment, victim, survivor, client, n):
    """Run the client, SIGKILL the victim's qemu when moment.trigger holds, check.

    Returns (problems, figures).
    """
    problems, figs = [], []
    tag = f"m{n}"
    before = survivor.stats()
    cmd = (f"date +%s.%N > /tmp/{tag}.start; hatcp-verify --connect {VIP}:{PORT} "
           f"{moment.verify_args} --timeout {CLIENT_TIMEOUT} --json "
           f"> /tmp/{tag}.json 2> /tmp/{tag}.err")
    proc = client.spawn(cmd)
    pre = None
    if moment.ready:
        client.wait_until(moment.ready, timeout=60)
        pre = victim.stats()
    # Wait (in the client, bounded) for the moment, then report its sockets and
    # clock; nothing but the agent's reply between that and the kill.
    trig = client.run(f"timeout 60 sh -c {shlex.quote(f'until {moment.trigger}; do :; done')}; "
                      f"echo rc=$?; {client_states()}; date +%s.%N", timeout=90)
    victim.vm.kill()
    t_kill = time.monotonic()
    lines = trig.stdout.strip().splitlines()
    if not lines or lines[0] != "rc=0":
        problems.append(f"the client never reached the moment ({moment.trigger}):\n"
                        + trig.describe())
    states = lines[1] if len(lines) > 1 else "?"
    t_crash = float(lines[-1]) if lines else 0.0
    try:
        survivor.wait_role("primary", vip_here=True, timeout=30)
    except hatcplab.LabError as e:
        problems.append(f"{survivor.name} was not promoted with the VIP in 30 s: {e}")
    else:
        figs.append(f"the test saw {survivor.name} primary with the VIP "
                    f"{time.monotonic() - t_kill:.2f} s after the kill (slow polls)")
        # Why a pause lasts longer than the promotion: the client's retransmission backoff.
        ss = client.run(f"ss -Htin exclude time-wait 'dst {VIP}'", timeout=30).stdout
        backoff = [int(x) for x in re.findall(r"backoff:(\d+)", ss)]
        rto = [float(x) for x in re.findall(r"rto:([\d.]+)", ss)]
        figs.append(f"then the client had {len(rto)} open connections, {len(backoff)} of them "
                    f"backing off (max backoff {max(backoff, default=0)}, max rto "
                    f"{max(rto, default=0):.0f} ms)")
        # ... or the new primary's: a client waiting for data (FIN-WAIT-2, a request
        # sent and acked) has nothing to retransmit; the server side must.
        ss = survivor.vm.run(f"ss -Htino exclude time-wait exclude listening 'sport = :{PORT}'",
                             timeout=30).stdout
        socks = [x for x in ss.splitlines() if not x.startswith(("\t", " "))]
        unacked = re.findall(r"unacked:(\d+)", ss)
        timers = re.findall(r"timer:\(on,([^,]+),(\d+)\)", ss)
        secs = [sum(float(v) * {"ms": 0.001, "sec": 1, "s": 1, "min": 60}[u]
                    for v, u in re.findall(r"([\d.]+)(ms|sec|min|s)", t)) for t, _ in timers]
        figs.append(f"and {survivor.name} had {len(socks)} server sockets, {len(unacked)} with "
                    f"unacked data, {len(timers)} retransmit timers (next in up to "
                    f"{max(secs, default=0):.1f} s, max retransmits so far "
                    f"{max((int(n) for _, n in timers), default=0)})")
    rc = proc.wait(CLIENT_TIMEOUT + 30)
    res = client.run(f"cat /tmp/{tag}.start /tmp/{tag}.json; cat /tmp/{tag}.err >&2", timeout=60)
    start, _, body = res.stdout.partition("\n")
    try:
        rep = json.loads(body)
    except ValueError:
        problems.append(f"no client report (hatcp-verify rc {rc}):\n{res.describe()}")
        return problems, figs
    crash_s = t_crash - float(start)
    figs.append(f"crash {crash_s:.2f} s into the client's {rep['elapsed_s']:.1f} s; "
                f"client sockets at the crash: {states}")
    verdict = (rep["verdict"], rep["ok"], rep["reason"])
    if verdict != ("pass", moment.planned, ""):
        bad = [c for c in rep["connections"] if c["outcome"] != "ok"][:10]
        problems.append(f"client: want pass with {moment.planned} ok, got {verdict}, "
                        f"outcomes {rep['outcomes']}; first failed: {json.dumps(bad)[:3000]}")

    for node, what in ((survivor, "was not promoted once, for good"),
                       (victim, "did not stay MASTER until the crash")):
        notify = node.notify_log()
        last = notify.rstrip().splitlines()[-1:] or [""]
        if notify.count("MASTER") != 1 or "MASTER, promote done" not in last[0]:
            problems.append(f"{node.name} {what}: its notify log:\n{notify}")
    if survivor.role() != ["primary"]:
        problems.append(f"{survivor.name}: hatcpctl role show: {survivor.role()}")

    after = survivor.stats()
    carried = after.get("unprot_failover", 0) - before.get("unprot_failover", 0)
    if after.get("promotions", 0) - before.get("promotions", 0) != 1:
        problems.append(f"{survivor.name}: promotions {before.get('promotions')} -> "
                        f"{after.get('promotions')}, want one more")
    if pre is not None:
        figs.append(f"{victim.name} tracked {pre.get('flows')} flows (flows_protected counter "
                    f"{pre.get('flows_protected')}) a second before the crash")
        if carried != moment.planned:
            problems.append(f"{survivor.name} carried over {carried} connections "
                            f"(unprot_failover), want all {moment.planned}")

    # The survivor's echod: what it read and wrote per connection.
    client_ip = client.run("ip -br -4 addr show dev eth0", timeout=30).stdout.split()[2]
    client_ip = client_ip.split("/")[0]
    ref = None
    if moment.short_args:
        ref = reference_digests(client, moment.short_args, moment.planned)
    deadline = time.monotonic() + 30
    while True:
        recs = {k: r for k, r in survivor.echod_records().items() if k.startswith(client_ip + ":")}
        if moment.short_args is None:
            conns = rep["connections"]
            same = [c for c in conns if c["local"] in recs
                    and recs[c["local"]]["sha256_in"] == c["sha256_sent"]
                    and recs[c["local"]]["sha256_out"] == c["sha256_received"]]
            ok = len(same) == len(conns) == moment.planned
            what = f"{len(same)}/{moment.planned} connections' digests match on {survivor.name}"
        else:
            pairs = [(r["sha256_in"], r["sha256_out"]) for r in recs.values()]
            good = [p for p in pairs if p in ref]
            ok = len(good) == len(pairs) == len(set(pairs)) == moment.planned
            what = (f"{len(good)}/{len(pairs)} of {survivor.name}'s echod records match a "
                    f"reference connection ({len(set(pairs))} distinct, {moment.planned} run)")
        if ok or time.monotonic() > deadline:
            break
        time.sleep(1)
    figs.append(what)
    if not ok:
        problems.append("digests: " + what)
    drain = survivor.stats().get("drain_flows", -1)
    figs.append(f"carried over (unprot_failover): {carried}; drain_flows now {drain}")

    if moment.short_args is None:
        figs.append("pause per connection (stall spanning the crash): "
                    + pauses(client, f"/tmp/{tag}.json", crash_s))
    else:
        lat, con = rep["latency_us"], rep["connect_us"]
        figs.append(f"pause: longest gap {rep['longest_gap_ms']:.0f} ms, slowest connection "
                    f"{lat['max'] / 1000:.0f} ms (p99 {lat['p99'] / 1000:.0f}), "
                    f"slowest connect {con['max'] / 1000:.0f} ms")
    figs.append(f"client: {rep['ok']}/{rep['planned']} ok, {rep['stalls']} stalls over "
                f"{rep['stall_ms']} ms")
    if problems:
        problems.append(survivor.diagnose())
    return problems, figs


def test_failover_vms(lab, kernel):
    t0 = time.monotonic()
    topo = lab.topology()
    a, b = topo.vm("node-a"), topo.vm("node-b")
    c = topo.vm("client", mem=512)
    lan = topo.lan([a, b, c])
    link = topo.link(a, b)
    key = secrets.token_hex(32) + "\n"
    for v in (a, b):
        # In the outdir shared with the guest ($HATCP_LAB_OUT), which outlives reboots.
        path = os.path.join(v.outdir, "channel.key")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(key)
    topo.start()
    na, nb = Node(a, b, lan, link, 200), Node(b, a, lan, link, 100)
    boots = [f"{v.name} {v.boot_time:.1f} s" for v in (a, b, c)]

    for n in (na, nb):
        n.setup()
    # keepalived on a first: both start BACKUP with nopreempt, so the first to
    # time out becomes MASTER; b joins once a holds the VIP.
    na.start_keepalived()
    na.wait_role("primary", vip_here=True)
    nb.start_keepalived()
    settle(na, nb)
    t_setup = time.monotonic() - t0

    moments = [
        Moment("steady transfer", "--conns 40 --rr 300 --chunk 1k --stall-ms 150", 40, "sleep 1",
               ready=f"[ $(ss -Htn state established 'dst {VIP}' | wc -l) -ge 40 ]"),
        Moment("handshake", "--conns 32 --connect-only 400 --stall-ms 150", 400,
               f"[ $(ss -Htn state syn-sent 'dst {VIP}' | wc -l) -ge 2 ]",
               short_args="--bytes 16"),
        Moment("FIN", "--conns 24 --connect-only 240 --bytes 16k --half-close --stall-ms 150", 240,
               f"[ $(ss -Htan 'dst {VIP}' | grep -c '^FIN-WAIT') -ge 3 ]",
               short_args="--bytes 16k"),
    ]
    report, problems = [], []
    victim, survivor = na, nb
    for i, m in enumerate(moments, 1):
        if i > 1:
            # The victim comes back (a reboot): hatcpd makes it a replica, then
            # keepalived joins as BACKUP and, nopreempt, leaves the VIP where it is.
            t1 = time.monotonic()
            topo.restart(victim.vm)
            victim.setup()
            victim.start_keepalived()
            try:
                settle(survivor, victim)
            except AssertionError as e:
                problems.append(f"after crash {i - 1}: {victim.name} back: {e}")
                break
            report.append(f"  {victim.name} back as the replica in {time.monotonic() - t1:.1f} s "
                          f"(boot {victim.vm.boot_time:.1f} s)")
            victim, survivor = survivor, victim
        t1 = time.monotonic()
        probs, figs = crash(m, victim, survivor, c, i)
        report.append(f"crash {i} ({m.name}): {victim.name} killed, {survivor.name} took over "
                      f"[{time.monotonic() - t1:.1f} s]")
        report += ["  " + f for f in figs]
        problems += [f"crash {i} ({m.name}): {p}" for p in probs]
        if probs and not survivor.vm.alive():
            break
    report.insert(0, f"hatcp multi-VM failover on {kernel}: boots {', '.join(boots)}; "
                     f"set up in {t_setup:.1f} s")
    report.append(f"total {time.monotonic() - t0:.1f} s")
    print("\n".join(report))
    assert not problems, "\n\n".join(problems) + "\n\n" + "\n".join(report)
