#!/usr/bin/env bash
# xvs-ofctl speaks ovs-ofctl's language with ovs-ofctl's output. Against
# Debian's ovs-vswitchd (O) and against xvs-vswitchd (X), both on the
# dummy datapath (ofctl_lib.sh's start_pair), each command is run once
# with Debian's ovs-ofctl and once with xvs-ofctl, for the default
# protocol (OpenFlow 1.0 with NXM) and -O OpenFlow13 / OpenFlow15:
#  1. add-flows of the 310-flow corpus (data/ofctl_flows*.txt) leaves the
#     same flows on the switch, whichever tool added them;
#  2. show, dump-ports-desc and dump-tables print exactly the same text
#     (transaction ids included; also in 1.1 and 1.2, whose table
#     statistics describe the tables' features); dump-flows (with and without statistics,
#     --sort, --rsort, selections by table, match, cookie and out_port) and
#     dump-aggregate print the same once timing (durations, ages) is taken
#     out;
#  3. mod-flows, del-flows (loose and --strict), add-flow errors (refused
#     locally, or by the switch: the OFPT_ERROR and the echoed request),
#     replace-flows and packet-out leave the same flows and print the same;
#  4. diff-flows (file against switch, switch against switch) reports the
#     same differences and exit status;
#  5. monitor prints the same packet-ins and flow-removed messages as
#     ovs-ofctl monitor connected at the same time.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
source "$(dirname "$0")/ofctl_lib.sh"
DATA=$(dirname "$0")/data
XOF="$XVS_TOOLS_DIR/xvs-ofctl"
[ -x "$XOF" ] || fail "no $XOF (build the xvs-ofctl target)"
start_pair

# xof SWITCH ARGS...: xvs-ofctl against that switch's br0.
xof() { local d=$1; shift; OVS_RUNDIR=$d timeout 30 "$XOF" "$@"; }

# run TOOL SWITCH ARGS...: the command's output (stdout, then stderr) and
# exit status, as text.
run() {
  local tool=$1 d=$2 rc=0 out
  shift 2
  if [ "$tool" = ovs ]; then out=$(of "$d" "$@" 2>&1) || rc=$?; else out=$(xof "$d" "$@" 2>&1) || rc=$?; fi
  printf '%s\nexit status %s\n' "$out" "$rc"
}

# What may differ between two runs: durations and ages; Open vSwitch's
# timestamped log lines on stderr; the program's name in its messages.
normalize() {
  grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\|' |
    sed -E 's/duration=[0-9.]+s/duration=X/; s/idle_age=[0-9]+/idle_age=X/; s/hard_age=[0-9]+/hard_age=X/;
            s/^(ovs|xvs)-ofctl: /ofctl: /'
}

# differ WHAT OVS_TEXT XVS_TEXT: fails showing the difference.
differ() {
  diff <(echo "$2") <(echo "$3") | head -30 >&2
  fail "$1 (< ovs-ofctl, > xvs-ofctl)"
}

# identical WHAT SWITCH ARGS...: both tools print exactly the same.
identical() {
  local what=$1 d=$2 o x
  shift 2
  o=$(run ovs "$d" "$@")
  x=$(run xvs "$d" "$@")
  [ "$o" = "$x" ] || differ "$what: '$*' on $(basename "$d")" "$o" "$x"
}

# same WHAT SWITCH ARGS...: the same once timing is taken out.
same() {
  local what=$1 d=$2 o x
  shift 2
  o=$(run ovs "$d" "$@" | normalize)
  x=$(run xvs "$d" "$@" | normalize)
  [ "$o" = "$x" ] || differ "$what: '$*' on $(basename "$d")" "$o" "$x"
}

# flows SWITCH: the switch's flows, sorted, as Debian's ovs-ofctl shows them.
flows() { of "$1" $V dump-flows br0 --no-stats | sort; }

