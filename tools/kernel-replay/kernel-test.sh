#!/bin/sh
# Live-kernel test of one corpus trace (CTest label "kernel"):
#   kernel-test.sh REPLAY KSMSIM TRACE EXPECTED WORKPREFIX
# Replays TRACE twice on this machine's KSM; both runs must equal each
# other and the recorded EXPECTED output (ksmsim diff).  Exits 77 (skipped)
# where KSM cannot be driven: no /sys/kernel/mm/ksm, not root, read-only /sys.
set -u
replay=$1 ksmsim=$2 trace=$3 expected=$4 work=$5

if ! why=$("$replay" --probe 2>&1 >/dev/null); then
	echo "SKIP: live KSM is not usable here: $why"
	exit 77
fi
recorded=$(grep -s "^$(basename "$expected") " "$(dirname "$expected")/RECORDED-ON" | cut -d' ' -f2)
for run in 1 2; do
	rm -f "$work.run$run.jsonl"
	if ! "$replay" --wait 900 --snapshots "$work.run$run.jsonl" "$trace"; then
		echo "FAIL: replay $run of $trace failed"
		exit 1
	fi
done
status=0
if ! "$ksmsim" diff "$work.run1.jsonl" "$work.run2.jsonl"; then
	echo "FAIL: two live replays of $trace differ"
	status=1
fi
if ! "$ksmsim" diff "$expected" "$work.run1.jsonl"; then
	echo "FAIL: the live replay differs from $expected" \
	     "(recorded on ${recorded:-an unknown kernel}, running $(uname -r))"
	status=1
fi
exit $status
