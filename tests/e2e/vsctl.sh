#!/usr/bin/env bash
# xvs-vsctl against Debian's ovs-vsctl: the same commands on two databases
# served by xvsdb-server must give the same output, errors (apart from the
# program name) and exit codes. Then the wait for cur_cfg. No root needed.
source "$(dirname "$0")/lib.sh"
for t in ovs-vsctl ovsdb-client; do
  if ! command -v "$t" >/dev/null; then
    [ "${CI:-}" = true ] && fail "needs $t (run scripts/setup)"
    echo "SKIPPED: needs $t"; exit 77
  fi
done
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
E2E_CLEAN_DIRS+=("$T")
XVSCTL="$XVS_TOOLS_DIR/xvs-vsctl"
for side in ovs xvs; do
  mkdir "$T/$side"
  "$XVS_TOOLS_DIR/xvsdb-tool" create "$T/$side/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
  "$XVS_TOOLS_DIR/xvsdb-server" "$T/$side/conf.db" --remote="punix:$T/$side/db.sock" --unixctl="$T/$side/ctl" \
    --pidfile="$T/$side/pid" --log-file="$T/$side/log" --detach --no-chdir
  E2E_PIDFILES+=("$T/$side/pid")
done
# Uuids differ between the databases; so does the program name.
norm() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g; s/^(ovs|xvs)-vsctl: /vsctl: /'; }
n=0
# run ARGS...: both tools, same arguments; outputs and exit codes must match.
run() {
  n=$((n + 1))
  local ro=0 rx=0
  ovs-vsctl --db="unix:$T/ovs/db.sock" --no-wait --timeout=10 "$@" >"$T/o.out" 2>"$T/o.err" || ro=$?
  "$XVSCTL" --db="unix:$T/xvs/db.sock" --no-wait --timeout=10 "$@" >"$T/x.out" 2>"$T/x.err" || rx=$?
  if ! diff <(norm <"$T/o.out" | ${SORT:-cat}) <(norm <"$T/x.out" | ${SORT:-cat}) >"$T/diff" ||
     ! diff <(norm <"$T/o.err") <(norm <"$T/x.err") >>"$T/diff" || [ $ro != $rx ]; then
    echo "MISMATCH #$n: vsctl $* (exit ovs=$ro xvs=$rx)"; cat "$T/diff"; FAILS=$((FAILS + 1))
  fi
}
FAILS=0
note "bridges and ports"
run init
run add-br br0
run add-br br0
run --may-exist add-br br0
run add-br br1 -- set Bridge br1 other_config:hwaddr=00:11:22:33:44:55
run list-br
run br-exists br0
run br-exists br9
run add-port br0 p1 -- set Interface p1 type=internal
run add-port br0 p2 tag=10
run add-port br0 p2
run --may-exist add-port br0 p2
run --may-exist add-port br1 p2
run add-port br1 p3 -- add-port br1 p4
run list-ports br0
run list-ports br1
run list-ifaces br0
run port-to-br p3
run port-to-br p9
run iface-to-br p1
run iface-to-br p9
run del-port br0 p9
run --if-exists del-port br0 p9
run del-port br1 p1
run del-port p4
run list-ports br1
run del-br br9
run --if-exists del-br br9
run add-br fake0 br0 20
run list-br
run br-to-vlan fake0
run br-to-parent fake0
run add-port fake0 fp1
run list-ports fake0
run get Port fp1 tag
run del-br fake0
run list-br
run list-ports br0
note "database commands"
run get Interface p1 type
run get Bridge br1 other_config:hwaddr
run get Bridge br1 other_config:nokey
run --if-exists get Bridge br1 other_config:nokey
run get Bridge br9 name
run get Bridge br0 name datapath_type ports
run get Port p2 tag
run get Nope x y
run get Bridge br0 nocolumn
run set Bridge br0 other_config:a=1 other_config:b="x y" external_ids='{k=v, "1"=2}'
run get Bridge br0 other_config external_ids
run set Port p2 trunks=1,2,3
run get Port p2 trunks
run set Port p2 tag=5000
run add Port p2 trunks 4 5
run remove Port p2 trunks 1 2
run get Port p2 trunks
run add Bridge br0 other_config c=3
run remove Bridge br0 other_config a
run remove Bridge br0 other_config c=3
run get Bridge br0 other_config
run clear Port p2 trunks tag
run get Port p2 trunks tag
run clear Bridge br0 name
run set Interface p1 ofport_request=7 mtu_request=1400
run list Interface p1
run --columns=name,type,ofport_request list Interface p1 p2
run --bare --columns=name list Port p1
run list Port p9
# Rows come in hash order (by uuid), which differs between the databases.
SORT=sort run --bare --columns=name find Interface type=internal
run --columns=name find Interface ofport_request=7
run --columns=name,tag find Port tag!=[]
run --id=@q create QoS type=linux-htb -- set Port p1 qos=@q
run --columns=type list QoS
run set Port p2 qos=@nowhere
run set Port p2 qos=@q2 -- --id=@q2 create QoS type=linux-hfsc
SORT=sort run --bare --columns=type list QoS
run --columns=qos find Port name=p2
run destroy Bridge br9
run --if-exists destroy Bridge br9
run wait-until Interface p1 type=internal
run get Open_vSwitch . next_cfg
run list-br -- list-ports br0 -- get Port p1 name
run --oneline list-br -- list-ports br0 -- get Open_vSwitch . bridges
note "controllers, managers, fail mode, external ids"
run set-controller br0 tcp:1.2.3.4:6653 ptcp:1
run get-controller br0
run set-controller br9 tcp:1.2.3.4:6653
run set-fail-mode br0 secure
run set-fail-mode br0 frob
run get-fail-mode br0
run get-fail-mode br1
run br-set-external-id br0 k v -- br-set-external-id br0 k2 v2 -- br-set-external-id br0 k2
run br-get-external-id br0
run br-get-external-id br0 k
run set-manager ptcp:6640 punix:/tmp/x
run get-manager
SORT=sort run --bare --columns=target list Controller
SORT=sort run show
run del-controller br0 -- del-fail-mode br0 -- del-manager
run get-controller br0 -- get-fail-mode br0 -- get-manager
run frobnicate
run --if-exists list-br
run set Bridge br0 other_config
run set Bridge br0 fail_mode=secure -- --frob get Bridge br0 fail_mode
run --may-exist get Bridge br0 name
run list-br extra
run --inactivity-probe=5000 set-manager ptcp:6641
run --bare --columns=target find Manager inactivity_probe=5000
run del-port br0 br0
run del-port br0
run -- --may-exist add-br br0 -- --if-exists del-port nope
run add-bond br1 bond0 a1 a2 lacp=active
run add-bond br1 bond1 a3
run list-ifaces br1
run --columns=lacp list Port bond0
run --columns=name find Bridge name=br1
run get Port bond0 _uuid -- get Interface a1 name
note "output formats"
for f in "-f table" "--format=csv" "-fjson" "-d bare" "--data=json" "-f table --no-headings" "--bare" "-f csv -d bare"; do
  # shellcheck disable=SC2086
  run $f --columns=name,ports,fail_mode,other_config,trunks list Bridge br0 -- --columns=name,tag,trunks,lacp list Port p2 bond0