# load TOOL SWITCH: the corpus, added by TOOL.
load() {
  FRESH=
  local extra=$DATA/ofctl_flows_of13.txt
  [ -z "$V" ] && extra=$DATA/ofctl_flows_of10.txt
  run "$1" "$2" $V del-flows br0 >/dev/null
  run "$1" "$2" $V add-flows br0 "$DATA/ofctl_flows.txt" | grep -q '^exit status 0$' || fail "$1 add-flows failed"
  run "$1" "$2" $V add-flows br0 "$extra" | grep -q '^exit status 0$' || fail "$1 add-flows (extra) failed"
}

# fresh SWITCH: the corpus (then PREP, if set, run with ovs-ofctl) on the
# switch, reloaded only when a command changed the flows since.
FRESH= BASE=
fresh() {
  [ "$FRESH" = "$1:$V:${PREP:-}" ] && return
  load ovs "$1"
  ${PREP:-true} "$1"
  BASE=$(flows "$1")
  FRESH="$1:$V:${PREP:-}"
}

# same_effect WHAT SWITCH ARGS...: from the corpus, each tool runs the
# command; outputs and the flows left must be the same.
same_effect() {
  local what=$1 d=$2 o x fo fx
  shift 2
  fresh "$d"
  o=$(run ovs "$d" "$@" | normalize); fo=$(flows "$d")
  [ "$fo" = "$BASE" ] || FRESH=
  fresh "$d"
  x=$(run xvs "$d" "$@" | normalize); fx=$(flows "$d")
  [ "$fx" = "$BASE" ] || FRESH=
  [ "$o" = "$x" ] || differ "$what: output of '$*' on $(basename "$d")" "$o" "$x"
  [ "$fo" = "$fx" ] || differ "$what: flows after '$*' on $(basename "$d")" "$fo" "$fx"
}

# same_sorted WHAT SWITCH ARGS...: the same lines in any order (diff-flows
# walks its classifier in an order of its own).
same_sorted() {
  local what=$1 d=$2 o x
  shift 2
  o=$(run ovs "$d" "$@" | normalize | sort)
  x=$(run xvs "$d" "$@" | normalize | sort)
  [ "$o" = "$x" ] || differ "$what: '$*' on $(basename "$d")" "$o" "$x"
}

# Open vSwitch stores tcp_flags=0x012/0xfff with a 12-bit mask where the
# NXM/OXM that xvs writes (an exact entry) means 16 bits to it, so
# xvs-ofctl's strict deletes miss Open vSwitch's tcp_flags flows:
# replace-flows starts without TCP flows.
no_tcp() { of "$1" $V del-flows br0 tcp; }

FILE=$VT/replace.txt
cat >"$FILE" <<'EOF'
table=3,priority=5,ip actions=drop
priority=6,udp,tp_dst=53 actions=output:1
table=1,priority=104,vlan_tci=0x1000/0x1000 actions=output:2
table=2,priority=200,ip,nw_proto=47 actions=output:2,output:3
table=5,cookie=0x1,priority=65535,tcp6,tp_dst=443 actions=LOCAL
EOF
PKT=000000000002000000000001080045000014000000004001f97cc0a80001c0a80002

