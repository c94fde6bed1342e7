# Helpers for tests that run xvs-vswitchd: "hosts" are network namespaces,
# each with its own xvsdb-server and xvs-vswitchd (on a datapath named for
# this run), configured with xvs-vsctl or Debian's ovs-vsctl.
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
APPCTL="$XVS_TOOLS_DIR/xvs-appctl"
VT=$(mktemp -d)
E2E_CLEAN_DIRS+=("$VT")

# new_ns NAME: an empty namespace xt$SUF$NAME with lo up and no IPv6 chatter.
new_ns() {
  local ns="xt$SUF$1"
  ip netns add "$ns"; E2E_NETNS+=("$ns")
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# vm_link HOST TAP VM ADDR: veth TAP in HOST's namespace, eth0 (ADDR) in VM's.
vm_link() {
  local host=$1 tap=$2 vm=$3 addr=$4
  ip link add "$tap" netns "xt$SUF$host" type veth peer name eth0 netns "xt$SUF$vm"
  ip -n "xt$SUF$host" link set "$tap" up
  ip -n "xt$SUF$vm" addr add "$addr" dev eth0
  ip -n "xt$SUF$vm" link set eth0 up
}

# in_host HOST CMD...: runs CMD in HOST's network namespace only. (Not "ip
# netns exec", which also mounts a fresh /sys, hiding the bpffs where the
# datapath is pinned.)
in_host() { local ns="xt$SUF$1"; shift; nsenter --net="/run/netns/$ns" "$@"; }

# start_switch HOST: xvsdb-server and xvs-vswitchd inside HOST's namespace;
# files under $VT/HOST (db.sock, vs.ctl, logs), which is also the switch's
# rundir (br0.mgmt, for ofctl below).
start_switch() {
  local h=$1 d=$VT/$1
  mkdir -p "$d"
  [ -f "$d/conf.db" ] || "$XVS_TOOLS_DIR/xvsdb-tool" create "$d/conf.db" "$SRC/ovsdb/schemas/vswitch.ovsschema"
  in_host "$h" "$XVS_TOOLS_DIR/xvsdb-server" "$d/conf.db" --remote="punix:$d/db.sock" \
    --unixctl="$d/db.ctl" --pidfile="$d/db.pid" --detach --no-chdir --log-file="$d/db.log"
  E2E_PIDFILES+=("$d/db.pid")
  start_vswitchd "$h"
}

start_vswitchd() {
  local h=$1 d=$VT/$1
  [[ " ${E2E_DPS[*]} " == *" xvs$SUF$h "* ]] || E2E_DPS+=("xvs$SUF$h")
  in_host "$h" env OVS_RUNDIR="$d" "$XVS_TOOLS_DIR/xvs-vswitchd" "unix:$d/db.sock" --datapath-name="xvs$SUF$h" \
    --unixctl="$d/vs.ctl" --pidfile="$d/vs.pid" --detach --no-chdir --log-file="$d/vs.log" -vfile:info
  [[ " ${E2E_PIDFILES[*]} " == *" $d/vs.pid "* ]] || E2E_PIDFILES+=("$d/vs.pid")
}

# vsctl TOOL HOST ARGS...: TOOL is xvs or ovs. Waits for the switch to
# apply each change (no --no-wait), as scripts do.
vsctl() {
  local tool=$1 h=$2; shift 2
  local bin="$XVS_TOOLS_DIR/xvs-vsctl"
  [ "$tool" = ovs ] && bin=ovs-vsctl
  "$bin" --db="unix:$VT/$h/db.sock" --timeout=30 "$@"
}

# two_vms: host h1 running the switch, bridge br0 with VM1 (10.0.0.1 on
# tap0) and VM2 (10.0.0.2 on tap1), which reach each other.
two_vms() {
  for n in h1 vm1 vm2; do new_ns $n; done
  vm_link h1 tap0 vm1 10.0.0.1/24
  vm_link h1 tap1 vm2 10.0.0.2/24
  start_switch h1
  vsctl xvs h1 add-br br0
  vsctl xvs h1 add-port br0 tap0
  vsctl xvs h1 add-port br0 tap1
  ping_ok vm1 10.0.0.2
}

# switch_with_two_vms TOOL NET: host h1 running the switch (initialised
# with TOOL: xvs or ovs), bridge br0 with VM1 (NET.1 behind tap1) and VM2
# (NET.2 behind tap2), which reach each other.
switch_with_two_vms() {
  local tool=$1 net=$2
  for n in h1 vm1 vm2; do new_ns $n; done
  vm_link h1 tap1 vm1 "$net.1/24"
  vm_link h1 tap2 vm2 "$net.2/24"
  start_switch h1
  vsctl "$tool" h1 init
  vsctl "$tool" h1 add-br br0 -- add-port br0 tap1 -- add-port br0 tap2
  ping_ok vm1 "$net.2"
}

# nfcapd_start HOST DIR PORT: Debian's nfcapd on HOST's loopback, port
# PORT, writing into DIR; NFCAPD is its pid. nfcapd_stop ends it, which
# closes its file for nfdump.
nfcapd_start() {
  mkdir -p "$2"
  ip netns exec "xt$SUF$1" nfcapd -w "$2" -b 127.0.0.1 -p "$3" -t 3600 >>"$VT/nfcapd.log" 2>&1 &
  NFCAPD=$!
  E2E_PIDS+=("$NFCAPD")
  sleep 1
}
nfcapd_stop() {
  kill -TERM "$NFCAPD"
  wait "$NFCAPD" || true
}

# send_udp_flows NET N1 N2 N3: VM1 (NET.1) sends N1, N2 and N3 datagrams of
# 100 bytes from port 4000 to NET.2 ports 5001, 5002 and 5003. The first
# of each flow goes a moment before the rest, so that none of the rest
# meets a miss.
send_udp_flows() {
  ip netns exec "xt${SUF}vm1" "$PY" - "$@" <<'PYEOF'
import socket, sys, time
net = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((net + ".1", 4000))
for port, n in zip((5001, 5002, 5003), map(int, sys.argv[2:])):
    s.sendto(b"z" * 100, (net + ".2", port))
    time.sleep(0.3)
    for i in range(n - 1):
        s.sendto(b"z" * 100, (net + ".2", port))
        if i % 50 == 49:
            time.sleep(0.002)
PYEOF
}

# expect_udp_flows RECORDS NET BYTES IN OUT: RECORDS (nfdump lines "src dst
# sport dport proto packets bytes in out") hold send_udp_flows' three flows
# of 100, 200 and 300 datagrams, BYTES each, from interface IN to OUT.
expect_udp_flows() {
  local records=$1 net=$2 bytes=$3 in=$4 out=$5 spec port n want got
  for spec in "5001 100" "5002 200" "5003 300"; do
    read -r port n <<<"$spec"
    want="$net.1 $net.2 4000 $port 17 $n $(( n * bytes )) $in $out"
    got=$(grep -F "$net.1 $net.2 4000 $port " <<<"$records" || true)
    [ "$got" = "$want" ] || fail "flow to port $port: '$got', want '$want'"
  done
}

# ofctl HOST ARGS...: Debian's ovs-ofctl against HOST's switch (bridges by
# name, through <rundir>/<bridge>.mgmt).
ofctl() { local h=$1; shift; OVS_RUNDIR=$VT/$h timeout 30 ovs-ofctl "$@"; }
# ofctl_with TOOL HOST ARGS...: xvs-ofctl (TOOL xvs) or Debian's ovs-ofctl.
ofctl_with() {
  local tool=$1 h=$2; shift 2
  local bin="$XVS_TOOLS_DIR/xvs-ofctl"
  [ "$tool" = ovs ] && bin=ovs-ofctl
  OVS_RUNDIR=$VT/$h timeout 30 "$bin" "$@"
}

appctl() { local h=$1; shift; "$APPCTL" -t "$VT/$h/vs.ctl" "$@"; }

mac_of() { ip -n "xt$SUF$1" link show eth0 | awk '/link\/ether/ {print $2}'; }

ping_ok() { ip netns exec "xt$SUF$1" ping -c 3 -i 0.2 -W 2 "$2" >/dev/null || fail "$1 cannot reach $2"; }
ping_blocked() {
  if ip netns exec "xt$SUF$1" ping -c 2 -i 0.2 -W 1 "$2" >/dev/null; then fail "$1 reached $2 across VLANs"; fi
}

dump_logs() {
  for f in "$VT"/*/vs.log; do [ -f "$f" ] && { echo "== $f"; tail -30 "$f"; }; done
}

# On exit: the daemons' logs if the test failed, then lib.sh's cleanup,
# which exits with the status it finds in $? -- the test's, restored
# here. (A trap such as 'rc=$?; [ $rc -ne 0 ] && dump_logs; e2e_cleanup'
# hands it the status of its last command instead: 1 for a test that
# passed, dump_logs's 0 for one that failed; and under set -e a failing
# dump_logs would end the trap before the cleanup.)
vswitchd_exit() {
  local rc=$?
  set +e
  [ $rc -eq 0 ] || dump_logs
  (exit $rc)
  e2e_cleanup
}
trap vswitchd_exit EXIT
