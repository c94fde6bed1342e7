#!/usr/bin/python3
"""NORMAL switching with every VLAN mode, frame by frame (driven by
vswitchd_vlan_modes.sh, which builds the topology).

One bridge; one "VM" namespace per port, each port with its own VLAN
configuration (PORTS below). For each case of the table a scapy-built
frame leaves the sender's eth0 twice: the first copy misses in the
datapath (the switch translates it and executes it from userspace), the
second, sent once the megaflow is in, is forwarded by the datapath
itself. Every other namespace, and the bridge's own port br0 in the
switch's namespace, receives through an AF_PACKET socket opened there
(one process, setns, one poll loop), so what arrived where, with
which tag stack (TPID, VID and PCP of each tag; the kernel's stripped tag
comes back from PACKET_AUXDATA), is compared with the table: the exact
set of receiving ports, one copy of each frame each. Then the switch's
MAC table (fdb/show: learned where the table says, never from a dropped
frame) and its megaflows (dpif/dump-flows: one per case, dropping or
outputting to exactly the receivers' datapath ports, the second copy
counted) are checked. XVS_VLAN_DEBUG=1 prints those tables anyway.

The expected results are Open vSwitch's (ofproto-dpif-xlate.c:
input_vid_is_valid, xvlan_input_translate, xbundle_includes_vlan,
xvlan_output_translate)."""
import argparse
import ctypes
import logging
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.l2 import Dot1Q, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

# name -> xvs-vsctl add-port arguments after the port name.
PORTS = {
    "a10": ["tag=10"],
    "a20": ["tag=20"],
    "t1020": ["trunks=10,20"],
    "tall": [],
    "nu": ["tag=10", "trunks=20", "vlan_mode=native-untagged"],
    "nt": ["tag=10", "trunks=20", "vlan_mode=native-tagged"],
    "q30": ["tag=30", "vlan_mode=dot1q-tunnel"],
    "q30c": ["tag=30", "vlan_mode=dot1q-tunnel", "cvlans=100,200"],
    "q40": ["tag=40", "vlan_mode=dot1q-tunnel", "other_config:qinq-ethtype=802.1q"],
}


def C(vid, pcp=0):  # an 802.1Q tag
    return (0x8100, vid, pcp)


def S(vid, pcp=0):  # an 802.1ad service tag
    return (0x88A8, vid, pcp)


BCAST = "ff:ff:ff:ff:ff:ff"
U = []  # untagged


def case(cid, src, tags, expect, vlan=None, dst=BCAST, flood=None, mac=None):
    """A frame sent from port 'src' with tag stack 'tags' (outer first) to
    'dst' (a MAC or "@case": that case's source address), from a source
    address of its own (or 'mac', "@case": that case's). 'expect' maps
    each receiving port to the tag stack it must see; every port not
    listed must see nothing. 'vlan': the VLAN the switch must learn the
    source in (on 'src'); None: the frame is dropped on input and the
    source must not be learned.

    The bridge's own port br0 is a trunk of every VLAN, like tall, so a
    flooded frame (broadcast, or 'flood': an unknown unicast) also reaches
    br0: with the tags tall gets, or those tall sent."""
    expect = dict(expect)
    if flood is None:
        flood = dst == BCAST
    if flood and vlan is not None:
        expect["br0"] = tags if src == "tall" else expect["tall"]
    return dict(id=cid, src=src, tags=tags, expect=expect, vlan=vlan, dst=dst, mac=mac)


