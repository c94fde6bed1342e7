#!/usr/bin/env bash
# Malformed OpenFlow (crafted, then seeded mutations of valid messages) at
# xvs-vswitchd and, as the reference, Open vSwitch (ofp_fuzz.py): the same
# error replies for the crafted ones, an error from xvs wherever Open
# vSwitch answers with one, no crash; afterwards xvs still serves
# ovs-ofctl, and its flow table (the corpus, plus what valid mutated flow
# mods did to it) is the one Open vSwitch ends with.
# XVS_FUZZ_SEED and XVS_FUZZ_COUNT pick the run (default: a fixed seed).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
source "$(dirname "$0")/ofctl_lib.sh"
start_pair

# Both switches start with the corpus; they get the same messages, so they
# must end with the same flows (a mutation may well be a valid flow mod).
for d in "$X" "$O"; do of "$d" add-flows br0 "$(dirname "$0")/data/ofctl_flows.txt"; done
$PY "$(dirname "$0")/ofp_fuzz.py" "$X/br0.mgmt" "$O/br0.mgmt" "${XVS_FUZZ_SEED:-4}" "${XVS_FUZZ_COUNT:-1500}" ||
  fail "fuzzing found differences (above)"
kill -0 "$(cat "$X/vs.pid")" || fail "xvs-vswitchd died"
flows_x=$(of "$X" dump-flows br0 --no-stats | grep -v reply | sort)
flows_o=$(of "$O" dump-flows br0 --no-stats | grep -v reply | sort)
[ "$(wc -l <<<"$flows_x")" -ge 250 ] || fail "the corpus is gone from xvs"
[ "$flows_x" = "$flows_o" ] ||
  { diff <(echo "$flows_o") <(echo "$flows_x") | head -20; fail "the flow tables differ after the fuzzing (< OVS, > xvs)"; }
of "$X" show br0 >/dev/null || fail "ovs-ofctl show fails after the fuzzing"
echo PASS
