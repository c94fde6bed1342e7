#!/usr/bin/env bash
# xvsdb-server driven by Open vSwitch's Python IDL (python3-openvswitch):
# initial contents, transactions seen by a second IDL, IDL locks.
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
if ! "$PY" -c 'import ovs.db.idl' 2>/dev/null; then
  [ "${CI:-}" = true ] && fail "needs python3-openvswitch (run scripts/setup)"
  echo "SKIPPED: needs python3-openvswitch"; exit 77
fi
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
"$XVS_TOOLS_DIR/xvsdb-server" "$T/conf.db" --remote="punix:$T/db.sock" --unixctl="$T/ctl" \
  --pidfile="$T/pid" --log-file="$T/log" --detach --no-chdir -vfile:dbg
E2E_PIDFILES+=("$T/pid")
# The IDL needs the Open_vSwitch row; start with one bridge.
"$PY" - "$T/db.sock" <<'PYEOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(json.dumps({"method": "transact", "id": 1, "params": ["Open_vSwitch",
    {"op": "insert", "table": "Bridge", "row": {"name": "br0"}, "uuid-name": "b"},
    {"op": "insert", "table": "Open_vSwitch", "row": {"bridges": ["set", [["named-uuid", "b"]]]}}]}).encode())
r = json.loads(s.recv(65536)); assert r["error"] is None and "error" not in str(r["result"]), r
PYEOF
timeout 120 "$PY" "$(dirname "$0")/ovsdb_idl.py" "$SRC/ovsdb/schemas/vswitch.ovsschema" "unix:$T/db.sock" \
  || { tail -30 "$T/log"; fail "python IDL"; }
[ -s "$T/pid" ] && kill -0 "$(cat "$T/pid")" || fail "server died"
echo PASS