done
run -f table --columns=name find Bridge name=br0
run set Bridge br0 name=x
run add-br
SORT=sort run show
run set Port p2 tag=-1
run set Interface p1 type=frob
run set Bridge br0 fail_mode=frob
note "emer-reset"
run set-controller br0 tcp:127.0.0.1:6653 -- set-fail-mode br0 secure -- set-manager ptcp:6640
run set Bridge br0 other_config:hwaddr=00:11:22:33:44:66 other_config:mac-aging-time=10 flood_vlans=5 \
  -- set Port p2 other_config:priority-tags=true -- set Interface p1 ingress_policing_rate=100
run -- --id=@s create sflow agent=lo target='"127.0.0.1:6343"' -- set Bridge br0 sflow=@s \
  -- --id=@n create netflow targets='"127.0.0.1:9995"' -- set Bridge br1 netflow=@n \
  -- --id=@p get Port p2 -- --id=@m create Mirror name=m0 select_all=true output_port=@p \
  -- set Bridge br0 mirrors=@m
run emer-reset
run emer-reset extra
for t in Controller Manager sFlow NetFlow Mirror; do run list $t; done
# One row per list: rows come in different orders from the two databases.
for b in br0 br1; do run --columns=controller,fail_mode,mirrors,sflow,netflow,flood_vlans,other_config list Bridge $b; done
run --columns=name,other_config list Port p2
run --columns=name,ingress_policing_rate,ingress_policing_burst list Interface p1
run get Open_vSwitch . manager_options
[ $FAILS = 0 ] || fail "$FAILS mismatches"

note "wait-until blocks until the condition holds"
DB="unix:$T/xvs/db.sock"
( timeout 10 "$XVSCTL" --db="$DB" --no-wait wait-until Bridge brlate other_config:x=1 && touch "$T/waited" ) &
waiter=$!
sleep 0.5
[ -e "$T/waited" ] && fail "wait-until returned before the bridge existed"
"$XVSCTL" --db="$DB" --no-wait add-br brlate
sleep 0.3
[ -e "$T/waited" ] && fail "wait-until returned before the condition held"
"$XVSCTL" --db="$DB" --no-wait set Bridge brlate other_config:x=1
wait $waiter || fail "wait-until failed"
[ -e "$T/waited" ] || fail "wait-until did not return"

