"""Malformed OpenFlow thrown at xvs-vswitchd and, for reference, at Open
vSwitch (both on the dummy datapath, through their br0.mgmt sockets).

usage: ofp_fuzz.py XVS_SOCKET OVS_SOCKET SEED COUNT

1. Crafted malformed messages, one per kind of mistake, in OpenFlow 1.0,
   1.3 and 1.5: xvs answers each with the error (type and code) Open
   vSwitch answers, and the connection goes on.
2. COUNT messages made by mutating valid ones (bytes flipped, lengths
   changed, bodies cut or extended), seeded: after each, a barrier must be
   answered (xvs is alive and served the message in order); whenever Open
   vSwitch answers a message with an error, xvs answers with an error too.
   The share of errors that agree exactly is printed.
Exits non-zero, naming the message, when a check fails.
"""
import os
import random
import socket
import struct
import sys

OFP10, OFP13, OFP14, OFP15 = 1, 4, 5, 6
T_HELLO, T_ERROR, T_ECHO_REQ, T_BARRIER10, T_BARRIER13 = 0, 1, 2, 18, 20


class Conn:
    """One OpenFlow connection speaking 'version' only."""

    def __init__(self, path, version):
        self.path, self.version, self.xid = path, version, 0x1000
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(3)
        self.s.connect(path)
        self.buf = b""
        bitmap = struct.pack("!HHI", 1, 8, 1 << version)
        self.send_raw(struct.pack("!BBHI", version, T_HELLO, 16, 1) + bitmap)
        hello = self.recv()
        if hello is None or hello[1] != T_HELLO:
            raise RuntimeError(f"{path}: no hello")

    def next_xid(self):
        self.xid += 1
        return self.xid

    def send_raw(self, data):
        self.s.sendall(data)

    def recv(self):
        """One message, or None when the peer closed or went quiet."""
        try:
            while True:
                if len(self.buf) >= 8:
                    length = struct.unpack("!H", self.buf[2:4])[0]
                    if length < 8:
                        raise RuntimeError(f"{self.path}: reply with length {length}")
                    if len(self.buf) >= length:
                        msg, self.buf = self.buf[:length], self.buf[length:]
                        return msg
                chunk = self.s.recv(65536)
                if not chunk:
                    return None
                self.buf += chunk
        except (socket.timeout, ConnectionResetError):
            return None

    def exchange(self, msg):
        """Sends msg and a barrier; returns (replies to msg's xid, alive).
        alive is False when the peer closed the connection or the barrier
        went unanswered."""
        xid = struct.unpack("!I", msg[4:8])[0] if len(msg) >= 8 else None
        barrier_type = T_BARRIER10 if self.version == OFP10 else T_BARRIER13
        bxid = self.next_xid()
        try:
            self.send_raw(msg + struct.pack("!BBHI", self.version, barrier_type, 8, bxid))
        except (BrokenPipeError, ConnectionResetError):
            return [], False
        replies = []
        while True:
            m = self.recv()
            if m is None:
                return replies, False
            mxid = struct.unpack("!I", m[4:8])[0]
            if m[1] == barrier_type + 1 and mxid == bxid:
                return replies, True
            if m[1] == T_ECHO_REQ:
                self.send_raw(struct.pack("!BBHI", m[0], 3, 8, mxid))
                continue
            if mxid == xid:
                replies.append(m)

    def close(self):
        self.s.close()


def error_of(replies):
    """(type, code) of the first error reply, else None."""
    for m in replies:
        if m[1] == T_ERROR and len(m) >= 12:
            return struct.unpack("!HH", m[8:12])
    return None


def hdr(version, mtype, body, xid):
    return struct.pack("!BBHI", version, mtype, 8 + len(body), xid) + body


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


# ---- Valid messages to start from ---------------------------------------

def match10(wildcards=0x3fffff, in_port=0, dl_type=0, nw_src=0):
    # ofp_match (1.0): wildcards, in_port, dl_src, dl_dst, dl_vlan,
    # dl_vlan_pcp, pad, dl_type, nw_tos, nw_proto, pad, nw_src, nw_dst,
    # tp_src, tp_dst.
    return struct.pack("!IH6s6sHBxHBBxxIIHH", wildcards, in_port, b"\0" * 6, b"\0" * 6, 0, 0, dl_type, 0, 0,
                       nw_src, 0, 0, 0)


def output10(port):
    return struct.pack("!HHHH", 0, 8, port, 0xffff)


