#!/usr/bin/env bash
# Peak memory of `ksmsim fmt` and `ksmsim replay` against the size of the
# trace (an opt-in benchmark, not a test; docs/architecture.md has the
# figures).  The trace is a long loop of write/scan lines on 8 pages, so
# the simulated machine stays small and what grows, if anything, is the
# reader's and parser's memory.
#
#   tools/bench/stream-rss.sh [KSMSIM] [MB...]   default: build/ksmsim 16 256 1024
#
# Needs GNU time (/usr/bin/time, Debian package "time") and free space in
# $TMPDIR for the largest trace.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ksmsim=${1:-$root/build/ksmsim}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(16 256 1024)
[ -x /usr/bin/time ] || { echo "stream-rss: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

printf '%8s  %-7s %14s %9s\n' "trace MB" command "peak RSS KiB" seconds
for mb in "${sizes[@]}"; do
	# 48 bytes per write/scan pair.
	{
		printf 'ksmtrace 1\nspawn a\nmmap a 0x100000000000 8\nmadvise a 0x100000000000 8 mergeable\n'
		{ yes $'write a 0x100000000000 8 mod=2,1\nscan batches=1' || true; } | head -n $((mb * 1048576 / 24))
	} > "$dir/t.trace"
	for cmd in fmt replay; do
		args=("$cmd")
		[ "$cmd" = replay ] && args+=(--quiet --check-invariants=none)
		/usr/bin/time -f '%M %e' -o "$dir/time" "$ksmsim" "${args[@]}" "$dir/t.trace" >/dev/null
		read -r rss secs < "$dir/time"
		printf '%8s  %-7s %14s %9s\n' "$mb" "$cmd" "$rss" "$secs"
	done
done
