#!/usr/bin/env bash
# Bridge-wide IPFIX on the BPF datapath, checked with what Debian's nfcapd
# collects (read back with nfdump). Host h1 runs the switch, VM1 and VM2
# on br0, the collector on h1's loopback; configured with the tool named by
# $1: xvs (xvs-vsctl) or ovs (Debian's ovs-vsctl), as ovs-vsctl's manual
# shows ("create ipfix targets=... -- set bridge br0 ipfix=@i"). Sampling
# every packet with a flow cache (2 s active timeout): VM1's three UDP flows
# of 100, 200 and 300 datagrams must reach the collector with exactly those
# packet counts, their IP byte counts, addresses, ports and the ports'
# ifIndexes; then 1 in 4 sampling must give about a quarter of them, each
# counting for 4 packets. Then per-flow IPFIX: a Flow_Sample_Collector_Set
# and OpenFlow sample actions (added with xvs-ofctl or ovs-ofctl), checked
# for their observation domain and point, direction and sampled share.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
TOOL=${1:-xvs}
require_root nfcapd nfdump
[ "$TOOL" = ovs ] && require_root ovs-vsctl ovs-ofctl

switch_with_two_vms "$TOOL" 10.0.10
H="xt${SUF}h1"
FLOWS=$VT/flows
nfcapd_start h1 "$FLOWS" 4739

note "IPFIX configured with $TOOL-vsctl"
vsctl "$TOOL" h1 -- set bridge br0 ipfix=@i -- --id=@i create ipfix targets=\"127.0.0.1:4739\" sampling=1 \
  obs_domain_id=123 obs_point_id=456 cache_active_timeout=2 cache_max_flows=100
vsctl "$TOOL" h1 list ipfix
show=$(appctl h1 ipfix/show br0)
echo "$show"
grep -q "sampling: 1 in 1, observation domain 123, point 456, cache: 100 flows, active timeout 2 s" <<<"$show" ||
  fail "ipfix/show: wrong settings"

send_udp_flows 10.0.10 100 200 300
sleep 4   # the cache's active timeout (2 s), then the records go out
show=$(appctl h1 ipfix/show br0)
echo "$show"
grep -q "send errors: 0" <<<"$show" || fail "the exporter had send errors"

if1=$(ip -n "$H" -o link show tap1 | cut -d: -f1)
if2=$(ip -n "$H" -o link show tap2 | cut -d: -f1)
# records: nfcapd's view, summed per flow (nfdump -a: by 5-tuple).
records() {
  nfcapd_stop
  nfdump -R "$FLOWS" -q -N -a -o "fmt:%sa %da %sp %dp %pr %pkt %byt %in %out" | awk '{$1=$1; print}'
}
got=$(records)
echo "$got"
expect_udp_flows "$got" 10.0.10 128 "$if1" "$if2"
note "every packet of the three flows reached the collector, with IP bytes, addresses, ports and ifIndexes"

