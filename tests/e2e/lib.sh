# Shared helpers for end-to-end tests: real daemons and tools, real BPF in
# the kernel, real veth pairs in network namespaces this test creates.
# Every name carries a per-run suffix so tests can run in parallel, and
# everything created is removed on exit, pass or fail.
set -euo pipefail

XVS_TOOLS_DIR=${XVS_TOOLS_DIR:?XVS_TOOLS_DIR must point at the built tools}
DPCTL="$XVS_TOOLS_DIR/xvs-dpctl"
# Debian's interpreter, where python3-scapy and python3-openvswitch live
# (a python3 earlier on PATH may be another installation).
PY=/usr/bin/python3
SUF=$(printf '%04x%04x' $(( $$ & 0xffff )) $(( RANDOM & 0xffff )))
E2E_NETNS=()
E2E_LINKS=()
E2E_DPS=()
E2E_PIDS=()
E2E_PIDFILES=()  # daemons we started with --pidfile
E2E_CLEAN_DIRS=()

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*"; }

# Skips (exit 77) when the machine cannot run the test; under CI=true a
# test that cannot run is a failure.
require_root() {
  if [ "$(id -u)" -ne 0 ] || [ ! -d /sys/fs/bpf ]; then
    [ "${CI:-}" = true ] && fail "needs root and bpffs"
    echo "SKIPPED: needs root and bpffs"; exit 77
  fi
  for t in "$@"; do
    if ! command -v "$t" >/dev/null; then
      [ "${CI:-}" = true ] && fail "needs $t (run scripts/setup)"
      echo "SKIPPED: needs $t"; exit 77
    fi
  done
}

# Skips (or under CI fails) when Python's scapy is missing.
require_scapy() {
  "$PY" -c 'import scapy' 2>/dev/null && return 0
  [ "${CI:-}" = true ] && fail "needs python3-scapy"
  echo "SKIPPED: needs python3-scapy"; exit 77
}

e2e_cleanup() {
  local rc=$?
  set +e
  for f in "${E2E_PIDFILES[@]}"; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  for p in "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${E2E_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for d in "${E2E_DPS[@]}"; do "$DPCTL" del-dp "$d" >/dev/null 2>&1; done
  for l in "${E2E_LINKS[@]}"; do ip link del "$l" 2>/dev/null; done
  for n in "${E2E_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
  for d in "${E2E_CLEAN_DIRS[@]}"; do rm -rf "$d"; done
  exit $rc
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

# new_dp NAME: creates datapath NAME$SUF and sets DP to its name. (Not to
# be called in $(...): the cleanup list must be this shell's.)
new_dp() {
  DP="$1$SUF"
  E2E_DPS+=("$DP")
  "$DPCTL" add-dp "$DP" >/dev/null
}

# new_host TAG ADDR/LEN -> namespace xt$SUF$TAG with eth0 (ADDR) whose peer
# xt$SUF$TAG is left in the root namespace for the switch.
new_host() {
  local tag=$1 addr=$2 ns="xt$SUF$1" dev="xt$SUF$1"
  ip netns add "$ns"; E2E_NETNS+=("$ns")
  ip link add "$dev" type veth peer name eth0 netns "$ns"; E2E_LINKS+=("$dev")
  ip link set "$dev" up
  ip -n "$ns" link set lo up
  # No IPv6 autoconfiguration chatter: tests count the packets they send.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" addr add "$addr" dev eth0
  ip -n "$ns" link set eth0 up
}

ns_of() { echo "xt$SUF$1"; }
dev_of() { echo "xt$SUF$1"; }
in_ns() { local ns; ns=$(ns_of "$1"); shift; ip netns exec "$ns" "$@"; }

bg() { "$@" & E2E_PIDS+=($!); }
