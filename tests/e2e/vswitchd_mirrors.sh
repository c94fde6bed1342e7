#!/usr/bin/env bash
# Mirrors (SPAN and RSPAN), configured the way Open vSwitch's manual does:
# a SPAN mirror of what VM1 sends, to a monitor port; the monitor gets the
# copies and nothing else; Mirror statistics count them. Then an RSPAN
# mirror of VLAN 2 into VLAN 100, seen tagged on a trunk.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping tcpdump

for n in h1 vm1 vm2 vm3 vm4 mon trk; do new_ns $n; done
vm_link h1 tap0 vm1 10.0.0.1/24
vm_link h1 tap1 vm2 10.0.0.2/24
vm_link h1 tap2 vm3 10.0.1.3/24
vm_link h1 tap3 vm4 10.0.1.4/24
vm_link h1 tapm mon 10.9.9.9/24
vm_link h1 tapt trk 10.9.9.8/24
start_switch h1
v() { vsctl xvs h1 "$@"; }
v add-br br0
v add-port br0 tap0 tag=1
v add-port br0 tap1 tag=1
v add-port br0 tap2 tag=2
v add-port br0 tap3 tag=2
v add-port br0 tapm
v add-port br0 tapt trunks=100
v -- set bridge br0 mirrors=@m -- --id=@tap0 get port tap0 -- --id=@tapm get port tapm \
  -- --id=@m create mirror name=span0 select-src-port=@tap0 output-port=@tapm

# capture NS FILE FILTER: tcpdump on eth0 of NS until killed; CAP is its pid.
capture() {
  ip netns exec "xt$SUF$1" tcpdump -i eth0 -e -nn -l "$3" >"$2" 2>/dev/null &
  CAP=$!
  E2E_PIDS+=("$CAP")
}
capture mon "$VT/mon.txt" icmp; c1=$CAP
capture trk "$VT/trk.txt" icmp; c2=$CAP
sleep 1
ping_ok vm1 10.0.0.2   # VLAN 1: VM1's requests are mirrored, VM2's replies are not
ping_ok vm3 10.0.1.4   # VLAN 2: not mirrored by span0
sleep 1
kill "$c1" "$c2"; wait "$c1" "$c2" 2>/dev/null || true
cat "$VT/mon.txt"
# tapm has no tag (a trunk): copies carry their VLAN, as Open vSwitch sends them.
req=$(grep -c "vlan 1,.*10.0.0.1 > 10.0.0.2: ICMP echo request" "$VT/mon.txt" || true)
[ "$req" -eq 3 ] || fail "monitor got $req mirrored echo requests, want 3"
! grep -q "echo reply" "$VT/mon.txt" || fail "replies (not from tap0) were mirrored"
! grep -q "10.0.1" "$VT/mon.txt" || fail "VLAN 2 traffic reached the mirror port"
! grep -q ICMP "$VT/trk.txt" || fail "trunk saw ICMP before any RSPAN mirror"
note "SPAN: the monitor got VM1's 3 requests, tagged 1, and nothing else"

sleep 6   # the statistics interval
stats=$(v get mirror span0 statistics)
echo "span0 statistics: $stats"
pk=$(echo "$stats" | sed -n 's/.*tx_packets=\([0-9]*\).*/\1/p')
[ "${pk:-0}" -ge 3 ] || fail "mirror statistics: tx_packets=${pk:-none}, want >= 3"

# RSPAN: everything in VLAN 2 into VLAN 100 (the trunk tapt carries it).
v -- --id=@m create mirror name=rspan select-all=true select-vlan=2 output-vlan=100 \
  -- add bridge br0 mirrors @m
capture trk "$VT/trk.txt" icmp; c2=$CAP
sleep 1
ping_ok vm3 10.0.1.4
ping_ok vm1 10.0.0.2
sleep 1
kill "$c2"; wait "$c2" 2>/dev/null || true
cat "$VT/trk.txt"
n=$(grep -c "vlan 100,.*10.0.1.3 > 10.0.1.4: ICMP echo request" "$VT/trk.txt" || true)
[ "$n" -eq 3 ] || fail "trunk got $n RSPAN copies of VM3's requests in VLAN 100, want 3"
grep -q "vlan 100,.*10.0.1.4 > 10.0.1.3: ICMP echo reply" "$VT/trk.txt" || fail "no RSPAN copies of replies"
! grep -q "10.0.0" "$VT/trk.txt" || fail "VLAN 1 traffic mirrored by the VLAN 2 mirror"
note "RSPAN: VLAN 2 traffic copied into VLAN 100 on the trunk"
echo PASS
