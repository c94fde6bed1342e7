#!/usr/bin/env bash
# Flows added with xvs-dpctl forward ping and an iperf3 TCP stream between
# namespaces; a miss shows in monitor-upcalls; flooding reaches every other
# port; forwarding goes on while the userspace process is killed.
# Usage: dpctl_forwarding.sh tc|xdp
source "$(dirname "$0")/lib.sh"
HOOK=${1:-tc}
require_root ip ping iperf3 tcpdump ethtool python3

new_dp e2e
new_host a 10.201.0.1/24
new_host b 10.201.0.2/24
new_host c 10.201.0.3/24
if [ "$HOOK" = xdp ]; then
  # XDP_REDIRECT into a veth needs NAPI on the receiving end (GRO), and an
  # XDP frame loses the skb's partial-checksum state, so the senders must
  # checksum in software (see docs/ARCHITECTURE.md).
  for h in a b c; do in_ns $h ethtool -K eth0 gro on tx off >/dev/null; done
  OPTS=",hook=xdp,xdp_tx=yes"
else
  OPTS=",hook=tc"
fi
for h in a b c; do "$DPCTL" add-if "$DP" "$(dev_of $h)$OPTS" >/dev/null; done
"$DPCTL" show "$DP"
want_hooks=$([ "$HOOK" = xdp ] && echo "xdp(prog [0-9]*)+tcx(prog [0-9]*)" || echo "tcx(prog [0-9]*)")
[ "$("$DPCTL" show "$DP" | grep -c "hooks $want_hooks,")" = 3 ] || fail "ports are not attached with $want_hooks"

note "unicast flows: port 1 <-> port 2"
"$DPCTL" add-flow "$DP" "in_port(1)" 2
"$DPCTL" add-flow "$DP" "in_port(2)" 1
in_ns a ping -c 3 -i 0.2 -W 2 10.201.0.2 >/dev/null || fail "ping a->b through the datapath"
"$DPCTL" dump-flows "$DP" | tee /dev/stderr | grep -q "in_port(1), packets:[1-9]" || fail "flow stats did not count"

note "TCP: iperf3 a->b"
bg in_ns b iperf3 -s -1 -B 10.201.0.2
sleep 0.5
out=$(in_ns a timeout 20 iperf3 -c 10.201.0.2 -t 2 -J) || fail "iperf3 failed"
bytes=$(echo "$out" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bytes"]))')
echo "iperf3 received $bytes bytes"
[ "$bytes" -gt 1000000 ] || fail "iperf3 moved only $bytes bytes"

note "a miss from port 3 is upcalled"
mon=$(mktemp)
bg "$DPCTL" monitor-upcalls "$DP" --count 1 --timeout 10 >"$mon"
monpid=$!
sleep 0.3
in_ns c ping -c 1 -W 1 10.201.0.9 >/dev/null 2>&1 || true
wait $monpid || true
cat "$mon"
grep -q "^miss in_port=3 " "$mon" || fail "no miss upcall from port 3"
grep -q "eth_type(0x0806)" "$mon" || fail "the upcall's key is not the ARP it carried"
rm -f "$mon"

note "flood from port 3 reaches ports 1 and 2, not port 3"
"$DPCTL" add-flow "$DP" "in_port(3)" "flood(0)"
capa=$(mktemp); capb=$(mktemp); capc=$(mktemp)
bg in_ns a timeout 5 tcpdump -i eth0 -nn -c 1 -Q in arp >"$capa" 2>/dev/null
bg in_ns b timeout 5 tcpdump -i eth0 -nn -c 1 -Q in arp >"$capb" 2>/dev/null
bg in_ns c timeout 3 tcpdump -i eth0 -nn -c 1 -Q in arp >"$capc" 2>/dev/null
sleep 1
in_ns c ping -c 2 -i 0.3 -W 1 10.201.0.9 >/dev/null 2>&1 || true
sleep 2.5
grep -q "who-has 10.201.0.9" "$capa" || fail "flood did not reach port 1"
grep -q "who-has 10.201.0.9" "$capb" || fail "flood did not reach port 2"
grep -q "who-has" "$capc" && fail "flood came back to its ingress port"
rm -f "$capa" "$capb" "$capc"

note "killing a userspace process does not stop forwarding"
bg "$DPCTL" monitor-upcalls "$DP"
victim=$!
pingout=$(mktemp)
bg in_ns a ping -c 20 -i 0.1 -W 1 10.201.0.2 >"$pingout"
pinger=$!
sleep 0.5
kill -9 "$victim"
wait "$pinger" || true
grep -q " 0% packet loss" "$pingout" || { cat "$pingout"; fail "pings were lost around the kill"; }
rm -f "$pingout"

note "upgrade-dp swaps the programs in place: flows stay, no packet is lost"
prog_of() { "$DPCTL" show "$DP" | sed -n 's/.*port 1: .*tcx(prog \([0-9]*\)).*/\1/p'; }
before=$(prog_of)
pingout=$(mktemp)
bg in_ns a ping -c 30 -i 0.05 -W 1 10.201.0.2 >"$pingout"
pinger=$!
sleep 0.3
"$DPCTL" upgrade-dp "$DP"
wait "$pinger" || true
after=$(prog_of)
echo "tcx program of port 1: $before -> $after"
[ "$before" != "$after" ] || fail "upgrade-dp did not replace the program"
grep -q " 0% packet loss" "$pingout" || { cat "$pingout"; fail "pings were lost during upgrade-dp"; }
"$DPCTL" dump-flows "$DP" | grep -q "in_port(1), packets:" || fail "flows did not survive upgrade-dp"
rm -f "$pingout"

note "drop counters"
"$DPCTL" dump-drops "$DP"
echo "PASS"
