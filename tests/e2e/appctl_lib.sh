# Shared by the appctl_* end-to-end tests: the test daemon (built from the
# common daemon plumbing) runs in a private temporary rundir and logdir;
# every daemon started is stopped, and the directory removed, on exit.
# Needs no root.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTD=${XVS_TEST_DAEMON:?XVS_TEST_DAEMON must point at the built xvs-test-daemon}
APPCTL="$XVS_TOOLS_DIR/xvs-appctl"
[ -x "$TESTD" ] || fail "$TESTD is not built"
[ -x "$APPCTL" ] || fail "$APPCTL is not built"

APPCTL_TMP=$(mktemp -d)
export OVS_RUNDIR=$APPCTL_TMP/run OVS_LOGDIR=$APPCTL_TMP/log OVS_DBDIR=$APPCTL_TMP/db OVS_SYSCONFDIR=$APPCTL_TMP/etc
mkdir -p "$OVS_RUNDIR" "$OVS_LOGDIR" "$OVS_DBDIR"
unset OVS_CTL_TIMEOUT
APPCTL_PIDS=()  # detached daemons: not our children, so lib.sh cannot wait for them

# alive PID: the process exists and is not a zombie.
alive() { [ -e "/proc/$1" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# wait_gone PID: up to 5 s for the process to exit.
wait_gone() {
  for _ in $(seq 50); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

appctl_cleanup() {
  local rc=$? p
  set +e
  for p in "${APPCTL_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${APPCTL_PIDS[@]}"; do wait_gone "$p" || kill -KILL "$p" 2>/dev/null; done
  rm -rf "$APPCTL_TMP"
  (exit $rc)
  e2e_cleanup
}
trap appctl_cleanup EXIT

# start_daemon PIDFILE ARGS...: starts a detached test daemon with
# --pidfile=PIDFILE, records its pid for cleanup and sets PID. Syslog is
# off: tests do not write to the machine's log.
start_daemon() {
  local pidfile=$1
  shift
  "$TESTD" --detach --pidfile="$pidfile" -vsyslog:off "$@" || fail "xvs-test-daemon $* failed to start"
  [ -s "$pidfile" ] || fail "no pidfile $pidfile after --detach returned"
  PID=$(cat "$pidfile")
  APPCTL_PIDS+=("$PID")
}

# expect_error STATUS STDERR-LINE CMD...: CMD fails with STATUS, prints
# nothing on stdout, and one line of its stderr is the line given.
expect_error() {
  local want_rc=$1 want_err=$2 rc=0
  shift 2
  "$@" >"$APPCTL_TMP/out" 2>"$APPCTL_TMP/err" || rc=$?
  [ "$rc" = "$want_rc" ] || { cat "$APPCTL_TMP/err"; fail "$*: exit status $rc, expected $want_rc"; }
  [ ! -s "$APPCTL_TMP/out" ] || fail "$*: printed on stdout: $(cat "$APPCTL_TMP/out")"
  grep -qxF -- "$want_err" "$APPCTL_TMP/err" ||
    fail "$*: stderr was '$(cat "$APPCTL_TMP/err")', expected '$want_err'"
}
