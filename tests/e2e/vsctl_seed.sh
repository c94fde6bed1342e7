#!/usr/bin/env bash
# The seed tutorial's configuration commands (../shared/seeds/004_*):
# add-br, add-port with a tag, an sFlow record created and attached in one
# transaction, list sflow, remove bridge br0 sflow <uuid> — run by
# Debian's ovs-vsctl against xvsdb-server, and by xvs-vsctl against both
# xvsdb-server and Debian's real ovsdb-server.
source "$(dirname "$0")/lib.sh"
require_root ovs-vsctl ovsdb-server ovsdb-tool
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")

# serve KIND DIR: xvsdb-server or Debian's ovsdb-server on a fresh database.
serve() {
  local kind=$1 d=$T/$2
  mkdir "$d"
  if [ "$kind" = xvs ]; then
    "$XVS_TOOLS_DIR/xvsdb-tool" create "$d/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
    "$XVS_TOOLS_DIR/xvsdb-server" "$d/conf.db" --remote="punix:$d/db.sock" --unixctl="$d/ctl" \
      --pidfile="$d/pid" --detach --no-chdir
  else
    ovsdb-tool create "$d/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
    ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --unixctl="$d/ctl" \
      --pidfile="$d/pid" --detach --no-chdir --log-file="$d/log"
  fi
  E2E_PIDFILES+=("$d/pid")
}

# tutorial TOOL DIR
tutorial() {
  local tool=$1 db="unix:$T/$2/db.sock"
  v() { "$tool" --db="$db" --no-wait --timeout=10 "$@"; }
  v init
  v add-br br0
  v add-port br0 eth0
  v add-port br0 tap0 tag=1
  v add-port br0 tap1 tag=2
  [ "$(v list-ports br0 | tr '\n' ' ')" = "eth0 tap0 tap1 " ] || fail "$tool on $2: list-ports"
  [ "$(v get port tap0 tag)" = 1 ] || fail "$tool on $2: tag of tap0"
  v -- --id=@sflow create sflow agent=lo target='"127.0.0.1:6343"' header=128 sampling=64 polling=10 \
    -- set bridge br0 sflow=@sflow
  uuid=$(v get bridge br0 sflow)
  v list sflow | grep -q "sampling *: 64" || fail "$tool on $2: list sflow"
  v list sflow | grep -q '"127.0.0.1:6343"' || fail "$tool on $2: sflow target"
  v remove bridge br0 sflow "$uuid"
  [ "$(v get bridge br0 sflow)" = "[]" ] || fail "$tool on $2: sflow not removed"
  # The sFlow row was only referenced by br0: garbage-collected with it.
  [ -z "$(v list sflow)" ] || fail "$tool on $2: unreferenced sFlow row kept"
  note "$tool on $2: ok"
}

serve xvs a; tutorial ovs-vsctl a
serve xvs b; tutorial "$XVS_TOOLS_DIR/xvs-vsctl" b
serve ovs c; tutorial "$XVS_TOOLS_DIR/xvs-vsctl" c
echo PASS
