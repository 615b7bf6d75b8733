#!/bin/sh
# `migrate` on the live kernel (CTest label "kernel"):
#   migrate-test.sh REPLAY KSMSIM TRACE WORKPREFIX
# With one NUMA node, the replay must refuse TRACE at its first migrate
# with the documented message, exit 3 and write no snapshot file.  With
# two or more, it must run with every expect holding, and its records —
# the migrate records included — must equal the simulator's.  Exits 77
# (skipped) where KSM cannot be driven, as kernel-test.sh does.
set -u
replay=$1 ksmsim=$2 trace=$3 work=$4

if [ ! -x "$replay" ]; then
	echo "FAIL: $replay was not built"
	exit 1
fi
if ! why=$("$replay" --probe 2>&1 >/dev/null); then
	echo "SKIP: live KSM is not usable here: $why"
	exit 77
fi
# NUMA nodes with memory, as the replayer counts them ("0", "0-1,3").
list=$(cat /sys/devices/system/node/has_memory 2>/dev/null ||
       cat /sys/devices/system/node/online 2>/dev/null || echo 0)
nodes=0
for part in $(echo "$list" | tr ',' ' '); do
	case $part in
	*-*) nodes=$((nodes + ${part#*-} - ${part%-*} + 1)) ;;
	*) nodes=$((nodes + 1)) ;;
	esac
done
rm -f "$work.kernel.jsonl" "$work.sim.jsonl" "$work.err"

if [ "$nodes" -lt 2 ]; then
	line=$(grep -n '^migrate ' "$trace" | head -n 1 | cut -d: -f1)
	want="$trace:$line:1: migrate needs a second NUMA node; this machine has $nodes: replay on a guest kernel (ksmsim-kernel-replay --guest ...)"
	"$replay" --wait 900 --snapshots "$work.kernel.jsonl" "$trace" 2>"$work.err"
	rc=$?
	status=0
	if [ $rc -ne 3 ]; then
		echo "FAIL: exit $rc on a machine with $nodes NUMA node, expected 3"
		status=1
	fi
	# (another replay holding the lock makes it say that it waits first)
	got=$(grep -v '^ksmsim-kernel-replay: waiting up to ' "$work.err")
	if [ "$got" != "$want" ]; then
		echo "FAIL: the error differs"
		echo " want: $want"
		echo " got:  $got"
		status=1
	fi
	if [ -e "$work.kernel.jsonl" ]; then
		echo "FAIL: a refused replay wrote $work.kernel.jsonl"
		status=1
	fi
	exit $status
fi

if ! "$replay" --wait 900 --snapshots "$work.kernel.jsonl" "$trace"; then
	echo "FAIL: the replay of $trace failed on $nodes NUMA nodes"
	exit 1
fi
if ! "$ksmsim" replay --quiet --snapshots "$work.sim.jsonl" "$trace"; then
	echo "FAIL: the simulator's replay of $trace failed"
	exit 1
fi
if [ "$(grep -c '"migrate":' "$work.kernel.jsonl")" -ne 3 ]; then
	echo "FAIL: $work.kernel.jsonl does not hold the 3 migrate records"
	exit 1
fi
if ! "$ksmsim" diff "$work.sim.jsonl" "$work.kernel.jsonl"; then
	echo "FAIL: the kernel's records differ from the simulator's"
	exit 1
fi
