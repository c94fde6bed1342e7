#!/usr/bin/env bash
# Two bridges joined by patch ports, fake VLAN bridges and the MAC table's
# size limit, on the BPF datapath with real packets. One switch (namespace
# h1): br0 has VM1 (tap1, VLAN 10), VM3 (tap3, VLAN 20) and patch port p01;
# br1 has VM2 (tap2, VLAN 10) and p10, p01's peer. Fake bridges br0v10
# (made with xvs-vsctl) and br0v20 (with Debian's ovs-vsctl) are br0's
# internal ports on VLANs 10 and 20, with addresses in h1.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping ovs-vsctl

for n in h1 vm1 vm2 vm3; do new_ns $n; done
vm_link h1 tap1 vm1 10.0.5.1/24
vm_link h1 tap2 vm2 10.0.5.2/24
vm_link h1 tap3 vm3 10.0.5.3/24
ip -n "xt${SUF}vm1" addr add 10.0.6.1/24 dev eth0
ip -n "xt${SUF}vm3" addr add 10.0.6.3/24 dev eth0
# h1 answers ARP only on the device that holds the address (else a fake
# bridge on one VLAN would answer for the other's address).
ip netns exec "xt${SUF}h1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1

start_switch h1
vsctl xvs h1 init
vsctl xvs h1 set open_vswitch . other_config:max-idle=60000
vsctl xvs h1 add-br br0 -- add-br br1 \
  -- add-port br0 tap1 tag=10 -- add-port br0 tap3 tag=20 \
  -- add-port br0 p01 -- set interface p01 type=patch options:peer=p10 \
  -- add-port br1 p10 -- set interface p10 type=patch options:peer=p01 \
  -- add-port br1 tap2 tag=10
for i in p01 p10; do
  of=$(vsctl xvs h1 get interface $i ofport)
  [ "$of" -ge 1 ] 2>/dev/null || fail "patch port $i has ofport '$of': $(vsctl xvs h1 get interface $i error)"
done

note "patch ports"
ping_ok vm1 10.0.5.2
# br1 learned VM1 behind its patch port on VLAN 10, br0 learned VM2 there.
of_p10=$(vsctl xvs h1 get interface p10 ofport)
of_p01=$(vsctl xvs h1 get interface p01 ofport)
fdb1=$(appctl h1 fdb/show br1)
fdb0=$(appctl h1 fdb/show br0)
echo "$fdb1"
grep -Eq "^ +$of_p10 +10 +$(mac_of vm1) " <<<"$fdb1" || fail "br1 did not learn VM1 on p10, VLAN 10"
grep -Eq "^ +$of_p01 +10 +$(mac_of vm2) " <<<"$fdb0" || fail "br0 did not learn VM2 on p01, VLAN 10"
# A patch port is no datapath port: VM1's frames to VM2 go from tap1's
# datapath port straight out of tap2's, untagged, in one megaflow.
# Datapath port numbers, from "    tap1 1/4: (system)".
dp_of() { appctl h1 dpif/show | sed -nE "s|^    $1 [0-9]+/([0-9]+): .*|\1|p"; }
dp1=$(dp_of tap1) dp2=$(dp_of tap2)
[ -n "$dp1" ] && [ -n "$dp2" ] || { appctl h1 dpif/show; fail "no datapath ports for tap1/tap2"; }
flows=$(appctl h1 dpif/dump-flows br0)
echo "$flows"
grep -E "in_port\($dp1\),eth\(src=$(mac_of vm1),dst=$(mac_of vm2)\).*actions:$dp2\$" <<<"$flows" >/dev/null ||
  fail "no megaflow from tap1 (port $dp1) straight to tap2 (port $dp2)"

note "mac-table-size"
vsctl xvs h1 set bridge br1 other_config:mac-table-size=3
appctl h1 fdb/flush br1 >/dev/null
ping_ok vm1 10.0.5.2   # br1 learns VM1 (p10) and VM2 (tap2) again
# Megaflows that pass packets keep their addresses learned (the switch
# re-learns from their statistics): let the ping's go quiet first, so
# only eviction decides what stays.
sleep 3
# VM2 sends frames from 40 made-up source addresses; br1's table keeps 3
# entries, and a full table makes the port with the most entries (tap2)
# give up its own, so VM1's entry behind p10 stays. (Only VM1 and VM2 have
# spoken so far: nothing else is learned behind p10.)
ip netns exec "xt${SUF}vm2" "$PY" - <<'PYEOF'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(40):
    src = bytes([0x02, 0x55, 0, 0, 0, i])
    s.send(b"\xff" * 6 + src + b"\x88\xb5" + bytes(46))
PYEOF
sleep 0.5
fdb1=$(appctl h1 fdb/show br1)
echo "$fdb1"
n=$(tail -n +2 <<<"$fdb1" | grep -c . || true)
[ "$n" -eq 3 ] || fail "br1 holds $n MAC entries, mac-table-size is 3"
grep -Eq "^ +$of_p10 +10 +$(mac_of vm1) " <<<"$fdb1" || fail "VM1's entry ($(mac_of vm1)) on p10 ($of_p10) was evicted by tap2's flood"
grep -q "02:55:00:00:00:27" <<<"$fdb1" || fail "the newest flooded address was not learned"
ping_ok vm1 10.0.5.2
ping_blocked vm3 10.0.5.2

note "fake VLAN bridges"
vsctl xvs h1 add-br br0v10 br0 10
vsctl ovs h1 add-br br0v20 br0 20
[ "$(vsctl ovs h1 br-to-parent br0v10)" = br0 ] || fail "br0v10's parent is not br0"
[ "$(vsctl xvs h1 br-to-vlan br0v20)" = 20 ] || fail "br0v20's VLAN is not 20"
[ "$(vsctl xvs h1 get port br0v10 tag)" = 10 ] || fail "br0v10's port is not tagged 10"
for b in br0v10 br0v20; do
  [ "$(vsctl xvs h1 get interface $b type)" = internal ] || fail "$b is not an internal interface"
  of=$(vsctl xvs h1 get interface $b ofport)
  [ "$of" -ge 1 ] 2>/dev/null || fail "$b has ofport '$of': $(vsctl xvs h1 get interface $b error)"
done
ip -n "xt${SUF}h1" addr add 10.0.5.254/24 dev br0v10
ip -n "xt${SUF}h1" addr add 10.0.6.253/24 dev br0v20
ip -n "xt${SUF}h1" link set br0v10 up
ip -n "xt${SUF}h1" link set br0v20 up
ping_ok vm1 10.0.5.254
ping_ok vm2 10.0.5.254   # through the patch ports
ping_ok vm3 10.0.6.253
ping_blocked vm3 10.0.5.254
ping_blocked vm1 10.0.6.253
vsctl ovs h1 del-br br0v20
ip -n "xt${SUF}h1" link show br0v20 >/dev/null 2>&1 && fail "br0v20's device outlived its fake bridge"
[ "$(vsctl xvs h1 list-br | tr '\n' ' ')" = "br0 br0v10 br1 " ] || fail "bridges: $(vsctl xvs h1 list-br)"

echo PASS
