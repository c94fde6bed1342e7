#!/usr/bin/env bash
# What xvs-vswitchd writes back about interfaces, and how it follows the
# devices:
#  1. statistics: 200 pings of a fixed size from VM1 to VM2 through br0; by
#     the next statistics refresh (every 5 s) the Interface rows show them:
#     rx on VM1's port and tx on VM2's port (the requests), the other way
#     round for the replies; at least the count sent, and not much more.
#  2. a port whose device does not exist yet: the Interface row gets an
#     error and ofport -1 (as ovs-vswitchd does); once the device appears
#     the switch attaches it (error gone, ofport >= 1, traffic passes);
#     once it is deleted the error is back and the datapath port is gone.
#  3. a port deleted from the database leaves the datapath (xvs-dpctl show)
#     and the bridge (no traffic), and its device is left alone.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root ping nsenter

N=200 SIZE=100
FRAME=$((14 + 20 + 8 + SIZE))  # Ethernet + IPv4 + ICMP + payload
DPN="xvs${SUF}h1"

for n in h1 vm1 vm2 vm3; do new_ns $n; done
vm_link h1 tap0 vm1 10.0.0.1/24
vm_link h1 tap1 vm2 10.0.0.2/24
start_switch h1
vsctl xvs h1 init
vsctl xvs h1 add-br br0 -- add-port br0 tap0 -- add-port br0 tap1

# counter IFACE KEY: one counter of the Interface row's statistics column.
counter() {
  local v
  v=$(vsctl xvs h1 get interface "$1" statistics | grep -o "\b$2=[0-9]*" | cut -d= -f2)
  echo "${v:-}"
}
# ifcol IFACE COLUMN: the column's value ([] when empty).
ifcol() { vsctl xvs h1 get interface "$1" "$2"; }
dp_ports() { in_host h1 "$DPCTL" show "$DPN" | grep "^  port "; }

# ---- 1. statistics ------------------------------------------------------
# The rows carry statistics once the switch has written them; nothing has
# been sent yet (IPv6 is off, no address is in use), so this is the base.
for _ in $(seq 1 60); do
  [ -n "$(counter tap0 rx_packets)" ] && [ -n "$(counter tap1 tx_packets)" ] && break
  sleep 0.2
done
[ -n "$(counter tap0 rx_packets)" ] || fail "no statistics on tap0 after 12 s: $(ifcol tap0 statistics)"
declare -A base
for c in tap0:rx_packets tap0:rx_bytes tap0:tx_packets tap0:tx_bytes \
         tap1:rx_packets tap1:rx_bytes tap1:tx_packets tap1:tx_bytes; do
  base[$c]=$(counter "${c%%:*}" "${c#*:}")
done

out=$(ip netns exec "xt${SUF}vm1" ping -c $N -i 0.005 -s $SIZE -W 2 10.0.0.2) || true
echo "$out" | grep -q "^$N packets transmitted, $N received" || fail "ping: $(echo "$out" | tail -2)"
sent_ms=$(($(date +%s%N) / 1000000))
note "$N pings of $FRAME-byte frames from VM1 to VM2 and back"

# The next refresh shows them: wait for the interval (5 s) plus slack.
ok=
for _ in $(seq 1 50); do
  d=$(($(counter tap0 rx_packets) - base[tap0:rx_packets]))
  e=$(($(counter tap1 tx_packets) - base[tap1:tx_packets]))
  [ "$d" -ge $N ] && [ "$e" -ge $N ] && { ok=1; break; }
  sleep 0.2
done
waited=$(awk -v ms=$(($(date +%s%N) / 1000000 - sent_ms)) 'BEGIN {printf "%.1f", ms / 1000}')
[ -n "$ok" ] || fail "statistics not updated ${waited}s after the pings: tap0 $(ifcol tap0 statistics), tap1 $(ifcol tap1 statistics)"
note "statistics showed the pings ${waited}s after the last one"
# Requests: into the switch on tap0, out of it on tap1; replies the other
# way. Beyond the pings only ARP (a request and a reply each way at most,
# and the odd re-check) may have passed.
check_delta() {  # IFACE COUNTER MIN SLACK
  local now d
  now=$(counter "$1" "$2")
  d=$((now - base[$1:$2]))
  echo "    $1 $2 +$d"
  [ "$d" -ge "$3" ] || fail "$1 $2 grew by $d, expected at least $3"
  [ "$d" -le $(($3 + $4)) ] || fail "$1 $2 grew by $d, expected at most $(($3 + $4))"
}
for pair in tap0:rx tap1:tx tap1:rx tap0:tx; do
  check_delta "${pair%%:*}" "${pair#*:}_packets" $N 6
  check_delta "${pair%%:*}" "${pair#*:}_bytes" $((N * FRAME)) $((6 * 64))
