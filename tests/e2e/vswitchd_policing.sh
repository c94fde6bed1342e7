#!/usr/bin/env bash
# Per-interface ingress policing (Interface ingress_policing_rate/burst, in
# kbit/s and kbit, as in Open vSwitch): a UDP stream at 20 Mbit/s from a
# policed port arrives at about the policed rate; with the rate set back to
# 0 it arrives whole.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root iperf3 ping

two_vms
in_ns vm2 iperf3 -s -D -p 5201 --pidfile "$VT/iperf3.pid"
E2E_PIDFILES+=("$VT/iperf3.pid")
sleep 0.5

# received_mbps: Mbit/s that arrived of a 3 s, 20 Mbit/s UDP stream vm1 -> vm2.
received_mbps() {
  in_ns vm1 iperf3 -c 10.0.0.2 -p 5201 -u -b 20M -l 1000 -t 3 --json >"$VT/iperf.json" ||
    fail "iperf3 failed: $(cat "$VT/iperf.json")"
  $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
print(round((s["packets"] - s["lost_packets"]) * 1000 * 8 / s["seconds"] / 1e6, 2))' "$VT/iperf.json"
}

vsctl xvs h1 set interface tap0 ingress_policing_rate=2000 ingress_policing_burst=200
policed=$(received_mbps)
echo "RESULT: policed at 2000 kbit/s: $policed Mbit/s arrived of 20"
$PY -c "import sys; sys.exit(not (1.0 <= $policed <= 3.0))" || fail "policed rate $policed Mbit/s is not about 2"

vsctl xvs h1 set interface tap0 ingress_policing_rate=0
free=$(received_mbps)
echo "RESULT: unpoliced: $free Mbit/s arrived of 20"
$PY -c "import sys; sys.exit(not ($free >= 15))" || fail "unpoliced rate $free Mbit/s"
echo PASS
