#!/bin/bash
# No temporary output survives running out of memory or out of file size.
#
#   limits.sh KSMSIM WORKDIR oom|fsize
#
# oom:   `replay --snapshots OUT` of a trace that maps and writes 2^24 pages
#        under `ulimit -v`: the allocation fails, ksmsim exits 3 ("out of
#        memory") and OUT.tmp.PID must be gone.
# fsize: `dot TRACE all OUT` under `ulimit -f 1`: writing the picture's
#        temporary file raises SIGXFSZ; the run dies of it (128+25) and
#        OUT.tmp.PID must be gone, for the Graphviz text and for SVG.
set -u
ksmsim=$1
dir=$2
what=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fail=0
leftovers() {
	if compgen -G "$dir/*.tmp.*" >/dev/null; then
		echo "$1: left behind:" "$dir"/*.tmp.*
		rm -f "$dir"/*.tmp.*
		fail=1
	fi
}
case $what in
oom)
	cat > "$dir/big.trace" <<'TRACE'
ksmtrace 1
spawn a
mmap a 0x100000000000 16777216
snapshot start
write a 0x100000000000 16777216 seq=1
snapshot end
TRACE
	(ulimit -v 400000; exec "$ksmsim" replay --snapshots "$dir/out.jsonl" "$dir/big.trace") 2>"$dir/stderr"
	st=$?
	if [ "$st" -ne 3 ] || ! grep -q "out of memory" "$dir/stderr"; then
		echo "oom: exit status $st, expected 3 with 'out of memory'"
		cat "$dir/stderr"
		fail=1
	fi
	leftovers oom
	[ -e "$dir/out.jsonl" ] && { echo "oom: a partial output was committed"; fail=1; }
	;;
fsize)
	for ext in dot svg; do
		(ulimit -f 1; ulimit -c 0; exec "$ksmsim" dot "$src/docs/img/all.trace" all "$dir/all.$ext") 2>/dev/null
		st=$?
		if [ "$st" -ne $((128 + $(kill -l XFSZ))) ]; then
			echo "fsize $ext: exit status $st, expected death by SIGXFSZ"
			fail=1
		fi
		leftovers "fsize $ext"
	done
	;;
*)
	echo "usage: limits.sh KSMSIM WORKDIR oom|fsize"
	exit 2 ;;
esac
[ "$fail" -eq 0 ] && echo "$what: no temporary file left"
exit "$fail"
