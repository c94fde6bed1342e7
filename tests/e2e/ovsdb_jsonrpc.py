"""Raw JSON-RPC against an OVSDB server, for what the clients cannot send.

usage: ovsdb_jsonrpc.py SOCKET   (a database with bridges br0 and br1)
Exits non-zero with a message on the first failure.
"""
import json
import re
import socket
import sys

SOCK = sys.argv[1]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Conn:
    def __init__(self, path=SOCK):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = ""
        self.dec = json.JSONDecoder()
        self.events = []  # everything received, in order
        self.n = 0

    def send(self, obj):
        self.s.sendall(json.dumps(obj).encode())

    def recv(self, timeout=3):
        """The next message, or None on EOF/timeout."""
        self.s.settimeout(timeout)
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    obj, i = self.dec.raw_decode(text)
                    self.buf = text[i:]
                    self.events.append(obj)
                    return obj
                except ValueError:
                    pass
            try:
                data = self.s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                return None
            if not data:
                return None
            self.buf += data.decode()

    def request(self, method, params):
        self.n += 1
        self.send({"method": method, "params": params, "id": self.n})
        return self.n

    def call(self, method, params):
        """(reply, notifications received before it)."""
        i = self.request(method, params)
        notes = []
        while True:
            m = self.recv()
            if m is None:
                fail("%s: no reply" % method)
            if m.get("id") == i:
                return m, notes
            notes.append(m)

    def notes(self, timeout=0.5):
        out = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return out
            out.append(m)


def result(reply):
    if reply.get("error") is not None:
        fail("unexpected error %s" % json.dumps(reply))
    return reply["result"]


def error_of(reply):
    if reply.get("error") is None:
        fail("expected an error, got %s" % json.dumps(reply))
    return reply["error"]


def names(table_updates):
    """{uuid: 'insert:NAME' / 'delete'} of the Bridge rows in an update2."""
    out = {}
    for uuid, ru in table_updates.get("Bridge", {}).items():
        if "insert" in ru:
            out[uuid] = "insert:" + ru["insert"]["name"]
        elif "delete" in ru:
            out[uuid] = "delete"
        else:
            out[uuid] = "other:" + json.dumps(ru)
    return sorted(out.values())


c = Conn()

print("--- echo, get_server_id, set_db_change_aware, unknown method")
if result(c.call("echo", ["x", 1, {"a": []}])[0]) != ["x", 1, {"a": []}]:
    fail("echo does not return its params")
sid = result(c.call("get_server_id", [])[0])
if not isinstance(sid, str) or not UUID.match(sid):
    fail("get_server_id: %r" % sid)
if result(Conn().call("get_server_id", [])[0]) != sid:
    fail("get_server_id differs between sessions")
if result(c.call("set_db_change_aware", [True])[0]) != {}:
    fail("set_db_change_aware")
r, _ = c.call("frobnicate", [])
if error_of(r) != "unknown method":
    fail("unknown method: %s" % json.dumps(r))
result(c.call("echo", [])[0])  # still usable

print("--- monitor_cond_change")
m, _ = c.call("monitor_cond", ["Open_vSwitch", "m", {"Bridge": [{"columns": ["name"], "where": [False]}]}])
if result(m) != {}:
    fail("monitor_cond where [false] returned rows: %s" % json.dumps(m))
# Rows entering the selection come as update2 inserts, before the reply (as
# ovsdb-server sends them: once the reply is in, so are the rows).
r, before = c.call("monitor_cond_change", ["m", "m", {"Bridge": [{"where": [["name", "==", "br0"]]}]}])
result(r)
if [n["method"] for n in before] != ["update2"] or names(before[0]["params"][1]) != ["insert:br0"]:
    fail("cond change to br0: got before the reply %s" % json.dumps(before))
# Re-keyed to m2: br1 enters, br0 leaves.
r, before = c.call("monitor_cond_change", ["m", "m2", {"Bridge": [{"where": [["name", "==", "br1"]]}]}])
result(r)
if len(before) != 1 or before[0]["params"][0] != "m2" or names(before[0]["params"][1]) != ["delete", "insert:br1"]:
    fail("cond change to br1: %s" % json.dumps(before))
# An empty clause list selects every row, as in OVS.
r, before = c.call("monitor_cond_change", ["m2", "m2", {"Bridge": [{"where": []}]}])
if len(before) != 1 or names(before[0]["params"][1]) != ["insert:br0"]:
    fail("cond change to []: %s" % json.dumps(before))
r = c.call("monitor_cond_change", ["m", "m2", {"Bridge": [{"where": []}]}])[0]
if error_of(r) != "unknown monitor" and error_of(r).get("details") != "unknown monitor session":
    fail("cond change of a cancelled id: %s" % json.dumps(r))
# Re-keying onto another live monitor's id is refused and loses neither.
result(c.call("monitor_cond", ["Open_vSwitch", "other", {"Bridge": [{"columns": ["name"], "where": [False]}]}])[0])
r = c.call("monitor_cond_change", ["m2", "other", {"Bridge": [{"where": [True]}]}])[0]
if "duplicate monitor ID" not in json.dumps(error_of(r)):
    fail("re-key onto a live monitor id: %s" % json.dumps(r))
for mid in ("m2", "other"):
    result(c.call("monitor_cond_change", [mid, mid, {"Bridge": [{"where": [False]}]}])[0])
c.notes()

