#!/bin/sh
# A failed expect on the live kernel (CTest label "kernel"):
#   expect-failed-test.sh REPLAY KSMSIM TRACE WORKPREFIX
# Both the kernel replayer and the simulator must exit 1, keep the records
# written before the failure and end the stream with one expect_failed
# record per failed pair; the two streams must be identical.  Exits 77
# (skipped) where KSM cannot be driven.
set -u
replay=$1 ksmsim=$2 trace=$3 work=$4

if ! why=$("$replay" --probe 2>&1 >/dev/null); then
	echo "SKIP: live KSM is not usable here: $why"
	exit 77
fi
rm -f "$work.kernel.jsonl" "$work.sim.jsonl"
status=0
"$replay" --wait 900 --snapshots "$work.kernel.jsonl" "$trace"
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: the kernel replayer exited $rc, expected 1"; status=1; }
"$ksmsim" replay --snapshots "$work.sim.jsonl" "$trace"
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: the simulator exited $rc, expected 1"; status=1; }
for f in "$work.kernel.jsonl" "$work.sim.jsonl"; do
	if [ ! -f "$f" ]; then
		echo "FAIL: $f was not written"
		exit 1
	fi
	kinds=$(sed 's/^{"line":[0-9]*,"label":"[^"]*",//; s/^"\([a-z_]*\)".*/\1/' "$f" | tr '\n' ' ')
	if [ "$kinds" != "global expect_failed expect_failed " ]; then
		echo "FAIL: $f holds records '$kinds', expected 'global expect_failed expect_failed '"
		status=1
	fi
done
"$ksmsim" diff "$work.sim.jsonl" "$work.kernel.jsonl" || status=1
exit $status
