#!/bin/sh
# SPDX-License-Identifier: MIT
# Render every picture kind of every trace of the corpus to SVG and time
# each (docs/dot.md, "How long pictures take").  Opt-in, not in ctest:
# times depend on the machine.
#
#   tools/bench/dot-corpus.sh [KSMSIM [OUTDIR]]
#
# KSMSIM defaults to build/ksmsim; the pictures go to OUTDIR (default: a
# temporary folder, removed at the end).  For the pictures that need a
# process and an address (mm, anon_vma, rmap), the trace's first spawned
# process and the first address it maps are used; a picture that has
# nothing to draw there (no VMA left, no KSM page) or a trace that does
# not apply (the error corpus) is counted as skipped, not as a failure.
# A crash, a timeout (60 s) or any other error is a failure: exit 1.
set -u
KSMSIM=${1:-build/ksmsim}
OUT=${2:-}
if [ -z "$OUT" ]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/dot-corpus.XXXXXX") || exit 2
	trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT" || exit 2
now() { date +%s.%N; }

n=0 skipped=0 failed=0 slowest=0 slowest_what=""
for trace in $(find traces tests -name '*.trace' | LC_ALL=C sort); do
	p=$(awk '$1 == "spawn" { print $2; exit }' "$trace")
	a=$(awk -v p="$p" '$1 == "mmap" && $2 == p { print $3; exit }' "$trace")
	for what in stable unstable all "mm $p" "anon_vma $p $a" "rmap $p $a"; do
		case "$what" in
		*" ") continue ;;     # no process or no address in the trace
		esac
		n=$((n + 1))
		out="$OUT/$n.svg"
		t0=$(now)
		# shellcheck disable=SC2086 # WHAT's words are separate arguments
		timeout 60 "$KSMSIM" dot --quiet "$trace" $what "$out" 2>"$OUT/err" >/dev/null
		rc=$?
		t1=$(now)
		dt=$(echo "$t1 - $t0" | bc)
		if [ $rc -ge 2 ] && [ $rc -lt 124 ] &&
		   grep -qE 'has no VMA|maps no KSM page|no live process|^[^ ]+:[0-9]+:[0-9]+: ' "$OUT/err"; then
			skipped=$((skipped + 1))
			continue
		fi
		if [ $rc -gt 1 ]; then
			failed=$((failed + 1))
			echo "FAILED (exit $rc): $trace $what: $(head -c 300 "$OUT/err")"
			continue
		fi
		printf '%8.3f s  %s %s\n' "$dt" "$trace" "$what"
		if [ "$(echo "$dt > $slowest" | bc)" = 1 ]; then
			slowest=$dt
			slowest_what="$trace $what"
		fi
	done
done
echo "pictures: $((n - skipped - failed)) rendered, $skipped skipped (nothing to draw there), $failed failed"
printf 'slowest: %.3f s  %s\n' "$slowest" "$slowest_what"
[ "$failed" -eq 0 ]