note "sampling 1 in 4, no cache"
rm -rf "$FLOWS"/*
nfcapd_start h1 "$FLOWS" 4739
vsctl "$TOOL" h1 set ipfix "$(vsctl "$TOOL" h1 get bridge br0 ipfix)" sampling=4 cache_active_timeout=0 \
  cache_max_flows=0
send_udp_flows 10.0.10 1 1 2000
sleep 2
got=$(records)
echo "$got"
read -r n bytes < <(awk '$4 == 5003 {print $6, $7}' <<<"$got")
# 2000 at 1 in 4: 500 samples, standard deviation 19; 5 of them either
# way. Each sample counts for 4 packets, as in Open vSwitch.
[ "${n:-0}" -ge $((4 * 403)) ] && [ "${n:-0}" -le $((4 * 597)) ] && [ $((n % 4)) = 0 ] ||
  fail "$n packets reported for 2000 sampled at 1 in 4"
[ "$bytes" = $((n * 128)) ] || fail "$bytes bytes reported for $n packets"
note "$((n / 4)) of 2000 packets sampled at 1 in 4, reported as $n"

note "remove bridge br0 ipfix"
vsctl "$TOOL" h1 remove bridge br0 ipfix "$(vsctl "$TOOL" h1 get bridge br0 ipfix)"
grep -q "br0: IPFIX off" <<<"$(appctl h1 ipfix/show br0)" || fail "ipfix/show does not say off"
appctl h1 dpif/dump-flows br0 | grep -q "sample" && fail "megaflows still sample after IPFIX was removed"

note "per-flow IPFIX: collector set 5, sample actions through $TOOL-ofctl"
rm -rf "$FLOWS"/*
nfcapd_start h1 "$FLOWS" 4739
vsctl "$TOOL" h1 -- --id=@br get bridge br0 -- --id=@i create ipfix targets=\"127.0.0.1:4739\" \
  -- create flow_sample_collector_set id=5 bridge=@br ipfix=@i
vsctl "$TOOL" h1 list flow_sample_collector_set
# Every packet to 5001 (ingress, point 88); 1 in 5 to 5002 (egress: the
# sampling port is the output, tap2); 5003 not sampled.
out_port=$(vsctl "$TOOL" h1 get interface tap2 ofport)
ofctl_with "$TOOL" h1 add-flow br0 \
  "priority=10,udp,tp_dst=5001 actions=sample(probability=65535,collector_set_id=5,obs_domain_id=77,obs_point_id=88),NORMAL"
ofctl_with "$TOOL" h1 add-flow br0 \
  "priority=10,udp,tp_dst=5002 actions=NORMAL,sample(probability=13107,collector_set_id=5,obs_domain_id=77,obs_point_id=99,sampling_port=$out_port)"
ofctl_with "$TOOL" h1 dump-flows br0 | grep -q "sample(probability=13107,collector_set_id=5,obs_domain_id=77,obs_point_id=99,sampling_port=$out_port)" ||
  fail "dump-flows does not show the sample action"
show=$(appctl h1 ipfix/show br0)
echo "$show"
grep -q "br0: collector set 5: IPFIX to 127.0.0.1:4739" <<<"$show" || fail "ipfix/show: no collector set 5"
send_udp_flows 10.0.10 100 1000 50
sleep 1
nfcapd_stop
# Summed per (port, domain, point, direction, interfaces); nfdump prints
# the ids in hex.
got=$(nfdump -R "$FLOWS" -q -N -o "fmt:%dp %odid %opid %dir %pkt %byt %in %out" | "$PY" -c '
import sys, collections
t = collections.defaultdict(lambda: [0, 0])
for line in sys.stdin:
    dp, od, op, d, pkt, byt, i, o = line.split()
    k = (dp, int(od, 16), int(op, 16), d, i, o)
    t[k][0] += int(pkt)
    t[k][1] += int(byt)
for (dp, od, op, d, i, o), (pkt, byt) in sorted(t.items()):
    print(dp, od, op, d, pkt, byt, i, o)')
echo "$got"
want="5001 77 88 I 100 12800 $if1 0"
[ "$(grep '^5001 ' <<<"$got")" = "$want" ] || fail "port 5001: want '$want'"
read -r odid opid dir n bytes in out < <(awk '$1 == 5002 {print $2, $3, $4, $5, $6, $7, $8}' <<<"$got")
[ "$odid $opid $dir $in $out" = "77 99 E $if1 $if2" ] || fail "port 5002: domain, point, direction or interfaces wrong"
# 1000 at 1 in 5: 200 samples, standard deviation 12.6; 5 of them either way.
[ "${n:-0}" -ge $((5 * 137)) ] && [ "${n:-0}" -le $((5 * 263)) ] && [ $((n % 5)) = 0 ] ||
  fail "$n packets reported for 1000 sampled at 1 in 5"
[ "$bytes" = $((n * 128)) ] || fail "$bytes bytes reported for $n packets"
grep -q '^5003 ' <<<"$got" && fail "port 5003 has no sample action but was reported"
note "all 100 to 5001 and $((n / 5)) of 1000 to 5002 sampled, with their domain, points and direction"
vsctl "$TOOL" h1 destroy flow_sample_collector_set "$(vsctl "$TOOL" h1 --columns=_uuid --bare list flow_sample_collector_set)"
grep -q "br0: IPFIX off" <<<"$(appctl h1 ipfix/show br0)" || fail "ipfix/show does not say off after the set went"
echo PASS