def flow_mod10(xid, command=0, actions=None, match=None, priority=0x8000):
    m = match if match is not None else match10()
    a = actions if actions is not None else output10(1)
    body = m + struct.pack("!QHHHHIHH", 0, command, 0, 0, priority, 0xffffffff, 0xffff, 0) + a
    return hdr(OFP10, 14, body, xid)


def oxm(field, value, cls=0x8000, mask=None):
    hasmask = 1 if mask is not None else 0
    payload = value + (mask or b"")
    return struct.pack("!HBB", cls, (field << 1) | hasmask, len(payload)) + payload


def match13(*entries):
    fields = b"".join(entries)
    return pad8(struct.pack("!HH", 1, 4 + len(fields)) + fields)


def output13(port):
    return struct.pack("!HHIH6x", 0, 16, port, 0xffe5)


def apply13(actions):
    return struct.pack("!HH4x", 4, 8 + len(actions)) + actions


def goto13(table):
    return struct.pack("!HHB3x", 1, 8, table)


def flow_mod13(xid, version=OFP13, table=0, command=0, match=None, instructions=None, priority=0x8000):
    m = match if match is not None else match13(oxm(5, b"\x08\x00"))
    ins = instructions if instructions is not None else apply13(output13(1))
    body = (struct.pack("!QQBBHHHIIIH2x", 0, 0, table, command, 0, 0, priority, 0xffffffff, 0xffffffff,
                        0xffffffff, 0) + m + ins)
    return hdr(version, 14, body, xid)


def packet_out10(xid, actions=None, in_port=0xfff8):
    a = actions if actions is not None else output10(2)
    frame = b"\xff" * 6 + b"\x02\0\0\0\0\x01" + b"\x08\x06" + b"\0" * 46
    return hdr(OFP10, 13, struct.pack("!IHH", 0xffffffff, in_port, len(a)) + a + frame, xid)


def packet_out13(xid, actions=None, in_port=0xfffffffd):
    a = actions if actions is not None else output13(2)
    frame = b"\xff" * 6 + b"\x02\0\0\0\0\x01" + b"\x08\x06" + b"\0" * 46
    return hdr(OFP13, 13, struct.pack("!IIH6x", 0xffffffff, in_port, len(a)) + a + frame, xid)


def multipart13(xid, version, mp_type, body=b""):
    return hdr(version, 18, struct.pack("!HH4x", mp_type, 0) + body, xid)


def flow_stats_req13(xid, version=OFP13):
    body = struct.pack("!B3xII4xQQ", 0xff, 0xffffffff, 0xffffffff, 0, 0) + match13()
    return multipart13(xid, version, 1, body)


def stats_req10(xid, st_type, body=b""):
    return hdr(OFP10, 16, struct.pack("!HH", st_type, 0) + body, xid)


def group_mod(xid, version):
    """An all group with one output bucket (1.1-1.4 layout, or 1.5's)."""
    out = output13(1)
    if version < OFP15:
        bucket = struct.pack("!HHII4x", 16 + len(out), 0, 0xffffffff, 0xffffffff) + out
        return hdr(version, 15, struct.pack("!HBxI", 0, 0, 1 + xid % 50) + bucket, xid)
    bucket = struct.pack("!HHI", 8 + len(out), len(out), xid % 7) + out
    return hdr(version, 15, struct.pack("!HBxIHHI", 0, 0, 1 + xid % 50, len(bucket), 0, 0xffffffff) + bucket, xid)


def bundle_ctrl(xid, version, ctrl_type, bundle_id=1, flags=1):
    return hdr(version, 33, struct.pack("!IHH", bundle_id, ctrl_type, flags), xid)


def bundle_add(xid, version, inner, bundle_id=1, flags=1):
    return hdr(version, 34, struct.pack("!I2xH", bundle_id, flags) + inner, xid)