print("--- monitors made from the same requests: one update, each under its own id")
req = {"Bridge": [{"columns": ["name", "external_ids"], "where": [["name", "==", "br0"]]}]}
a, b, d = Conn(), Conn(), Conn()
result(a.call("monitor_cond", ["Open_vSwitch", "ida", req])[0])
result(b.call("monitor_cond", ["Open_vSwitch", ["x", 1], req])[0])
result(b.call("monitor_cond_since", ["Open_vSwitch", "ids", req, "00000000-0000-0000-0000-000000000000"])[0])
result(d.call("monitor_cond", ["Open_vSwitch", "idd", req])[0])
# d's selection moves to br1: from now on it must get br1's updates, not br0's.
result(d.call("monitor_cond_change", ["idd", "idd", {"Bridge": [{"where": [["name", "==", "br1"]]}]}])[0])
d.notes(0.2)


def bump(bridge, n):
    t = c.call("transact", ["Open_vSwitch", {"op": "update", "table": "Bridge", "where": [["name", "==", bridge]],
                                             "row": {"external_ids": ["map", [["seq", str(n)]]]}}])[0]
    result(t)


def got(conn):
    """(method, monitor id, txn id or None, <table-updates2>) of each update received."""
    return [(n["method"], n["params"][0], n["params"][1] if n["method"] == "update3" else None, n["params"][-1])
            for n in conn.notes(0.3)]


bump("br0", 1)
ga, gb, gd = got(a), got(b), got(d)
if [(m, i) for m, i, _, _ in ga] != [("update2", "ida")] or len(ga[0][3].get("Bridge", {})) != 1:
    fail("monitor ida after br0 changed: %s" % json.dumps(ga))
br0_update = ga[0][3]
gb.sort(key=lambda u: u[0])  # the order of one session's monitors is not specified
if [(m, i) for m, i, _, _ in gb] != [("update2", ["x", 1]), ("update3", "ids")] or \
        not UUID.match(gb[1][2] or "") or gb[0][3] != br0_update or gb[1][3] != br0_update:
    fail("monitors [x,1] and ids after br0 changed (ida got %s): %s" % (json.dumps(br0_update), json.dumps(gb)))
if gd:
    fail("monitor idd (on br1) got br0's update: %s" % json.dumps(gd))
bump("br1", 2)
ga, gb, gd = got(a), got(b), got(d)
if ga or gb or [(m, i) for m, i, _, _ in gd] != [("update2", "idd")] or gd[0][3].keys() != br0_update.keys() or \
        list(gd[0][3]["Bridge"]) == list(br0_update["Bridge"]):
    fail("after br1 changed: ida %s, [x,1]/ids %s, idd %s" % (json.dumps(ga), json.dumps(gb), json.dumps(gd)))

print("--- monitor_cancel")
w = Conn()
result(w.call("monitor_cond", ["Open_vSwitch", "all", {"Bridge": [{"columns": ["name"]}]}])[0])
result(w.call("monitor_cancel", ["all"])[0])
if error_of(w.call("monitor_cancel", ["all"])[0]) != "unknown monitor":
    fail("monitor_cancel twice")
t = c.call("transact", ["Open_vSwitch", {"op": "insert", "table": "Bridge", "row": {"name": "orphan"}}])[0]
result(t)
late = [n for n in w.notes() if n.get("method")]
if late:
    fail("updates after monitor_cancel: %s" % json.dumps(late))
result(c.call("transact", ["Open_vSwitch", {"op": "delete", "table": "Bridge", "where": [["name", "==", "orphan"]]}])[0])

print("--- cancel of a blocked transact")
i = c.request("transact", ["Open_vSwitch", {"op": "wait", "table": "Bridge", "timeout": 600000,
                                            "where": [["name", "==", "never"]], "columns": ["name"],
                                            "until": "==", "rows": [{"name": "never"}]}])
if [m for m in c.notes(0.3) if m.get("id") == i]:
    fail("blocked wait answered early")
c.send({"method": "cancel", "params": [i], "id": None})
m = c.recv()
if m is None or m.get("id") != i or error_of(m) != "canceled":
    fail("cancel: %s" % json.dumps(m))
result(c.call("echo", [])[0])

print("--- lock errors, with ovsdb-server's texts")
l = Conn()
if result(l.call("lock", ["lk"])[0]) != {"locked": True}:
    fail("lock")
for method in ("lock", "steal"):
    e = error_of(l.call(method, ["lk"])[0])
    if e.get("details") != 'must issue "unlock" before new "%s"' % method:
        fail("second %s: %s" % (method, json.dumps(e)))
e = error_of(l.call("unlock", ["other"])[0])
if e.get("details") != 'unlock: "unlock" without "lock" or "steal"':
    fail("unlock without lock: %s" % json.dumps(e))
e = error_of(l.call("lock", ["bad name!"])[0])
if e.get("error") != "syntax error":
    fail("invalid lock name: %s" % json.dumps(e))
if result(l.call("unlock", ["lk"])[0]) != {}:
    fail("unlock")

print("--- malformed JSON: an error or a close, other sessions keep working")
for junk in (b'{"method": "echo", "params": [], "id": 1} }}}garbage{{{', b"[" * 200000, b'{"method": 5, "params": 7}'):
    bad = Conn()
    bad.s.sendall(junk)
    try:
        bad.s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    got = []
    while True:
        m = bad.recv(3)
        if m is None:
            break
        got.append(m)
    print("  ", junk[:30], "->", json.dumps(got)[:200])
    if result(c.call("echo", ["alive"])[0]) != ["alive"]:
        fail("server unusable after %r" % junk[:30])
print("PASS")
