#!/usr/bin/env bash
# Malformed OpenFlow (crafted, then seeded mutations of valid messages) at
# xvs-vswitchd and, as the reference, Open vSwitch (ofp_fuzz.py): the same
# error replies for the crafted ones, an error from xvs wherever Open
# vSwitch answers with one, no crash; afterwards xvs still serves
# ovs-ofctl, and flows added before the fuzzing are all still there.
# XVS_FUZZ_SEED and XVS_FUZZ_COUNT pick the run (default: a fixed seed).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vswitchd_lib.sh"
source "$(dirname "$0")/ofctl_lib.sh"
start_pair

of "$X" add-flows br0 "$(dirname "$0")/data/ofctl_flows.txt"
before=$(of "$X" dump-flows br0 --no-stats table=7 | grep -v reply | sort)
[ -n "$before" ] || fail "no flows in table 7"
$PY "$(dirname "$0")/ofp_fuzz.py" "$X/br0.mgmt" "$O/br0.mgmt" "${XVS_FUZZ_SEED:-4}" "${XVS_FUZZ_COUNT:-1500}" ||
  fail "fuzzing found differences (above)"
kill -0 "$(cat "$X/vs.pid")" || fail "xvs-vswitchd died"
after=$(of "$X" dump-flows br0 --no-stats table=7 | grep -v reply | sort)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "table 7 changed under the fuzzing"; }
of "$X" show br0 >/dev/null || fail "ovs-ofctl show fails after the fuzzing"
echo PASS
