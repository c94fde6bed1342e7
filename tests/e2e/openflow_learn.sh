#!/usr/bin/env bash
# MAC learning done by OpenFlow's learn action on the BPF datapath:
# xvs-vswitchd in a namespace, three VMs on veth pairs, and two tables
#   table 0: learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)
#   table 1: a miss floods
#  1. after a ping between VM1 and VM2, table 1 holds a flow per address
#     (dl_dst=MAC actions=output:PORT) and the unicast traffic uses them:
#     their packet counters move, and VM3 sees none of the pings;
#  2. the megaflows match the source address (learn read it) and the
#     destination (table 1 looked it up);
#  3. learn(...,hard_timeout=2) flows go 2 s after the traffic that
#     learned them stops, and come back with the next ping; while pings
#     keep flowing through megaflows (no upcalls), they stay;
#  4. deleting the learning flow of a learn(...,delete_learned) takes
#     the flows it learned with it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping tcpdump ovs-ofctl

for n in h1 vm1 vm2 vm3; do new_ns $n; done
vm_link h1 tap0 vm1 10.0.0.1/24
vm_link h1 tap1 vm2 10.0.0.2/24
vm_link h1 tap2 vm3 10.0.0.3/24
start_switch h1
vsctl xvs h1 add-br br0 -- set bridge br0 fail-mode=secure
for i in 0 1 2; do vsctl xvs h1 add-port br0 tap$i -- set interface tap$i ofport_request=$((i + 1)); done
mac1=$(mac_of vm1) mac2=$(mac_of vm2)

note "learning"
ofctl h1 add-flows br0 - <<'EOF2'
table=0 actions=learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)
table=1 priority=0 actions=flood
EOF2
ping_ok vm1 10.0.0.2
flows=$(ofctl h1 dump-flows br0 table=1)
echo "$flows"
grep -q "dl_dst=$mac1 actions=output:1" <<<"$flows" || fail "no learned flow for vm1's address"
grep -q "dl_dst=$mac2 actions=output:2" <<<"$flows" || fail "no learned flow for vm2's address"

# The unicast pings use the learned flows: VM3 sees none of them.
cap=$VT/vm3.txt
ip netns exec "xt${SUF}vm3" timeout 6 tcpdump -i eth0 -nn -l icmp >"$cap" 2>/dev/null &
tcpdump_pid=$!
E2E_PIDS+=("$tcpdump_pid")
sleep 1
ip netns exec "xt${SUF}vm1" ping -c 10 -i 0.1 -W 2 10.0.0.2 >/dev/null || fail "vm1 cannot reach vm2"
wait "$tcpdump_pid" || true
if grep -q "ICMP echo" "$cap"; then cat "$cap"; fail "vm3 saw the unicast pings: they were flooded"; fi
sleep 1  # the megaflows' statistics reach the rules within a run interval
flows=$(ofctl h1 dump-flows br0 table=1)
echo "$flows"
grep -E "n_packets=([1-9][0-9]+|[5-9]),.*dl_dst=$mac2 actions=output:2" <<<"$flows" >/dev/null ||
  fail "the learned flow to vm2 did not count the pings"

mf=$(appctl h1 dpif/dump-flows br0)
echo "$mf"
uni=$(grep "dst=$mac2" <<<"$mf" | grep "src=$mac1" | head -1)
[ -n "$uni" ] || fail "no megaflow matching both vm1's source and vm2's destination address"

note "hard_timeout: learned flows go when the learning traffic stops"
ofctl h1 del-flows br0
ofctl h1 add-flows br0 - <<'EOF2'
table=0 actions=learn(table=1,hard_timeout=2,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)
table=1 priority=0 actions=flood
EOF2
# Four seconds of pings: every packet is a megaflow hit after the first,
# and the statistics they leave keep refreshing the learned flows.
ip netns exec "xt${SUF}vm1" ping -c 40 -i 0.1 -W 2 10.0.0.2 >/dev/null || fail "vm1 cannot reach vm2"
ofctl h1 dump-flows br0 table=1 | grep -q "dl_dst=$mac1" || fail "the learned flow expired while traffic flowed"
for _ in $(seq 60); do
  ofctl h1 dump-flows br0 table=1 | grep -q "dl_dst=$mac1" || break
  sleep 0.1
done
if ofctl h1 dump-flows br0 table=1 | grep -q "dl_dst=$mac1"; then fail "the learned flow outlived its hard timeout"; fi
# The pings pass through megaflows that learned before: their statistics
# (read every run interval) bring the flow back.
ping_ok vm1 10.0.0.2
for _ in $(seq 30); do
  ofctl h1 dump-flows br0 table=1 | grep -q "dl_dst=$mac1" && break
  sleep 0.1
done
ofctl h1 dump-flows br0 table=1 | grep -q "dl_dst=$mac1" || fail "the address was not learned again"

note "delete_learned"
ofctl h1 del-flows br0
ofctl h1 add-flows br0 - <<'EOF2'
table=0 actions=learn(table=1,cookie=0x42,delete_learned,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)
table=1 priority=0 actions=flood
EOF2
ping_ok vm1 10.0.0.2
for _ in $(seq 30); do
  [ "$(ofctl h1 dump-flows br0 table=1 | grep -c cookie=0x42)" = 2 ] && break
  sleep 0.1
done
[ "$(ofctl h1 dump-flows br0 table=1 | grep -c cookie=0x42)" = 2 ] || fail "expected two learned flows"
ofctl h1 del-flows br0 table=0
flows=$(ofctl h1 dump-flows br0 table=1)
if grep -q "cookie=0x42" <<<"$flows"; then echo "$flows"; fail "the learned flows outlived the learn action"; fi
grep -q "priority=0 actions=FLOOD" <<<"$flows" || fail "delete_learned took other flows too"
echo PASS
