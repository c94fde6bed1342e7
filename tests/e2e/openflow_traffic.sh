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
#  4. A select group spreads 64 UDP flows over two ports (both get some;
#     group and bucket counters match what arrived); a fast-failover group
#     sends to its first bucket's port, then to the second when the
#     first's link goes down; a meter of 10 packets/s (burst 10) lets a few
#     of 300 datagrams through and counts the rest as band drops.
#  5. clone: a rewritten copy goes to VM3 while the packet itself reaches
#     VM2 unchanged, on the first packet (userspace) and the megaflow.
#  6. conjunction: UDP from a set of sources to a set of ports reaches VM2
#     (conjunction(10,k/2)); a port outside the set, or a source outside
#     another conjunction's set, is dropped; the conj_id rule counts what
#     passed; the megaflows pin both clauses' fields.
#  7. port mods (ovs-ofctl mod-port): no-forward, no-flood and no-receive
#     change what real packets do, down/up take the device down and up;
#     ovs-ofctl show reports the configuration; a monitoring connection
#     hears of every change and of ports added and deleted.
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

# count_udp VM PORT SECONDS: UDP datagrams to PORT that VM's eth0 sees in
# SECONDS (promiscuous: frames addressed to another host count too), in
# the background; the count lands in $VT/count.VM.PORT.
count_udp() {
  ip netns exec "xt$SUF$1" timeout "$3" tcpdump -i eth0 -nn -l "udp dst port $2" 2>/dev/null |
    grep -c "^.* IP " >"$VT/count.$1.$2" &
  E2E_PIDS+=($!)
}
# send_udp VM DST PORT N [SPREAD [GAP]]: N datagrams from VM, from N
# different source ports when SPREAD is 1 (so they are N flows), GAP
# seconds apart. (Packets of one flow that follow its first within 2 ms,
# before its megaflow is in, are dropped by the datapath's upcall
# deduplication: a flow's first packets are spaced.)
send_udp() {
  ip netns exec "xt$SUF$1" $PY -c 'import socket, sys, time
dst, port, n, spread, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", float(sys.argv[5])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n if spread else 1)]
for i in range(n):
    socks[i if spread else 0].sendto(b"x" * 64, (dst, port))
    time.sleep(gap)' "$2" "$3" "$4" "${5:-0}" "${6:-0}"
}

note "select group"
ofctl h1 del-flows br0
ip -n "xt${SUF}vm1" neigh replace 10.0.0.2 lladdr "$mac2" dev eth0
ofctl h1 -O OpenFlow13 add-group br0 "group_id=1,type=select,bucket=weight:1,output:2,bucket=weight:1,output:3"
ofctl h1 -O OpenFlow13 add-flow br0 "in_port=1,udp,tp_dst=6000,actions=group:1"
count_udp vm2 6000 4
count_udp vm3 6000 4
sleep 1
send_udp vm1 10.0.0.2 6000 64 1
sleep 4
n2=$(cat "$VT/count.vm2.6000") n3=$(cat "$VT/count.vm3.6000")
note "select: $n2 flows to vm2, $n3 to vm3"
[ $((n2 + n3)) -eq 64 ] || fail "select group: $n2 + $n3 datagrams arrived, not 64"
[ "$n2" -ge 10 ] && [ "$n3" -ge 10 ] || fail "select group does not spread flows: $n2 vs $n3"
stats=$(ofctl h1 -O OpenFlow13 dump-group-stats br0)
echo "$stats"
grep -q "packet_count=64," <<<"$stats" || fail "the group did not count 64 packets"
grep -q "bucket0:packet_count=$n2,.*bucket1:packet_count=$n3," <<<"$stats" || fail "bucket counters do not match the traffic"

note "fast failover group"
ofctl h1 del-flows br0
ofctl h1 -O OpenFlow13 add-group br0 "group_id=2,type=ff,bucket=watch_port:2,output:2,bucket=watch_port:3,output:3"
ofctl h1 -O OpenFlow13 add-flow br0 "in_port=1,udp,tp_dst=6001,actions=group:2"
count_udp vm2 6001 3
count_udp vm3 6001 3
sleep 1
send_udp vm1 10.0.0.2 6001 5 0 0.1
sleep 3
[ "$(cat "$VT/count.vm2.6001")" -eq 5 ] && [ "$(cat "$VT/count.vm3.6001")" -eq 0 ] ||
  fail "fast failover: the live first bucket did not carry the traffic ($(cat "$VT/count.vm2.6001") to vm2, $(cat "$VT/count.vm3.6001") to vm3)"
