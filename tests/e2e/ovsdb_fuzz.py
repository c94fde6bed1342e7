"""Seeded JSON-RPC fuzzing of an OVSDB server (run by ovsdb_fuzz.sh).

usage: ovsdb_fuzz.py fuzz SOCKET SEED STEPS EXPECTED_JSON
       ovsdb_fuzz.py verify SOCKET EXPECTED_JSON

The database has the schema ovsdb_fuzz.sh writes: table Data (k, v, s; a
unique index on k), which only well-formed transactions of this driver
touch, and Scratch, which mutated requests may change.

"fuzz" drives several connections at once, interleaving valid transactions
on Data (checked against a model, which "verify" later compares with the
database after a restart) with malformed input, each kind with the exact
outcome xvsdb-server gives, which is Open vSwitch's jsonrpc behaviour:
  * bytes that are not JSON (framing errors, bad UTF-8, numbers out of
    range, nesting deeper than 1000, ...): one error reply
    {"error": {"error": "syntax error", ...}, "id": null}, then the server
    closes the connection (OVS closes without the reply);
  * JSON that is not a JSON-RPC message (params not an array, unexpected
    members, ...): an "invalid JSON-RPC message" error under the message's
    id, then the server closes the connection;
  * a message longer than 64 MiB: a "message too long" error, then close;
  * a request cut short, then EOF: the server closes, sending nothing;
  * well-formed requests the server cannot honour (unknown method, bad
    transact parameters, ...): an error reply, and the session carries on.
Random byte mutations of valid requests are checked against a model of the
server's framing, JSON parsing and JSON-RPC validation (predict()).
Exits non-zero with a message, the seed and the step on the first failure.
"""
import codecs
import json
import math
import random
import socket
import sys
import time

TIMEOUT = 5
MAX_MESSAGE = 64 << 20
MAX_DEPTH = 1000


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


# ---- a connection ---------------------------------------------------------


