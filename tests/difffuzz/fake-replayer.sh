#!/bin/sh
# A stand-in for ksmsim-kernel-replay, for the tests of ksmsim-difffuzz: it
# "replays on the kernel" by running the simulator ($KSMSIM replay) on a
# perturbed copy of each trace, so that the tests need neither root nor a
# kernel, and a disagreement is known in advance.  It speaks both of the
# replayer's interfaces: the batch mode
#   fake-replayer.sh [--guest G] --out-dir DIR TRACE...
# (DIR/NAME.rc, DIR/NAME.log, DIR/NAME.jsonl for complete replays; exit 0,
# the first failing rc, or 3 with nothing written), and one trace at a time
#   fake-replayer.sh [--wait S] --snapshots FILE TRACE
# plus --probe, --help and --allow-foreign (accepted, changes nothing).  Exit statuses are the replayer's: 0 ok,
# 1 expect failed, 3 replay error (ksmsim replay's 2).
#
# Environment:
#   KSMSIM              the ksmsim program (required)
#   FAKE_PERTURB        sed expression applied to each trace (default
#                       s/token=2/token=1/g: the "kernel" stores 1 for 2);
#                       empty: replay the trace as it is
#   FAKE_NO_BATCH=1     no batch mode (--help does not offer --out-dir)
#   FAKE_PROBE_FAIL=1   --probe fails with a reason
#   FAKE_BATCH_FAIL=1   every batch fails as infrastructure (exit 3, nothing)
#   FAKE_EXPECT_GUEST=G a batch without --guest G fails as infrastructure
#   FAKE_SLEEP=S        sleep S seconds per trace
#   FAKE_REFUSE=1       every replay refuses to start (exit 2), as the real
#                       one does beside another KSM user
#   FAKE_LOG=FILE       append each invocation's arguments to FILE
#   FAKE_FLAKY=FILE     perturb only in the first invocation (FILE counts
#                       them): a "kernel" that does not repeat its results
set -u
: "${KSMSIM:?KSMSIM must name the ksmsim program}"
perturb=${FAKE_PERTURB-s/token=2/token=1/g}

[ -n "${FAKE_LOG:-}" ] && echo "$*" >> "$FAKE_LOG"
case "${1:-}" in
--help|--probe) ;;
*)
	if [ -n "${FAKE_FLAKY:-}" ]; then
		echo x >> "$FAKE_FLAKY"
		[ "$(wc -l < "$FAKE_FLAKY")" -gt 1 ] && perturb=
	fi ;;
esac

# replay_one TRACE SNAPSHOTS LOG: prints the replayer-style exit status
replay_one() {
	if [ "${FAKE_REFUSE:-}" = 1 ]; then
		echo "ksmsim-kernel-replay: refusing to start: other processes have memory registered with KSM (FAKE)" > "$3"
		echo 2
		return
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/fake-replayer.XXXXXX") || exit 3
	copy="$work/$(basename "$1")"
	if [ -n "$perturb" ]; then
		sed "$perturb" "$1" > "$copy"
	else
		cp "$1" "$copy"
	fi
	[ -n "${FAKE_SLEEP:-}" ] && sleep "$FAKE_SLEEP"
	"$KSMSIM" replay --quiet --snapshots "$2" "$copy" 2> "$3"
	rc=$?
	rm -rf "$work"
	case $rc in
	0|1) echo $rc ;;
	*) echo 3 ;;
	esac
}

# --probe may come after --guest G
probe=
for a in "$@"; do
	[ "$a" = --probe ] && probe=1
done
[ -n "$probe" ] && set -- --probe

case "${1:-}" in
--help)
	if [ "${FAKE_NO_BATCH:-}" = 1 ]; then
		echo "usage: fake-replayer.sh [--wait S] [--allow-foreign] --snapshots FILE TRACE"
	else
		echo "usage: fake-replayer.sh [--guest G] [--wait S] [--allow-foreign] --out-dir DIR TRACE..."
	fi
	exit 0 ;;
--probe)
	if [ "${FAKE_PROBE_FAIL:-}" = 1 ]; then
		echo "ksmsim-kernel-replay: cannot replay here: /sys/kernel/mm/ksm/run: FAKE reason" >&2
		exit 2
	fi
	echo "fake: usable"
	exit 0 ;;
esac

guest= outdir= snaps=
while [ $# -gt 0 ]; do
	case $1 in
	--guest) guest=$2; shift 2 ;;
	--out-dir) outdir=$2; shift 2 ;;
	--wait) shift 2 ;;
	--allow-foreign) shift ;;
	--snapshots) snaps=$2; shift 2 ;;
	--*) echo "fake-replayer: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

if [ -n "$outdir" ]; then
	if [ "${FAKE_NO_BATCH:-}" = 1 ]; then
		echo "fake-replayer: unknown option --out-dir" >&2
		exit 2
	fi
	if [ "${FAKE_BATCH_FAIL:-}" = 1 ]; then
		echo "fake-replayer: the guest did not boot (FAKE)" >&2
		exit 3
	fi
	if [ -n "${FAKE_EXPECT_GUEST:-}" ] && [ "$guest" != "$FAKE_EXPECT_GUEST" ]; then
		echo "fake-replayer: expected --guest $FAKE_EXPECT_GUEST, got '$guest'" >&2
		exit 3
	fi
	status=0
	for t in "$@"; do
		name=$(basename "$t" .trace)
		rc=$(replay_one "$t" "$outdir/$name.jsonl" "$outdir/$name.log")
		[ "$rc" = 0 ] || rm -f "$outdir/$name.jsonl"
		echo "$rc" > "$outdir/$name.rc"
		[ "$status" = 0 ] && status=$rc
	done
	exit "$status"
fi

[ $# -eq 1 ] && [ -n "$snaps" ] || { echo "fake-replayer: usage" >&2; exit 2; }
log=$(mktemp "${TMPDIR:-/tmp}/fake-replayer-log.XXXXXX") || exit 3
rc=$(replay_one "$1" "$snaps" "$log")
cat "$log" >&2
rm -f "$log"
[ "$rc" = 0 ] || rm -f "$snaps"
exit "$rc"