CASES = [
    # Access ports: untagged (and priority-tagged) frames join the port's
    # VLAN; any frame tagged with a VID is dropped, even its own VLAN.
    case("a10-untagged", "a10", U, {"t1020": [C(10)], "tall": [C(10)], "nu": U, "nt": [C(10)]}, 10),
    case("a20-untagged", "a20", U, {"t1020": [C(20)], "tall": [C(20)], "nu": [C(20)], "nt": [C(20)]}, 20),
    case("a10-priority", "a10", [C(0, 5)],
         {"t1020": [C(10, 5)], "tall": [C(10, 5)], "nu": U, "nt": [C(10, 5)]}, 10),
    case("a10-tagged10", "a10", [C(10)], {}),
    case("a20-tagged20", "a20", [C(20)], {}),
    case("a10-reserved-mcast", "a10", U, {}, dst="01:80:c2:00:00:00"),
    # Trunk of every VLAN: the tag is the VLAN (TPID and PCP carried over).
    case("tall-10", "tall", [C(10, 3)], {"a10": U, "t1020": [C(10, 3)], "nu": U, "nt": [C(10, 3)]}, 10),
    case("tall-20", "tall", [C(20)], {"a20": U, "t1020": [C(20)], "nu": [C(20)], "nt": [C(20)]}, 20),
    case("tall-88a8-10", "tall", [S(10)], {"a10": U, "t1020": [S(10)], "nu": U, "nt": [S(10)]}, 10),
    case("tall-untagged", "tall", U, {}, 0),  # VLAN 0: only trunks of every VLAN carry it
    # VLAN 30 on dot1q-tunnel ports: the outer tag goes, the customer's stays.
    # q30c only takes customer VLANs 100 and 200 (none: VLAN 0 is not one).
    case("tall-30", "tall", [C(30)], {"q30": U}, 30),
    case("tall-30-100", "tall", [S(30), C(100)], {"q30": [C(100)], "q30c": [C(100)]}, 30),
    case("tall-30-300", "tall", [S(30), C(300)], {"q30": [C(300)]}, 30),
    # A customer tag under VLAN 10: never to an access port.
    case("tall-10-100", "tall", [C(10), C(100)],
         {"t1020": [C(10), C(100)], "nu": [C(100)], "nt": [C(10), C(100)]}, 10),
    # The same addresses without the customer tag, or with one q30c takes:
    # a megaflow of the case before must not serve them.
    case("tall-10-samemac", "tall", [C(10)], {"a10": U, "t1020": [C(10)], "nu": U, "nt": [C(10)]}, 10,
         mac="@tall-10-100"),
    case("tall-30-200-samemac", "tall", [S(30), C(200)], {"q30": [C(200)], "q30c": [C(200)]}, 30,
         mac="@tall-30-300"),
    # Trunk of VLANs 10 and 20: untagged is VLAN 0, not trunked.
    case("t1020-untagged", "t1020", U, {}),
    case("t1020-30", "t1020", [C(30)], {}),
    case("t1020-20", "t1020", [C(20, 6)], {"a20": U, "tall": [C(20, 6)], "nu": [C(20, 6)], "nt": [C(20, 6)]}, 20),
    # Native-untagged (native VLAN 10, trunks 20).
    case("nu-untagged", "nu", U, {"a10": U, "t1020": [C(10)], "tall": [C(10)], "nt": [C(10)]}, 10),
    case("nu-20", "nu", [C(20, 2)], {"a20": U, "t1020": [C(20, 2)], "tall": [C(20, 2)], "nt": [C(20, 2)]}, 20),
    case("nu-10", "nu", [C(10)], {"a10": U, "t1020": [C(10)], "tall": [C(10)], "nt": [C(10)]}, 10),
    case("nu-30", "nu", [C(30)], {}),
    # Native-tagged (native VLAN 10, trunks 20).
    case("nt-untagged", "nt", U, {"a10": U, "t1020": [C(10)], "tall": [C(10)], "nu": U}, 10),
    case("nt-priority", "nt", [C(0, 4)], {"a10": U, "t1020": [C(10, 4)], "tall": [C(10, 4)], "nu": U}, 10),
    case("nt-20", "nt", [C(20)], {"a20": U, "t1020": [C(20)], "tall": [C(20)], "nu": [C(20)]}, 20),
    case("nt-30", "nt", [C(30)], {}),
    # Dot1q-tunnel (VLAN 30, S-tag TPID 0x88a8; PCP 0 on the S-tag).
    case("q30-untagged", "q30", U, {"tall": [S(30)]}, 30),
    case("q30-100", "q30", [C(100, 4)], {"tall": [S(30), C(100, 4)], "q30c": [C(100, 4)]}, 30),
    case("q30-300", "q30", [C(300)], {"tall": [S(30), C(300)]}, 30),
    case("q30c-100", "q30c", [C(100)], {"tall": [S(30), C(100)], "q30": [C(100)]}, 30),
    case("q30c-200", "q30c", [C(200, 1)], {"tall": [S(30), C(200, 1)], "q30": [C(200, 1)]}, 30),
    case("q30c-300", "q30c", [C(300)], {}),
    case("q30c-untagged", "q30c", U, {}),
    # Dot1q-tunnel with other_config:qinq-ethtype=802.1q: the S-tag is 0x8100.
    case("q40-untagged", "q40", U, {"tall": [C(40)]}, 40),
    case("q40-100", "q40", [C(100)], {"tall": [C(40), C(100)]}, 40),
    case("tall-40-100", "tall", [C(40), C(100)], {"q40": [C(100)]}, 40),
    case("tall-88a8-40", "tall", [S(40)], {"q40": U}, 40),
    # Unicast to learned addresses: only the learned port, tags converted.
    case("uc-tall-to-a10", "tall", [C(10)], {"a10": U}, 10, dst="@a10-untagged"),
    case("uc-nu-to-a10", "nu", U, {"a10": U}, 10, dst="@a10-untagged"),
    case("uc-tall-to-a10-2tags", "tall", [C(10), C(100)], {"a10": U}, 10, dst="@a10-untagged"),
    case("uc-a10-to-nu", "a10", U, {"nu": U}, 10, dst="@nu-untagged"),
    case("uc-tall-to-nu20", "tall", [C(20)], {"nu": [C(20)]}, 20, dst="@nu-20"),
    case("uc-a10-to-tall", "a10", U, {"tall": [C(10)]}, 10, dst="@tall-10"),
    case("uc-nt-to-tall20", "nt", [C(20)], {"tall": [C(20)]}, 20, dst="@tall-20"),
    case("uc-tall-to-q30c", "tall", [S(30), C(100)], {"q30c": [C(100)]}, 30, dst="@q30c-100"),
    case("uc-q30-to-q30c", "q30", [C(200)], {"q30c": [C(200)]}, 30, dst="@q30c-100"),
    case("uc-q40-to-tall", "q40", U, {"tall": [C(40)]}, 40, dst="@tall-40-100"),
    # Learning is per VLAN: a10-untagged's address is unknown in VLAN 20.
    case("uc-a20-to-a10mac", "a20", U, {"t1020": [C(20)], "tall": [C(20)], "nu": [C(20)], "nt": [C(20)]}, 20,
         dst="@a10-untagged", flood=True),
    # Dropped frames taught nothing: their sources are still flooded to.
    case("uc-to-dropped", "tall", [C(10)], {"a10": U, "t1020": [C(10)], "nu": U, "nt": [C(10)]}, 10,
         dst="@a10-tagged10", flood=True),
    # The learned port is the input port: nowhere.
    case("uc-a10-to-self", "a10", U, {}, 10, dst="@a10-priority"),
]

