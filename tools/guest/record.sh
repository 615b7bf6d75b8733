#!/usr/bin/env bash
# Record the guest corpus: replay traces on the baseline and lpi guest
# kernels and keep their snapshot records next to the corpus.
#
#   tools/guest/record.sh [--kernel baseline|lpi] [REPLAYER] [TRACE...]
#
# REPLAYER defaults to build/tools/ksmsim-kernel-replay; the traces to the
# whole corpus (traces/guest/*.trace and the calibration traces
# traces/kernel/*.trace).  Each kernel replays the traces twice, in two
# boots; both runs must give byte-identical records and exit 0, then
#   traces/guest/KERNEL/NAME.jsonl
# is written and traces/guest/RECORDED-ON gets the line
#   KERNEL/NAME.jsonl RELEASE SOURCE-PACKAGE PATCHES DATE
# (PATCHES: the lpi patch set's hash, "none" for baseline).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kernels=(baseline lpi)
replayer=$root/build/tools/ksmsim-kernel-replay
if [ "${1:-}" = --kernel ]; then
	kernels=("$2")
	shift 2
fi
if [ $# -gt 0 ] && [ -x "$1" ] && [ "${1%.trace}" = "$1" ]; then
	replayer=$1
	shift
fi
if [ $# -eq 0 ]; then
	set -- "$root"/traces/guest/*.trace "$root"/traces/kernel/*.trace
fi
[ -x "$replayer" ] || { echo "record.sh: no replayer at $replayer (build first)" >&2; exit 2; }
guestdir=${KSMSIM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ksmsim/guest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
today=$(date -u +%Y-%m-%d)
corpus=$root/traces/guest
ro=$corpus/RECORDED-ON

for k in "${kernels[@]}"; do
	"$replayer" --probe --guest "$k" >/dev/null
	info=$guestdir/$k.info
	release=$(awk '$1 == "release" { print $2 }' "$info")
	source=$(awk '$1 == "source" { print $2 "=" $3 }' "$info")
	patches=$(awk '$1 == "patches" { print $2 }' "$info")
	for run in 1 2; do
		echo "record.sh: $k guest, run $run: $# trace(s)" >&2
		status=0
		"$replayer" --guest "$k" --out-dir "$tmp/$k.$run" "$@" || status=$?
		if [ "$status" -ne 0 ]; then
			echo "record.sh: the $k guest's run $run failed (exit $status):" >&2
			for rc in "$tmp/$k.$run"/*.rc; do
				[ "$(cat "$rc")" = 0 ] || { echo "== ${rc%.rc}.log" >&2; cat "${rc%.rc}.log" >&2; }
			done
			exit 1
		fi
	done
	mkdir -p "$corpus/$k"
	[ -f "$ro" ] || printf '%s\n' \
		"# Guest kernel each KERNEL/NAME.jsonl was recorded on: release, source package," \
		"# lpi patch set hash (none for baseline), date.  Written by tools/guest/record.sh." > "$ro"
	for t in "$@"; do
		name=$(basename "$t" .trace)
		if ! cmp -s "$tmp/$k.1/$name.jsonl" "$tmp/$k.2/$name.jsonl"; then
			echo "record.sh: $t: two $k boots gave different records; not recorded" >&2
			diff "$tmp/$k.1/$name.jsonl" "$tmp/$k.2/$name.jsonl" >&2 || true
			exit 1
		fi
		cp "$tmp/$k.1/$name.jsonl" "$corpus/$k/$name.jsonl"
		grep -v "^$k/$name.jsonl " "$ro" > "$tmp/ro" || true
		printf '%s %s %s %s %s\n' "$k/$name.jsonl" "$release" "$source" "$patches" "$today" >> "$tmp/ro"
		{ grep '^#' "$tmp/ro"; grep -v '^#' "$tmp/ro" | sort; } > "$ro"
	done
	echo "record.sh: recorded $# trace(s) on the $k guest (Linux $release)" >&2
done
