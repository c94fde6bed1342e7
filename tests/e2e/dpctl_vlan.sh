#!/usr/bin/env bash
# VLAN push and pop through the datapath with real tagged frames: host a
# sends tagged ICMP echo requests (scapy; this kernel has no VLAN devices),
# the switch pops the tag towards untagged host b, b's stack answers, and
# the switch pushes the tag back towards a, where tcpdump sees it tagged.
# 802.1Q (VLAN 10) and 802.1ad (S-VLAN 20).
# Usage: dpctl_vlan.sh tc|xdp
source "$(dirname "$0")/lib.sh"
HOOK=${1:-tc}
require_root ip ethtool tcpdump "$PY"
require_scapy

new_dp vlan
new_host a 10.210.0.1/24
new_host b 10.210.0.2/24
amac=$(in_ns a cat /sys/class/net/eth0/address)
bmac=$(in_ns b cat /sys/class/net/eth0/address)
in_ns b ip neigh replace 10.210.0.1 lladdr "$amac" dev eth0
if [ "$HOOK" = xdp ]; then
  for h in a b; do in_ns $h ethtool -K eth0 gro on tx off >/dev/null; done
  OPTS=",hook=xdp,xdp_tx=yes"
else
  OPTS=",hook=tc"
fi
"$DPCTL" add-if "$DP" "$(dev_of a)$OPTS" >/dev/null
"$DPCTL" add-if "$DP" "$(dev_of b)$OPTS" >/dev/null

# send_tagged TPID VID: three tagged echo requests from a to b.
send_tagged() {
  in_ns a "$PY" - "$1" "$2" "$amac" "$bmac" <<'PY'
import sys
from scapy.all import Ether, Dot1Q, Dot1AD, IP, ICMP, sendp, conf
conf.verb = 0
tpid, vid, src, dst = int(sys.argv[1], 16), int(sys.argv[2]), sys.argv[3], sys.argv[4]
tag = Dot1Q(vlan=vid) if tpid == 0x8100 else Dot1AD(vlan=vid)
for seq in range(3):
    sendp(Ether(src=src, dst=dst) / tag / IP(src="10.210.0.1", dst="10.210.0.2") / ICMP(id=77, seq=seq), iface="eth0")
PY
}

# check TPID VID NAME
check() {
  local tpid=$1 vid=$2 name=$3 capa capb
  capa=$(mktemp); capb=$(mktemp)
  bg in_ns a timeout 5 tcpdump -i eth0 -nn -e -c 3 -Q in icmp or vlan >"$capa" 2>/dev/null
  bg in_ns b timeout 5 tcpdump -i eth0 -nn -e -c 3 -Q in icmp or vlan >"$capb" 2>/dev/null
  sleep 1
  send_tagged "$tpid" "$vid"
  sleep 1.5
  echo "at b:"; cat "$capb"; echo "at a:"; cat "$capa"
  grep -q "ICMP echo request" "$capb" || { "$DPCTL" dump-flows "$DP"; "$DPCTL" dump-drops "$DP"; fail "$name: b got no echo request"; }
  grep -q "vlan" "$capb" && fail "$name: b received tagged frames"
  grep -q "($tpid), length [0-9]*: vlan $vid,.*ICMP echo reply" "$capa" || fail "$name: a did not get a reply tagged with VLAN $vid"
  rm -f "$capa" "$capb"
}

note "802.1Q: pop towards b, push towards a"
"$DPCTL" add-flow "$DP" "in_port(1),eth_type(0x8100),vlan(vid=10),encap()" "pop_vlan,2"
"$DPCTL" add-flow "$DP" "in_port(2),eth_type(0x0800)" "push_vlan(vid=10,pcp=0),1"
check 0x8100 10 802.1Q
"$DPCTL" dump-flows "$DP" | grep -q "vlan(vid=10.*packets:3" || fail "the VLAN 10 flow did not count 3 packets"

note "802.1ad: S-tag 20"
"$DPCTL" add-flow "$DP" "in_port(1),eth_type(0x88a8),vlan(vid=20,tpid=0x88a8),encap()" "pop_vlan,2"
"$DPCTL" mod-flow "$DP" "in_port(2),eth_type(0x0800)" "push_vlan(vid=20,pcp=0,tpid=0x88a8),1"
check 0x88a8 20 802.1ad
"$DPCTL" dump-flows "$DP"
"$DPCTL" dump-flows "$DP" | grep -q "eth_type(0x88a8),vlan(vid=20).*packets:3" || fail "the S-VLAN 20 flow did not count 3 packets"
echo PASS
