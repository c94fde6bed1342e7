"""Checks xvsdb-server's commit durability against a system-call trace of it
(strace -o TRACE, with fdatasync, pwrite64 and sendto): plain commits are
written but never synced; a durable commit is synced before its reply or
any monitor update reveals it; and the durable commits of clients that are
ready together share one fdatasync (group commit).

usage: ovsdb_durable.py SOCKET TRACE SERVER_PID"""
import json
import os
import signal
import socket
import sys
import time

sock_path, trace_path, server_pid = sys.argv[1], sys.argv[2], int(sys.argv[3])


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(sock_path)
        self.buf = ""
        self.dec = json.JSONDecoder()

    def send(self, method, params, id):
        self.s.sendall(json.dumps({"method": method, "params": params, "id": id}).encode())

    def recv(self):
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    msg, end = self.dec.raw_decode(text)
                    self.buf = text[end:]
                    return msg
                except ValueError:
                    pass
            chunk = self.s.recv(65536)
            if not chunk:
                fail("connection closed")
            self.buf += chunk.decode()

    def reply(self, id):
        while True:
            m = self.recv()
            if m.get("id") == id:
                if m.get("error") is not None or any("error" in r for r in m["result"]):
                    fail("transaction %s failed: %s" % (id, m))
                return m


def txn(seq, durable):
    ops = ["Open_vSwitch",
           {"op": "insert", "table": "QoS",
            "row": {"type": "linux-htb", "external_ids": ["map", [["seq", str(seq)]]]}}]
    if durable:
        ops.append({"op": "commit", "durable": True})
    return ops


def trace():
    """The trace so far, one (syscall, line) per completed call."""
    time.sleep(0.3)  # strace writes each line as the call returns
    out = []
    with open(trace_path) as f:
        for line in f:
            parts = line.split(None, 1)
            if len(parts) == 2 and "(" in parts[1]:
                out.append((parts[1].split("(", 1)[0], line))
    return out


def wait_stopped(pid):
    for _ in range(200):
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] in ("T", "t"):
                return
        time.sleep(0.01)
    fail("the server did not stop")


def count(calls, name):
    return sum(1 for c, _ in calls if c == name)


def index_of(calls, name, needle):
    for i, (c, line) in enumerate(calls):
        if c == name and needle in line:
            return i
    fail("no %s carrying %s in the trace" % (name, needle))


# 1. Plain commits: written (one pwrite each), never synced.
c = Conn()
for i in range(20):
    c.send("transact", txn(i, False), "plain-%d" % i)
    c.reply("plain-%d" % i)
calls = trace()
if count(calls, "fdatasync") != 0:
    fail("plain commits were synced: %d fdatasync calls" % count(calls, "fdatasync"))
if count(calls, "pwrite64") < 20:
    fail("only %d writes for 20 commits" % count(calls, "pwrite64"))
print("--- 20 plain commits: %d writes, no fdatasync" % count(calls, "pwrite64"))

# 2. A durable commit: synced before its reply and before a monitor's update.
m = Conn()
m.send("monitor_cond", ["Open_vSwitch", "qos", {"QoS": [{"columns": ["external_ids"]}]}], "mon")
m.reply("mon")
before = len(calls)
c.send("transact", txn(100, True), "durable-100")
c.reply("durable-100")
upd = m.recv()
if upd.get("method") != "update2":
    fail("expected an update2, got %s" % upd)
calls = trace()
new = calls[before:]
if count(new, "fdatasync") != 1:
    fail("a durable commit made %d fdatasync calls" % count(new, "fdatasync"))
sync = index_of(new, "fdatasync", "")
if index_of(new, "sendto", "durable-100") < sync:
    fail("the durable commit's reply went out before its fdatasync")
if index_of(new, "sendto", "update2") < sync:
    fail("a monitor learnt of the durable commit before its fdatasync")
print("--- durable commit: fdatasync, then the monitor update and the reply")

# 3. Group commit: 8 clients' durable commits ready in one poll-loop
# iteration (sent while the server is stopped) share one fdatasync.
clients = [Conn() for _ in range(8)]
for k in clients:  # every connection accepted before the server stops
    k.send("echo", [], "hello")
    k.reply("hello")
before = len(trace())
rounds = 5
for r in range(rounds):
    os.kill(server_pid, signal.SIGSTOP)
    wait_stopped(server_pid)
    for i, k in enumerate(clients):
        k.send("transact", txn(1000 + r * 8 + i, True), "group-%d-%d" % (r, i))
    time.sleep(0.1)
    os.kill(server_pid, signal.SIGCONT)
    for i, k in enumerate(clients):
        k.reply("group-%d-%d" % (r, i))
new = trace()[before:]
syncs = [i for i, (c, _) in enumerate(new) if c == "fdatasync"]
if len(syncs) != rounds:
    fail("%d durable commits in %d groups took %d fdatasync calls" % (8 * rounds, rounds, len(syncs)))
for r in range(rounds):
    for i in range(8):
        if index_of(new, "sendto", "group-%d-%d" % (r, i)) < syncs[r]:
            fail("durable commit %d of group %d was acknowledged before its group's fdatasync" % (i, r))
print("--- group commit: %d durable commits from 8 clients in %d groups, %d fdatasync calls"
      % (8 * rounds, rounds, len(syncs)))