# VM2's link goes down: its port is no longer live, the second bucket takes over.
ip -n "xt${SUF}vm2" link set eth0 down
sleep 1.5
count_udp vm3 6001 3
sleep 1
send_udp vm1 10.0.0.2 6001 5 0 0.1
sleep 3
[ "$(cat "$VT/count.vm3.6001")" -eq 5 ] || fail "fast failover: no failover to the second bucket when tap1 went down"
ip -n "xt${SUF}vm2" link set eth0 up

note "meter"
ofctl h1 del-flows br0
ofctl h1 -O OpenFlow13 add-meter br0 "meter=1,pktps,burst,stats,band=type=drop,rate=10,burst_size=10"
ofctl h1 -O OpenFlow13 add-flow br0 "in_port=1,udp,tp_dst=6002,actions=meter:1,output:2"
sleep 1
count_udp vm2 6002 4
sleep 1
# One datagram first (its megaflow, with the meter, goes in), then 299
# back to back: 300 through the meter.
send_udp vm1 10.0.0.2 6002 1
sleep 0.3
send_udp vm1 10.0.0.2 6002 299
sleep 4
got=$(cat "$VT/count.vm2.6002")
mstats=$(ofctl h1 -O OpenFlow13 meter-stats br0)
echo "$mstats"
note "meter: $got of 300 datagrams passed"
[ "$got" -ge 5 ] && [ "$got" -le 60 ] || fail "the meter (10 packets/s, burst 10) let $got of 300 through"
grep -q "packet_in_count:300 " <<<"$mstats" || fail "the meter did not count 300 packets in"
band=$(grep -o "0: packet_count:[0-9]*" <<<"$mstats" | grep -o "[0-9]*$")
[ "$band" -eq $((300 - got)) ] || fail "the band counted $band drops, $((300 - got)) expected"

note "clone"
# The clone rewrites its copy toward vm3; the packet itself goes on to vm2
# unchanged. Three datagrams: the first is executed from userspace, the
# others take the megaflow.
ofctl h1 del-flows br0
mac3=$(mac_of vm3)
ofctl h1 add-flow br0 "in_port=1,udp,tp_dst=6003,actions=clone(mod_nw_dst:10.0.0.3,mod_dl_dst:$mac3,output:3),output:2"
for vm in vm2 vm3; do
  ip netns exec "xt$SUF$vm" timeout 4 tcpdump -i eth0 -nn -l -e "udp dst port 6003" >"$VT/clone.$vm" 2>/dev/null &
  E2E_PIDS+=($!)
done
sleep 1
send_udp vm1 10.0.0.2 6003 3 0 0.1
sleep 3.5
to2=$(grep -c "> 10.0.0.2.6003" "$VT/clone.vm2") to3=$(grep -c "> $mac3.*> 10.0.0.3.6003" "$VT/clone.vm3")
note "clone: $to2 datagrams to vm2 as sent, $to3 rewritten copies to vm3"
[ "$to2" -eq 3 ] && [ "$to3" -eq 3 ] || { cat "$VT/clone.vm2" "$VT/clone.vm3"; fail "clone: $to2 to vm2 and $to3 to vm3, 3 each expected"; }
[ "$(grep -c "10.0.0.3" "$VT/clone.vm2")" -eq 0 ] || fail "the clone's rewrite leaked into the packet sent to vm2"
note "conjunction"
ofctl h1 del-flows br0
ofctl h1 add-flows br0 - <<'EOF'
priority=100,udp,nw_src=10.0.0.1 actions=conjunction(10,1/2)
priority=100,udp,nw_src=10.0.0.7 actions=conjunction(10,1/2)
priority=100,udp,tp_dst=7001 actions=conjunction(10,2/2)
priority=100,udp,tp_dst=7002 actions=conjunction(10,2/2)
priority=90,udp,nw_src=10.0.0.5 actions=conjunction(11,1/2)
priority=90,udp,tp_dst=7003 actions=conjunction(11,2/2)
priority=50,conj_id=10 actions=output:2
priority=50,conj_id=11 actions=output:2
EOF
for port in 7001 7002 7003 7004; do count_udp vm2 $port 4; done
sleep 1
for port in 7001 7002 7003 7004; do send_udp vm1 10.0.0.2 $port 3 1 0.05; done
sleep 3.5
got=""
for port in 7001 7002 7003 7004; do got+="$port:$(cat "$VT/count.vm2.$port") "; done
note "conjunction: datagrams at vm2 by port: $got"
[ "$got" = "7001:3 7002:3 7003:0 7004:0 " ] || { ofctl h1 dump-flows br0; megaflows; fail "conjunction: $got (7001:3 7002:3 7003:0 7004:0 expected)"; }
flows=$(ofctl h1 dump-flows br0)
echo "$flows"
grep -q "n_packets=6,.*priority=50,conj_id=10 actions=output:2" <<<"$flows" || fail "the conj_id=10 rule did not count 6 packets"
grep -q "n_packets=0,.*priority=50,conj_id=11 actions=output:2" <<<"$flows" || fail "the conj_id=11 rule counted packets"
mf=$(megaflows)
echo "$mf"
pass=$(grep "dst=7001" <<<"$mf" | head -1)
grep -q "src=10.0.0.1[,)]" <<<"$pass" || fail "the conjunction's megaflow does not pin the source: $pass"
drop=$(grep "dst=7004" <<<"$mf" | head -1)
grep -q "actions:drop" <<<"$drop" || fail "no drop megaflow for port 7004: $drop"

