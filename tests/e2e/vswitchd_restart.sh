#!/usr/bin/env bash
# Restart without loss: a UDP stream runs between two VMs through the
# bridge while xvs-vswitchd is SIGKILLed and restarted. The pinned
# datapath keeps forwarding the established flows; the restarted daemon
# adopts the datapath and its megaflows instead of flushing them. Reports
# the loss iperf3 measured; the target (and the assertion) is zero.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root iperf3 ping

two_vms

ip netns exec "xt${SUF}vm2" iperf3 -s -1 -D -p 5201 --pidfile "$VT/iperf3.pid"
E2E_PIDFILES+=("$VT/iperf3.pid")
sleep 0.5
ip netns exec "xt${SUF}vm1" iperf3 -c 10.0.0.2 -p 5201 -u -b 10M -l 1000 -t 6 --json >"$VT/iperf.json" &
client=$!
E2E_PIDS+=("$client")
sleep 2
flows_before=$("$DPCTL" dump-flows "xvs${SUF}h1" | wc -l)
pid=$(cat "$VT/h1/vs.pid")
kill -9 "$pid"
note "xvs-vswitchd (pid $pid) killed with SIGKILL; $flows_before megaflows in the datapath"
sleep 1
start_vswitchd h1
note "xvs-vswitchd restarted"
wait "$client" || fail "iperf3 client failed: $(cat "$VT/iperf.json")"

read -r lost total < <($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum"]
print(d["lost_packets"], d["packets"])' "$VT/iperf.json")
echo "RESULT: restart under a 10 Mbit/s UDP stream: lost $lost of $total datagrams"
grep -Eq "adopted [0-9]+ megaflows" "$VT/h1/vs.log" || fail "the restarted daemon did not adopt the datapath's megaflows"
[ "$total" -gt 3000 ] || fail "stream too short ($total datagrams)"
[ "$lost" -eq 0 ] || fail "$lost datagrams lost across the restart"
# The switch works after the restart: a new flow (new destination) gets set up.
ping_ok vm2 10.0.0.1
echo PASS
