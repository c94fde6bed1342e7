#!/usr/bin/env bash
# OpenFlow flows decide real traffic: xvs-vswitchd on the BPF datapath in
# a namespace, flows installed with Debian's ovs-ofctl through br0.mgmt,
# VMs in namespaces on veth pairs.
#  1. ACL over two tables (table 0 sends IP to table 1 with resubmit):
#     ARP and ICMP pass, TCP to port 8080 passes, other TCP is dropped;
#     the rules' packet counters move; the megaflows match only what the
#     rules looked at.
#  2. Router (goto_table, mod_dl_src/dst, dec_ttl, output by destination
#     prefix) between 10.1.1.0/24 and 10.1.2.0/24: pings pass with the TTL
#     decremented; the megaflow matches the /24 destination prefix and
#     the TTL, not the addresses the flows rewrite.
#  3. A controller (ovs-ofctl monitor) receives a packet-in for UDP to
#     port 9999; a packet-out from ovs-ofctl reaches VM2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping tcpdump ovs-ofctl

for n in h1 vm1 vm2 vm3 vm4; do new_ns $n; done
vm_link h1 tap0 vm1 10.0.0.1/24
vm_link h1 tap1 vm2 10.0.0.2/24
vm_link h1 tap2 vm3 10.1.1.1/24
vm_link h1 tap3 vm4 10.1.2.1/24
start_switch h1
vsctl xvs h1 add-br br0 -- set bridge br0 fail-mode=secure
for i in 0 1 2 3; do vsctl xvs h1 add-port br0 tap$i -- set interface tap$i ofport_request=$((i + 1)); done

# tcp_try VM ADDR PORT: whether a TCP connection from VM to ADDR:PORT
# opens within 2 s.
tcp_try() {
  ip netns exec "xt$SUF$1" $PY -c 'import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
s.close()' "$2" "$3" 2>/dev/null
}
# A listener on VM2 accepting on 8080 and 9090 (so a failed connection
# means the switch dropped it, not that nothing listened).
ip netns exec "xt${SUF}vm2" $PY -c 'import socket, select
ls = []
for port in (8080, 9090):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.0.0.2", port)); s.listen(16); ls.append(s)
while True:
    for s in select.select(ls, [], [])[0]:
        s.accept()[0].close()' &
E2E_PIDS+=($!)

megaflows() { appctl h1 dpif/dump-flows br0; }

note "ACL"
ofctl h1 add-flows br0 - <<'EOF'
table=0,priority=10,arp actions=NORMAL
table=0,priority=10,ip actions=resubmit(,1)
table=1,priority=10,icmp actions=NORMAL
table=1,priority=20,tcp,nw_dst=10.0.0.2,tp_dst=8080 actions=NORMAL
table=1,priority=20,tcp,nw_src=10.0.0.2,tp_src=8080 actions=NORMAL
table=1,priority=5,ip actions=drop
EOF
ping_ok vm1 10.0.0.2
tcp_try vm1 10.0.0.2 8080 || { ofctl h1 dump-flows br0; megaflows; fail "TCP to 8080 blocked"; }
if tcp_try vm1 10.0.0.2 9090; then fail "TCP to 9090 passed the ACL"; fi
flows=$(ofctl h1 dump-flows br0 table=1)
echo "$flows"
grep -E "n_packets=[1-9].*tcp,nw_dst=10.0.0.2,tp_dst=8080" <<<"$flows" >/dev/null || fail "no packets counted on the 8080 rule"
grep -E "n_packets=[1-9].*priority=5,ip actions=drop" <<<"$flows" >/dev/null || fail "no packets counted on the drop rule"
mf=$(megaflows)
echo "$mf"
# ICMP: the lookups looked at the protocol (ICMP is not TCP), no port.
icmp=$(grep "proto=1)" <<<"$mf" | head -1)
[ -n "$icmp" ] || fail "no ICMP megaflow"
if grep -q "tcp(\|icmp(\|ttl=\|tos=" <<<"$icmp"; then fail "ICMP megaflow matches more than its rules: $icmp"; fi
# TCP to 9090: dropped after the destination port missed the 8080 rule
# and the source address missed the reverse rule: neither the source port
# nor the Ethernet header (no NORMAL) nor TTL/TOS count.
drop=$(grep "actions:drop" <<<"$mf" | grep "proto=6" | head -1)
[ -n "$drop" ] || fail "no TCP drop megaflow"
grep -q "tcp(dst=9090)" <<<"$drop" || fail "drop megaflow does not match the destination port: $drop"
if grep -q "eth(\|ttl=\|tos=\|tcp(src" <<<"$drop"; then fail "drop megaflow matches more than its rules: $drop"; fi

