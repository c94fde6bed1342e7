"""Open vSwitch's Python IDL (python3-openvswitch) against a server.

usage: ovsdb_idl.py SCHEMA unix:SOCKET
Inserts a Bridge linked from Open_vSwitch.bridges through an IDL
transaction, watches a second IDL see it, deletes it; then checks IDL locks:
two IDLs ask for one lock, one gets it, and the other gets it when the holder
disconnects. Exits non-zero with a message on the first failure.
"""
import sys
import time

import ovs.db.idl
import ovs.jsonrpc
import ovs.poller
import ovs.stream

SCHEMA, REMOTE = sys.argv[1], sys.argv[2]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def new_idl(lock=None):
    helper = ovs.db.idl.SchemaHelper(location=SCHEMA)
    helper.register_all()
    idl = ovs.db.idl.Idl(REMOTE, helper)
    if lock:
        idl.set_lock(lock)
    return idl


def run_until(idls, pred, what, timeout=10):
    deadline = time.time() + timeout
    while not pred():
        if time.time() > deadline:
            fail("timed out waiting for " + what)
        poller = ovs.poller.Poller()
        for idl in idls:
            idl.run()
            idl.wait(poller)
        if pred():
            break
        poller.timer_wait(100)
        poller.block()


def bridge_names(idl):
    return sorted(b.name for b in idl.tables["Bridge"].rows.values())


def ovs_row(idl):
    rows = list(idl.tables["Open_vSwitch"].rows.values())
    if len(rows) != 1:
        fail("expected one Open_vSwitch row, got %d" % len(rows))
    return rows[0]


a, b = new_idl(), new_idl()
run_until([a, b], lambda: a.has_ever_connected() and b.has_ever_connected()
          and len(a.tables["Open_vSwitch"].rows) == 1
          and len(b.tables["Open_vSwitch"].rows) == 1, "initial contents")
start = bridge_names(a)
print("initial bridges:", start)

txn = ovs.db.idl.Transaction(a)
br = txn.insert(a.tables["Bridge"])
br.name = "idlbr"
o = ovs_row(a)
o.verify("bridges")
o.bridges = list(o.bridges) + [br]
status = txn.commit_block()
if status != ovs.db.idl.Transaction.SUCCESS:
    fail("insert commit: %s (%s)" % (status, txn.get_error()))
new_uuid = txn.get_insert_uuid(br.uuid)
if new_uuid is None:
    fail("no uuid for the inserted row")
run_until([a, b], lambda: "idlbr" in bridge_names(b), "the second IDL to see idlbr")
if [x.name for x in ovs_row(b).bridges if x.name == "idlbr"] != ["idlbr"]:
    fail("Open_vSwitch.bridges in the second IDL does not link idlbr")
if b.tables["Bridge"].rows[new_uuid].name != "idlbr":
    fail("second IDL has idlbr under another uuid")

txn = ovs.db.idl.Transaction(a)
o = ovs_row(a)
o.verify("bridges")
o.bridges = [x for x in o.bridges if x.name != "idlbr"]
a.tables["Bridge"].rows[new_uuid].delete()
status = txn.commit_block()
if status != ovs.db.idl.Transaction.SUCCESS:
    fail("delete commit: %s (%s)" % (status, txn.get_error()))
run_until([a, b], lambda: "idlbr" not in bridge_names(b), "the second IDL to lose idlbr")
if bridge_names(b) != start:
    fail("bridges after delete %s, expected %s" % (bridge_names(b), start))

# A transaction the server refuses reports ERROR, not SUCCESS.
txn2 = ovs.db.idl.Transaction(a)
b2 = txn2.insert(a.tables["Bridge"])
b2.name = "dup"
b3 = txn2.insert(a.tables["Bridge"])
b3.name = "dup"
o = ovs_row(a)
o.bridges = list(o.bridges) + [b2, b3]
status = txn2.commit_block()
if status != ovs.db.idl.Transaction.ERROR:
    fail("duplicate Bridge name committed: %s" % status)
print("duplicate names refused:", txn2.get_error())

# Locks: one holder at a time; the waiter takes over when it disconnects.
l1 = new_idl("xvs_idl_lock")
run_until([l1], lambda: l1.has_lock, "the first IDL to get the lock")
l2 = new_idl("xvs_idl_lock")
run_until([l1, l2], lambda: l2.has_ever_connected() and l2.is_lock_contended,
          "the second IDL to see the lock contended")
if l2.has_lock or not l1.has_lock:
    fail("lock held by %s/%s" % (l1.has_lock, l2.has_lock))
# A transaction from the waiter is refused: the IDL asserts its lock.
txn = ovs.db.idl.Transaction(l2)
ovs_row(l2).verify("bridges")
ovs_row(l2).external_ids = {"k": "v"}
status = txn.commit_block()
if status != ovs.db.idl.Transaction.NOT_LOCKED:
    fail("transaction without the lock: %s" % status)
l1.close()
run_until([l2], lambda: l2.has_lock, "the second IDL to get the lock after the holder left")
a.close()
b.close()
l2.close()
print("PASS")
