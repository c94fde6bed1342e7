#!/usr/bin/env bash
# NORMAL switching across VLAN modes, frame by frame: one switch (host
# namespace h1, bridge br0) and one VM namespace per port, each port with
# another VLAN configuration (access 10 and 20, trunk 10,20, trunk of every
# VLAN, native-untagged and native-tagged 10 with trunks 20, dot1q-tunnel
# 30, dot1q-tunnel 30 with cvlans 100,200, dot1q-tunnel 40 with
# qinq-ethtype=802.1q). vswitchd_vlan_modes.py holds the table of cases
# (sender, tag stack, destination -> the receiving ports and the exact tag
# stack each sees), sends each frame with scapy twice (slow path, then
# fast path), sniffs every namespace, and checks fdb/show (learning, and
# none from dropped frames) and dpif/dump-flows (the megaflows).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
require_root nsenter
require_scapy
HELPER="$SRC/tests/e2e/vswitchd_vlan_modes.py"

new_ns h1
mapfile -t PORTS < <($PY "$HELPER" --list-ports)
[ ${#PORTS[@]} -gt 0 ] || fail "$HELPER --list-ports listed no ports"
cmd=(add-br br0)
for line in "${PORTS[@]}"; do
  read -r -a f <<<"$line"
  p=${f[0]}
  new_ns "$p"
  ip link add name "$p" netns "xt${SUF}h1" type veth peer name eth0 netns "xt$SUF$p"
  ip -n "xt${SUF}h1" link set dev "$p" up
  ip -n "xt$SUF$p" link set eth0 up
  cmd+=(-- add-port br0 "${f[@]}")
done
start_switch h1
vsctl xvs h1 init
# Megaflows stay while the cases run (the check reads them at the end).
vsctl xvs h1 set open_vswitch . other_config:max-idle=120000
vsctl xvs h1 "${cmd[@]}"
for line in "${PORTS[@]}"; do
  p=${line%% *}
  of=$(vsctl xvs h1 get interface "$p" ofport)
  [ "$of" -ge 1 ] 2>/dev/null || fail "$p has ofport '$of': $(vsctl xvs h1 get interface "$p" error)"
done
note "br0 with ports: $(vsctl xvs h1 list-ports br0 | tr '\n' ' ')"
vsctl xvs h1 show

$PY "$HELPER" --ns-prefix "xt$SUF" --tag "xvsvlan$SUF" --appctl "$APPCTL" --target "$VT/h1/vs.ctl" ||
  fail "VLAN cases failed"
echo PASS
