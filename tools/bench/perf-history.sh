#!/usr/bin/env bash
# What each optimisation bought (docs/performance.md): builds the
# simulator at each given commit (Release, in a temporary worktree) and
# runs ksmsim-bench-ksmd --sim-only on the issue's workload at each size,
# printing the CPU time per round and the peak RSS (GNU time).  Commits
# older than the benchmark get it applied on top (the commit that added
# tools/bench/bench_ksmd.c; it touches no simulator code).  An opt-in
# benchmark, not a test: a Release build per commit, minutes in all.
#
#   tools/bench/perf-history.sh "PAGES..." COMMIT...
#   e.g. tools/bench/perf-history.sh "1048576 4194304" 751bced fec1f6a
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
sizes=$1
shift
[ -x /usr/bin/time ] || { echo "perf-history.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
bench_commit=$(git -C "$root" log --format=%h --diff-filter=A -- tools/bench/bench_ksmd.c | tail -1)
[ -n "$bench_commit" ] || { echo "perf-history.sh: no commit adds tools/bench/bench_ksmd.c" >&2; exit 2; }
work=$(mktemp -d)
cleanup() {
	for d in "$work"/wt-*; do
		[ -d "$d" ] && git -C "$root" worktree remove --force "$d" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT

echo "| commit | pages | round 1 s | round 2 s | steady s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
for c in "$@"; do
	sha=$(git -C "$root" rev-parse --short "$c^{commit}")
	wt=$work/wt-$sha
	git -C "$root" worktree add --detach "$wt" "$sha" >/dev/null 2>&1
	if [ ! -f "$wt/tools/bench/bench_ksmd.c" ]; then
		git -C "$wt" cherry-pick --no-commit "$bench_commit" >/dev/null
	fi
	cmake -S "$wt" -B "$wt/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$wt/build" -j2 --target ksmsim-bench-ksmd >/dev/null
	for n in $sizes; do
		text=$(/usr/bin/time -f "rss %M" "$wt/build/tools/ksmsim-bench-ksmd" --sim-only \
			--pages "$n" --rounds 4 2>&1)
		r1=$(awk -F'|' '/^\| 1 \(checksums\)/ { gsub(/ /, "", $3); print $3 }' <<<"$text")
		r2=$(awk -F'|' '/^\| 2 \(merge\)/ { gsub(/ /, "", $3); print $3 }' <<<"$text")
		st=$(awk -F'|' '/^\| steady/ { gsub(/ /, "", $3); v = $3 } END { print v }' <<<"$text")
		kib=$(sed -n 's/^rss \([0-9]*\)$/\1/p' <<<"$text")
		echo "| $sha | $n | $r1 | $r2 | $st | $((kib / 1024)) |"
	done
	git -C "$root" worktree remove --force "$wt" >/dev/null
done
