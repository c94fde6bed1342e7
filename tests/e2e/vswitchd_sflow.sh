#!/usr/bin/env bash
# sFlow export on the BPF datapath, checked with what a collector receives
# (tshark decodes the datagrams). Host h1 runs the switch; VM1 and VM2 on
# br0; the collector listens on h1's loopback; the agent address comes from
# device mgmt (the seed's AGENT_IP=eth1). Configured as the seed tutorial
# does (../shared/seeds/004_*: "create sflow ... -- set bridge br0
# sflow=@sflow"), with the tool named by $1: xvs (xvs-vsctl) or ovs
# (Debian's ovs-vsctl); "list sflow" and "remove bridge br0 sflow" too.
# VM1 sends 3000 UDP datagrams to VM2, sampled 1 in 8: the flow samples
# must number what 1-in-8 sampling gives (within 5 standard deviations),
# carry the VMs' addresses and ports, the ports' ifIndexes, and estimate
# the packets and bytes sent; counter samples report the ports' traffic.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
TOOL=${1:-xvs}
require_root tshark
[ "$TOOL" = ovs ] && require_root ovs-vsctl

switch_with_two_vms "$TOOL" 10.0.8
H="xt${SUF}h1"
ip -n "$H" link add mgmt type veth peer name mgmtx
ip -n "$H" addr add 192.168.50.1/24 dev mgmt
ip -n "$H" link set mgmt up

# The collector: a UDP socket on h1's loopback (so nothing answers with
# ICMP unreachable) and tshark capturing what arrives there. ("ip netns
# exec" runs them as our own children, so their pids are ours to end.)
ip netns exec "$H" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 6343))
while True:
    s.recv(65536)' &
E2E_PIDS+=($!)
CAP=$VT/sflow.pcap
ip netns exec "$H" tshark -q -i lo -f "udp port 6343" -w "$CAP" 2>/dev/null &
CAPTURE=$!
E2E_PIDS+=("$CAPTURE")
for _ in $(seq 50); do [ -s "$CAP" ] && break; sleep 0.2; done
sleep 1

note "sFlow configured with $TOOL-vsctl as in the seed tutorial"
vsctl "$TOOL" h1 -- --id=@sflow create sflow agent=mgmt target="\"127.0.0.1:6343\"" header=128 sampling=8 \
  polling=2 -- set bridge br0 sflow=@sflow
listing=$(vsctl "$TOOL" h1 list sflow)
echo "$listing"
grep -Eq '^sampling +: 8$' <<<"$listing" || fail "list sflow does not show sampling 8"
grep -q '127.0.0.1:6343' <<<"$listing" || fail "list sflow does not show the target"
show=$(appctl h1 sflow/show br0)
echo "$show"
grep -q "sFlow agent 192.168.50.1, sub-agent 0" <<<"$show" || fail "sflow/show: wrong agent"
# Every megaflow of the bridge now starts with the sample action.
ping_ok vm1 10.0.8.2
flows=$(appctl h1 dpif/dump-flows br0)
echo "$flows"
grep -q "actions:sample" <<<"$flows" || fail "megaflows do not start with a sample action"

N=3000
ip netns exec "xt${SUF}vm1" "$PY" - "$N" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"x" * 100, ("10.0.8.2", 5001))
    if i % 100 == 99:
        time.sleep(0.005)
PYEOF
sleep 4   # at least one counter poll (2 s) after the traffic, and the flush
show=$(appctl h1 sflow/show br0)
echo "$show"
kill -TERM "$CAPTURE"   # (a background job of a script ignores SIGINT)
wait "$CAPTURE" || true

if1=$(ip -n "$H" -o link show tap1 | cut -d: -f1)
if2=$(ip -n "$H" -o link show tap2 | cut -d: -f1)
# Every sample, as tshark decodes it (sflow_decode.py prints the fields).
ALL=$("$PY" "$SRC/tests/e2e/sflow_decode.py" "$CAP")
# Flow samples of VM1's datagrams:
# F agent sub rate pool seq input output frame_len src dst proto dport
samples=$(awk '$1 == "F" && $10 == "10.0.8.1" && $13 == 5001' <<<"$ALL")
n=$(grep -c . <<<"$samples" || true)
lo=$(( N / 8 - 5 * 18 )) hi=$(( N / 8 + 5 * 18 ))
note "$n flow samples of $N datagrams at 1 in 8 (expected $lo..$hi)"
[ "$n" -ge "$lo" ] && [ "$n" -le "$hi" ] || { head <<<"$ALL"; fail "$n flow samples, expected $lo..$hi"; }
bad=$(awk -v i1="$if1" -v i2="$if2" '$2 != "192.168.50.1" || $3 != 0 || $4 != 8 || $7 != i1 || $8 != i2 ||
  $9 != 146 || $11 != "10.0.8.2" || $12 != 17' <<<"$samples" | head -3)
[ -z "$bad" ] || fail "flow samples with a wrong agent/rate/ports/length/address (want agent 192.168.50.1, rate 8, in $if1, out $if2, 146 bytes): $bad"
# Estimated from the samples: packets = samples x rate, bytes likewise.
est=$(( n * 8 ))
[ $(( est * 100 / N )) -ge 85 ] && [ $(( est * 100 / N )) -le 115 ] || fail "estimated $est packets of $N"
note "estimated $est packets, $(( est * 146 )) bytes (sent $N, $(( N * 146 )) bytes with FCS)"
# The sampler's pool grows by the rate with each sample, its sequence by one.
read -r pmax smax < <(awk '$1 == "F" {print $5, $6}' <<<"$ALL" | sort -n | tail -1)
[ "$pmax" = $(( smax * 8 )) ] || fail "sample pool $pmax after $smax samples at 1 in 8"
# Counter samples: C agent sub ifindex in_pkts in_octets out_pkts out_octets oper
read -r inpkt inoct oper < <(awk -v i="$if1" '$1 == "C" && $4 == i {print $5, $6, $9}' <<<"$ALL" | tail -1)
note "last counter sample of tap1: $inpkt packets, $inoct octets in, oper status $oper"
[ "${inpkt:-0}" -ge "$N" ] || fail "tap1's counters say ${inpkt:-none} packets in, VM1 sent $N"
[ "${inoct:-0}" -ge $(( N * 142 )) ] || fail "tap1's counters say ${inoct:-none} octets in"
[ "$oper" = 1 ] || fail "tap1's counters say it is not up"
awk -v i="$if2" '$1 == "C" && $4 == i' <<<"$ALL" | grep -q . || fail "no counter samples of tap2"
grep -q "send errors: 0" <<<"$show" || fail "the agent had send errors"

note "remove bridge br0 sflow"
uuid=$(vsctl "$TOOL" h1 get bridge br0 sflow)
vsctl "$TOOL" h1 remove bridge br0 sflow "$uuid"
[ -z "$(vsctl "$TOOL" h1 list sflow)" ] || fail "the sFlow row outlived its bridge reference"
grep -q "br0: sFlow off" <<<"$(appctl h1 sflow/show br0)" || fail "sflow/show does not say off"
ping_ok vm1 10.0.8.2
appctl h1 dpif/dump-flows br0 | grep -q "sample" && fail "megaflows still sample after sFlow was removed"
echo PASS