for V in "" -OOpenFlow13 -OOpenFlow15; do
  for SW in "$O" "$X"; do
    name=$(basename "$SW")
    note "$name, version ${V:-default}: loading the corpus"
    load ovs "$SW"; a=$(flows "$SW")
    load xvs "$SW"; b=$(flows "$SW")
    [ "$(wc -l <<<"$b")" -ge 280 ] || fail "only $(wc -l <<<"$b") flows on $name"
    [ "$a" = "$b" ] || differ "corpus added by each tool" "$a" "$b"

    note "$name, version ${V:-default}: show and dumps"
    identical "show" "$SW" $V show br0
    identical "port descriptions" "$SW" $V dump-ports-desc br0
    identical "port description of p3" "$SW" $V dump-ports-desc br0 p3
    identical "tables" "$SW" $V dump-tables br0
    same "flows" "$SW" $V dump-flows br0
    same "flows without statistics" "$SW" $V dump-flows br0 --no-stats
    same "sorted by priority" "$SW" $V --sort dump-flows br0
    same "reverse sorted by priority" "$SW" $V --rsort dump-flows br0
    same "sorted by tcp_dst" "$SW" $V --sort=tcp_dst dump-flows br0
    same "reverse sorted by in_port" "$SW" $V --rsort=in_port dump-flows br0 --no-stats
    same "table 3" "$SW" $V dump-flows br0 table=3
    same "tcp flows" "$SW" $V dump-flows br0 tcp
    same "by cookie" "$SW" $V dump-flows br0 cookie=0x1/-1
    same "by out_port" "$SW" $V dump-flows br0 out_port=2
    same "aggregate" "$SW" $V dump-aggregate br0
    same "aggregate of table 7" "$SW" $V dump-aggregate br0 table=7

    note "$name, version ${V:-default}: changes and errors"
    same_effect "modify" "$SW" $V mod-flows br0 "table=7,ip actions=output:4"
    same_effect "strict modify" "$SW" $V --strict mod-flows br0 "table=7,priority=1000,in_port=1 actions=drop"
    same_effect "modify by cookie" "$SW" $V mod-flows br0 "cookie=0x1/-1,actions=output:3"
    same_effect "delete" "$SW" $V del-flows br0 "table=2,tcp"
    same_effect "strict delete" "$SW" $V --strict del-flows br0 \
      "table=7,priority=1001,in_port=2,dl_src=00:11:22:33:44:55"
    same_effect "delete by cookie" "$SW" $V del-flows br0 "cookie=0xdeadbeef/0xffffffff"
    same_effect "delete by out_port" "$SW" $V del-flows br0 "table=5,out_port=2"
    same_effect "delete all" "$SW" $V del-flows br0
    same_effect "goto_table backwards" "$SW" $V add-flow br0 "table=3,actions=goto_table:1"
    same_effect "set_field without its prerequisite" "$SW" $V add-flow br0 "actions=set_field:5->tcp_dst"
    same_effect "overlap refused by the switch" "$SW" $V add-flow br0 "table=6,priority=5,check_overlap,ip actions=drop"
    same_effect "unknown keyword" "$SW" $V add-flow br0 "priority=5,tcp,foo=1,actions=drop"
    same_effect "port by name" "$SW" $V add-flow br0 "priority=5,in_port=p1,actions=output:2"
    same_effect "packet-out" "$SW" $V packet-out br0 1 "output:2" "$PKT"
    same_effect "packet-out of a runt" "$SW" $V packet-out br0 1 "output:2" 0000
    PREP=no_tcp same_effect "replace-flows" "$SW" $V replace-flows br0 "$FILE"
    PREP=no_tcp same_effect "replace-flows --readd" "$SW" $V --readd replace-flows br0 "$FILE"

    note "$name, version ${V:-default}: diff-flows"
    load ovs "$SW"
    same_sorted "flows against a file" "$SW" $V diff-flows br0 "$FILE"
    same_sorted "a file against flows" "$SW" $V diff-flows "$FILE" br0
    run xvs "$SW" $V diff-flows br0 "$FILE" | grep -q '^exit status 2$' || fail "diff-flows: differences, status not 2"
  done
  note "version ${V:-default}: diff-flows between the two switches"
  load ovs "$O"; load ovs "$X"
  # Without TCP flows, as for replace-flows: each switch reports its
  # tcp_flags masks its own way, which ovs-ofctl sees as different flows.
  no_tcp "$O"; no_tcp "$X"
  of "$X" $V del-flows br0 table=4
  same_sorted "switch against switch" "$X" $V diff-flows "unix:$O/br0.mgmt" "unix:$X/br0.mgmt"
done

