#!/usr/bin/env bash
# Userspace routing for tunnels on a real switch: host h1 runs xvs-vswitchd
# with bridge br0, whose internal interface br0 holds 192.168.77.1/24, and
# VM1 (192.168.77.2) behind tap1. Checked: the routes ovs/route/show caches
# from the kernel, that a kernel route change is picked up live, user
# routes and the commands' errors (Open vSwitch's texts); the neighbour
# cache learning from the kernel's neighbour table (and its changes) and
# by snooping an ARP reply that reaches br0's local port, tnl/neigh/set,
# flush, and the tnl/arp/* aliases.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping
require_scapy
trap 'dump_logs' ERR

for n in h1 vm1; do new_ns $n; done
vm_link h1 tap1 vm1 192.168.77.2/24
start_switch h1
vsctl xvs h1 add-br br0 -- add-port br0 tap1
H="xt${SUF}h1"
ip -n "$H" addr add 192.168.77.1/24 dev br0
ip -n "$H" link set br0 up
ping_ok vm1 192.168.77.1

# until_shows CMD... PATTERN: waits up to 5 s for PATTERN in the command's output.
until_shows() {
  local pattern=${*: -1} out i
  for i in $(seq 50); do
    out=$(appctl h1 "${@:1:$#-1}")
    grep -qF -- "$pattern" <<<"$out" && return 0
    sleep 0.1
  done
  echo "$out"
  fail "'${*:1:$#-1}' never showed '$pattern'"
}

note "routes cached from the kernel"
until_shows ovs/route/show "Cached: 192.168.77.1/32 dev br0 SRC 192.168.77.1 local"
until_shows ovs/route/show "Cached: 192.168.77.0/24 dev br0 SRC 192.168.77.1"
ip -n "$H" route add 10.55.0.0/16 via 192.168.77.254 dev br0
until_shows ovs/route/show "Cached: 10.55.0.0/16 dev br0 GW 192.168.77.254 SRC 192.168.77.1"
appctl h1 ovs/route/show
got=$(appctl h1 ovs/route/lookup 10.55.3.4)
[ "$got" = $'src 192.168.77.1\ngateway 192.168.77.254\ndev br0' ] || fail "lookup: '$got'"
got=$(appctl h1 ovs/route/lookup 192.168.77.5)
[ "$got" = $'src 192.168.77.1\ngateway ::\ndev br0' ] || fail "on-link lookup: '$got'"

note "a changed kernel route is picked up live"
ip -n "$H" route replace 10.55.0.0/16 via 192.168.77.253 dev br0
until_shows ovs/route/lookup 10.55.3.4 "gateway 192.168.77.253"
ip -n "$H" route del 10.55.0.0/16
for i in $(seq 50); do
  appctl h1 ovs/route/show | grep -q "10.55.0.0/16" || break
  sleep 0.1
done
appctl h1 ovs/route/show | grep -q "10.55.0.0/16" && fail "a deleted kernel route stayed"

note "user routes and errors"
[ "$(appctl h1 ovs/route/add 10.66.0.0/16 br0 192.168.77.9)" = OK ] || fail "ovs/route/add"
appctl h1 ovs/route/show | grep -qx "User: 10.66.0.0/16 dev br0 GW 192.168.77.9 SRC 192.168.77.1" ||
  fail "the user route is not shown"
[ "$(appctl h1 ovs/route/lookup 10.66.1.1)" = $'src 192.168.77.1\ngateway 192.168.77.9\ndev br0' ] ||
  fail "lookup by the user route"
expect_error() {
  local want=$1 out; shift
  if out=$(appctl h1 "$@" 2>&1); then fail "'$*' succeeded: $out"; fi
  grep -qF "$want" <<<"$out" || fail "'$*': '$out', want '$want'"
}
expect_error "Error while inserting route." ovs/route/add 172.16.0.0/16 br0
expect_error "Invalid parameters" ovs/route/add 10.0.0.0/99 br0
expect_error "Invalid pkt_mark or gateway" ovs/route/add 10.0.0.0/8 br0 nowhere
expect_error "Not found" ovs/route/lookup 172.16.0.1
expect_error "Not found" ovs/route/del 10.77.0.0/16
[ "$(appctl h1 ovs/route/del 10.66.0.0/16)" = OK ] || fail "ovs/route/del"
# The switch keeps running after bad commands.
appctl h1 ovs/route/show | grep -q "Route Table:" || fail "no route table after the errors"

note "neighbours from the kernel's table, and their changes"
ip -n "$H" neigh replace 192.168.77.254 lladdr 02:00:00:00:77:fe dev br0 nud permanent
until_shows tnl/neigh/show "192.168.77.254                                02:00:00:00:77:fe   br0"
ip -n "$H" neigh replace 192.168.77.254 lladdr 02:00:00:00:77:fd dev br0 nud permanent
until_shows tnl/arp/show "192.168.77.254                                02:00:00:00:77:fd   br0"

note "an ARP reply to br0's address is snooped"
# Unsolicited, from an address the kernel never asked for: only the
# switch's snooping can learn it.
br0_mac=$(ip -n "$H" link show br0 | awk '/link\/ether/ {print $2}')
ip netns exec "xt${SUF}vm1" "$PY" - "$br0_mac" <<'PYEOF'
import sys
from scapy.all import Ether, ARP, sendp
sendp(Ether(src="02:00:00:00:77:99", dst=sys.argv[1]) /
      ARP(op=2, hwsrc="02:00:00:00:77:99", psrc="192.168.77.99", hwdst=sys.argv[1], pdst="192.168.77.1"),
      iface="eth0", verbose=False)
# And a gratuitous ARP (a broadcast request for the sender's own address).
sendp(Ether(src="02:00:00:00:77:98", dst="ff:ff:ff:ff:ff:ff") /
      ARP(op=1, hwsrc="02:00:00:00:77:98", psrc="192.168.77.98", pdst="192.168.77.98"),
      iface="eth0", verbose=False)
PYEOF
until_shows tnl/neigh/show "192.168.77.99                                 02:00:00:00:77:99   br0"
until_shows tnl/neigh/show "192.168.77.98                                 02:00:00:00:77:98   br0"
for ip in 192.168.77.99 192.168.77.98; do
  ip -n "$H" neigh show "$ip" | grep -q lladdr && fail "the kernel learned $ip too: the check proves nothing"
done

note "tnl/neigh/set, aging and flush"
[ "$(appctl h1 tnl/neigh/set br0 192.168.77.50 aa:55:aa:55:00:01)" = OK ] || fail "tnl/neigh/set"
until_shows tnl/neigh/show "192.168.77.50                                 aa:55:aa:55:00:01   br0"
expect_error "bad MAC address" tnl/arp/set br0 192.168.77.50 aa:55
[ "$(appctl h1 tnl/neigh/aging)" = 900 ] || fail "default aging"
expect_error "bad aging value" tnl/neigh/aging 0
[ "$(appctl h1 tnl/neigh/flush)" = OK ] || fail "tnl/neigh/flush"
[ "$(appctl h1 tnl/neigh/show | wc -l)" = 2 ] || fail "entries left after the flush"
echo PASS
