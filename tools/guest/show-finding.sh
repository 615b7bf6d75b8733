#!/usr/bin/env bash
# The finding on real kernels, in one command:
#
#   tools/guest/show-finding.sh [--build DIR] [TRACE]
#
# Replays TRACE (default traces/guest/f01-window-migrate.trace) on the
# simulator as baseline and as lpi, and on the baseline and lpi guest
# kernels (tools/guest/build.sh), and prints the outcome of every
# `migrate` of the trace on each: whether the KSM page moved, and how many
# of its mappings were left on the old frame.  The finding holds when the
# lpi kernel fails to migrate in the window only and baseline never fails;
# the script says whether the guests and the simulator agree on that.
#
# Exit status: 0 the outcomes are as the finding says on every machine that
# ran; 1 they are not; 2 usage or build problem.  Without guest kernels
# only the simulator runs (and the script says how to build them).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build
if [ "${1:-}" = --build ]; then
	build=$2
	shift 2
fi
trace=${1:-$root/traces/guest/f01-window-migrate.trace}
ksmsim=$build/ksmsim
replay=$build/tools/ksmsim-kernel-replay
[ -x "$ksmsim" ] || { echo "show-finding: build first (tools/dev.sh demo or cmake --build build)" >&2; exit 2; }
[ -r "$trace" ] || { echo "show-finding: $trace: cannot read" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per migrate record: "LINE moved|stays OLD/N".
outcomes() {
	grep '"migrate":' "$1" | while IFS= read -r rec; do
		line=$(printf '%s' "$rec" | sed 's/^{"line":\([0-9]*\).*/\1/')
		moved=$(printf '%s' "$rec" | grep -q '"moved":true' && echo moved || echo stays)
		n=$(printf '%s' "$rec" | { grep -o '"frame":' || true; } | wc -l)
		old=$(printf '%s' "$rec" | { grep -o '"frame":"old"' || true; } | wc -l)
		echo "$line $moved $old/$n"
	done
}

machines=()
run() { # run LABEL KIND KERNEL
	local label=$1 kind=$2 kernel=$3
	local out=$tmp/$label.jsonl
	if [ "$kind" = sim ]; then
		"$ksmsim" replay --quiet --kernel "$kernel" --report /dev/null --snapshots "$out" "$trace"
	else
		"$replay" --guest "$kernel" --snapshots "$out" "$trace" 2>"$tmp/$label.err" ||
			{ cat "$tmp/$label.err" >&2; exit 2; }
	fi
	outcomes "$out" > "$tmp/$label.out"
	machines+=("$label")
}

run "simulator-baseline" sim baseline
run "simulator-lpi" sim lpi
guests=1
for k in baseline lpi; do
	if [ -x "$replay" ] && "$replay" --probe --guest "$k" >/dev/null 2>&1; then
		release=$(awk '$1 == "release" { print $2 }' \
			"${KSMSIM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ksmsim/guest}/$k.info")
		echo "booting the $k guest (Linux $release) ..." >&2
		run "guest-$k-$release" guest "$k"
	else
		guests=0
	fi
done

lines=$(cut -d' ' -f1 "$tmp/simulator-baseline.out" | tr '\n' ' ')
[ -n "$lines" ] || { echo "show-finding: $trace has no migrate command" >&2; exit 2; }
echo "$(basename "$trace"): migrate of the KSM page at each trace line"
printf '%-24s' ""
for l in $lines; do printf '  %-22s' "line $l"; done
echo
ok=1
for m in "${machines[@]}"; do
	printf '%-24s' "$m"
	i=0
	while read -r l what left; do
		if [ "$what" = moved ]; then
			printf '  %-22s' "moved"
		else
			printf '  %-22s' "FAILED ($left on old)"
		fi
		i=$((i + 1))
		# The finding: baseline always moves; lpi fails at the first
		# migrate (in the window) and moves afterwards.
		case $m:$i:$what in
		*baseline*:*:stays) ok=0 ;;
		*lpi*:1:moved) ok=0 ;;
		*lpi*:[2-9]:stays) ok=0 ;;
		esac
	done < "$tmp/$m.out"
	echo
done
if [ $guests = 0 ]; then
	echo "(no guest kernels here: tools/dev.sh guest builds them, ~20 minutes)"
fi
if [ $ok = 1 ]; then
	echo "As the finding says: the index-guided walk of lpi misses the child's mapping"
	echo "in the window, so the page cannot be migrated; the full walk of baseline can."
	exit 0
fi
echo "NOT as the finding says (see the table above)." >&2
exit 1