class Conn:
    def __init__(self, path):
        self.path = path
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.dec = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.eof = False
        self.next_id = 0

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def send(self, data):
        if isinstance(data, (dict, list)):
            data = json.dumps(data).encode()
        self.s.sendall(data)

    def shutdown(self):
        try:
            self.s.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def recv(self, timeout=TIMEOUT):
        """The next message from the server; None at EOF. Fails on a timeout."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    obj, end = json.JSONDecoder().raw_decode(text)
                    self.buf = text[end:]
                    return obj
                except ValueError:
                    pass  # incomplete
            if self.eof:
                check(not text, "the server sent bytes that are not JSON: %r" % text[:200])
                return None
            left = deadline - time.monotonic()
            check(left > 0, "no message from the server within %d s" % timeout)
            self.s.settimeout(left)
            try:
                data = self.s.recv(1 << 20)
            except socket.timeout:
                raise Fail("no message from the server within %d s" % timeout)
            except ConnectionResetError:
                data = b""
            if not data:
                self.eof = True
            self.buf += self.dec.decode(data, final=not data)

    def recv_all(self, timeout=TIMEOUT):
        """Every message until EOF (the caller has shut down its side or
        expects the server to close)."""
        out = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return out
            out.append(m)

    def call(self, method, params):
        i = self.new_id()
        self.send({"method": method, "params": params, "id": i})
        m = self.recv()
        check(m is not None, "%s: connection closed instead of a reply" % method)
        check(m.get("id") == i, "%s: expected the reply to id %d, got %s" % (method, i, short(m)))
        return m

    def close(self):
        self.s.close()


def short(obj, n=300):
    s = json.dumps(obj) if not isinstance(obj, (bytes, str)) else repr(obj)
    return s if len(s) <= n else s[:n] + "..."


def is_result(m, i):
    return m.get("id") == i and m.get("error") is None and "result" in m


def is_error(m, i, tag=None):
    """An error reply to id i; tag: the error's name, for errors that are
    objects ({"error": tag, "details": ...}) or plain strings."""
    if m.get("id") != i or m.get("error") is None or m.get("result") is not None:
        return False
    e = m["error"]
    name = e.get("error") if isinstance(e, dict) else e
    return tag is None or name == tag or (isinstance(tag, tuple) and name in tag)


def expect_close(c, events, what):
    """The server answers with exactly 'events' and closes. An event is
    ("reply", id, result-or-None), ("error", tag, id)."""
    got = []
    try:
        while True:
            m = c.recv()
            if m is None:
                break
            got.append(m)
    except Fail as e:
        raise Fail("%s: expected %s, then the connection closed; got %s and %s" % (what, events, short(got, 600), e))
    check(len(got) == len(events), "%s: expected %d messages then close, got %s" % (what, len(events), short(got, 600)))
    for m, e in zip(got, events):
        if e[0] == "reply":
            check(is_result(m, e[1]) and (e[2] is None or m["result"] == e[2]) or
                  (e[2] is None and is_error(m, e[1])),
                  "%s: expected the reply to id %r%s, got %s" % (what, e[1], "" if e[2] is None else " = " + short(e[2]),
                                                              short(m)))
        else:
            check(is_error(m, e[2], e[1]) and isinstance(m["error"], dict) and
                  isinstance(m["error"].get("details"), str),
                  "%s: expected the protocol error %r (id %r), got %s" % (what, e[1], e[2], short(m)))
    c.close()


def expect_alive(c, what):
    """The session still answers."""
    m = c.call("echo", ["still", "here"])
    check(is_result(m, m["id"]) and m["result"] == ["still", "here"], "%s: session broken: %s" % (what, short(m)))


# ---- a model of what the server makes of a byte stream --------------------


class NotJson(Exception):
    pass


def strict_json(text):
    """Python's json, made as strict as the server's parser (nlohmann):
    no NaN/Infinity, no numbers beyond a double, no lone surrogates."""
    def num_float(s):
        f = float(s)
        if math.isinf(f):
            raise NotJson("number overflow")
        return f

    def num_int(s):
        i = int(s)
        if -(1 << 63) <= i < (1 << 64):
            return i
        return num_float(s)  # beyond 64 bits: a double, as in the server

    def no_constant(s):
        raise NotJson(s)

    v = json.loads(text, parse_float=num_float, parse_int=num_int, parse_constant=no_constant)

    def walk(x):
        if isinstance(x, str):
            if any(0xD800 <= ord(ch) <= 0xDFFF for ch in x):
                raise NotJson("lone surrogate")
        elif isinstance(x, list):
            for y in x:
                walk(y)
        elif isinstance(x, dict):
            for k, y in x.items():
                walk(k)
                walk(y)

    walk(v)
    return v


def rpc_shape(j):
    """Which JSON-RPC message j is ("request", "notify", "reply", "error"),
    or None if the server must refuse it (OVS's rules: a null member counts
    as absent, the type follows from the members present)."""
    if not isinstance(j, dict):
        return None
    allowed = {"method", "params", "result", "error", "id"}
    if set(j) - allowed:
        return None
    g = lambda k: j.get(k)
    if g("method") is not None and not isinstance(g("method"), str):
        return None
    kind = ("reply" if g("result") is not None else "error" if g("error") is not None
            else "request" if g("id") is not None else "notify")
    if g("params") is not None and not isinstance(g("params"), list):
        return None
    want = {"request": (True, True, False, False, True), "notify": (True, True, False, False, False),
            "reply": (False, False, True, False, True), "error": (False, False, False, True, True)}[kind]
    have = tuple(g(k) is not None for k in ("method", "params", "result", "error", "id"))
    return kind if have == want else None


def predict(data):
    """What the server sends for 'data' followed by EOF: a list of events as
    expect_close() takes them, or None where a reply's content is not
    predicted (any reply to that id will do)."""
    events = []
    state, stack, start, i = "between", [], 0, 0
    while i < len(data):
        ch = data[i:i + 1]
        if state == "between":
            if ch in b" \t\r\n":
                i += 1
                continue
            if ch not in b"{[":
                return events + [("error", "syntax error", None)]
            state, stack, start = "value", [ch], i
        elif state == "value":
            if ch == b'"':
                state = "string"
            elif ch in b"{[":
                if len(stack) >= MAX_DEPTH:
                    return events + [("error", "syntax error", None)]
                stack.append(ch)
            elif ch in b"}]":
                if stack[-1] != (b"{" if ch == b"}" else b"["):
                    return events + [("error", "syntax error", None)]
                stack.pop()
                if not stack:
                    state = "between"
                    ev = message_events(data[start:i + 1])
                    events += ev
                    if ev and ev[-1][0] == "error" and ev[-1][1] in ("syntax error", "invalid JSON-RPC message"):
                        return events
        elif state == "string":
            if ch == b"\\":
                state = "escape"
            elif ch == b'"':
                state = "value"
        else:
            state = "string"
        i += 1
    return events  # EOF: whatever is incomplete is dropped with the connection


def message_events(raw):
    try:
        j = strict_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, NotJson, RecursionError, OverflowError):
        return [("error", "syntax error", None)]
    kind = rpc_shape(j)
    if kind is None:
        return [("error", "invalid JSON-RPC message", j.get("id") if isinstance(j, dict) else None)]
    if kind != "request":
        return []  # replies and notifications get no answer
    return [("reply", j["id"], j["params"] if j["method"] == "echo" else None)]


# ---- the Data model ---------------------------------------------------------


class Model:
    def __init__(self):
        self.rows = {}  # k -> {"uuid", "v", "s"}

    def select(self, c):
        m = c.call("transact", ["F", {"op": "select", "table": "Data", "where": [], "columns": ["_uuid", "k", "v", "s"]}])
        check(is_result(m, m["id"]), "select Data: %s" % short(m))
        got = {}
        for r in m["result"][0]["rows"]:
            s = r["s"]
            s = s[1] if isinstance(s, list) and s and s[0] == "set" else [s]
            got[r["k"]] = {"uuid": r["_uuid"][1], "v": r["v"], "s": sorted(s)}
        return got

    def verify(self, c, what):
        got = self.select(c)
        if got != self.rows:
            diff = ["k=%s: model %s, server %s" % (k, self.rows.get(k), got.get(k))
                    for k in sorted(set(got) | set(self.rows)) if got.get(k) != self.rows.get(k)]
            raise Fail("%s: Data differs from the committed transactions:\n  %s" % (what, "\n  ".join(diff[:10])))


def set_json(elems):
    return ["set", sorted(elems)]


class Fuzzer:
    def __init__(self, path, seed):
        self.path = path
        self.rng = random.Random(seed)
        self.model = Model()
        self.conns = [Conn(path) for _ in range(4)]
        # Start from what Data holds (an earlier seed's rows).
        self.model.rows = self.model.select(self.conns[0])
        self.next_k = max(self.model.rows, default=-1) + 1
        self.counts = {}
        self.held = None  # a connection left holding half a message

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1

    def fresh(self, slot):
        self.conns[slot] = Conn(self.path)

    # -- valid transactions on Data, checked and applied to the model --

    def text(self):
        return self.rng.choice(["", "a", "é", "日本", "line\nbreak", 'quote"s', "back\\slash", "😀", "tab\t",
                                "\u0001", "x" * self.rng.randrange(1, 300)])

    def pick_k(self):
        if self.model.rows and self.rng.random() < 0.8:
            return self.rng.choice(sorted(self.model.rows))
        self.next_k += 1
        return self.next_k + 1000000  # no such row

    def txn(self):
        """(ops, check(result) -> None, apply(result)) for one valid transaction."""
        r = self.rng.random()
        rows = self.model.rows
        if r < 0.35 or not rows:
            dup = rows and self.rng.random() < 0.15
            k = self.rng.choice(sorted(rows)) if dup else self.next_k
            if not dup:
                self.next_k += 1
            v, s = self.text(), self.rng.sample(range(-50, 50), self.rng.randrange(0, 5))
            ops = [{"op": "insert", "table": "Data", "row": {"k": k, "v": v, "s": set_json(s)}}]
            tail = self.rng.random()
            if not dup and tail < 0.1:
                ops.append({"op": "abort"})
                return ops, [("uuid",), ("error", "aborted")], None
            if not dup and tail < 0.2:
                ops.append({"op": "delete", "table": "NoSuchTable", "where": []})
                return ops, [("uuid",), ("error", "syntax error")], None
            if dup:  # the unique index refuses it at commit
                return ops, [("uuid",), ("error", "constraint violation")], None

            def apply(res):
                rows[k] = {"uuid": res[0]["uuid"][1], "v": v, "s": sorted(s)}
            return ops, [("uuid",)], apply
        k = self.pick_k()
        exists = k in rows
        where = [["k", "==", k]]
        if r < 0.55:
            v = self.text()

            def apply(res):
                if exists:
                    rows[k]["v"] = v
            return [{"op": "update", "table": "Data", "where": where, "row": {"v": v}}], [("count", int(exists))], apply
        if r < 0.7:
            add = self.rng.sample(range(-50, 50), self.rng.randrange(1, 4))

            def apply(res):
                if exists:
                    rows[k]["s"] = sorted(set(rows[k]["s"]) | set(add))
            return ([{"op": "mutate", "table": "Data", "where": where, "mutations": [["s", "insert", set_json(add)]]}],
                    [("count", int(exists))], apply)
        if r < 0.85:
            def apply(res):
                rows.pop(k, None)
            return [{"op": "delete", "table": "Data", "where": where}], [("count", int(exists))], apply
        # A wait that holds exactly when the model is right, with timeout 0.
        v = rows[k]["v"] if exists and self.rng.random() < 0.8 else "not " + self.text()
        holds = exists and rows[k]["v"] == v
        ops = [{"op": "wait", "table": "Data", "timeout": 0, "where": where, "columns": ["k", "v"], "until": "==",
                "rows": [{"k": k, "v": v}]}, {"op": "comment", "comment": "checked"}]
        return ops, ([("empty",), ("empty",)] if holds else [("error", "timed out"), ("null",)]), None

    def check_result(self, ops, want, m, what):
        check(is_result(m, m.get("id")), "%s: transact failed: %s" % (what, short(m)))
        res = m["result"]
        check(isinstance(res, list) and len(res) == len(want), "%s: expected %d results, got %s" % (what, len(want), short(res)))
        for r, w in zip(res, want):
            ok = {"uuid": lambda: isinstance(r, dict) and list(r) == ["uuid"] and r["uuid"][0] == "uuid",
                  "count": lambda: r == {"count": w[1]} if len(w) > 1 else False,
                  "empty": lambda: r == {},
                  "null": lambda: r is None,
                  "error": lambda: isinstance(r, dict) and r.get("error") == w[1]}[w[0]]()
            check(ok, "%s: expected %s, got %s in %s" % (what, w, short(r), short(res)))

    def valid(self, slot):
        """One to three transactions in one write (pipelined), replies in order."""
        c = self.conns[slot]
        batch = []
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            ops, want, apply = self.txn()
            i = c.new_id()
            batch.append((i, ops, want, apply))
            # Expectations come from the model as it is now, so nothing may
            # follow a transaction that changes it.
            if apply:
                break
        c.send(b"".join(json.dumps({"method": "transact", "params": ["F"] + ops, "id": i}).encode()
                        for i, ops, _, _ in batch))
        for i, ops, want, apply in batch:
            m = c.recv()
            check(m is not None and m.get("id") == i, "transact %d: expected its reply, got %s" % (i, short(m)))
            self.check_result(ops, want, m, "transact %s" % short(ops, 200))
            if apply:
                apply(m["result"])
        self.count("valid transactions")

    # -- malformed input with a fixed expected outcome --

    def request(self, c, method="echo", params=None, **extra):
        i = c.new_id()
        msg = {"method": method, "params": ["x"] if params is None else params, "id": i}
        msg.update(extra)
        return i, json.dumps(msg).encode()

    def malformed(self, slot):
        """Sends one kind of bad input on slot; checks the exact outcome."""
        c = self.conns[slot]
        rng = self.rng
        kind = rng.randrange(24)
        self.count("malformed #%d" % kind)
        i, good = self.request(c, "echo", ["p", rng.randrange(1000)])
        null_syntax = [("error", "syntax error", None)]
        what = "malformed input #%d" % kind
        if kind == 0:  # cut short, then EOF: closed without a word
            c.send(good[:rng.randrange(0, len(good) - 1)])
            c.shutdown()
            expect_close(c, [], what)
            return self.fresh(slot)
        if kind in (1, 2, 3, 4, 5, 6, 7, 8, 9):
            junk = {
                1: good.replace(b'"p"', b'"p\xff\xfe"'),  # invalid UTF-8 in a string
                2: b'{"method": "echo", \xc3\x28 "params": []}',  # ... and outside one
                3: b'{"method":"echo","params":[' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b'],"id":1}',
                4: good.replace(b'"p"', rng.choice([b"1e400", b"-1e999", b"9" * 400])),  # beyond a double
                5: good.replace(b'"p"', rng.choice([b"NaN", b"Infinity", b"'p'", b"tru", b"01", b"1.", b".5"])),
                6: good.replace(b'"p"', b'"\\ud800"'),  # a lone surrogate
                7: good.replace(b'"p"', b'"a\x01b"'),  # a raw control character
                8: good[:-1] + b"]",  # mismatched bracket
                9: rng.choice([b"garbage", b"5", b'"s"', b"\x00"]) + good,
            }[kind]
            c.send(junk)
            expect_close(c, null_syntax, what)
            return self.fresh(slot)
        if kind == 10:  # valid requests, then junk in the same write
            i2, good2 = self.request(c, "echo", [{"nested": [1, 2.5, None, True]}])
            c.send(good + b"  \n" + good2 + b"}{oops")
            expect_close(c, [("reply", i, json.loads(good)["params"]),
                             ("reply", i2, [{"nested": [1, 2.5, None, True]}])] + null_syntax, what)
            return self.fresh(slot)
        if kind in (11, 12, 13, 14, 15):  # JSON, but not JSON-RPC
            msg, eid = {
                11: ({"method": "transact", "params": rng.choice([{"a": 1}, "F", 5]), "id": i}, i),
                12: ({"method": "echo", "params": [], "id": i, "extra": 1}, i),
                13: ({"method": 5, "params": [], "id": i}, i),
                14: (rng.choice([[1, 2], [], [{"method": "echo", "params": [], "id": i}]]), None),
                15: (rng.choice([{}, {"params": [], "id": i}, {"result": 1, "error": "e", "id": i}]), None),
            }[kind]
            if kind == 15 and "id" in msg:
                eid = i
            c.send(json.dumps(msg).encode())
            expect_close(c, [("error", "invalid JSON-RPC message", eid)], what)
            return self.fresh(slot)
        # Well-formed messages the server refuses or ignores: the session goes on.
        if kind == 16:
            m = c.call(rng.choice(["frobnicate", "Transact", "", "monitor2"]), [])
            check(is_error(m, m["id"], "unknown method"), "%s: %s" % (what, short(m)))
        elif kind == 17:
            params, tags = rng.choice([
                ([], "syntax error"),  # no database name: ovsdb-server's answer
                ([5], "syntax error"),
                (["Nope"], "unknown database"),
                (["Nope", {"op": "comment", "comment": "x"}], "unknown database"),
            ])
            m = c.call("transact", params)
            check(is_error(m, m["id"], tags), "%s: transact %s: %s" % (what, short(params), short(m)))
        elif kind == 18:
            ops, tag = rng.choice([
                ([5], "syntax error"),
                ([{"op": "insert", "table": "Data", "row": {"k": rng.choice([1.5, "1", [1], 2 ** 64])}}], "syntax error"),
                ([{"op": "insert", "table": "Data", "row": {"k": 1, "v": 7}}], "syntax error"),
                ([{"op": "insert", "table": "Data", "row": {"nope": 1}}], "unknown column"),
                ([{"op": "select", "table": "Data", "where": [["k", "~", 1]]}], "unknown function"),
                ([{"op": "mutate", "table": "Data", "where": [], "mutations": [["k", "^=", 1]]}], "unknown mutator"),
                ([{"op": "mutate", "table": "Data", "where": [], "mutations": [["k", "/=", 0]]}], None),
                ([{"op": "insert", "table": "Data", "row": {"k": 1, "v": "[" * 5000}}, {"op": "abort"}], "aborted"),
            ])
            m = c.call("transact", ["F"] + ops)
            check(is_result(m, m["id"]), "%s: %s" % (what, short(m)))
            errs = [r for r in m["result"] if isinstance(r, dict) and "error" in r]
            # Division by zero fails only if Data has rows.
            want = tag if tag else ("domain error" if self.model.rows else None)
            check((errs[0]["error"] if errs else None) == want, "%s: expected %s, got %s" % (what, want, short(m)))
        elif kind == 19:
            method, params, tag = rng.choice([
                ("get_schema", ["Nope"], "unknown database"),
                ("get_schema", [5], "unknown database"),
                ("monitor", ["F", 1, 5], None),
                ("monitor_cond", ["F", 1, {"Nope": {}}], "syntax error"),
                ("monitor_cancel", ["never"], "unknown monitor"),
                ("lock", [1], "syntax error"),
                ("lock", ["a", "b"], "syntax error"),
                ("unlock", ["never_locked"], "syntax error"),
            ])
            m = c.call(method, params)
            check(is_error(m, m["id"], tag), "%s: %s %s: %s" % (what, method, short(params), short(m)))
        elif kind == 20:  # numbers at the edges that are still numbers
            vals = rng.choice([[1e308, -1e308], [2 ** 64, -(2 ** 63)], [123456789012345678901234567890], [5e-324, 1e-400]])
            m = c.call("echo", vals)
            want = [float(v) if isinstance(v, int) and not -(1 << 63) <= v < (1 << 64) else v for v in vals]
            check(is_result(m, m["id"]) and m["result"] == want, "%s: echo %s: %s" % (what, vals, short(m)))
        elif kind == 21:  # nesting just under the limit, and odd ids
            depth = MAX_DEPTH - 3
            nested = b"[" * depth + b"]" * depth
            j = c.new_id()
            c.send(b'{"method":"echo","params":[' + nested + b'],"id":' + str(j).encode() + b"}")
            m = c.recv()
            check(is_result(m, j) and depth_of(m["result"]) == depth + 1, "%s: deep echo: %s" % (what, short(m)))
            odd = rng.choice([{"a": [1, {"b": None}]}, "s", -1.5, [], True])
            c.send({"method": "echo", "params": [], "id": odd})
            m = c.recv()
            check(m.get("id") == odd and m.get("result") == [], "%s: id %s: %s" % (what, short(odd), short(m)))
        elif kind == 22:  # answers and notifications from a client get no answer
            c.send({"result": [1], "error": None, "id": 424242})
            c.send({"error": "whatever", "result": None, "id": 434343})
            c.send({"method": "echo", "params": ["n"], "id": None})
            c.send({"method": "cancel", "params": [12345], "id": None})
        else:  # a request trickling in byte groups across many reads
            i3, good3 = self.request(c, "echo", ["slow", "é"])
            cuts = sorted(rng.sample(range(1, len(good3)), 6))
            for a, b in zip([0] + cuts, cuts + [len(good3)]):
                c.send(good3[a:b])
                time.sleep(0.002)
            m = c.recv()
            check(is_result(m, i3) and m["result"] == ["slow", "é"], "%s: trickled echo: %s" % (what, short(m)))
        expect_alive(c, what)

    # -- random byte mutations of valid requests --

    def templates(self, c):
        i = c.new_id()
        return rng_choice(self.rng, [
            {"method": "echo", "params": ["é\n", 12, -3.5, [True, None, {"k": "v"}]], "id": i},
            {"method": "list_dbs", "params": [], "id": i},
            {"method": "get_server_id", "params": [], "id": i},
            {"method": "transact", "params": ["F", {"op": "select", "table": "Scratch", "where": [["x", ">", 1]]}], "id": i},
            {"method": "transact", "params": ["F", {"op": "insert", "table": "Scratch",
                                                    "row": {"x": 42, "t": "tx\\\"\u00e9"}}], "id": i},
            {"method": "transact", "params": ["F", {"op": "comment", "comment": "hi"}], "id": i},
            {"method": "echo", "params": [], "id": None},
            {"result": {"a": 1}, "error": None, "id": i},
        ])

    def mutate(self, slot):
        c = self.conns[slot]
        rng = self.rng
        data = bytearray()
        for _ in range(rng.choice([1, 1, 2])):
            data += json.dumps(self.templates(c)).encode() + rng.choice([b"", b" ", b"\n"])
        for _ in range(rng.randrange(1, 4)):
            p = rng.randrange(len(data) + 1)
            op = rng.choice([0, 0, 0, 0, 1, 1, 1, 2, 2, 3])  # replace, insert, delete, cut short
            byte = rng.choice([rng.randrange(256), ord(rng.choice('{}[]",:\\ 0123456789eE-+.tfnu'))])
            if op == 0 and p < len(data):
                data[p] = byte
            elif op == 1:
                data.insert(p, byte)
            elif op == 2 and p < len(data):
                del data[p]
            else:
                del data[p:]  # truncate
        data = bytes(data)
        want = predict(data)
        c.send(data)
        c.shutdown()
        try:
            expect_close(c, want, "mutated request %r" % data[:300])
        except Fail as e:
            raise Fail("%s\n  predicted %s" % (e, want))
        last = want[-1] if want else ("nothing",)
        self.count("mutated: " + (last[1] if last[0] == "error" else "answered" if last[0] == "reply" else "no answer"))
        self.fresh(slot)

    # -- the rest --

    def hold_partial(self, slot):
        """Leaves half a request on one connection while the others carry on:
        it must not hold the server up."""
        c = self.conns[slot]
        i, good = self.request(c, "echo", ["held"])
        c.send(good[:len(good) // 2])
        self.held = (c, i, good[len(good) // 2:])
        self.fresh(slot)

    def release_partial(self):
        c, i, rest = self.held
        self.held = None
        c.send(rest)
        m = c.recv()
        check(is_result(m, i) and m["result"] == ["held"], "the held request's reply: %s" % short(m))
        c.close()

    def big(self, slot):
        c = self.conns[slot]
        n = self.rng.randrange(1, 4) << 20
        payload = "é" * (n // 2)
        m = c.call("echo", [payload])
        check(is_result(m, m["id"]) and m["result"] == [payload], "a %d-byte echo came back wrong" % n)
        self.count("big messages")

    def oversized(self, slot):
        c = self.conns[slot]
        body = b'{"method":"echo","params":["' + b"a" * (MAX_MESSAGE + 100) + b'"],"id":1}'
        try:
            c.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        expect_close(c, [("error", "message too long", None)], "a message over 64 MiB")
        self.fresh(slot)

    def many(self):
        """Fifty sessions at once, each with a request in flight."""
        cs = [Conn(self.path) for _ in range(50)]
        for n, c in enumerate(cs):
            c.send({"method": "echo", "params": [n], "id": n})
        for n, c in enumerate(cs):
            m = c.recv()
            check(is_result(m, n) and m["result"] == [n], "session %d of 50: %s" % (n, short(m)))
            c.close()

    def no_database(self, slot):
        """transact without a database name: ovsdb-server's exact error
        (a syntax error quoting the params), and the session carries on."""
        c = self.conns[slot]
        for params in ([], [5], [None]):
            m = c.call("transact", params)
            check(is_error(m, m["id"], "syntax error"), "transact %s: %s" % (short(params), short(m)))
            want = {"error": "syntax error", "details": "transact request params must begin with <db-name>",
                    "syntax": json.dumps(params, separators=(",", ":"))}
            check(m["error"] == want, "transact %s: expected %s, got %s" % (short(params), want, short(m["error"])))
        expect_alive(c, "transact without a database name")

    def run(self, steps):
        self.no_database(0)
        self.oversized(0)
        self.many()
        for step in range(steps):
            self.step = step
            slot = self.rng.randrange(len(self.conns))
            r = self.rng.random()
            if r < 0.40:
                self.valid(slot)
            elif r < 0.68:
                self.malformed(slot)
            elif r < 0.93:
                self.mutate(slot)
            elif r < 0.95:
                self.big(slot)
            elif self.held is None:
                self.hold_partial(slot)
            else:
                self.release_partial()
            if step % 50 == 49:
                self.verify("step %d" % step)
        if self.held:
            self.release_partial()
        self.verify("the end")

    def verify(self, what):
        c = Conn(self.path)
        self.model.verify(c, what)
        c.close()


def depth_of(x):
    n = 0
    while isinstance(x, list):
        n += 1
        x = x[0] if x else None
    return n


def rng_choice(rng, items):
    return items[rng.randrange(len(items))]


def main():
    sys.setrecursionlimit(20000)  # JSON nested 1000 deep, parsed recursively
    mode = sys.argv[1]
    if mode == "fuzz":
        path, seed, steps, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        f = Fuzzer(path, seed)
        try:
            f.run(steps)
        except Fail as e:
            print("FAIL (seed %d, step %s): %s" % (seed, getattr(f, "step", "setup"), e), file=sys.stderr)
            sys.exit(1)
        with open(out, "w") as fp:
            json.dump({str(k): v for k, v in f.model.rows.items()}, fp)
        print("seed %d: %d steps, %d rows in Data; %s" % (seed, steps, len(f.model.rows),
                                                          ", ".join("%s %d" % kv for kv in sorted(f.counts.items()))))
    else:
        path, expected = sys.argv[2], sys.argv[3]
        m = Model()
        with open(expected) as fp:
            m.rows = {int(k): v for k, v in json.load(fp).items()}
        try:
            m.verify(Conn(path), "after the restart")
        except Fail as e:
            print("FAIL: %s" % e, file=sys.stderr)
            sys.exit(1)
        print("after the restart: all %d rows of Data as committed" % len(m.rows))


if __name__ == "__main__":
    main()