note "router"
ofctl h1 del-flows br0
mac3=$(mac_of vm3) mac4=$(mac_of vm4)
gw1=02:00:00:01:01:fe gw2=02:00:00:01:02:fe
for v in 3 4; do
  ip -n "xt${SUF}vm$v" route add default via "10.1.$((v - 2)).254"
  ip -n "xt${SUF}vm$v" neigh add "10.1.$((v - 2)).254" lladdr "02:00:00:01:0$((v - 2)):fe" dev eth0
done
ofctl h1 -O OpenFlow13 add-flows br0 - <<EOF
table=0,priority=10,in_port=3,ip actions=goto_table:1
table=0,priority=10,in_port=4,ip actions=goto_table:1
table=1,priority=24,ip,nw_dst=10.1.2.0/24 actions=set_field:$gw2->eth_src,set_field:$mac4->eth_dst,dec_ttl,output:4
table=1,priority=24,ip,nw_dst=10.1.1.0/24 actions=set_field:$gw1->eth_src,set_field:$mac3->eth_dst,dec_ttl,output:3
EOF
out=$(ip netns exec "xt${SUF}vm3" ping -c 3 -i 0.2 -W 2 10.1.2.1) || { echo "$out"; fail "vm3 cannot reach vm4 through the router"; }
grep -q "ttl=63" <<<"$out" || { echo "$out"; fail "TTL not decremented"; }
mf=$(megaflows)
echo "$mf"
fwd=$(grep "dst=10.1.2.0/255.255.255.0" <<<"$mf" | head -1)
[ -n "$fwd" ] || fail "the routed megaflow does not match the /24 destination prefix"
grep -q "ttl=" <<<"$fwd" || fail "dec_ttl read the TTL, but the megaflow does not match it: $fwd"
if grep -q "eth(" <<<"${fwd%%, packets:*}"; then fail "the routed megaflow matches the Ethernet addresses it rewrites: $fwd"; fi

note "packet-in and packet-out"
ofctl h1 del-flows br0
ofctl h1 add-flow br0 "priority=50,udp,tp_dst=9999 actions=controller"
ofctl h1 add-flow br0 "priority=10,arp actions=NORMAL"
mon=$VT/monitor.txt
OVS_RUNDIR=$VT/h1 ovs-ofctl monitor br0 65534 >"$mon" 2>&1 &
E2E_PIDS+=($!)
for _ in $(seq 50); do grep -q "OFPT_GET_CONFIG_REPLY\|NXT_PACKET_IN\|OFPT_PACKET_IN" "$mon" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
ip netns exec "xt${SUF}vm1" $PY -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"hello controller", ("10.0.0.2", 9999))' || true
for _ in $(seq 50); do grep -q "tp_dst=9999" "$mon" && break; sleep 0.1; done
grep -q "PACKET_IN" "$mon" && grep -q "tp_dst=9999" "$mon" || { cat "$mon"; fail "no packet-in for UDP 9999"; }
grep -q "in_port=1" "$mon" || { cat "$mon"; fail "the packet-in does not name in_port 1"; }

cap=$VT/vm2.txt
ip netns exec "xt${SUF}vm2" timeout 10 tcpdump -i eth0 -nn -l -c 1 'udp port 7777' >"$cap" 2>/dev/null &
tcpdump_pid=$!
E2E_PIDS+=("$tcpdump_pid")
sleep 1
mac2=$(mac_of vm2)
frame=$($PY -c 'import sys
from scapy.all import Ether, IP, UDP, raw
print(raw(Ether(src="02:00:00:00:00:01", dst=sys.argv[1]) / IP(src="10.0.0.9", dst="10.0.0.2") /
          UDP(sport=7777, dport=7777) / b"from the controller").hex())' "$mac2")
ofctl h1 packet-out br0 LOCAL "output:2" "$frame"
wait "$tcpdump_pid" || true
grep -q "10.0.0.9.7777 > 10.0.0.2.7777" "$cap" || { cat "$cap"; fail "the packet-out did not reach vm2"; }
echo PASS