CLONE_NEWNET = 0x40000000
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
ETH_P_ALL = 0x0003
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
VLAN_TPIDS = (0x8100, 0x88A8)

libc = ctypes.CDLL(None, use_errno=True)
errors = []


def err(msg):
    errors.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def open_in_netns(ns, dev):
    """An AF_PACKET socket on 'dev' in namespace 'ns' (a socket keeps the
    namespace it was created in)."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((dev, 0))
        s.setblocking(False)
        return s
    finally:
        if libc.setns(own, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(fd)
        os.close(own)


def recv_frame(s):
    """One received frame with the tag the kernel took off put back, or
    None for our own transmissions."""
    data, anc, _flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64))
    if addr[2] == PACKET_OUTGOING:
        return None
    for level, typ, cdata in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
            status, _len, _snap, _mac, _net, tci, tpid = struct.unpack("IIIHHHH", cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                if not status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = 0x8100
                data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def tag_stack(frame):
    tags, off = [], 12
    while len(frame) >= off + 4:
        tpid, tci = struct.unpack("!HH", frame[off:off + 4])
        if tpid not in VLAN_TPIDS:
            break
        tags.append((tpid, tci & 0xFFF, tci >> 13))
        off += 4
    return tags


def fmt_tags(tags):
    return "[" + ", ".join("%04x/%d/pcp%d" % t for t in tags) + "]" if tags else "untagged"


def build(c, idx, k, macs, tag):
    """Case c's k-th frame; its payload names the run, case and copy."""
    dst = macs[c["dst"][1:]] if c["dst"].startswith("@") else c["dst"]
    layers = Ether(src=macs[c["id"]], dst=dst)
    payload = ("%s:%d:%d:" % (tag, idx, k)).encode()
    payload += b"." * (40 - len(payload))
    inner = IP(src="198.51.100.1", dst="198.51.100.2") / UDP(sport=40000 + idx, dport=9) / Raw(payload)
    if not c["tags"]:
        return bytes(layers / inner)
    layers.type = c["tags"][0][0]
    pkt = layers
    for i, (_tpid, vid, pcp) in enumerate(c["tags"]):
        nxt = c["tags"][i + 1][0] if i + 1 < len(c["tags"]) else 0x0800
        pkt = pkt / Dot1Q(prio=pcp, vlan=vid, type=nxt)
    return bytes(pkt / inner)


