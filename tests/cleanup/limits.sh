#!/bin/bash
# No temporary output survives running out of memory or out of file size.
#
#   limits.sh KSMSIM WORKDIR oom|trace|fsize
#
# oom:   `replay --snapshots OUT` of a trace that maps and writes 2^24 pages
#        under `ulimit -v`: the allocation fails, ksmsim exits 3 ("out of
#        memory") and OUT.tmp.PID must be gone.
# trace: the trace reader follows the same policy (docs/architecture.md,
#        "Errors"): `dot TRACE all OUT` keeps every command of a trace of
#        300,000 scans in memory (about 110 MB) before replaying any, so
#        under `ulimit -v 100000` the parser's allocation fails and ksmsim
#        exits 3 with "ksmsim: out of memory allocating N bytes", not with
#        a diagnostic of the trace.  A two-line trace under the same limit
#        gets past parsing to the replay's own error, so the limit leaves
#        room for the program itself.
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
trace)
	{ echo "ksmtrace 1"; yes "scan rounds=1" | head -n 300000; } > "$dir/big.trace"
	printf 'ksmtrace 1\nscan rounds=1\n' > "$dir/small.trace"
	(ulimit -v 100000; exec "$ksmsim" dot "$dir/small.trace" all "$dir/small.dot") 2>"$dir/stderr"
	st=$?
	if [ "$st" -ne 2 ] || ! grep -q "^$dir/small.trace:2:1: no process is registered" "$dir/stderr"; then
		echo "trace: the small trace under the limit: exit status $st, expected 2 at the replay"
		cat "$dir/stderr"
		fail=1
	fi
	(ulimit -v 100000; exec "$ksmsim" dot "$dir/big.trace" all "$dir/big.dot") 2>"$dir/stderr"
	st=$?
	if [ "$st" -ne 3 ] || ! grep -qx "ksmsim: out of memory allocating [0-9]* bytes" "$dir/stderr" ||
	   [ "$(wc -l < "$dir/stderr")" -ne 1 ]; then
		echo "trace: exit status $st, expected 3 with only 'ksmsim: out of memory allocating N bytes'"
		cat "$dir/stderr"
		fail=1
	fi
	leftovers trace
	[ -e "$dir/big.dot" ] && { echo "trace: an output was written"; fail=1; }
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
	echo "usage: limits.sh KSMSIM WORKDIR oom|trace|fsize"
	exit 2 ;;
esac
[ "$fail" -eq 0 ] && echo "$what: no temporary file left"
exit "$fail"