done

# ---- 2. a port whose device comes later ----------------------------------
vsctl xvs h1 add-port br0 late0
err=$(ifcol late0 error)
of=$(ifcol late0 ofport)
[ "$of" = -1 ] || fail "late0 (no device) has ofport $of, expected -1"
[ "$err" != "[]" ] && [ -n "$err" ] || fail "late0 (no device) has no error"
note "late0 without a device: ofport -1, error $err"

# Twice: the device appears, is attached and carries traffic, goes away.
for round in 1 2; do
  ip link add name late0 netns "xt${SUF}h1" type veth peer name eth0 netns "xt${SUF}vm3"
  ip -n "xt${SUF}vm3" addr add 10.0.0.3/24 dev eth0
  ip -n "xt${SUF}vm3" link set eth0 up
  ip -n "xt${SUF}h1" link set dev late0 up
  for _ in $(seq 1 50); do
    [ "$(ifcol late0 error)" = "[]" ] && [ "$(ifcol late0 ofport)" -ge 1 ] && break
    sleep 0.2
  done
  [ "$(ifcol late0 error)" = "[]" ] || fail "late0 exists, still error $(ifcol late0 error)"
  of=$(ifcol late0 ofport)
  [ "$of" -ge 1 ] || fail "late0 exists, ofport $of"
  dp_ports | grep -q ": late0 " || fail "late0 is not in the datapath: $(dp_ports)"
  ping_ok vm3 10.0.0.1
  note "($round) late0 appeared: attached as OpenFlow port $of, VM3 reaches VM1"

  ip -n "xt${SUF}h1" link del late0
  for _ in $(seq 1 50); do
    [ "$(ifcol late0 error)" != "[]" ] && break
    sleep 0.2
  done
  err=$(ifcol late0 error)
  [ "$err" != "[]" ] || fail "late0 deleted, but no error"
  [ "$(ifcol late0 ofport)" = -1 ] || fail "late0 deleted, ofport $(ifcol late0 ofport)"
  dp_ports | grep -Eq ": (late0|<device gone>) " && fail "late0's datapath port remains: $(dp_ports)"
  note "($round) late0 deleted: error $err, ofport -1, not in the datapath"
done

# ---- 3. a port deleted from the database ----------------------------------
dp_ports | grep -q ": tap1 " || fail "tap1 is not in the datapath: $(dp_ports)"
# The datapath's programs on the device (bpftool names them; optional).
# (grep reads everything: with pipefail, grep -q's early exit can kill
# bpftool with SIGPIPE and fail the pipeline although it matched.)
hooked() { in_host h1 bpftool net show dev tap1 2>/dev/null | grep xvs_ >/dev/null; }
if command -v bpftool >/dev/null; then hooked || fail "bpftool shows no xvs program on tap1"; fi
vsctl xvs h1 del-port br0 tap1
dp_ports | grep -q ": tap1 " && fail "tap1 removed from br0 but still in the datapath: $(dp_ports)"
if command -v bpftool >/dev/null && hooked; then
  fail "tap1 removed from br0 but the datapath's program is still attached: $(in_host h1 bpftool net show dev tap1)"
fi
ip -n "xt${SUF}h1" link show dev tap1 >/dev/null || fail "the switch deleted tap1's device"
if ip netns exec "xt${SUF}vm1" ping -c 2 -i 0.2 -W 1 10.0.0.2 >/dev/null; then fail "VM1 still reaches VM2"; fi
dp_ports | grep -q ": tap0 " || fail "tap0 left the datapath too: $(dp_ports)"
note "tap1 deleted from br0: out of the datapath, device kept, VM2 unreachable"
echo PASS