def parse_fdb(text):
    """fdb/show -> {mac: (port, vlan)}"""
    fdb = {}
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) >= 3:
            fdb[f[2]] = (f[0], int(f[1]))
    return fdb


def split_top(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    parts.append(cur)
    return parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list-ports", action="store_true", help="print PORTS for the shell script and exit")
    ap.add_argument("--ns-prefix")
    ap.add_argument("--tag", help="unique payload prefix")
    ap.add_argument("--appctl", help="xvs-appctl")
    ap.add_argument("--target", help="xvs-vswitchd's control socket")
    a = ap.parse_args()
    if a.list_ports:
        for name, args in PORTS.items():
            print(name, *args)
        return 0

    def appctl(*args):
        return subprocess.run([a.appctl, "-t", a.target, *args], check=True, capture_output=True, text=True).stdout

    # Each case its own source address: what one case learns cannot
    # change another's forwarding, except where the table says so.
    macs = {}
    for i, c in enumerate(CASES):
        macs[c["id"]] = (macs[c["mac"][1:]] if c["mac"] else
                         "02:5e:%02x:%02x:00:%02x" % (i >> 8, i & 0xFF, 1 + list(PORTS).index(c["src"])))
    socks = {p: open_in_netns(a.ns_prefix + p, "eth0") for p in PORTS}
    socks["br0"] = open_in_netns(a.ns_prefix + "h1", "br0")  # the switch's namespace
    by_fd = {s.fileno(): p for p, s in socks.items()}
    got = {}  # (case index, copy) -> [(port, tags)]
    marker = a.tag.encode() + b":"
    poller = select.poll()
    for s in socks.values():
        poller.register(s, select.POLLIN)

    def drain(seconds):
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            for fd, _ev in poller.poll(left * 1000):
                port = by_fd[fd]
                while True:
                    try:
                        frame = recv_frame(socks[port])
                    except BlockingIOError:
                        break
                    if frame is None:
                        continue
                    at = frame.find(marker)
                    if at < 0:
                        continue
                    m = re.match(rb"(\d+):(\d+):", frame[at + len(marker):])
                    if m:
                        got.setdefault((int(m.group(1)), int(m.group(2))), []).append((port, tag_stack(frame)))

    def wait_megaflow(mac, n):
        """Until the switch has installed 'n' megaflows for source 'mac'."""
        end = time.monotonic() + 10
        while appctl("dpif/dump-flows", "br0").count("eth(src=%s," % mac) < n:
            if time.monotonic() > end:
                err("no megaflow for %s 10 s after its first frame" % mac)
                return
            drain(0.02)

    start = time.monotonic()
    for i, c in enumerate(CASES):
        socks[c["src"]].send(build(c, i, 0, macs, a.tag))
        # The first copy missed; the second goes once the megaflow is in
        # (later than the datapath's 2 ms window of duplicate misses).
        drain(0.02)
        wait_megaflow(macs[c["id"]], sum(macs[d["id"]] == macs[c["id"]] for d in CASES[:i + 1]))
        socks[c["src"]].send(build(c, i, 1, macs, a.tag))
        drain(0.02)
    drain(1.0)
    print("--- %d cases, 2 frames each, sent and sniffed in %.1f s" % (len(CASES), time.monotonic() - start))

    # What arrived where.
    for i, c in enumerate(CASES):
        want = {p: list(t) for p, t in c["expect"].items()}
        desc = "%s (%s %s from %s to %s)" % (c["id"], "frame" if c["tags"] else "untagged frame",
                                            fmt_tags(c["tags"]), c["src"], c["dst"])
        for k in (0, 1):
            path = "slow path" if k == 0 else "fast path"
            rx = got.get((i, k), [])
            seen = {}
            for port, tags in rx:
                if port in seen:
                    err("%s, %s: %s received it twice" % (desc, path, port))
                seen[port] = tags
            for port, tags in sorted(seen.items()):
                if port not in want:
                    err("%s, %s: %s received it (%s), expected only %s" %
                        (desc, path, port, fmt_tags(tags), sorted(want) or "nowhere"))
                elif tags != want[port]:
                    err("%s, %s: %s received %s, expected %s" % (desc, path, port, fmt_tags(tags),
                                                               fmt_tags(want[port])))
            for port in sorted(set(want) - set(seen)):
                err("%s, %s: %s did not receive it (expected %s)" % (desc, path, port, fmt_tags(want[port])))

    # "  NAME OFPORT/DPPORT: (TYPE)" per interface.
    dpshow = appctl("dpif/show")
    ofport, dp_port = {}, {}
    for line in dpshow.splitlines():
        m = re.match(r"\s+(\S+) (\d+)/(\d+): ", line)
        if m:
            ofport[m.group(1)], dp_port[m.group(1)] = m.group(2), m.group(3)

    # What the switch learned: forwarded frames' sources, in their VLAN on
    # their port; nothing from dropped frames.
    fdb_text = appctl("fdb/show", "br0")
    fdb = parse_fdb(fdb_text)
    for c in CASES:
        mac = macs[c["id"]]
        if c["vlan"] is None:
            if mac in fdb:
                err("%s: dropped, but its source %s was learned: %s" % (c["id"], mac, fdb[mac]))
        elif fdb.get(mac) != (ofport[c["src"]], c["vlan"]):
            err("%s: source %s learned as %s, expected port %s VLAN %d" %
                (c["id"], mac, fdb.get(mac), ofport[c["src"]], c["vlan"]))

    # The megaflows: one per case (by its source address, and the cases
    # sharing one by their outputs), from the sender's port, with the
    # second copy counted, outputs exactly to the receivers' ports, a drop
    # where nothing receives.
    flows = appctl("dpif/dump-flows", "br0")
    groups = {}
    for c in CASES:
        groups.setdefault(macs[c["id"]], []).append(c)
    for mac, cs in groups.items():
        ids = "/".join(c["id"] for c in cs)
        mine = [f for f in flows.splitlines() if "eth(src=%s," % mac in f]
        if len(mine) != len(cs):
            err("%s: %d megaflows with source %s, expected %d:\n  %s" % (ids, len(mine), mac, len(cs),
                                                                       "\n  ".join(mine)))
            continue
        got_outs = []
        for f in mine:
            if not re.search(r"(^|,)in_port\(%s\)" % dp_port[cs[0]["src"]], f):
                err("%s: megaflow not from %s's datapath port %s: %s" % (ids, cs[0]["src"], dp_port[cs[0]["src"]], f))
            m = re.search(r"packets:(\d+)", f)
            if not m or int(m.group(1)) < 1:
                err("%s: the second copy did not hit the megaflow: %s" % (ids, f))
            actions = f.split("actions:", 1)[1]
            outs = sorted(x for x in split_top(actions) if x.isdigit())
            if not outs and actions != "drop":
                err("%s: megaflow outputs nowhere but does not drop: %s" % (ids, f))
            got_outs.append(outs)
        want_outs = [sorted(dp_port[p] for p in c["expect"]) for c in cs]
        if sorted(got_outs) != sorted(want_outs):
            err("%s: megaflows output to %s, expected %s:\n  %s" % (ids, got_outs, want_outs, "\n  ".join(mine)))

    if errors or os.environ.get("XVS_VLAN_DEBUG"):
        print("=== fdb/show\n" + fdb_text + "=== dpif/show\n" + dpshow + "=== dpif/dump-flows br0\n" + flows,
              file=sys.stderr)
    if errors:
        print("%d checks failed" % len(errors), file=sys.stderr)
        return 1
    print("--- %d cases: receivers, tag stacks, learning and megaflows as expected" % len(CASES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
