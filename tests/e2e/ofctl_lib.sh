# Two switches side by side for differential tests: X, xvs-vswitchd
# --enable-dummy, and O, Debian's ovs-vswitchd --enable-dummy, each with
# its own database server in its own rundir ($X, $O), each with bridge br0
# (reached by name through <rundir>/br0.mgmt) holding dummy ports p1..p4
# (OpenFlow ports 1..4).

# start_pair: starts both (skips, or fails under CI, without Open vSwitch).
start_pair() {
  for t in ovs-ofctl ovs-vswitchd ovsdb-server ovsdb-tool; do
    if ! command -v $t >/dev/null; then
      [ "${CI:-}" = true ] && fail "needs $t (run scripts/setup)"
      echo "SKIPPED: needs $t"; exit 77
    fi
  done
  X=$VT/x O=$VT/o
  mkdir -p "$X" "$O"
  "$XVS_TOOLS_DIR/xvsdb-tool" create "$X/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
  "$XVS_TOOLS_DIR/xvsdb-server" "$X/conf.db" --remote="punix:$X/db.sock" --unixctl="$X/db.ctl" \
    --pidfile="$X/db.pid" --detach --no-chdir --log-file="$X/db.log"
  E2E_PIDFILES+=("$X/db.pid")
  OVS_RUNDIR=$X "$XVS_TOOLS_DIR/xvs-vswitchd" "unix:$X/db.sock" --enable-dummy --unixctl="$X/vs.ctl" \
    --pidfile="$X/vs.pid" --detach --no-chdir --log-file="$X/vs.log" -vfile:info
  E2E_PIDFILES+=("$X/vs.pid")

  ovsdb-tool create "$O/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  OVS_RUNDIR=$O OVS_DBDIR=$O OVS_LOGDIR=$O ovsdb-server "$O/conf.db" --remote="punix:$O/db.sock" \
    --unixctl="$O/db.ctl" --pidfile="$O/db.pid" --detach --no-chdir --log-file="$O/db.log"
  E2E_PIDFILES+=("$O/db.pid")
  OVS_RUNDIR=$O OVS_DBDIR=$O OVS_LOGDIR=$O OVS_SYSCONFDIR=$O ovs-vswitchd "unix:$O/db.sock" \
    --enable-dummy=override --disable-system --unixctl="$O/vs.ctl" --pidfile="$O/vs.pid" \
    --detach --no-chdir --log-file="$O/vs.log"
  E2E_PIDFILES+=("$O/vs.pid")

  ports="-- add-port br0 p1 -- set interface p1 type=dummy ofport_request=1"
  for i in 2 3 4; do ports+=" -- add-port br0 p$i -- set interface p$i type=dummy ofport_request=$i"; done
  # shellcheck disable=SC2086
  "$XVS_TOOLS_DIR/xvs-vsctl" --db="unix:$X/db.sock" --timeout=30 add-br br0 $ports
  # shellcheck disable=SC2086
  ovs-vsctl --db="unix:$O/db.sock" --timeout=30 add-br br0 -- set bridge br0 datapath_type=dummy $ports
}

# of SWITCH ARGS...: ovs-ofctl against that switch's br0.
of() { local d=$1; shift; OVS_RUNDIR=$d timeout 30 ovs-ofctl "$@"; }
