#!/bin/sh
# Run one libFuzzer harness for the CI smoke run or for a chosen time.
#
#   run-fuzzer.sh SECONDS RUNS FUZZER [LIBFUZZER ARGS...]
#
# SECONDS 0: RUNS inputs (the smoke run).  SECONDS > 0: -max_total_time,
# and the run must really have lasted that long (libFuzzer's closing "Done
# N runs in T second(s)"), so `tools/dev.sh fuzz S` can never silently run
# for less.  The fuzzer's own exit status is kept: a crash fails.
set -u
seconds=$1 runs=$2 fuzzer=$3
shift 3
if [ "$seconds" -gt 0 ]; then
	limit="-max_total_time=$seconds"
else
	limit="-runs=$runs"
fi
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT
"$fuzzer" "$limit" "$@" >"$log" 2>&1
rc=$?
cat "$log"
[ $rc -eq 0 ] || exit $rc
if [ "$seconds" -gt 0 ]; then
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	if [ -z "$took" ] || [ "$took" -lt "$seconds" ]; then
		echo "run-fuzzer.sh: asked for $seconds s, the run lasted ${took:-?} s"
		exit 1
	fi
fi
