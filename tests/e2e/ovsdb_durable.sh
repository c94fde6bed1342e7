#!/usr/bin/env bash
# Commit durability, observed in a system-call trace of xvsdb-server: plain
# commits are written and never synced, a durable commit is fdatasync'ed
# before its reply and its monitor updates go out, and the durable commits
# of clients ready at the same time share one fdatasync (group commit).
# (ovsdb_crash.sh checks that acknowledged commits survive SIGKILL.)
source "$(dirname "$0")/lib.sh"
require_root strace
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
bg strace -f -qq -s 4096 -e trace=fdatasync,pwrite64,sendto -o "$T/trace" \
  "$XVS_TOOLS_DIR/xvsdb-server" "$T/conf.db" --remote="punix:$T/db.sock" --unixctl="$T/ctl" \
  --pidfile="$T/pid" --no-chdir --log-file="$T/log"
E2E_PIDFILES+=("$T/pid")
for _ in $(seq 100); do [ -S "$T/db.sock" ] && [ -s "$T/pid" ] && break; sleep 0.05; done
[ -S "$T/db.sock" ] || fail "xvsdb-server did not start: $(cat "$T/log" 2>/dev/null)"
"$PY" "$(dirname "$0")/ovsdb_durable.py" "$T/db.sock" "$T/trace" "$(cat "$T/pid")"
echo PASS
