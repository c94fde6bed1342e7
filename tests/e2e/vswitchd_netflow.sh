#!/usr/bin/env bash
# NetFlow v5 export on the BPF datapath, checked with what Debian's nfcapd
# collects (read back with nfdump). Host h1 runs the switch, VM1 and VM2 on
# br0, the collector on h1's loopback; configured with the tool named by
# $1: xvs (xvs-vsctl) or ovs (Debian's ovs-vsctl), as ovs-vsctl's manual
# shows ("create netflow targets=... -- set bridge br0 netflow=@nf").
# VM1 sends three UDP flows of 100, 200 and 300 datagrams; once their
# megaflows expire, the collector must hold one record per flow with
# exactly those packet and byte counts, the VMs' addresses and ports, and
# the OpenFlow ports they came in and left by.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
TOOL=${1:-xvs}
require_root nfcapd nfdump
[ "$TOOL" = ovs ] && require_root ovs-vsctl

switch_with_two_vms "$TOOL" 10.0.9
# Megaflows expire 1 s after their last packet: the records follow.
vsctl "$TOOL" h1 set open_vswitch . other_config:max-idle=1000
FLOWS=$VT/flows
nfcapd_start h1 "$FLOWS" 2055

note "NetFlow configured with $TOOL-vsctl"
vsctl "$TOOL" h1 -- set bridge br0 netflow=@nf -- --id=@nf create netflow targets=\"127.0.0.1:2055\" \
  engine_type=3 engine_id=7 active_timeout=60
listing=$(vsctl "$TOOL" h1 list netflow)
echo "$listing"
grep -q '127.0.0.1:2055' <<<"$listing" || fail "list netflow does not show the target"
show=$(appctl h1 netflow/show br0)
echo "$show"
grep -q "engine type 3, engine id 7, active timeout 60 s" <<<"$show" || fail "netflow/show: wrong settings"

send_udp_flows 10.0.9 100 200 300
# Each flow is its own megaflow (NetFlow makes them exact on the ports).
flows=$(appctl h1 dpif/dump-flows br0)
echo "$flows"
for p in 5001 5002 5003; do
  grep -q "dst=$p" <<<"$flows" || fail "no megaflow of its own for UDP port $p"
done
sleep 4   # idle expiry (1 s) at the next revalidator run, then the record goes out
show=$(appctl h1 netflow/show br0)
echo "$show"
grep -q "send errors: 0" <<<"$show" || fail "the exporter had send errors"
nfcapd_stop
cat "$VT/nfcapd.log"

of1=$(vsctl "$TOOL" h1 get interface tap1 ofport)
of2=$(vsctl "$TOOL" h1 get interface tap2 ofport)
records=$(nfdump -R "$FLOWS" -q -N -o "fmt:%sa %da %sp %dp %pr %pkt %byt %in %out" | awk '{$1=$1; print}')
echo "$records"
expect_udp_flows "$records" 10.0.9 142 "$of1" "$of2"
note "three records with exact packet and byte counts, addresses, ports and interfaces"
# The engine type and id reach the collector.
nfdump -R "$FLOWS" -q -N -o "fmt:%eng" | grep -q "3/7" || fail "the collector did not see engine 3/7"

note "remove bridge br0 netflow"
uuid=$(vsctl "$TOOL" h1 get bridge br0 netflow)
vsctl "$TOOL" h1 remove bridge br0 netflow "$uuid"
[ -z "$(vsctl "$TOOL" h1 list netflow)" ] || fail "the NetFlow row outlived its bridge reference"
grep -q "br0: NetFlow off" <<<"$(appctl h1 netflow/show br0)" || fail "netflow/show does not say off"
echo PASS