def valid_messages(version, xid):
    """(name, bytes) of valid requests for 'version'."""
    if version == OFP10:
        return [
            ("flow_mod", flow_mod10(xid)),
            ("flow_mod ip", flow_mod10(xid, match=match10(wildcards=0x3fffff & ~(1 << 4) & ~(0x3f << 8),
                                                          dl_type=0x0800, nw_src=0x0a000001))),
            ("packet_out", packet_out10(xid)),
            ("flow stats", stats_req10(xid, 1, match10() + struct.pack("!BxH", 0xff, 0xffff))),
            ("port stats", stats_req10(xid, 4, struct.pack("!H6x", 0xffff))),
            ("desc", stats_req10(xid, 0)),
            ("set_config", hdr(OFP10, 9, struct.pack("!HH", 0, 128), xid)),
            ("features", hdr(OFP10, 5, b"", xid)),
            ("echo", hdr(OFP10, 2, b"abcd", xid)),
            ("nx set flow format", hdr(OFP10, 4, struct.pack("!II", 0x2320, 12) + struct.pack("!I", 2), xid)),
        ]
    return [
        ("flow_mod", flow_mod13(xid, version)),
        ("flow_mod goto", flow_mod13(xid, version, instructions=goto13(3) + apply13(output13(2)))),
        ("flow_mod ipv4", flow_mod13(xid, version, match=match13(oxm(5, b"\x08\x00"), oxm(11, b"\x0a\0\0\x01"),
                                                                 oxm(0, b"\0\0\0\x01")))),
        ("packet_out", packet_out13(xid) if version == OFP13 else flow_stats_req13(xid, version)),
        ("flow stats", flow_stats_req13(xid, version)),
        ("port desc", multipart13(xid, version, 13)),
        ("table stats", multipart13(xid, version, 3)),
        ("role", hdr(version, 24, struct.pack("!I4xQ", 0, 0), xid)),
        ("get async", hdr(version, 26, b"", xid)),
        ("features", hdr(version, 5, b"", xid)),
        ("group mod", group_mod(xid, version)),
        ("meter mod", hdr(version, 29, struct.pack("!HHI", 0, 1, 1 + xid % 50) +
                          struct.pack("!HHIIB3x", 1, 16, 1000, 100, 0), xid)),
        ("group stats", multipart13(xid, version, 6, struct.pack("!I4x", 0xfffffffc))),
        ("meter config", multipart13(xid, version, 10, struct.pack("!I4x", 0xffffffff))),
    ] + ([("bundle open", bundle_ctrl(xid, version, 0)),
          ("bundle add", bundle_add(xid, version, flow_mod13(xid, version)))] if version >= OFP14 else [])


def crafted(version, xid):
    """(name, message) pairs, each wrong in one way."""
    v = version
    if v == OFP10:
        out = [
            ("unknown message type", hdr(v, 0x7e, b"", xid)),
            ("unknown stats type", stats_req10(xid, 0x77)),
            ("unknown vendor", hdr(v, 4, struct.pack("!II", 0x123456, 0), xid)),
            ("unknown Nicira subtype", hdr(v, 4, struct.pack("!II", 0x2320, 0x7777), xid)),
            ("flow_mod bad command", flow_mod10(xid, command=9)),
            ("flow_mod unknown action", flow_mod10(xid, actions=struct.pack("!HHI", 0x77, 8, 0))),
            ("flow_mod action length 12", flow_mod10(xid, actions=struct.pack("!HHHHI", 0, 12, 1, 0, 0))),
            ("flow_mod action length 0", flow_mod10(xid, actions=struct.pack("!HHHH", 0, 0, 1, 0))),
            ("flow_mod output to port 0", flow_mod10(xid, actions=output10(0))),
            ("flow_mod cut short", flow_mod10(xid)[:40]),
            ("packet_out actions overrun", packet_out10(xid)[:-60] + b""),
            ("packet_out bad in_port", packet_out10(xid, in_port=0xff77)),
            ("set_config cut short", hdr(v, 9, b"\0\0", xid)),
            ("message of a newer version", hdr(OFP13, 5, b"", xid)),
        ]
        return out
    bad_len = flow_mod13(xid, v)
    out = [
        ("unknown message type", hdr(v, 0x7e, b"", xid)),
        ("unknown multipart type", multipart13(xid, v, 0x7777)),
        ("unknown experimenter", hdr(v, 4, struct.pack("!II", 0x123456, 0), xid)),
        ("flow_mod bad command", flow_mod13(xid, v, command=9)),
        ("flow_mod unknown OXM field", flow_mod13(xid, v, match=match13(oxm(0x70, b"\0\0")))),
        ("flow_mod OXM without prerequisite", flow_mod13(xid, v, match=match13(oxm(11, b"\x0a\0\0\x01")))),
        ("flow_mod OXM bad length", flow_mod13(xid, v, match=match13(oxm(5, b"\x08\x00\x00")))),
        ("flow_mod OXM duplicate", flow_mod13(xid, v, match=match13(oxm(5, b"\x08\x00"), oxm(5, b"\x08\x00")))),
        ("flow_mod unknown action", flow_mod13(xid, v, instructions=apply13(struct.pack("!HHI", 0x77, 8, 0)))),
        ("flow_mod unknown instruction", flow_mod13(xid, v, instructions=struct.pack("!HH4x", 0x77, 8))),
        ("flow_mod goto backwards", flow_mod13(xid, v, table=5, instructions=goto13(2))),
        ("flow_mod output to port 0", flow_mod13(xid, v, instructions=apply13(output13(0)))),
        ("flow_mod table 255", flow_mod13(xid, v, table=255)),
        ("flow_mod length beyond the message", bad_len[:2] + struct.pack("!H", len(bad_len) + 16) + bad_len[4:]),
        ("flow_mod cut short", flow_mod13(xid, v)[:50]),
        ("role with bad role", hdr(v, 24, struct.pack("!I4xQ", 9, 0), xid)),
        ("message of an older version", hdr(OFP10, 5, b"", xid)),
    ]
    if v == OFP13:
        out.append(("packet_out bad in_port", packet_out13(xid, in_port=0xffff7777)))
    return out


