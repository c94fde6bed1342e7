#!/usr/bin/env bash
# xvsdb-server driven by Open vSwitch's own clients (ovsdb-client, ovs-vsctl)
# and by ours: databases, transactions, monitors, wait, locks, durability
# across a restart, bad requests, the control socket, a run directory that
# has to be created.
source "$(dirname "$0")/lib.sh"
require_root ovsdb-client ovs-vsctl ovs-appctl
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
SOCK=unix:$T/db.sock
start_server() {
  "$XVS_TOOLS_DIR/xvsdb-server" "$T/conf.db" --remote="punix:$T/db.sock" --unixctl="$T/ctl" \
    --pidfile="$T/pid" --log-file="$T/log" --detach --no-chdir -vfile:dbg
  E2E_PIDFILES+=("$T/pid")
}
vsctl() { ovs-vsctl --db="$SOCK" --no-wait --timeout=10 "$@"; }

note "create a database from our schema and serve it"
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
[ "$("$XVS_TOOLS_DIR/xvsdb-tool" db-version "$T/conf.db")" = 8.3.1 ] || fail "db-version"
start_server
[ -S "$T/db.sock" ] || fail "--detach returned before the socket existed"
dbs=$(ovsdb-client list-dbs "$SOCK" | sort | tr '\n' ' ')
[ "$dbs" = "Open_vSwitch _Server " ] || fail "list-dbs: $dbs"
[ "$(ovsdb-client get-schema-version "$SOCK" Open_vSwitch)" = 8.3.1 ] || fail "get-schema-version"

note "ovs-vsctl configures it"
vsctl init
vsctl add-br br0
vsctl add-port br0 p1 -- set Interface p1 type=internal
vsctl add-br br1 -- set Bridge br1 other_config:hwaddr=00:11:22:33:44:55
[ "$(vsctl list-br | tr '\n' ' ')" = "br0 br1 " ] || fail "list-br: $(vsctl list-br)"
[ "$(vsctl list-ports br0)" = p1 ] || fail "list-ports"
[ "$(vsctl get Interface p1 type)" = internal ] || fail "get type"
[ "$(vsctl get Bridge br1 other_config:hwaddr)" = '"00:11:22:33:44:55"' ] || fail "get other_config"
vsctl show | tee /dev/stderr | grep -q 'Bridge br0' || fail "show"
vsctl del-br br1
[ "$(vsctl list-br)" = br0 ] || fail "del-br"
# A constraint violation is refused and changes nothing.
vsctl set Port p1 tag=5000 2>"$T/err" && fail "tag=5000 accepted"
grep -q "constraint violation\|out of range\|4095" "$T/err" || { cat "$T/err"; fail "no constraint error"; }
[ "$(vsctl get Port p1 tag)" = "[]" ] || fail "refused transaction changed the tag"

note "monitor sees changes"
ovsdb-client monitor "$SOCK" Open_vSwitch Bridge name > "$T/mon" 2>&1 &
monpid=$!; E2E_PIDS+=("$monpid")
sleep 0.5
vsctl add-br br2
sleep 0.5
kill "$monpid"; wait "$monpid" 2>/dev/null || true
cat "$T/mon"
grep -q "br0" "$T/mon" || fail "monitor: no initial row"
grep -q "insert.*br2\|br2.*insert\|^.*br2" "$T/mon" || fail "monitor: no update for br2"

note "wait with a timeout, and a wait that is satisfied later"
out=$(ovsdb-client transact "$SOCK" '["Open_vSwitch",{"op":"wait","table":"Bridge","timeout":0,"where":[["name","==","br9"]],"columns":["name"],"until":"==","rows":[{"name":"br9"}]}]')
echo "$out" | grep -q "timed out" || fail "wait timeout 0: $out"
ovsdb-client transact "$SOCK" '["Open_vSwitch",{"op":"wait","table":"Bridge","timeout":5000,"where":[["name","==","br3"]],"columns":["name"],"until":"==","rows":[{"name":"br3"}]}]' >"$T/wait" 2>&1 &
waiter=$!
sleep 0.3
vsctl add-br br3
wait "$waiter" || fail "blocked wait failed: $(cat "$T/wait")"
grep -q "timed out" "$T/wait" && fail "the wait timed out although br3 appeared"

note "bad requests get errors, the server keeps its state"
out=$(ovsdb-client transact "$SOCK" '["Open_vSwitch",{"op":"frobnicate","table":"Bridge"}]' 2>&1 || true)
echo "$out" | grep -qi "error" || fail "bad op: $out"
out=$(ovsdb-client transact "$SOCK" '["Nope",{"op":"select","table":"Bridge","where":[]}]' 2>&1 || true)
echo "$out" | grep -q "unknown database" || fail "unknown database: $out"
timeout 2 "$PY" -c '
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"method\":\"list_dbs\",\"params\":[],\"id\":1} garbage{{{"); 
s.settimeout(2); print(s.recv(65536))' "$T/db.sock" || true
[ "$(vsctl list-br | tr '\n' ' ')" = "br0 br2 br3 " ] || fail "state lost after bad requests"

note "the control socket, with ovs-appctl"
ovs-appctl -t "$T/ctl" ovsdb-server/compact
ovs-appctl -t "$T/ctl" memory/show | grep -q "rows:" || fail "memory/show"
ovs-appctl -t "$T/ctl" ovsdb-server/list-dbs | grep -q Open_vSwitch || fail "list-dbs"

note "committed data survives a restart"
ovs-appctl -t "$T/ctl" exit
for i in $(seq 50); do [ -e "$T/pid" ] || break; sleep 0.1; done
[ -e "$T/pid" ] && fail "pidfile left after exit"
start_server
[ "$(vsctl list-br | tr '\n' ' ')" = "br0 br2 br3 " ] || fail "data lost across restart"
"$XVS_TOOLS_DIR/xvsdb-tool" show-log "$T/conf.db" | head -5
ovs-appctl -t "$T/ctl" exit

note "a run directory that does not exist yet is created (mkdir -p, mode 0755)"
RUN=$T/no/such/run
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/run.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
# The default pidfile and control socket both go in the rundir.
(umask 077 && OVS_RUNDIR=$RUN "$XVS_TOOLS_DIR/xvsdb-server" "$T/run.db" --remote="punix:$T/run.sock" \
  --pidfile --log-file="$T/run.log" --detach --no-chdir) || fail "no start with a missing rundir: $(tail -3 "$T/run.log")"
E2E_PIDFILES+=("$RUN/xvsdb-server.pid")
[ -d "$RUN" ] || fail "$RUN was not created"
[ "$(stat -c %a "$T/no" "$T/no/such" "$RUN" | tr '\n' ' ')" = "755 755 755 " ] ||
  fail "modes: $(stat -c '%n %a' "$T/no" "$T/no/such" "$RUN")"
RUNPID=$(cat "$RUN/xvsdb-server.pid")
[ -S "$RUN/xvsdb-server.$RUNPID.ctl" ] || fail "no control socket in $RUN: $(ls "$RUN")"
ovs-appctl -t "$RUN/xvsdb-server.$RUNPID.ctl" ovsdb-server/list-dbs | grep -q Open_vSwitch || fail "list-dbs in $RUN"
ovs-appctl -t "$RUN/xvsdb-server.$RUNPID.ctl" exit
echo PASS
