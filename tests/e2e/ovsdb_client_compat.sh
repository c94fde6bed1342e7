#!/usr/bin/env bash
# xvsdb-server driven by Debian's ovsdb-client: conditional monitors (an
# empty condition selects every row), monitor-cond-since, lock/steal/unlock,
# assert of a lock not held, a blocked wait dropped when its client leaves,
# and the read-only commands.
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
for t in ovsdb-client ovs-vsctl; do
  if ! command -v "$t" >/dev/null; then
    [ "${CI:-}" = true ] && fail "needs $t (run scripts/setup)"
    echo "SKIPPED: needs $t"; exit 77
  fi
done
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
DB=unix:$T/db.sock
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
"$XVS_TOOLS_DIR/xvsdb-server" "$T/conf.db" --remote="punix:$T/db.sock" --unixctl="$T/ctl" \
  --pidfile="$T/pid" --log-file="$T/log" --detach --no-chdir -vfile:dbg
E2E_PIDFILES+=("$T/pid")
alive() { kill -0 "$(cat "$T/pid")" 2>/dev/null || { tail -20 "$T/log"; fail "server died ($*)"; }; }
vsctl() { ovs-vsctl --db="$DB" --no-wait --timeout=10 "$@"; }
vsctl init
vsctl add-br br0 -- add-br br1
# mon OUT CMD...: runs an ovsdb-client monitor in the background for a second.
mon() { local out=$1; shift; timeout 1.5 ovsdb-client "$@" >"$out" 2>&1 & E2E_PIDS+=($!); }

note "monitor-cond: an empty condition selects every row, a clause one"
mon "$T/all" monitor-cond "$DB" Open_vSwitch '[]' Bridge name
mon "$T/one" monitor-cond "$DB" Open_vSwitch '[["name","==","br1"]]' Bridge name
mon "$T/none" monitor-cond "$DB" Open_vSwitch '[false]' Bridge name
sleep 0.5
vsctl add-br br2
sleep 1.3
cat "$T/all" "$T/one"
[ "$(grep -c ' initial br[01]$' "$T/all")" = 2 ] || fail "monitor-cond []: initial rows missing"
grep -q ' insert  *br2$' "$T/all" || fail "monitor-cond []: no insert of br2"
grep -q ' initial br1$' "$T/one" || fail "monitor-cond name==br1: no br1"
grep -q 'br0\|br2' "$T/one" && fail "monitor-cond name==br1 shows other bridges"
grep -q 'br[012]' "$T/none" && fail "monitor-cond [false] shows rows"

note "monitor-cond-since"
timeout 1 ovsdb-client monitor-cond-since "$DB" Open_vSwitch '[["name","==","br0"]]' Bridge name >"$T/since" 2>&1 || true
cat "$T/since"
grep -q '^found: false, last_id: ' "$T/since" || fail "monitor-cond-since: no found/last_id line"
grep -q ' initial br0$' "$T/since" || fail "monitor-cond-since: no br0"
grep -q 'br1\|br2' "$T/since" && fail "monitor-cond-since shows other bridges"

note "lock, steal, unlock"
mon "$T/l1" lock "$DB" xvslock; sleep 0.4
mon "$T/l2" lock "$DB" xvslock; sleep 0.4
timeout 0.5 ovsdb-client steal "$DB" xvslock >"$T/l3" 2>&1 || true
sleep 0.8
head -20 "$T/l1" "$T/l2" "$T/l3"
grep -q '{"locked":true}' "$T/l1" || fail "first lock not granted"
grep -q '{"locked":false}' "$T/l2" || fail "second lock granted while held"
grep -q '^stolen' "$T/l1" || fail "holder not told of the steal"
grep -q '{"locked":true}' "$T/l3" || fail "steal not granted"
# When the stealer leaves, the first in line (still waiting) gets it back.
[ "$(grep -c '^locked' "$T/l1")" = 1 ] || fail "holder did not get the lock back after the stealer left"
alive locks

note "assert of a lock this session does not hold"
out=$(ovsdb-client transact "$DB" '["Open_vSwitch",{"op":"assert","lock":"xvslock"}]' 2>&1 || true)
echo "$out"
echo "$out" | grep -q '"not owner"' || fail "assert: $out"

note "a blocked wait is dropped when its client disconnects"
timeout 1 ovsdb-client transact "$DB" '["Open_vSwitch",{"op":"wait","table":"Bridge","timeout":600000,"where":[["name","==","never"]],"columns":["name"],"until":"==","rows":[{"name":"never"}]}]' >/dev/null 2>&1 && fail "wait returned"
sleep 0.3
ovs-appctl -t "$T/ctl" memory/show | tee "$T/mem"
grep -q 'triggers:0' "$T/mem" || fail "the abandoned wait was kept"
vsctl add-br never   # would satisfy the dropped wait: nobody to answer
alive wait
vsctl del-br never

note "dump, get-schema, list-tables, list-columns, query"
ovsdb-client dump "$DB" Open_vSwitch Bridge name | grep -q '^"br2"$\|^br2$' || fail "dump"
ovsdb-client get-schema "$DB" Open_vSwitch | "$PY" -c 'import json,sys; s=json.load(sys.stdin); assert s["name"]=="Open_vSwitch" and "Bridge" in s["tables"]' || fail "get-schema"
ovsdb-client list-tables "$DB" Open_vSwitch | grep -q '^Bridge *$' || fail "list-tables"
ovsdb-client list-columns "$DB" Open_vSwitch Bridge | grep -q '^name  *"string"' || fail "list-columns"
out=$(ovsdb-client query "$DB" '["Open_vSwitch",{"op":"select","table":"Bridge","where":[["name","==","br1"]],"columns":["name"]}]')
[ "$out" = '[{"rows":[{"name":"br1"}]}]' ] || fail "query: $out"
# query runs the transaction with an abort appended: the insert is
# answered (as ovsdb-server does) but never committed.
out=$(ovsdb-client query "$DB" '["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"q"}}]')
echo "$out" | grep -q '^\[{"uuid":\["uuid",' || fail "query insert: $out"
ovsdb-client dump "$DB" Open_vSwitch Bridge name | grep -q '"q"\|^q$' && fail "query committed its insert"
alive end
echo PASS