note "port mods and port status"
ofctl h1 del-flows br0
ofctl h1 add-flows br0 - <<'EOF'
priority=50,udp,tp_dst=7100 actions=output:2
priority=50,udp,tp_dst=7101 actions=FLOOD
priority=50,udp,tp_dst=7102 actions=output:2
EOF
mon=$VT/monitor_ports.txt
OVS_RUNDIR=$VT/h1 ovs-ofctl monitor br0 65534 >"$mon" 2>&1 &
E2E_PIDS+=($!)
for _ in $(seq 50); do grep -q "OFPT_GET_CONFIG_REPLY" "$mon" 2>/dev/null && break; sleep 0.1; done
# count_through PORT VMS...: sends 3 datagrams from vm1 to PORT; prints
# how many each of VMS saw.
count_through() {
  local port=$1 vm; shift
  for vm in "$@"; do count_udp "$vm" "$port" 3; done
  sleep 1
  send_udp vm1 10.0.0.2 "$port" 3 1 0.05
  sleep 2.5
  for vm in "$@"; do printf '%s ' "$(cat "$VT/count.$vm.$port")"; done
}
# expect_through PORT WANT WHAT VMS...: count_through must print WANT.
expect_through() {
  local port=$1 want=$2 what=$3 got; shift 3
  got=$(count_through "$port" "$@")
  [ "$got" = "$want" ] || fail "$what: $* saw $got datagrams ($want expected)"
}
ofctl h1 mod-port br0 tap1 no-forward
expect_through 7100 "0 " "no-forward on tap1" vm2
ofctl h1 mod-port br0 tap1 forward
expect_through 7100 "3 " "forward again on tap1" vm2
ofctl h1 mod-port br0 tap2 no-flood
expect_through 7101 "3 0 3 " "no-flood on tap2" vm2 vm3 vm4
ofctl h1 mod-port br0 tap0 no-receive
expect_through 7102 "0 " "no-receive on tap0" vm2
ofctl h1 mod-port br0 tap0 receive
expect_through 7102 "3 " "receive again on tap0" vm2
shown=$(ofctl h1 show br0)
echo "$shown"
grep -A2 "^ 3(tap2)" <<<"$shown" | grep -q "config:.*NO_FLOOD" || fail "ovs-ofctl show does not say NO_FLOOD for tap2"
# Down: the device goes down, show says so, the monitor hears of it.
ofctl h1 mod-port br0 tap1 down
ip -n "xt${SUF}h1" link show tap1 | grep -q "[<,]UP[,>]" && fail "mod-port down left tap1 administratively up"
grep -A2 "^ 2(tap1)" <<<"$(ofctl h1 show br0)" | grep -q "config:.*PORT_DOWN" || fail "show does not say PORT_DOWN for tap1"
ofctl h1 mod-port br0 tap1 up
ip -n "xt${SUF}h1" link show tap1 | grep -q "[<,]UP[,>]" || fail "mod-port up did not bring tap1 up"
# A port added and deleted through the database.
ip -n "xt${SUF}h1" link add tap9 type veth peer name tap9p
vsctl xvs h1 add-port br0 tap9 -- set interface tap9 ofport_request=9
vsctl xvs h1 del-port br0 tap9
for _ in $(seq 50); do grep -q "DEL: 9(tap9)" "$mon" && break; sleep 0.1; done
cat "$mon"
for want in "MOD: 2(tap1)" "MOD: 1(tap0)" "ADD: 9(tap9)" "DEL: 9(tap9)"; do
  grep -q "$want" "$mon" || fail "the monitor got no port status '$want'"
done
grep -A1 "MOD: 2(tap1)" "$mon" | grep -q "PORT_DOWN" || fail "no port status with tap1's PORT_DOWN"
echo PASS
