#!/usr/bin/env bash
# Debian's ovs-ofctl drives xvs-vswitchd as it drives Open vSwitch: the
# same commands against xvs-vswitchd --enable-dummy and against Debian's
# ovs-vswitchd --enable-dummy (each with its own database server, in its
# own rundir, bridge br0 reached by name through <rundir>/br0.mgmt) must
# print the same text.
#
# For the default negotiation (OpenFlow 1.0 + NXM) and -O OpenFlow13/14/15:
#  1. the flow corpus in data/ofctl_flows*.txt (almost 300 flows over 8
#     tables: most match fields and actions, cookies, timeouts, flags)
#     goes in with add-flows, and dump-flows shows the same flows, with
#     and without statistics, whole and selected by table, match and
#     cookie; dump-aggregate agrees;
#  2. mod-flows (loose and --strict), del-flows (loose, --strict, by
#     cookie mask, by out_port) change the same flows;
#  0. groups (all, select, indirect, fast failover; 1.5 bucket edits) and
#     meters: their tables and statistics, errors, deletes that take the
#     flows using them along;
#  1b. bundles: the corpus in one bundle; a failing bundle changes nothing;
#  3. a flow that overlaps another under check_overlap, or whose actions
#     do not fit its match or table, is refused with the same error by
#     both, and the flows stay as they were;
#  4. learn and fin_timeout (data/ofctl_flows_learn.txt) read back the
#     same; a packet received through learn actions (netdev-dummy/receive)
#     leaves the same learned flows in both, learning again refreshes
#     rather than duplicates, a limit holds, a FIN applies the learned
#     flows' fin_timeout, and deleting the learner takes the flows of its
#     delete_learned learn action along;
#  5. multipath: frames received on both pick the same links (per-link
#     counters equal) for every hash field set and link algorithm.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
source "$(dirname "$0")/ofctl_lib.sh"
DATA=$(dirname "$0")/data
start_pair

# Statistics that depend on timing become X; the reply header (its xid
# differs with the number of requests ovs-ofctl made) goes.
normalize() {
  sed -E 's/duration[=:][0-9.]+s/duration=X/; s/idle_age=[0-9]+/idle_age=X/; s/hard_age=[0-9]+/hard_age=X/' |
    grep -v -E '^(NXST|OFPST)_(FLOW|GROUP|GROUP_DESC|METER|METER_CONFIG) reply' | sort
}

# same WHAT ARGS...: both switches print the same for "ovs-ofctl ARGS".
same() {
  local what=$1; shift
  local x o
  x=$(of "$X" "$@" 2>&1 | normalize) || true
  o=$(of "$O" "$@" 2>&1 | normalize) || true
  if [ "$x" != "$o" ]; then
    diff <(echo "$o") <(echo "$x") | head -40 >&2
    fail "$what: 'ovs-ofctl $*' differs (< Open vSwitch, > xvs)"
  fi
  [ -n "$x" ] || fail "$what: 'ovs-ofctl $*' printed nothing"
}

# both ARGS...: runs "ovs-ofctl ARGS" on both; both must succeed.
both() {
  of "$X" "$@" || fail "xvs refused 'ovs-ofctl $*'"
  of "$O" "$@" || fail "Open vSwitch refused 'ovs-ofctl $*'"
}

