#!/usr/bin/env bash
# xvsdb-server over raw JSON-RPC (ovsdb_jsonrpc.py): monitor_cond_change,
# monitors with the same requests (one update, each under its own id),
# monitor_cancel, cancel, echo, get_server_id, set_db_change_aware, unknown
# methods, lock errors, malformed input; and db: remotes from
# Open_vSwitch.manager_options, opened and closed as ovs-vsctl changes them.
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v ovs-vsctl >/dev/null; then
  [ "${CI:-}" = true ] && fail "needs ovs-vsctl (run scripts/setup)"
  echo "SKIPPED: needs ovs-vsctl"; exit 77
fi
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
DB=unix:$T/db.sock
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
"$XVS_TOOLS_DIR/xvsdb-server" "$T/conf.db" --remote="punix:$T/db.sock" \
  --remote=db:Open_vSwitch,Open_vSwitch,manager_options --unixctl="$T/ctl" \
  --pidfile="$T/pid" --log-file="$T/log" --detach --no-chdir -vfile:dbg
E2E_PIDFILES+=("$T/pid")
alive() { kill -0 "$(cat "$T/pid")" 2>/dev/null || { tail -20 "$T/log"; fail "server died ($*)"; }; }
vsctl() { ovs-vsctl --db="$DB" --no-wait --timeout=10 "$@"; }
vsctl init
vsctl add-br br0 -- add-br br1

timeout 60 "$PY" "$(dirname "$0")/ovsdb_jsonrpc.py" "$T/db.sock" || { tail -20 "$T/log"; fail "ovsdb_jsonrpc.py"; }
alive jsonrpc

note "a manager in Open_vSwitch.manager_options becomes a listening remote"
# echo_on SOCK: 0 when SOCK answers an echo.
echo_on() {
  timeout 3 "$PY" - "$1" <<'PYEOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"method":"echo","params":["m"],"id":1}')
assert json.loads(s.recv(65536))["result"] == ["m"]
PYEOF
}
vsctl set-manager "punix:$T/mgr.sock"
for i in $(seq 50); do echo_on "$T/mgr.sock" 2>/dev/null && break; sleep 0.1; done
echo_on "$T/mgr.sock" || fail "no remote on the manager's socket"
# A session on the manager's remote, held open while the manager goes away:
# the server closes it (as ovsdb-server does) and stays up.
"$PY" - "$T/mgr.sock" >"$T/held" 2>&1 <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"method":"echo","params":[],"id":1}')
s.settimeout(8)
data = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            print("closed"); break
        data += d
except socket.timeout:
    print("still open")
PYEOF
held=$!; E2E_PIDS+=("$held")
sleep 0.5
vsctl del-manager
for i in $(seq 50); do echo_on "$T/mgr.sock" 2>/dev/null || break; sleep 0.1; done
echo_on "$T/mgr.sock" 2>/dev/null && fail "manager removed, its remote still answers"
wait "$held" || true
cat "$T/held"
grep -q '^closed' "$T/held" || fail "a session of the removed remote stayed open"
alive "remote removal"
vsctl set-manager "punix:$T/mgr.sock"
for i in $(seq 50); do echo_on "$T/mgr.sock" 2>/dev/null && break; sleep 0.1; done
echo_on "$T/mgr.sock" || fail "manager set again: no remote"
vsctl del-manager
alive end
echo PASS
