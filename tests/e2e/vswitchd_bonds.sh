#!/usr/bin/env bash
# Active-backup bonds on the BPF datapath with real packets. Two switches:
# h1's br0 has VM1 (tap1) and two plain ports p1 and p2; h2's br0 has VM2
# (tap2) and bond0 of l1 and l2, l1 cabled to p1 and l2 to p2. h1 floods
# broadcasts out of both p1 and p2: h2 must take them from its active
# member only, so VM2 sees each once (and nothing loops back). When l1's
# link goes down, l2 takes over, and keeps the job when l1 comes back. Bond modes and LACP that xvs does not
# implement leave the bond's interfaces out with an error saying so.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping

for n in h1 h2 vm1 vm2; do new_ns $n; done
vm_link h1 tap1 vm1 10.0.7.1/24
vm_link h2 tap2 vm2 10.0.7.2/24
for i in 1 2; do
  ip link add "p$i" netns "xt${SUF}h1" type veth peer name "l$i" netns "xt${SUF}h2"
  ip -n "xt${SUF}h1" link set "p$i" up
  ip -n "xt${SUF}h2" link set "l$i" up
done
for h in h1 h2; do start_switch $h; vsctl xvs $h init; done
vsctl xvs h1 add-br br0 -- add-port br0 tap1 -- add-port br0 p1 -- add-port br0 p2
vsctl xvs h2 add-br br0 -- add-port br0 tap2 -- add-bond br0 bond0 l1 l2
for i in l1 l2; do
  of=$(vsctl xvs h2 get interface $i ofport)
  [ "$of" -ge 1 ] 2>/dev/null || fail "bond member $i has ofport '$of': $(vsctl xvs h2 get interface $i error)"
done

# broadcasts_seen: VM1 sends one broadcast frame of a private ethertype;
# prints how many copies VM2 received.
broadcasts_seen() {
  local out=$VT/seen.$RANDOM
  ip netns exec "xt${SUF}vm2" "$PY" - "$out" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind(("eth0", 0))
s.settimeout(0.2)
open(sys.argv[1] + ".ready", "w").close()
n, end = 0, time.time() + 2.5
while time.time() < end:
    try:
        s.recv(2048)
        n += 1
    except socket.timeout:
        pass
open(sys.argv[1], "w").write(str(n))
PYEOF
  local rx=$!
  E2E_PIDS+=("$rx")
  for _ in $(seq 50); do [ -e "$out.ready" ] && break; sleep 0.1; done
  ip netns exec "xt${SUF}vm1" "$PY" -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(b"\xff" * 6 + bytes([2, 0x66, 0, 0, 0, 1]) + b"\x88\xb5" + bytes(46))'
  wait "$rx"
  cat "$out"
}

note "active member l1"
ping_ok vm1 10.0.7.2
n=$(broadcasts_seen)
[ "$n" = 1 ] || fail "VM2 received $n copies of one broadcast (the inactive member l2 must drop its copy)"
trace=$(appctl h2 ofproto/trace br0 "in_port($(appctl h2 dpif/show | sed -nE 's|^    l2 [0-9]+/([0-9]+): .*|\1|p')),eth(src=02:66:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x88b5)" 2>&1)
grep -q "inactive member of bond bond0" <<<"$trace" || { echo "$trace"; appctl h2 dpif/show; fail "trace does not say l2 is inactive"; }

note "l1 down: l2 takes over"
ip -n "xt${SUF}h2" link set l1 down
sleep 2   # the switch polls link state every second
grep -q "bond bond0: active member l2" "$VT/h2/vs.log" || fail "h2 did not make l2 active"
# h1 still had VM2 behind p1: the learning packet from VM2's address out of
# l2 moved it to p2, so VM1's unicast reaches VM2 at once.
grep -q "bond bond0: sent [1-9][0-9]* learning packets" "$VT/h2/vs.log" || fail "no learning packets after failover"
ping_ok vm1 10.0.7.2
n=$(broadcasts_seen)
[ "$n" = 1 ] || fail "after failover VM2 received $n copies of one broadcast"
ip -n "xt${SUF}h2" link set l1 up
sleep 2
ping_ok vm1 10.0.7.2
# l1 is back, but l2 stays active (no second failover), as in Open vSwitch.
[ "$(grep -c "bond bond0: active member" "$VT/h2/vs.log")" = 2 ] ||
  { grep "bond bond0" "$VT/h2/vs.log"; fail "the active member changed again when l1 came back"; }
n=$(broadcasts_seen)
[ "$n" = 1 ] || fail "with l1 back VM2 received $n copies of one broadcast"

note "bond modes and LACP xvs does not implement"
vsctl xvs h2 set port bond0 bond_mode=balance-slb
err=$(vsctl xvs h2 get interface l1 error)
grep -q "bond_mode balance-slb is not supported" <<<"$err" || fail "l1's error is $err"
[ "$(vsctl xvs h2 get interface l2 ofport)" = -1 ] || fail "l2 still has an OpenFlow port under balance-slb"
ping_blocked vm1 10.0.7.2
vsctl xvs h2 set port bond0 bond_mode=active-backup lacp=active
grep -q "LACP (lacp=active) is not supported" <<<"$(vsctl xvs h2 get interface l2 error)" ||
  fail "lacp=active did not give an error"
vsctl xvs h2 set port bond0 lacp=off
[ "$(vsctl xvs h2 get interface l1 error)" = '[]' ] || fail "l1 keeps an error: $(vsctl xvs h2 get interface l1 error)"
ping_ok vm1 10.0.7.2
echo PASS