note "concurrent invocations: each is atomic, none is lost"
pids=()
for i in $(seq 12); do "$XVSCTL" --db="$DB" --no-wait add-port brlate cp$i -- set Bridge brlate other_config:p$i=$i & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "concurrent add-port failed"; done
[ "$("$XVSCTL" --db="$DB" list-ports brlate | wc -l)" = 12 ] || fail "lost ports: $("$XVSCTL" --db="$DB" list-ports brlate)"
[ "$("$XVSCTL" --db="$DB" get Bridge brlate other_config | tr ',' '\n' | grep -c =)" = 13 ] || fail "lost other_config keys"

# Two invocations that each see the name free must not both add it.
"$XVSCTL" --db="$DB" --no-wait add-br brA -- add-br brB
for r in 1 2 3 4 5; do
  "$XVSCTL" --db="$DB" --no-wait add-port brA dup$r 2>/dev/null & a=$!
  "$XVSCTL" --db="$DB" --no-wait add-port brB dup$r 2>/dev/null & b=$!
  wait $a || true; wait $b || true
  [ "$("$XVSCTL" --db="$DB" --bare --columns=name find Port name=dup$r | grep -c .)" = 1 ] || fail "port dup$r added twice"
done

note "create prints the new row's uuid"
u=$("$XVSCTL" --db="unix:$T/xvs/db.sock" --no-wait create Queue other_config:max-rate=1000)
[ "$("$XVSCTL" --db="unix:$T/xvs/db.sock" --no-wait get Queue "$u" other_config:max-rate)" = '"1000"' ] || fail "create uuid"
[ "$("$XVSCTL" --db="unix:$T/xvs/db.sock" --no-wait get Queue "${u:0:8}" _uuid)" = "$u" ] || fail "abbreviated uuid"
"$XVSCTL" --db="unix:$T/xvs/db.sock" --no-wait destroy Queue "$u"
"$XVSCTL" --db="unix:$T/xvs/db.sock" --no-wait get Queue "$u" _uuid 2>/dev/null && fail "destroy"

note "without --no-wait it waits for cur_cfg to reach next_cfg"
DB="unix:$T/xvs/db.sock"
rc=0; "$XVSCTL" --db="$DB" --timeout=1 add-br brw1 2>"$T/err" || rc=$?
[ $rc = 142 ] || fail "--timeout=1 without cur_cfg: exit $rc, not killed by SIGALRM as ovs-vsctl is"
grep -q "terminating with signal 14 (Alarm clock)" "$T/err" || fail "no timeout message: $(cat "$T/err")"
next=$("$XVSCTL" --db="$DB" get Open_vSwitch . next_cfg)
start=$(date +%s%N)
( sleep 1; ovsdb-client transact "$DB" \
  "[\"Open_vSwitch\",{\"op\":\"update\",\"table\":\"Open_vSwitch\",\"where\":[],\"row\":{\"cur_cfg\":$((next + 1))}}]" >/dev/null ) &
E2E_PIDS+=($!)
"$XVSCTL" --db="$DB" --timeout=10 add-br brw2 || fail "waiting add-br failed"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $elapsed_ms -ge 900 ] || fail "returned after $elapsed_ms ms, before cur_cfg was updated"
[ "$("$XVSCTL" --db="$DB" get Open_vSwitch . next_cfg)" = $((next + 1)) ] || fail "next_cfg not incremented"
# Read-only commands do not wait.
timeout 5 "$XVSCTL" --db="$DB" list-br >/dev/null || fail "list-br waited"

note "--retry waits for a server that is not there yet; without it, failure at once"
"$XVSCTL" --db="unix:$T/late.sock" --no-wait list-br 2>"$T/err" && fail "connected to a missing server"
grep -q "database connection failed" "$T/err" || fail "no connection error: $(cat "$T/err")"
( sleep 1.5; "$XVS_TOOLS_DIR/xvsdb-server" "$T/late.db" --remote="punix:$T/late.sock" --unixctl="$T/late.ctl" \
    --pidfile="$T/late.pid" --detach --no-chdir ) &
E2E_PIDFILES+=("$T/late.pid")
"$XVS_TOOLS_DIR/xvsdb-tool" create "$T/late.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
"$XVSCTL" --db="unix:$T/late.sock" --no-wait --retry --timeout=20 list-br >/dev/null || fail "--retry did not wait for the server"
echo PASS
