#!/usr/bin/env bash
# The seed tutorial (../shared/seeds/004_*), VLAN part, in namespaces: two
# hosts running xvs, joined by a trunk (eth0 on both), each with two VMs
# on access ports: VM1 and VM3 on VLAN 1, VM2 and VM4 on VLAN 2. (The
# tutorial adds "tap0" twice on each host, a typo; the second VM is tap1.)
# Configured with the tool named by $1: xvs (xvs-vsctl) or ovs (Debian's
# ovs-vsctl). Checks which pings pass, which VLAN isolates, the tags on the
# trunk, the learned MAC table and the megaflows.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
TOOL=${1:-xvs}
require_root ping tcpdump
[ "$TOOL" = ovs ] && require_root ovs-vsctl

for n in h1 h2 vm1 vm2 vm3 vm4; do new_ns $n; done
ip link add eth0 netns "xt${SUF}h1" type veth peer name eth0 netns "xt${SUF}h2"
ip -n "xt${SUF}h1" link set eth0 up
ip -n "xt${SUF}h2" link set eth0 up
vm_link h1 tap0 vm1 10.0.0.1/24
vm_link h1 tap1 vm2 10.0.0.2/24
vm_link h2 tap0 vm3 10.0.0.3/24
vm_link h2 tap1 vm4 10.0.0.4/24

for h in h1 h2; do
  start_switch $h
  vsctl "$TOOL" $h init
  vsctl "$TOOL" $h add-br br0
  vsctl "$TOOL" $h add-port br0 eth0
  vsctl "$TOOL" $h add-port br0 tap0 tag=1
  vsctl "$TOOL" $h add-port br0 tap1 tag=2
done
note "configured with $TOOL-vsctl"

# The switch wrote back what it did.
for h in h1 h2; do
  for i in eth0 tap0 tap1 br0; do
    of=$(vsctl "$TOOL" $h get interface $i ofport)
    [ "$of" -ge 1 ] 2>/dev/null || fail "$h: $i has ofport '$of'"
  done
  [ "$(vsctl "$TOOL" $h get interface br0 ofport)" = 65534 ] || fail "$h: br0 is not the LOCAL port"
  [ "$(vsctl "$TOOL" $h get open_vswitch . cur_cfg)" = "$(vsctl "$TOOL" $h get open_vswitch . next_cfg)" ] ||
    fail "$h: cur_cfg does not follow next_cfg"
  ip -n "xt$SUF$h" link show br0 >/dev/null || fail "$h: no br0 device for the bridge's local port"
done

# Capture the trunk while VM1 pings VM3: the frames carry VLAN 1.
cap=$VT/trunk.txt
ip netns exec "xt${SUF}h2" timeout 20 tcpdump -i eth0 -e -nn -l -c 12 'vlan and icmp' >"$cap" 2>/dev/null &
tcpdump_pid=$!
E2E_PIDS+=("$tcpdump_pid")
sleep 1
ping_ok vm1 10.0.0.3
ping_ok vm2 10.0.0.4
wait "$tcpdump_pid" || true
grep -q "vlan 1," "$cap" || { cat "$cap"; fail "no VLAN 1 tag on the trunk"; }
grep -q "vlan 2," "$cap" || { cat "$cap"; fail "no VLAN 2 tag on the trunk"; }
note "VM1<->VM3 and VM2<->VM4 pass, tagged 1 and 2 on the trunk"

ping_blocked vm1 10.0.0.4
ping_blocked vm2 10.0.0.3
ping_blocked vm1 10.0.0.2
note "VM1<->VM4, VM2<->VM3 and VM1<->VM2 are isolated"

# The learned MAC table: VM1's address on tap0 in VLAN 1, VM3's on the trunk.
fdb=$(appctl h1 fdb/show br0)
echo "$fdb"
tap0=$(vsctl "$TOOL" h1 get interface tap0 ofport)
eth0=$(vsctl "$TOOL" h1 get interface eth0 ofport)
echo "$fdb" | awk -v m="$(mac_of vm1)" -v p="$tap0" '$3==m && $1==p && $2==1 {f=1} END {exit !f}' ||
  fail "fdb/show: VM1 not on port $tap0 in VLAN 1"
echo "$fdb" | awk -v m="$(mac_of vm3)" -v p="$eth0" '$3==m && $1==p && $2==1 {f=1} END {exit !f}' ||
  fail "fdb/show: VM3 not on port $eth0 in VLAN 1"
echo "$fdb" | awk -v m="$(mac_of vm4)" -v p="$eth0" '$3==m && $1==p && $2==2 {f=1} END {exit !f}' ||
  fail "fdb/show: VM4 not on port $eth0 in VLAN 2"

# Megaflows: VM1 -> VM3 is one flow from tap0 that tags and sends to eth0.
flows=$(appctl h1 dpif/dump-flows br0)
echo "$flows"
echo "$flows" | grep "eth(src=$(mac_of vm1),dst=$(mac_of vm3))" | grep -q "actions:push_vlan(vid=1,pcp=0)," ||
  fail "no tagging megaflow for VM1 -> VM3"

# other_config:hwaddr sets the local port's MAC, from which datapath_id
# follows; other_config:datapath-id overrides it.
vsctl "$TOOL" h1 set bridge br0 other_config:hwaddr=02:00:00:00:00:99
ip -n "xt${SUF}h1" link show br0 | grep -q "link/ether 02:00:00:00:00:99" || fail "hwaddr not applied to br0"
[ "$(vsctl "$TOOL" h1 get bridge br0 datapath_id)" = '"0000020000000099"' ] || fail "datapath_id does not follow hwaddr"
vsctl "$TOOL" h1 set bridge br0 other_config:datapath-id=0000000000000abc
[ "$(vsctl "$TOOL" h1 get bridge br0 datapath_id)" = '"0000000000000abc"' ] || fail "other_config:datapath-id ignored"
echo PASS
