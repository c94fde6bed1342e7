#!/usr/bin/env bash
# The daemon plumbing every xvs daemon shares, end to end through
# xvs-appctl: --detach returns only once start-up is complete; the pidfile
# holds the daemon's pid and keeps a second instance out; the built-in
# commands answer with OVS's texts and ovs-appctl's exit statuses; logging
# is controlled at run time; a start-up failure is reported by the
# foreground process; exit and SIGTERM stop the daemon and clean up.
source "$(dirname "$0")/appctl_lib.sh"

LOG=$OVS_LOGDIR/xvs-test-daemon.log
PIDFILE=$OVS_RUNDIR/xvs-test-daemon.pid
CTL=$OVS_RUNDIR/ctl
A() { "$APPCTL" -t "$CTL" "$@"; }

note "--detach returns only when start-up is complete"
start=$(date +%s%N)
start_daemon "$PIDFILE" --log-file --unixctl=ctl --init-delay=700
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ -S "$CTL" ] || fail "the control socket did not exist when --detach returned"
[ "$elapsed_ms" -ge 700 ] || fail "--detach returned after $elapsed_ms ms, before the 700 ms start-up"
[[ "$PID" =~ ^[0-9]+$ ]] && printf '%s\n' "$PID" | cmp -s - "$PIDFILE" || fail "pidfile holds '$(cat "$PIDFILE")'"
alive "$PID" || fail "pid $PID from the pidfile is not running"
grep -qa xvs-test-daemon "/proc/$PID/cmdline" || fail "pid $PID is not the test daemon"
read -r ppid sid < <(ps -o ppid=,sid= -p "$PID")
[ "$ppid" != $$ ] || fail "the daemon is still our child"
[ "$sid" != "$(ps -o sid= -p $$ | tr -d ' ')" ] || fail "the daemon is in our session"
[ "$sid" != "$PID" ] || fail "the daemon is a session leader (no second fork)"
echo "daemon pid $PID, detach took $elapsed_ms ms"

note "help and list-commands"
help=$(A help)
echo "$help"
[ "$(head -n 1 <<<"$help")" = "The available commands are:" ] || fail "help's first line"
grep -qxF "  vlog/set                {spec | PATTERN:destination:pattern}" <<<"$help" || fail "vlog/set missing from help"
grep -qxF "  test/echo               ARG..." <<<"$help" || fail "test/echo missing from help"
grep -qxF "  exit                    " <<<"$help" || fail "exit missing from help"
[ "$(A list-commands)" = "$help" ] || fail "help and list-commands differ"
[ "$(grep '^  ' <<<"$help" | LC_ALL=C sort)" = "$(grep '^  ' <<<"$help")" ] || fail "commands are not sorted"

note "version"
version=$("$APPCTL" --version | sed 's/^xvs-appctl (xvs) //')
[ "$(A version)" = "xvs-test-daemon (xvs) $version" ] || fail "version: $(A version)"

note "errors: the server's text on stderr, exit status 2"
expect_error 2 '"nope" is not a valid command (use "list-commands" to see a list of valid commands)' A nope
[ "$(sed -n 2p "$APPCTL_TMP/err")" = "xvs-appctl: $CTL: server returned an error" ] || fail "second stderr line"
expect_error 2 '"version" command takes at most 0 arguments' A version extra
expect_error 2 '"test/echo" command requires at least 1 arguments' A test/echo
[ "$(A test/echo a 'b c')" = "a b c" ] || fail "test/echo"

note "vlog/set, vlog/list and the log file"
A vlog/set test_daemon:file:warn
A vlog/list | grep -Eq '^test_daemon +OFF +OFF +WARN$' || { A vlog/list; fail "vlog/list does not show test_daemon at WARN"; }
A test/log info "info-is-below-warn"
A test/log warn "warn-goes-to-the-file"
cat "$LOG"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\|[0-9]{5}\|test_daemon\|WARN\|warn-goes-to-the-file$' "$LOG" ||
  fail "the warning is not in the log in OVS's format"
grep -q "info-is-below-warn" "$LOG" && fail "a message below the module's level was logged"
A vlog/set ANY:file:dbg
A vlog/list | grep -Eq '^unixctl +OFF +OFF +DBG$' || fail "ANY:file:dbg did not reach every module"
A test/log dbg "dbg-now-logged"
grep -q "|test_daemon|DBG|dbg-now-logged$" "$LOG" || fail "dbg message missing after vlog/set ANY:file:dbg"
expect_error 2 'no destination, level, or module "nowhere"' A vlog/set nowhere:dbg

note "vlog/reopen after the log file was rotated"
mv "$LOG" "$LOG.1"
A vlog/reopen
[ -f "$LOG" ] || fail "vlog/reopen did not create a new log file"
grep -q "|vlog|INFO|opened log file $LOG$" "$LOG" || fail "new log file does not start with 'opened log file'"
grep -q "|vlog|INFO|closing log file$" "$LOG.1" || fail "rotated log file was not closed"

