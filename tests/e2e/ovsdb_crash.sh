#!/usr/bin/env bash
# Durability: SIGKILL xvsdb-server in the middle of a stream of
# transactions, restart it, and find every acknowledged transaction (and at
# most the one in flight besides), with the file intact.
source "$(dirname "$0")/lib.sh"
require_root ovsdb-client
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
start() {
  "$XVS_TOOLS_DIR/xvsdb-server" "$T/conf.db" --remote="punix:$T/db.sock" --unixctl="$T/ctl" \
    --pidfile="$T/pid" --detach --no-chdir --log-file="$T/log"
  E2E_PIDFILES+=("$T/pid")
}
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
for round in 1 2 3; do
  start
  "$PY" "$(dirname "$0")/ovsdb_crash.py" "$T/db.sock" "${round}000001" >"$T/acked.$round" &
  client=$!
  sleep "0.$((3 + round * 2))"
  kill -9 "$(cat "$T/pid")"
  wait "$client" || true
  rm -f "$T/pid"
  acked=$(wc -l <"$T/acked.$round")
  [ "$acked" -gt 0 ] || fail "round $round: nothing was acknowledged before the kill"
  start
  ovsdb-client transact "unix:$T/db.sock" \
    '["Open_vSwitch",{"op":"select","table":"QoS","where":[],"columns":["external_ids"]}]' \
    | "$PY" -c 'import json,sys
for r in json.load(sys.stdin)[0]["rows"]: print(dict(r["external_ids"][1])["seq"])' | sort -n >"$T/found"
  ovs-appctl -t "$T/ctl" exit
  for i in $(seq 50); do [ -e "$T/pid" ] || break; sleep 0.1; done
  # Every acknowledged seq of every round so far is there...
  cat "$T"/acked.* | sort -n >"$T/want"
  missing=$(comm -23 "$T/want" "$T/found" | wc -l)
  [ "$missing" = 0 ] || fail "round $round: $missing acknowledged transactions lost"
  # ...and beyond them at most the one in flight in each round.
  extra=$(comm -13 "$T/want" "$T/found" | wc -l)
  [ "$extra" -le "$round" ] || fail "round $round: $extra transactions that were never acknowledged"
  note "round $round: $acked acknowledged before SIGKILL, all $(wc -l <"$T/found") rows present, $extra in flight kept"
done
echo PASS