# refused WHAT ARGS...: both switches refuse with the same error text.
refused() {
  local what=$1; shift
  local x o
  if x=$(of "$X" "$@" 2>&1); then fail "$what: xvs accepted 'ovs-ofctl $*'"; fi
  if o=$(of "$O" "$@" 2>&1); then fail "$what: Open vSwitch accepted 'ovs-ofctl $*'"; fi
  # The first line that is not ovs-ofctl's own timestamped log names the
  # error (the rest echoes the request, with its xid).
  first() { grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$1" | head -1 | sed 's/xid=0x[0-9a-f]*/xid/'; }
  [ "$(first "$x")" = "$(first "$o")" ] ||
    fail "$what: errors differ: xvs '$x', Open vSwitch '$o'"
}

# Groups and meters (OpenFlow 1.1+ / 1.3+): the same tables, statistics and
# errors. Replies list groups in no particular order: sorted.
note "groups and meters"
for V in -OOpenFlow13 -OOpenFlow15; do
  both $V del-flows br0
  both $V del-groups br0
  both $V add-group br0 "group_id=1,type=all,bucket=mod_nw_src:1.2.3.4,output:1,bucket=output:2"
  both $V add-group br0 "group_id=2,type=select,bucket=weight:10,output:1,bucket=weight:20,watch_port:2,output:2"
  both $V add-group br0 "group_id=3,type=ff,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2"
  both $V add-group br0 "group_id=4,type=indirect,bucket=actions=group:3"
  both $V mod-group br0 "group_id=1,type=all,bucket=output:3"
  both $V add-flow br0 "ip,actions=group:2"
  both $V add-flow br0 "arp,actions=write_actions(group:4)"
  same "groups" $V dump-groups br0
  same "group stats" $V dump-group-stats br0
  refused "group exists" $V add-group br0 "group_id=1,type=all,bucket=output:1"
  refused "unknown group" $V mod-group br0 "group_id=9,type=all,bucket=output:1"
  refused "flow to a missing group" $V add-flow br0 "actions=group:9"
  both $V del-groups br0 group_id=2
  same "groups after a delete" $V dump-groups br0
  same "a deleted group takes its flows" $V dump-flows br0 --no-stats
done
both -OOpenFlow15 insert-buckets br0 "group_id=1,command_bucket_id=first,bucket=bucket_id:7,actions=output:4"
both -OOpenFlow15 remove-buckets br0 "group_id=1,command_bucket_id=0"
same "1.5 bucket edits" -OOpenFlow15 dump-groups br0
both -OOpenFlow13 del-meters br0
both -OOpenFlow13 add-meter br0 "meter=1,kbps,band=type=drop,rate=1000"
both -OOpenFlow13 add-meter br0 "meter=2,pktps,burst,stats,band=type=drop,rate=10,burst_size=5"
both -OOpenFlow13 mod-meter br0 "meter=1,kbps,band=type=drop,rate=2000"
both -OOpenFlow13 add-flow br0 "table=1,ip,actions=meter:1,output:1"
same "meters" -OOpenFlow13 dump-meters br0
same "meter stats" -OOpenFlow13 meter-stats br0
refused "meter exists" -OOpenFlow13 add-meter br0 "meter=1,kbps,band=type=drop,rate=1"
refused "flow to a missing meter" -OOpenFlow13 add-flow br0 "actions=meter:9,output:1"
both -OOpenFlow13 del-meter br0 meter=1
same "a deleted meter takes its flows" -OOpenFlow13 dump-flows br0 --no-stats
both -OOpenFlow13 del-groups br0

note "learn"
for V in "" -OOpenFlow13 -OOpenFlow15; do
  both $V del-flows br0
  both $V add-flows br0 "$DATA/ofctl_flows_learn.txt"
  same "learn corpus $V" $V dump-flows br0 --no-stats
done
# tcp_frame SRC_MAC N [DST_MAC [FLAGS]]: a TCP segment from SRC_MAC
# (10.0.0.N:1234) to DST_MAC (default 50:54:00:00:00:07; 10.0.0.7:80),
# a SYN unless FLAGS says otherwise.
tcp_frame() {
  python3 -c 'import struct,sys
a=sys.argv[1:]+["505400000007","2"][len(sys.argv)-3:]
src=bytes.fromhex(a[0]); ipsrc=bytes([10,0,0,int(a[1])])
ip=struct.pack("!BBHHHBBH4s4s",0x45,0,40,0,0,64,6,0,ipsrc,bytes([10,0,0,7]))
tcp=struct.pack("!HHIIBBHHH",1234,80,1,0,0x50,int(a[3],0),1000,0,0)
print((bytes.fromhex(a[2])+src+b"\x08\x00"+ip+tcp).hex())' "$@"
}
receive() {  # receive PORT HEX on both
  OVS_RUNDIR=$X ovs-appctl -t "$X/vs.ctl" netdev-dummy/receive "$1" "$2" >/dev/null
  OVS_RUNDIR=$O ovs-appctl -t "$O/vs.ctl" netdev-dummy/receive "$1" "$2" >/dev/null
}
# wait_flows N ARGS...: until dump-flows ARGS lists N flows on both.
wait_flows() {
  local n=$1; shift
  for _ in $(seq 50); do
    [ "$(of "$X" dump-flows br0 "$@" | grep -c -v reply)" = "$n" ] &&
      [ "$(of "$O" dump-flows br0 "$@" | grep -c -v reply)" = "$n" ] && return 0
    sleep 0.1
  done
  fail "dump-flows $* did not reach $n flows on both"
}
both del-flows br0
both add-flow br0 "table=0,ip,actions=learn(table=1,hard_timeout=60,fin_idle_timeout=5,cookie=0x5,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[]),learn(table=2,delete_learned,cookie=0x9,limit=1,eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],load:0x1->NXM_NX_REG1[0..3]),resubmit(,1)"
both add-flow br0 "table=1,priority=0,actions=flood"
both add-flow br0 "table=2,priority=0,cookie=0x8,actions=drop"
receive p1 "$(tcp_frame 505400000005 5)"
wait_flows 2 table=1
same "learned flows" dump-flows br0 --no-stats
receive p1 "$(tcp_frame 505400000005 5)"
receive p2 "$(tcp_frame 505400000006 6)"
wait_flows 3 table=1
same "learned again, and a limit of one" dump-flows br0 --no-stats
# A FIN to a learned address runs the learned flow's fin_timeout: its idle
# timeout drops to fin_idle_timeout.
receive p2 "$(tcp_frame 505400000006 6 505400000005 0x11)"
for _ in $(seq 50); do
  of "$X" dump-flows br0 table=1 | grep -q idle_timeout=5 && of "$O" dump-flows br0 table=1 | grep -q idle_timeout=5 && break
  sleep 0.1
done
of "$X" dump-flows br0 table=1 | grep -q "idle_timeout=5, hard_timeout=60" || { of "$X" dump-flows br0; fail "the FIN did not lower the idle timeout"; }
same "fin_timeout" dump-flows br0 --no-stats
both del-flows br0 table=0
wait_flows 1 table=2
same "delete_learned" dump-flows br0 --no-stats

# multipath: the same packets pick the same links in both (the hashes and
# link algorithms are Open vSwitch's): 20 TCP frames from different
# hosts, per-link counters in table 1 compared.
note "multipath"
table1_packets() { of "$1" dump-flows br0 table=1 | grep -o "n_packets=[0-9]*" | cut -d= -f2 | awk "{s += \$1} END {print s}"; }
for spec in "eth_src,50,modulo_n,5,0" "symmetric_l4,7,hash_threshold,5,0" "symmetric_l3l4,9,hrw,5,0" \
  "symmetric_l3l4+udp,11,iter_hash,5,3" "nw_src,13,hrw,5,0" "nw_dst,15,modulo_n,5,0" "symmetric_l3,17,iter_hash,5,0"; do
  both del-flows br0
  both add-flow br0 "table=0,ip,actions=multipath($spec,NXM_NX_REG0[0..2]),resubmit(,1)"
  for l in 0 1 2 3 4; do both add-flow br0 "table=1,reg0=$l,actions=drop"; done
  for i in $(seq 1 20); do receive p1 "$(tcp_frame "5054000001$(printf %02x "$i")" "$i")"; done
  for _ in $(seq 50); do
    [ "$(table1_packets "$X")" = 20 ] && [ "$(table1_packets "$O")" = 20 ] && break
    sleep 0.1
  done
  same "multipath($spec) link counters" dump-flows br0 table=1
  links=$(of "$X" dump-flows br0 table=1 | grep -c "n_packets=[1-9]")
  note "multipath($spec): $links links used"
done

# Bundles (1.4+, and ONF's in 1.3): the corpus in one atomic bundle; a
# bundle whose second flow fails changes nothing, with the same errors;
# replace-flows through a bundle.
note "bundles"
bad=$VT/bad_bundle.txt
printf 'table=1,priority=5,ip actions=drop\ntable=1,priority=5,check_overlap,tcp actions=drop\n' >"$bad"
for V in -OOpenFlow13 -OOpenFlow14 -OOpenFlow15; do
  both $V del-flows br0
  both $V --bundle add-flows br0 "$DATA/ofctl_flows.txt"
  same "corpus added in a bundle" $V dump-flows br0 --no-stats
  refused "a bundle with a failing flow" $V --bundle add-flows br0 "$bad"
  same "after the failed bundle" $V dump-flows br0 --no-stats
  both $V --bundle replace-flows br0 "$DATA/ofctl_flows_of13.txt"
  same "replace-flows in a bundle" $V dump-flows br0 --no-stats
done

for V in "" -OOpenFlow13 -OOpenFlow14 -OOpenFlow15; do
  note "version ${V:-default}"
  extra=$DATA/ofctl_flows_of13.txt
  [ -z "$V" ] && extra=$DATA/ofctl_flows_of10.txt
  both $V del-flows br0
  both $V add-flows br0 "$DATA/ofctl_flows.txt"
  both $V add-flows br0 "$extra"
  n=$(of "$X" $V dump-flows br0 --no-stats | grep -c -v reply)
  [ "$n" -ge 280 ] || fail "only $n flows on xvs"
  same "corpus" $V dump-flows br0 --no-stats
  same "corpus with statistics" $V dump-flows br0
  same "table 3" $V dump-flows br0 table=3
  same "tcp flows" $V dump-flows br0 tcp
  same "ipv6 in table 4" $V dump-flows br0 table=4,ipv6
  same "by cookie" $V dump-flows br0 cookie=0x1/-1
  same "by out_port" $V dump-flows br0 out_port=2
  same "aggregate" $V dump-aggregate br0
  same "aggregate of table 7" $V dump-aggregate br0 table=7

  note "modify and delete"
  both $V mod-flows br0 "table=7,ip actions=output:4"
  both $V --strict mod-flows br0 "table=7,priority=1000,in_port=1 actions=drop"
  both $V del-flows br0 "table=2,tcp"
  both $V --strict del-flows br0 "table=7,priority=1001,in_port=2,dl_src=00:11:22:33:44:55"
  both $V del-flows br0 "cookie=0xdeadbeef/0xffffffff"
  both $V del-flows br0 "table=5,out_port=2"
  same "after modify/delete" $V dump-flows br0 --no-stats

  note "errors leave the flows alone"
  refused "goto_table backwards" $V add-flow br0 "table=3,actions=goto_table:1"
  refused "set_field without its prerequisite" $V add-flow br0 "actions=set_field:5->tcp_dst"
  both $V add-flow br0 "table=6,priority=5,ip actions=drop"
  refused "overlap" $V add-flow br0 "table=6,priority=5,check_overlap,tcp actions=drop"
  same "after errors" $V dump-flows br0 --no-stats
done
echo PASS
