#!/usr/bin/env bash
# Bridge-wide IPFIX on the BPF datapath, checked with what Debian's nfcapd
# collects (read back with nfdump). Host h1 runs the switch, VM1 and VM2
# on br0, the collector on h1's loopback; configured with the tool named by
# $1: xvs (xvs-vsctl) or ovs (Debian's ovs-vsctl), as ovs-vsctl's manual
# shows ("create ipfix targets=... -- set bridge br0 ipfix=@i"). Sampling
# every packet with a flow cache (2 s active timeout): VM1's three UDP flows
# of 100, 200 and 300 datagrams must reach the collector with exactly those
# packet counts, their IP byte counts, addresses, ports and the ports'
# ifIndexes; then 1 in 4 sampling must give about a quarter of them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
TOOL=${1:-xvs}
require_root nfcapd nfdump
[ "$TOOL" = ovs ] && require_root ovs-vsctl

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
n=$(awk '$4 == 5003 {print $6}' <<<"$got")
# 2000 at 1 in 4: 500, standard deviation 19; 5 of them either way.
[ "${n:-0}" -ge 403 ] && [ "${n:-0}" -le 597 ] || fail "$n packets sampled of 2000 at 1 in 4"
note "$n of 2000 packets sampled at 1 in 4"

note "remove bridge br0 ipfix"
vsctl "$TOOL" h1 remove bridge br0 ipfix "$(vsctl "$TOOL" h1 get bridge br0 ipfix)"
grep -q "br0: IPFIX off" <<<"$(appctl h1 ipfix/show br0)" || fail "ipfix/show does not say off"
appctl h1 dpif/dump-flows br0 | grep -q "sample" && fail "megaflows still sample after IPFIX was removed"
echo PASS
