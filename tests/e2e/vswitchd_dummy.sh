#!/usr/bin/env bash
# xvs-vswitchd --enable-dummy: the switch on the in-process dummy datapath,
# with no kernel datapath, no network devices and no root. Packets go in
# with netdev-dummy/receive (hex, or a flow in datapath syntax) and come out
# in netdev-dummy/tx and in the interfaces' options:tx_pcap files.
#
# br0 has p1 (tag=10), p2 (tag=10), p3 (trunk), all type=dummy:
#  1. a broadcast ARP received on p1 reaches p2 untagged, p3 and the
#     bridge's own port tagged 10, not p1; pcap files (read with scapy, and
#     with Debian's ovs-pcap when present) hold the same bytes;
#  2. the source MAC is learned (fdb/show), the miss installed a megaflow
#     (dpif/dump-flows) whose actions ofproto/trace shows too;
#  3. the same frame again hits that megaflow: its packets/bytes counters
#     and dpif/show's hit count move, no new upcall;
#  4. a unicast reply given as a datapath flow goes to p1 only (learned),
#     and lands in a tx_pcap set after p1 was added;
#  5. a tagged frame on the trunk p3 reaches p1 untagged;
#  6. errors: unknown port, bad packet.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
if ! $PY -c 'import scapy.all' 2>/dev/null; then
  [ "${CI:-}" = true ] && fail "needs python3-scapy (run scripts/setup)"
  echo "SKIPPED: needs python3-scapy"; exit 77
fi

D=$VT/h1
mkdir -p "$D"
"$XVS_TOOLS_DIR/xvsdb-tool" create "$D/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
"$XVS_TOOLS_DIR/xvsdb-server" "$D/conf.db" --remote="punix:$D/db.sock" --unixctl="$D/db.ctl" \
  --pidfile="$D/db.pid" --detach --no-chdir --log-file="$D/db.log"
E2E_PIDFILES+=("$D/db.pid")
"$XVS_TOOLS_DIR/xvs-vswitchd" "unix:$D/db.sock" --enable-dummy --unixctl="$D/vs.ctl" --pidfile="$D/vs.pid" \
  --detach --no-chdir --log-file="$D/vs.log" -vfile:info
E2E_PIDFILES+=("$D/vs.pid")

vsctl xvs h1 init
vsctl xvs h1 add-br br0 \
  -- add-port br0 p1 tag=10 -- set interface p1 type=dummy ofport_request=1 \
  -- add-port br0 p2 tag=10 -- set interface p2 type=dummy ofport_request=2 options:tx_pcap="$D/p2.pcap" \
  -- add-port br0 p3 -- set interface p3 type=dummy ofport_request=3 options:tx_pcap="$D/p3.pcap"

# expect WHAT GOT WANT
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# has WHAT TEXT PATTERN (grep -E)
has() { grep -qE -- "$3" <<<"$2" || fail "$1: no match for /$3/ in:"$'\n'"$2"; }
tx() { appctl h1 netdev-dummy/tx "$1"; }
rx() { appctl h1 netdev-dummy/receive "$@"; }
# pcap_hex FILE: its frames in hex, one per line.
pcap_hex() {
  $PY -c 'import sys
from scapy.all import rdpcap
for p in rdpcap(sys.argv[1]): print(bytes(p).hex())' "$1"
}

note "interfaces"
for i in 1 2 3; do
  expect "p$i ofport" "$(vsctl xvs h1 get interface p$i ofport)" "$i"
  expect "p$i error" "$(vsctl xvs h1 get interface p$i error)" "[]"
done
expect "br0 (internal) error" "$(vsctl xvs h1 get interface br0 error)" "[]"
SHOW=$(appctl h1 dpif/show)
has "dpif/show" "$SHOW" '^dummy@xvs-dummy: hit:0 missed:0$'
# Datapath port numbers, from "    p1 1/4: (dummy)".
dp_of() { sed -nE "s|^    $1 [0-9]+/([0-9]+): .*|\1|p" <<<"$SHOW"; }
DP1=$(dp_of p1) DP2=$(dp_of p2) DP3=$(dp_of p3) DPL=$(dp_of br0)
[ -n "$DP1" ] && [ -n "$DP2" ] && [ -n "$DP3" ] && [ -n "$DPL" ] || fail "dpif/show lacks a port:"$'\n'"$SHOW"
has "dpif/show" "$SHOW" "^    br0 65534/$DPL: \(internal\)$"

MAC1=00:00:00:00:00:01 MAC2=00:00:00:00:00:02
# Who has 192.168.0.2? Tell 192.168.0.1, from MAC1 to everyone (42 bytes).
ARP=ffffffffffff00000000000108060001080006040001000000000001c0a80001000000000000c0a80002
ARP10=${ARP:0:24}8100000a${ARP:24}

note "1. broadcast on p1: p2 untagged, p3 and br0 tagged 10, not back to p1"
rx p1 "$ARP"
expect "p2 sent" "$(tx p2)" "$ARP"
expect "p3 sent" "$(tx p3)" "$ARP10"
expect "br0 sent" "$(tx br0)" "$ARP10"
expect "p1 sent" "$(tx p1)" ""
expect "p2.pcap" "$(pcap_hex "$D/p2.pcap")" "$ARP"
expect "p3.pcap" "$(pcap_hex "$D/p3.pcap")" "$ARP10"
if command -v ovs-pcap >/dev/null; then
  expect "ovs-pcap p3.pcap" "$(ovs-pcap "$D/p3.pcap")" "$ARP10"
