#!/bin/sh
# Live guest test (CTest label "guest"):
#   guest-test.sh REPLAY KSMSIM KERNEL RECORDED_DIR WORK TRACE...
# Boots the KERNEL guest once, replays every TRACE inside and compares each
# trace's records with RECORDED_DIR/NAME.jsonl.  Exits 77 (skipped) where
# no guest can be booted: kernel not built, QEMU missing, dynamic replayer.
set -u
replay=$1 ksmsim=$2 kernel=$3 recorded=$4 work=$5
shift 5
if ! why=$("$replay" --probe --guest "$kernel" 2>&1 >/dev/null); then
	echo "SKIP: $why"
	exit 77
fi
rm -rf "$work"
"$replay" --guest "$kernel" --out-dir "$work" "$@"
status=$?
if [ $status -ne 0 ]; then
	for rc in "$work"/*.rc; do
		[ -f "$rc" ] && [ "$(cat "$rc")" != 0 ] && { echo "== ${rc%.rc}.log"; cat "${rc%.rc}.log"; }
	done
	echo "FAIL: the $kernel guest replay exited $status"
	exit 1
fi
fail=0
for t in "$@"; do
	name=$(basename "$t" .trace)
	if ! "$ksmsim" diff "$recorded/$name.jsonl" "$work/$name.jsonl"; then
		echo "FAIL: $t differs from its $kernel recording"
		fail=1
	fi
done
exit $fail
