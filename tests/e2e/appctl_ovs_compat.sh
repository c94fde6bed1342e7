#!/usr/bin/env bash
# Compatibility with Open vSwitch's own client: Debian's ovs-appctl drives
# an xvs daemon's control socket (by socket path, and by program name
# through our pidfile, which it must find locked by the live daemon), with
# the same output and exit statuses as xvs-appctl. Then xvs-appctl drives
# a real ovsdb-server, when one is installed.
source "$(dirname "$0")/appctl_lib.sh"

OVS_APPCTL=${OVS_APPCTL:-/usr/bin/ovs-appctl}
if [ ! -x "$OVS_APPCTL" ]; then
  [ "${CI:-}" = true ] && fail "needs $OVS_APPCTL (openvswitch-common; run scripts/setup)"
  echo "SKIPPED: needs $OVS_APPCTL (openvswitch-common)"
  exit 77
fi
"$OVS_APPCTL" --version

PIDFILE=$OVS_RUNDIR/xvs-test-daemon.pid
start_daemon "$PIDFILE" --log-file
CTL=$OVS_RUNDIR/xvs-test-daemon.$PID.ctl
[ -S "$CTL" ] || fail "no control socket $CTL"
O() { "$OVS_APPCTL" -t "$CTL" "$@"; }

# same CMD...: ovs-appctl and xvs-appctl print the same stdout and stderr
# text (up to the program name) and exit with the same status.
same() {
  local orc=0 xrc=0
  "$OVS_APPCTL" -t "$CTL" "$@" >"$APPCTL_TMP/o.out" 2>"$APPCTL_TMP/o.err" || orc=$?
  "$APPCTL" -t "$CTL" "$@" >"$APPCTL_TMP/x.out" 2>"$APPCTL_TMP/x.err" || xrc=$?
  [ "$orc" = "$xrc" ] || fail "$*: ovs-appctl exited $orc, xvs-appctl $xrc"
  cmp -s "$APPCTL_TMP/o.out" "$APPCTL_TMP/x.out" || { diff "$APPCTL_TMP/o.out" "$APPCTL_TMP/x.out"; fail "$*: stdout differs"; }
  sed -i 's/^ovs-appctl: /xvs-appctl: /' "$APPCTL_TMP/o.err"
  cmp -s "$APPCTL_TMP/o.err" "$APPCTL_TMP/x.err" || { diff "$APPCTL_TMP/o.err" "$APPCTL_TMP/x.err"; fail "$*: stderr differs"; }
  echo "same: $* (exit $orc)"
}

note "ovs-appctl: help, list-commands, version"
O help | tee "$APPCTL_TMP/help"
[ "$(head -n 1 "$APPCTL_TMP/help")" = "The available commands are:" ] || fail "help through ovs-appctl"
grep -qxF "  vlog/list               " "$APPCTL_TMP/help" || fail "vlog/list missing"
[ "$(O version)" = "$("$APPCTL" -t "$CTL" version)" ] || fail "version differs"
O version | grep -q '^xvs-test-daemon (xvs) ' || fail "version through ovs-appctl"
same help
same list-commands
same version
same test/echo one two

note "ovs-appctl: vlog/set and vlog/list"
O vlog/set test_daemon:file:warn
O vlog/list | grep -Eq '^test_daemon +OFF +OFF +WARN$' || fail "vlog/set through ovs-appctl did not take"
O test/log warn "from-ovs-appctl"
O test/log info "not-logged"
grep -q "|test_daemon|WARN|from-ovs-appctl$" "$OVS_LOGDIR/xvs-test-daemon.log" || fail "log line missing"
grep -q "not-logged" "$OVS_LOGDIR/xvs-test-daemon.log" && fail "message below the level was logged"
same vlog/list
same vlog/list-pattern

note "ovs-appctl: errors and exit statuses"
expect_error 2 '"nope" is not a valid command (use "list-commands" to see a list of valid commands)' O nope
[ "$(tail -n 1 "$APPCTL_TMP/err")" = "ovs-appctl: $CTL: server returned an error" ] || fail "ovs-appctl's error line"
expect_error 2 '"version" command takes at most 0 arguments' O version x
expect_error 2 'no destination, level, or module "nowhere"' O vlog/set nowhere
same nope
same version x
same test/echo
same vlog/set nowhere

note "ovs-appctl: target by program name, through our pidfile"
[ "$("$OVS_APPCTL" -t xvs-test-daemon test/echo by-name)" = "by-name" ] ||
  fail "ovs-appctl could not find the daemon through its pidfile"

note "ovs-appctl: --timeout on a command that never replies"
rc=0
(O -T 1 test/hang 2>/dev/null) || rc=$?
[ "$rc" = 142 ] || fail "ovs-appctl -T 1 exited $rc, expected death by SIGALRM (142)"
rc=0
("$APPCTL" -t "$CTL" -T 1 test/hang 2>/dev/null) || rc=$?
[ "$rc" = 142 ] || fail "xvs-appctl -T 1 exited $rc, expected 142 like ovs-appctl"

note "ovs-appctl: exit"
[ -z "$(O exit)" ] || fail "exit printed text"
wait_gone "$PID" || fail "exit through ovs-appctl did not stop the daemon"
[ ! -e "$PIDFILE" ] || fail "pidfile left behind"
[ ! -e "$CTL" ] || fail "socket left behind"

note "xvs-appctl drives a real ovsdb-server"
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
if [ -x /usr/sbin/ovsdb-server ] && command -v ovsdb-tool >/dev/null && [ -f "$SCHEMA" ]; then
  ovsdb-tool create "$OVS_DBDIR/conf.db" "$SCHEMA"
  /usr/sbin/ovsdb-server "$OVS_DBDIR/conf.db" --detach --no-chdir --pidfile -vconsole:off -vsyslog:off \
    --remote=punix:"$OVS_RUNDIR/db.sock"
  dbpid=$(cat "$OVS_RUNDIR/ovsdb-server.pid")
  APPCTL_PIDS+=("$dbpid")
  DBCTL=$OVS_RUNDIR/ovsdb-server.$dbpid.ctl
  "$APPCTL" -t "$DBCTL" version | grep -q '^ovsdb-server (Open vSwitch) ' || fail "version from ovsdb-server"
  "$APPCTL" -t "$DBCTL" list-commands | grep -q '^  ovsdb-server/list-dbs' || fail "list-commands from ovsdb-server"
  expect_error 2 '"nope" is not a valid command (use "list-commands" to see a list of valid commands)' \
    "$APPCTL" -t "$DBCTL" nope
  "$APPCTL" -t ovsdb-server ovsdb-server/list-dbs | grep -qx Open_vSwitch || fail "xvs-appctl -t ovsdb-server by name"
  "$APPCTL" -t ovsdb-server exit
  wait_gone "$dbpid" || fail "ovsdb-server did not exit"
else
  [ "${CI:-}" = true ] && fail "needs ovsdb-server, ovsdb-tool and $SCHEMA (openvswitch-switch)"
  echo "(ovsdb-server not installed: this part is not run)"
fi
echo PASS
