#!/usr/bin/env bash
# NetFlow v5 export on the BPF datapath, checked with what Debian's nfcapd
# collects (read back with nfdump). Host h1 runs the switch, VM1 and VM2 on
# br0, the collector on h1's loopback; configured with the tool named by
# $1: xvs (xvs-vsctl) or ovs (Debian's ovs-vsctl), as ovs-vsctl's manual
# shows ("create netflow targets=... -- set bridge br0 netflow=@nf").
# VM1 sends three UDP flows of 100, 200 and 300 datagrams; once their
# megaflows expire, the collector must hold one record per flow with
# exactly those packet and byte counts, the VMs' addresses and ports, and
# the OpenFlow ports they came in and left by.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
TOOL=${1:-xvs}
require_root nfcapd nfdump
[ "$TOOL" = ovs ] && require_root ovs-vsctl

for n in h1 vm1 vm2; do new_ns $n; done
vm_link h1 tap1 vm1 10.0.9.1/24
vm_link h1 tap2 vm2 10.0.9.2/24
H="xt${SUF}h1"
start_switch h1
vsctl "$TOOL" h1 init
# Megaflows expire 1 s after their last packet: the records follow.
vsctl "$TOOL" h1 set open_vswitch . other_config:max-idle=1000
vsctl "$TOOL" h1 add-br br0 -- add-port br0 tap1 -- add-port br0 tap2
ping_ok vm1 10.0.9.2

FLOWS=$VT/flows
mkdir -p "$FLOWS"
ip netns exec "$H" nfcapd -w "$FLOWS" -b 127.0.0.1 -p 2055 -t 3600 >"$VT/nfcapd.log" 2>&1 &
NFCAPD=$!
E2E_PIDS+=("$NFCAPD")
sleep 1

note "NetFlow configured with $TOOL-vsctl"
vsctl "$TOOL" h1 -- set bridge br0 netflow=@nf -- --id=@nf create netflow targets=\"127.0.0.1:2055\" \
  engine_type=3 engine_id=7 active_timeout=60
listing=$(vsctl "$TOOL" h1 list netflow)
echo "$listing"
grep -q '127.0.0.1:2055' <<<"$listing" || fail "list netflow does not show the target"
show=$(appctl h1 netflow/show br0)
echo "$show"
grep -q "engine type 3, engine id 7, active timeout 60 s" <<<"$show" || fail "netflow/show: wrong settings"

ip netns exec "xt${SUF}vm1" "$PY" - <<'PYEOF'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.9.1", 4000))
for port, n in ((5001, 100), (5002, 200), (5003, 300)):
    # The first datagram sets the megaflow up; the rest follow it (none
    # meets a miss: a burst of misses may lose packets before the switch
    # has the megaflow in, and lost packets are not reported).
    s.sendto(b"y" * 100, ("10.0.9.2", port))
    time.sleep(0.3)
    for i in range(n - 1):
        s.sendto(b"y" * 100, ("10.0.9.2", port))
        if i % 50 == 49:
            time.sleep(0.002)
PYEOF
# Each flow is its own megaflow (NetFlow makes them exact on the ports).
flows=$(appctl h1 dpif/dump-flows br0)
echo "$flows"
for p in 5001 5002 5003; do
  grep -q "dst=$p" <<<"$flows" || fail "no megaflow of its own for UDP port $p"
done
sleep 4   # idle expiry (1 s) at the next revalidator run, then the record goes out
show=$(appctl h1 netflow/show br0)
echo "$show"
grep -q "send errors: 0" <<<"$show" || fail "the exporter had send errors"
kill -TERM "$NFCAPD"
wait "$NFCAPD" || true
cat "$VT/nfcapd.log"

of1=$(vsctl "$TOOL" h1 get interface tap1 ofport)
of2=$(vsctl "$TOOL" h1 get interface tap2 ofport)
records=$(nfdump -R "$FLOWS" -q -N -o "fmt:%sa %da %sp %dp %pr %pkt %byt %in %out" | awk '{$1=$1; print}')
echo "$records"
for spec in "5001 100" "5002 200" "5003 300"; do
  read -r port n <<<"$spec"
  want="10.0.9.1 10.0.9.2 4000 $port 17 $n $(( n * 142 )) $of1 $of2"
  got=$(grep -E "^10\.0\.9\.1 10\.0\.9\.2 4000 $port " <<<"$records" || true)
  [ "$got" = "$want" ] || fail "record for port $port: '$got', want '$want'"
done
note "three records with exact packet and byte counts, addresses, ports and interfaces"
# The engine type and id reach the collector.
nfdump -R "$FLOWS" -q -N -o "fmt:%eng" | grep -q "3/7" || fail "the collector did not see engine 3/7"

note "remove bridge br0 netflow"
uuid=$(vsctl "$TOOL" h1 get bridge br0 netflow)
vsctl "$TOOL" h1 remove bridge br0 netflow "$uuid"
[ -z "$(vsctl "$TOOL" h1 list netflow)" ] || fail "the NetFlow row outlived its bridge reference"
grep -q "br0: NetFlow off" <<<"$(appctl h1 netflow/show br0)" || fail "netflow/show does not say off"
echo PASS
