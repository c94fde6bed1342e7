#!/usr/bin/env bash
# JSON-RPC fuzzing of xvsdb-server (ovsdb_fuzz.py), seeded: malformed JSON
# (cut short, bad UTF-8, deep nesting, numbers out of range, ...), messages
# that are not JSON-RPC, wrong parameters, unknown methods, a message over
# 64 MiB and random byte mutations of valid requests, over several
# connections, interleaved with valid transactions. Each kind of input must
# get its exact answer (an error reply, or the connection closed), the
# server must stay up, and every committed transaction must be in the
# database, also after a restart from the file. No root needed.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
cat >"$T/fuzz.ovsschema" <<'EOF'
{"name": "F", "version": "1.0.0", "tables": {
  "Data": {"isRoot": true, "indexes": [["k"]], "columns": {
    "k": {"type": "integer"}, "v": {"type": "string"},
    "s": {"type": {"key": "integer", "min": 0, "max": "unlimited"}}}},
  "Scratch": {"isRoot": true, "columns": {"x": {"type": "integer"}, "t": {"type": "string"}}}}}
EOF
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/db" "$T/fuzz.ovsschema"
start() {
  "$XVS_TOOLS_DIR/xvsdb-server" "$T/db" --remote="punix:$T/sock" --unixctl="$T/ctl" \
    --pidfile="$T/pid" --log-file="$T/log" --detach --no-chdir
  E2E_PIDFILES+=("$T/pid")
}
alive() { kill -0 "$(cat "$T/pid")" 2>/dev/null || { tail -20 "$T/log"; fail "xvsdb-server died ($*)"; }; }
stop() {
  local pid i
  pid=$(cat "$T/pid")
  kill -TERM "$pid"
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  fail "xvsdb-server did not exit on SIGTERM"
}

start
# Each seed starts from the rows the previous ones left.
for seed in 1 2 3; do
  note "seed $seed"
  timeout 120 "$PY" "$HERE/ovsdb_fuzz.py" fuzz "$T/sock" "$seed" 1000 "$T/expected.json" ||
    { tail -20 "$T/log"; fail "ovsdb_fuzz.py, seed $seed (rerun: ovsdb_fuzz.py fuzz SOCKET $seed 1000 OUT)"; }
  alive "seed $seed"
done

note "restart from the database file"
stop
start
timeout 60 "$PY" "$HERE/ovsdb_fuzz.py" verify "$T/sock" "$T/expected.json" || fail "data lost across the restart"
alive "after the restart"
# The file is still one Open vSwitch's tools can read.
"$XVS_TOOLS_DIR/xvsdb-tool" show-log "$T/db" >/dev/null || fail "xvsdb-tool cannot read the database file"
echo PASS
