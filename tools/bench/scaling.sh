#!/usr/bin/env bash
# The scaling curve of docs/performance.md: the issue's workload (half
# the pages in 1,024 contents, half unique; smart_scan=0
# pages_to_scan=100000) on the simulator alone at several sizes, with
# the CPU time of each round and the peak RSS.  An opt-in benchmark,
# not a test; 16M pages take about a minute and 2 GiB.
#
#   tools/bench/scaling.sh [BENCH] [PAGES...]
#       default: build-release/tools/ksmsim-bench-ksmd 262144 1048576 4194304 16777216
#   tools/bench/scaling.sh --plot DAT     only draw DAT (a performance-scaling.dat)
#
# Prints a Markdown table and writes performance-scaling.dat (pages, steady-round
# seconds, peak RSS MiB, round 1 and round 2 seconds) in $OUT (default:
# the current folder); with gnuplot (Debian: apt-get install gnuplot-nox)
# it also draws $OUT/performance-scaling.png.  BEFORE=FILE adds a second
# pair of curves from a file of the same columns (an earlier run).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${OUT:-.}
mkdir -p "$out"

plot() {
	local dat=$1 before=${BEFORE:-} extra=
	if ! command -v gnuplot >/dev/null; then
		echo "no gnuplot: no plot (Debian: apt-get install gnuplot-nox)"
		return 0
	fi
	if [ -n "$before" ]; then
		[ -r "$before" ] || { echo "scaling.sh: BEFORE=$before cannot be read" >&2; exit 2; }
		extra=", \"$before\" using 1:2 with linespoints dt 2 lw 2 pt 6 lc rgb '#9400d3' title 'before: seconds', \"$before\" using 1:3 axes x1y2 with linespoints dt 2 lw 2 pt 4 lc rgb '#009e73' title 'before: MiB'"
	fi
	gnuplot <<GP
set terminal pngcairo size 720,420 font "sans,10"
set output "$out/performance-scaling.png"
set title "ksmsim: the issue's workload, pages against time and memory"
set logscale xy 2
set offsets graph 0.05, graph 0.05, 0, 0
set xtics ("256K" 262144, "1M" 1048576, "4M" 4194304, "16M" 16777216)
set xlabel "simulated pages"
set ylabel "CPU seconds per steady round"
set y2label "peak RSS, MiB"
set ytics nomirror
set y2tics
set logscale y2 2
set key top left
set grid
plot "$dat" using 1:2 with linespoints lw 2 pt 7 ps 1.2 lc rgb '#9400d3' title "seconds per steady round", \
     "$dat" using 1:3 axes x1y2 with linespoints lw 2 pt 5 ps 1.2 lc rgb '#009e73' title "peak RSS (MiB)" $extra
GP
	echo "plot: $out/performance-scaling.png"
}

if [ "${1:-}" = --plot ]; then
	[ $# -eq 2 ] && [ -r "$2" ] || { echo "scaling.sh: --plot takes a readable data file" >&2; exit 2; }
	plot "$2"
	exit 0
fi
bench=${1:-$root/build-release/tools/ksmsim-bench-ksmd}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(262144 1048576 4194304 16777216)
[ -x "$bench" ] || { echo "scaling.sh: no benchmark at $bench (tools/dev.sh release builds it)" >&2; exit 2; }
for n in "${sizes[@]}"; do
	case $n in ''|*[!0-9]*) echo "scaling.sh: not a page count: '$n'" >&2; exit 2 ;; esac
done

dat=$out/performance-scaling.dat
tmp=$dat.tmp.$$
trap 'rm -f "$tmp"' EXIT
echo "# pages steady_round_s peak_rss_mib round1_s round2_s" > "$tmp"
echo "| pages | round 1 s | round 2 s | steady round s | peak RSS MiB | bytes a page |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
	text=$("$bench" --sim-only --pages "$n" --rounds 4)
	r1=$(awk -F'|' '/^\| 1 \(checksums\)/ { gsub(/ /, "", $3); print $3 }' <<<"$text")
	r2=$(awk -F'|' '/^\| 2 \(merge\)/ { gsub(/ /, "", $3); print $3 }' <<<"$text")
	# the last steady round
	st=$(awk -F'|' '/^\| steady/ { gsub(/ /, "", $3); v = $3 } END { print v }' <<<"$text")
	rss=$(sed -n 's/^simulator: peak RSS \([0-9]*\) MiB, \([0-9]*\) bytes a page.*/\1 \2/p' <<<"$text")
	[ -n "$r1" ] && [ -n "$st" ] && [ -n "$rss" ] || { echo "scaling.sh: unexpected output at $n pages:" >&2; echo "$text" >&2; exit 1; }
	set -- $rss
	echo "| $n | $r1 | $r2 | $st | $1 | $2 |"
	echo "$n $st $1 $r1 $r2" >> "$tmp"
done
mv "$tmp" "$dat"
trap - EXIT

echo
plot "$dat"