note "--timeout: a command that never replies"
rc=0
(A -T 1 test/hang 2>"$APPCTL_TMP/err") || rc=$?
[ "$rc" = 142 ] || fail "xvs-appctl -T 1 exited with $rc, expected death by SIGALRM (142)"
grep -q "no reply within 1 seconds" "$APPCTL_TMP/err" || fail "no timeout message"
A version >/dev/null || fail "the daemon stopped answering after a client timed out"

note "a second instance with the same pidfile refuses to start"
rc=0
"$TESTD" --detach --pidfile -vsyslog:off --unixctl=ctl2 2>"$APPCTL_TMP/err" || rc=$?
cat "$APPCTL_TMP/err"
if [ "$rc" = 0 ]; then
  APPCTL_PIDS+=("$(cat "$PIDFILE")")  # so that cleanup stops it too
  fail "a second instance started"
fi
grep -qF "xvs-test-daemon: $PIDFILE: already running as pid $PID, aborting" "$APPCTL_TMP/err" ||
  fail "the refusal does not say who holds the pidfile"
[ "$(cat "$PIDFILE")" = "$PID" ] || fail "the refused instance changed the pidfile"
[ ! -e "$OVS_RUNDIR/ctl2" ] || fail "the refused instance left a control socket"
alive "$PID" || fail "the first instance died"

note "malformed input closes that connection only; messages may arrive split"
"$PY" - "$CTL" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
for b in b'{"id":7,"method":"test/echo","params":["split"]}':
    s.send(bytes([b]))
reply = json.loads(s.recv(4096))
assert reply == {"id": 7, "result": "split\n", "error": None}, reply
s.send(b'{"id":8,"method":"version","params":[}')
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
err = json.loads(data)
assert err["id"] is None and err["result"] is None and err["error"]["error"] == "syntax error", err
print("split request answered; malformed request answered with", err["error"]["error"], "and the connection closed")
PY
A version >/dev/null || fail "the daemon stopped answering after malformed input"

note "exit stops the daemon and removes its pidfile and socket"
[ -z "$(A exit)" ] || fail "exit replied with text"
wait_gone "$PID" || fail "the daemon did not exit"
[ ! -e "$PIDFILE" ] || fail "the pidfile is left behind"
[ ! -e "$CTL" ] || fail "the control socket is left behind"
grep -q "|test_daemon|INFO|exiting$" "$LOG" || fail "the daemon did not log its exit"

note "the default socket, found by program name through the pidfile; SIGTERM"
start_daemon "$PIDFILE" --log-file
[ -S "$OVS_RUNDIR/xvs-test-daemon.$PID.ctl" ] || fail "no socket <rundir>/xvs-test-daemon.$PID.ctl"
[ "$("$APPCTL" -t xvs-test-daemon test/echo by-name)" = "by-name" ] || fail "-t by program name"
kill -TERM "$PID"
wait_gone "$PID" || fail "the daemon ignored SIGTERM"
[ ! -e "$PIDFILE" ] || fail "the pidfile is left behind after SIGTERM"
[ ! -e "$OVS_RUNDIR/xvs-test-daemon.$PID.ctl" ] || fail "the socket is left behind after SIGTERM"
grep -q "|test_daemon|INFO|terminating on signal 15$" "$LOG" || fail "SIGTERM was not handled by the loop"
expect_error 1 "xvs-appctl: cannot read pidfile \"$PIDFILE\" (No such file or directory)" "$APPCTL" -t xvs-test-daemon version

note "a start-up failure is reported by the foreground process"
expect_error 1 "xvs-test-daemon: initialisation went wrong" \
  "$TESTD" --detach --pidfile=fail.pid --unixctl=failctl -vsyslog:off --fail-init="initialisation went wrong"
[ ! -e "$OVS_RUNDIR/fail.pid" ] || fail "the failed daemon left its pidfile"
for _ in $(seq 50); do [ -e "$OVS_RUNDIR/failctl" ] || break; sleep 0.1; done
[ ! -e "$OVS_RUNDIR/failctl" ] || fail "the failed daemon left its socket"

note "options that are not implemented, and bad usage, say so"
expect_error 1 "xvs-test-daemon: --monitor is not supported by xvs (use a service manager to restart daemons)" "$TESTD" --monitor
expect_error 1 "xvs-test-daemon: processing \"nowhere:dbg\": no destination, level, or module \"nowhere\"" "$TESTD" -vnowhere:dbg
expect_error 1 "xvs-test-daemon: unrecognized option '--bogus'" "$TESTD" --bogus
expect_error 1 "xvs-appctl: at least one non-option argument is required (use --help for help)" "$APPCTL"
expect_error 1 "xvs-appctl: value 0 on -T or --timeout is invalid" "$APPCTL" -T 0 version
expect_error 1 "xvs-appctl: -t or --target may be specified only once" "$APPCTL" -t a -t b version
expect_error 1 "xvs-appctl: cannot connect to \"$OVS_RUNDIR/none.ctl\" (No such file or directory)" \
  "$APPCTL" -t "$OVS_RUNDIR/none.ctl" version
echo PASS
