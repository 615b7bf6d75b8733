#!/bin/sh
# A signal stops explore cleanly: the statistics so far are printed and
# marked interrupted, the failing traces already found are on disk and
# whole, no temporary file is left, and the exit status is 128 + the
# signal.  A run estimated at over an hour is warned about.
#
# No timing is assumed: each run is long (hours to a year), and the signal
# is sent only once the run has shown, by a file or a line, that it has
# found a failure and measured its rate; a stuck run is caught by the
# test's ctest TIMEOUT.
#
# usage: signals.sh KSMSIM OUTDIR
set -u
KSMSIM=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"

fail() {
	echo "FAIL: $*" >&2
	for f in "$OUT"/*.out "$OUT"/*.err; do
		[ -f "$f" ] && { echo "--- $f"; cat "$f"; } >&2
	done
	exit 1
}

# wait_for WHAT TEST...: poll (up to 5 minutes) until TEST succeeds.
wait_for() {
	what=$1
	shift
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ $i -le 3000 ] || fail "gave up waiting for $what"
		kill -0 "$pid" 2>/dev/null || fail "explore ended before $what"
		sleep 0.1
	done
}

# A background job of a script starts with SIGINT ignored, and explore
# keeps a signal ignored at its start; run it with the three signals at
# their defaults, as from an interactive shell.
run_explore() {
	exec python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$KSMSIM" explore "$@"
}

has_line() { grep -q "$1" "$2" 2>/dev/null; }

no_tmp() {
	left=$(find "$1" -name '*.tmp.*')
	[ -z "$left" ] || fail "temporary files left: $left"
}

# 1. Exhaustive to depth 12 (about 2.7e11 sequences): the size warning,
#    then a divergence written, then SIGINT.
dir=$OUT/exhaustive
mkdir -p "$dir"
run_explore --exhaustive --depth 12 --keep-going --out "$dir" \
	>"$OUT/exhaustive.out" 2>"$OUT/exhaustive.err" &
pid=$!
wait_for "the divergence trace" test -s "$dir/explore-depth12-divergence.trace"
wait_for "the long-run warning" has_line 'warning: about .* sequences (estimated) .* (over an hour)' \
	"$OUT/exhaustive.err"
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "exhaustive: SIGINT gave exit $rc, expected 130"
has_line '^exhaustive: [0-9]* sequences up to depth 12' "$OUT/exhaustive.out" ||
	fail "exhaustive: no statistics after SIGINT"
has_line '^interrupted by SIGINT: the search is incomplete' "$OUT/exhaustive.out" ||
	fail "exhaustive: the statistics are not marked interrupted"
has_line "^trace: $dir/explore-depth12-divergence.trace\$" "$OUT/exhaustive.out" ||
	fail "exhaustive: the trace found is not reported"
no_tmp "$dir"
# Every trace reported is whole: it replays, and its divergence fails the replay.
for t in $(sed -n 's/^trace: //p' "$OUT/exhaustive.out"); do
	"$KSMSIM" replay --quiet --check=each "$t" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 1 ] || fail "$t: replay exit $rc, expected 1 (the divergence)"
done

# 2. Random, the negative control, 4e9 traces: one run per signal, with
#    --json; each stops at the next command with a JSON report.
for sig in INT TERM HUP; do
	case $sig in
	INT) want=130 ;;
	TERM) want=143 ;;
	HUP) want=129 ;;
	esac
	dir=$OUT/random-$sig
	mkdir -p "$dir"
	run_explore --seed 1 --traces 4000000000 --target naive --keep-going --json \
		--out "$dir" >"$OUT/random-$sig.out" 2>"$OUT/random-$sig.err" &
	pid=$!
	wait_for "the first naive-miss trace" test -s "$dir/explore-1-naive-miss.trace"
	wait_for "the long-run warning" has_line 'warning: .* commands at the .* (over an hour)' \
		"$OUT/random-$sig.err"
	kill -$sig $pid
	wait $pid
	rc=$?
	[ $rc -eq $want ] || fail "random: SIG$sig gave exit $rc, expected $want"
	python3 - "$OUT/random-$sig.out" "SIG$sig" "$dir" <<'EOF' || fail "random: SIG$sig: bad JSON report"
import json, os, sys
r = json.load(open(sys.argv[1]))
assert r["interrupted_by"] == sys.argv[2], r["interrupted_by"]
assert 17 <= r["traces"] < 4000000000, r["traces"]
assert r["failures"], "no failure reported"
for f in r["failures"]:
    assert f["trace"].startswith(sys.argv[3] + "/"), f["trace"]
    assert os.path.getsize(f["trace"]) > 0, f["trace"]
EOF
	no_tmp "$dir"
done
# 3. A signal ignored at the start stays ignored (nohup, background jobs):
#    SIGINT (ignored here) then SIGTERM stop it as SIGTERM.
dir=$OUT/ignored
mkdir -p "$dir"
python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$KSMSIM" explore --seed 1 --traces 4000000000 \
	--target naive --keep-going --out "$dir" >"$OUT/ignored.out" 2>"$OUT/ignored.err" &
pid=$!
wait_for "the first naive-miss trace" test -s "$dir/explore-1-naive-miss.trace"
kill -INT $pid
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 143 ] || fail "ignored SIGINT, then SIGTERM: exit $rc, expected 143"
has_line '^interrupted by SIGTERM' "$OUT/ignored.out" || fail "ignored SIGINT was not ignored"
no_tmp "$dir"
echo "ok"