fi

note "2. learning, the megaflow, ofproto/trace"
FDB=$(appctl h1 fdb/show br0)
has "fdb/show" "$FDB" "^ +1 +10  $MAC1 "
FLOWS=$(appctl h1 dpif/dump-flows br0)
expect "megaflows" "$(grep -c . <<<"$FLOWS")" 1
has "megaflow" "$FLOWS" "in_port\($DP1\),eth\(src=$MAC1,dst=ff:ff:ff:ff:ff:ff\).*packets:0, bytes:0"
ACTS=${FLOWS##*actions:}
has "megaflow actions" "$ACTS" "push_vlan\(vid=10,pcp=0\)"
for p in $DP2 $DP3 $DPL; do has "megaflow actions" "$ACTS" "(^|,)$p(,|$)"; done
TRACE=$(appctl h1 ofproto/trace "in_port($DP1),eth(src=$MAC1,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806)")
has "trace" "$TRACE" 'bridge\("br0"\)'
has "trace" "$TRACE" "NORMAL"
expect "trace actions" "$(sed -n 's/^Datapath actions: //p' <<<"$TRACE")" "$ACTS"

note "3. the same frame hits the megaflow"
UPCALLS=$(appctl h1 upcall/show | sed -nE 's/^  upcalls *: //p')
rx p1 "$ARP"
expect "p2 sent again" "$(tx p2)" "$ARP"
expect "p3 sent again" "$(tx p3)" "$ARP10"
expect "br0 sent again" "$(tx br0)" "$ARP10"
expect "p1 sent" "$(tx p1)" ""
FLOWS=$(appctl h1 dpif/dump-flows br0)
has "megaflow stats" "$FLOWS" "in_port\($DP1\),eth\(src=$MAC1,dst=ff:ff:ff:ff:ff:ff\).*packets:1, bytes:42, used:"
has "dpif/show" "$(appctl h1 dpif/show)" '^dummy@xvs-dummy: hit:1 missed:1$'
expect "upcalls" "$(appctl h1 upcall/show | sed -nE 's/^  upcalls *: //p')" "$UPCALLS"
expect "p3.pcap" "$(pcap_hex "$D/p3.pcap")" "$ARP10"$'\n'"$ARP10"

note "4. a reply given as a datapath flow goes to p1 alone; p1's tx_pcap set now"
vsctl xvs h1 set interface p1 options:tx_pcap="$D/p1.pcap"
rx p2 "eth(src=$MAC2,dst=$MAC1),eth_type(0x0806),arp(sip=192.168.0.2,tip=192.168.0.1,op=2,sha=$MAC2,tha=$MAC1)"
REPLY=00000000000100000000000208060001080006040002000000000002c0a80002000000000001c0a80001
REPLY=$REPLY$(printf '0%.0s' $(seq 1 $((120 - ${#REPLY}))))  # padded to 60 bytes
expect "p1 sent" "$(tx p1)" "$REPLY"
expect "p3 sent" "$(tx p3)" ""
expect "br0 sent" "$(tx br0)" ""
expect "p1.pcap" "$(pcap_hex "$D/p1.pcap")" "$REPLY"
has "fdb/show" "$(appctl h1 fdb/show br0)" "^ +2 +10  $MAC2 "

note "5. tagged on the trunk p3, to the learned MAC1: p1 gets it untagged, only in VLAN 10"
# scapy_hex EXPR: the frame a scapy expression builds, in hex.
scapy_hex() { $PY -c "from scapy.all import *; print(bytes($1).hex())" 2>/dev/null; }
UDP="IP(src='192.168.0.3',dst='192.168.0.1')/UDP(sport=1,dport=2)/Raw(b'x'*20)"
IP10=$(scapy_hex "Ether(src='00:00:00:00:00:03',dst='$MAC1')/Dot1Q(vlan=10)/$UDP")
IP100=$(scapy_hex "Ether(src='00:00:00:00:00:03',dst='$MAC1')/Dot1Q(vlan=100)/$UDP")
[ ${#IP10} -gt 100 ] && [ ${#IP100} -gt 100 ] || fail "scapy built no frames"
rx p3 "$IP100"
expect "p1 sent (VLAN 100)" "$(tx p1)" ""
# (Through Debian's ovs-appctl when it is there: the same control protocol.)
if command -v ovs-appctl >/dev/null; then ovs-appctl -t "$D/vs.ctl" netdev-dummy/receive p3 "$IP10"; else rx p3 "$IP10"; fi
expect "p1 sent" "$(tx p1)" "${IP10:0:24}${IP10:32}"
expect "p2 sent" "$(tx p2)" ""

note "6. errors"
if out=$(rx nosuch "$ARP" 2>&1); then fail "receive on an unknown port succeeded"; fi
has "unknown port" "$out" "no such dummy netdev"
if out=$(rx p1 "eth(src=zz)" 2>&1); then fail "a bad flow was accepted"; fi
has "bad flow" "$out" "bad packet or flow syntax"
if out=$(rx p1 0011 2>&1); then fail "a 2-byte packet was accepted"; fi
echo "PASS"