def open_pair(xpath, opath, version):
    return Conn(xpath, version), Conn(opath, version)


def main():
    xpath, opath, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    failures = []

    # 1. Crafted mistakes: the same error as Open vSwitch.
    for version in (OFP10, OFP13, OFP15):
        x, o = open_pair(xpath, opath, version)
        for name, msg in crafted(version, 0x77):
            xr, x_alive = x.exchange(msg)
            orr, o_alive = o.exchange(msg)
            xe, oe = error_of(xr), error_of(orr)
            label = f"OpenFlow 0x{version:02x} {name}"
            if not x_alive:
                # Closing is right only where Open vSwitch closes too.
                if o_alive:
                    failures.append(f"{label}: xvs closed the connection")
                x, o = open_pair(xpath, opath, version)
                continue
            if not o_alive:
                o = Conn(opath, version)
            if xe != oe:
                failures.append(f"{label}: xvs error {xe}, Open vSwitch error {oe}")
            else:
                print(f"ok {label}: {xe}")
        x.close()
        o.close()

    # 2. Mutations: xvs keeps answering; an error from Open vSwitch means
    # an error from xvs.
    agree = both_err = 0
    conns = {}
    # XVS_FUZZ_LOG=FILE: every mutated message and both answers, to replay one.
    log = open(os.environ["XVS_FUZZ_LOG"], "w") if os.environ.get("XVS_FUZZ_LOG") else None
    for i in range(count):
        version = rng.choice((OFP10, OFP13, OFP14, OFP15))
        if version not in conns:
            conns[version] = open_pair(xpath, opath, version)
        x, o = conns[version]
        name, msg = rng.choice(valid_messages(version, 0x2000 + i))
        m = bytearray(msg)
        how = rng.randrange(6)
        if len(m) <= 9 and how in (0, 1, 3, 5):
            how = 2  # a bare header: only growing it makes sense
        if how == 0:
            for _ in range(rng.randint(1, 4)):
                m[rng.randrange(8, len(m))] = rng.randrange(256)
        elif how == 1:
            del m[rng.randrange(8, len(m)):]
        elif how == 2:
            m += bytes(rng.randrange(256) for _ in range(rng.randint(1, 24)))
        elif how == 3:
            pos = rng.randrange(8, max(9, len(m) - 1))
            struct.pack_into("!H", m, pos, rng.choice((0, 1, 4, 7, 8, 0xffff, rng.randrange(65536))))
        elif how == 4:
            m[1] = rng.randrange(40)
        else:
            m[rng.randrange(8, len(m))] ^= 1 << rng.randrange(8)
        # The header's length stays right: a wrong one desynchronizes the
        # stream (the crafted cases cover that).
        struct.pack_into("!H", m, 2, len(m))
        msg = bytes(m)
        label = f"#{i} (seed {seed}) mutated {name} v0x{version:02x}: {msg.hex()}"
        xr, x_alive = x.exchange(msg)
        orr, o_alive = o.exchange(msg)
        if not x_alive:
            if o_alive:
                failures.append(f"{label}: xvs closed the connection or did not answer the barrier")
            del conns[version]
            x.close()
            o.close()
            continue
        if not o_alive:
            o.close()
            conns[version] = (x, Conn(opath, version))
        xe, oe = error_of(xr), error_of(orr)
        if log:
            log.write(f"{i} {msg.hex()} xvs={xe} ovs={oe}\n")
        if oe is not None:
            if xe is None:
                failures.append(f"{label}: Open vSwitch answered error {oe}, xvs no error")
            else:
                both_err += 1
                agree += xe == oe
    for x, o in conns.values():
        x.close()
        o.close()
    print(f"mutations: {count}, both answered with an error: {both_err}, same error: {agree}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