# OpenFlow 1.1 and 1.2 table statistics still describe the tables' features.
for V in -OOpenFlow11 -OOpenFlow12; do
  for SW in "$O" "$X"; do
    note "$(basename "$SW"), version $V: show and tables"
    identical "show" "$SW" $V show br0
    identical "tables" "$SW" $V dump-tables br0
  done
done

# monitor: both tools watch the same switch at once; three packets go in
# (two become packet-ins through controller actions, one of them with
# userdata; a VLAN-tagged ARP with a register set), and a flow with an
# idle timeout and send_flow_rem expires.
monitor_both() {
  local d=$1
  of "$d" del-flows br0
  of "$d" add-flow br0 "priority=10,in_port=1,actions=controller(userdata=01.02),output:2"
  of "$d" add-flow br0 "priority=9,in_port=2,idle_timeout=1,send_flow_rem,actions=controller"
  of "$d" add-flow br0 "priority=8,in_port=3,actions=load:0x5->NXM_NX_REG3[],controller"
  OVS_RUNDIR=$d ovs-ofctl $V monitor br0 65534 2>"$VT/mon_o" &
  local po=$!
  OVS_RUNDIR=$d "$XOF" $V monitor br0 65534 2>"$VT/mon_x" &
  local px=$!
  E2E_PIDS+=("$po" "$px")
  local i
  for i in $(seq 100); do
    [ -S "$d/ovs-ofctl.$po.ctl" ] && [ -S "$d/xvs-ofctl.$px.ctl" ] && break
    sleep 0.1
  done
  [ -S "$d/xvs-ofctl.$px.ctl" ] || fail "xvs-ofctl monitor did not start"
  ovs-appctl -t "$d/vs.ctl" netdev-dummy/receive p1 \
    'in_port(1),eth(src=50:54:00:00:00:05,dst=50:54:00:00:00:07),eth_type(0x0800),ipv4(src=192.168.0.1,dst=192.168.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=10)' >/dev/null
  ovs-appctl -t "$d/vs.ctl" netdev-dummy/receive p2 \
    'in_port(2),eth(src=50:54:00:00:00:05,dst=50:54:00:00:00:07),eth_type(0x86dd),ipv6(src=::1,dst=::2,label=0,proto=58,tclass=0,hlimit=128,frag=no),icmpv6(type=128,code=0)' >/dev/null
  ovs-appctl -t "$d/vs.ctl" netdev-dummy/receive p3 \
    'in_port(3),eth(src=50:54:00:00:00:05,dst=50:54:00:00:00:07),eth_type(0x8100),vlan(vid=5,pcp=1),encap(eth_type(0x0806),arp(sip=1.1.1.1,tip=2.2.2.2,op=1,sha=50:54:00:00:00:05,tha=00:00:00:00:00:00))' >/dev/null
  for i in $(seq 100); do
    grep -q FLOW_REMOVED "$VT/mon_o" && grep -q FLOW_REMOVED "$VT/mon_x" && break
    sleep 0.1
  done
  # xvs-ofctl through its control socket, ovs-ofctl by signal.
  ovs-appctl -t "$d/xvs-ofctl.$px.ctl" exit >/dev/null
  kill "$po"
  wait "$po" "$px" 2>/dev/null || true
  local o x
  o=$(grep -v fatal_signal "$VT/mon_o")
  x=$(cat "$VT/mon_x")
  [ "$(grep -c PACKET_IN <<<"$x")" = 3 ] || fail "monitor on $(basename "$d"): not 3 packet-ins: $x"
  grep -q FLOW_REMOVED <<<"$x" || fail "monitor on $(basename "$d"): no flow removed: $x"
  [ "$o" = "$x" ] || differ "monitor on $(basename "$d")" "$o" "$x"
}
for V in "" -OOpenFlow13 -OOpenFlow15; do
  note "monitor, version ${V:-default}"
  monitor_both "$O"
  monitor_both "$X"
done
echo PASS
