#!/bin/sh
# Parallel and sharded exploration give what one process gives:
#  - --jobs 2 and 3 write the same traces (names and bytes) as --jobs 1,
#    with --keep-going (the golden tests compare the reports);
#  - shards 0/2 and 1/2 (one of them on 2 jobs) merged by explore-merge
#    print the unsharded report (text and --json) and write the same
#    traces, for exhaustive depth 4, for a search that stops at its first
#    failure (depth 5, target naive), and for random seeds with and
#    without --keep-going;
#  - explore-merge refuses a missing part, a part given twice, parts of
#    different searches, a damaged file (FILE:LINE:COL) and a result that
#    lacks a task, and bad --shard / --jobs values are usage errors.
#
# usage: shards.sh KSMSIM OUTDIR
set -u
KSMSIM=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run DIR ARGS...: explore in DIR (traces to DIR/o), report to DIR/out.
run() {
	d=$1
	shift
	mkdir -p "$d/o"
	(cd "$d" && "$KSMSIM" explore "$@" --out o --quiet >out; echo "exit $?" >>out)
}

n=0
for args in "--exhaustive --depth 4" \
	"--exhaustive --depth 5 --target naive" \
	"--exhaustive --depth 5 --target naive --keep-going" \
	"--seed 1 --traces 200 --target naive" \
	"--seed 1 --traces 40 --target naive --keep-going" \
	"--seed 7 --traces 20 --steps 100"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	run "$OUT/$n-one" $args
	# shellcheck disable=SC2086
	run "$OUT/$n-jobs2" $args --jobs 2
	# shellcheck disable=SC2086
	run "$OUT/$n-jobs3" $args --jobs 3
	diff -r "$OUT/$n-one" "$OUT/$n-jobs2" || fail "--jobs 2 differs: $args"
	diff -r "$OUT/$n-one" "$OUT/$n-jobs3" || fail "--jobs 3 differs: $args"
	s=$OUT/$n-shards
	mkdir -p "$s/o" "$OUT/$n-results"
	# shellcheck disable=SC2086
	"$KSMSIM" explore $args --shard 0/2 --quiet >"$OUT/$n-results/0.json"
	# shellcheck disable=SC2086
	"$KSMSIM" explore $args --shard 1/2 --jobs 2 --quiet >"$OUT/$n-results/1.json"
	(cd "$s" && "$KSMSIM" explore-merge --out o ../$n-results/1.json ../$n-results/0.json >out
	 echo "exit $?" >>out)
	diff -r "$OUT/$n-one" "$s" || fail "shards merged differ: $args"
	# shellcheck disable=SC2086
	(cd "$OUT/$n-one" && "$KSMSIM" explore $args --out o --quiet --json >json)
	(cd "$s" && "$KSMSIM" explore-merge --out o --json ../$n-results/0.json ../$n-results/1.json >json)
	cmp "$OUT/$n-one/json" "$s/json" || fail "shards merged differ in JSON: $args"
done
grep -q '^failure' "$OUT/2-one/out" || fail "the naive search found nothing to stop at"
[ "$(grep -c '^failure' "$OUT/3-one/out")" -ge 2 ] || fail "keep-going found one failure only"

# explore-merge's refusals: exit 2 and a message naming the problem.
R=$OUT/4-results
refuse() {
	want=$1
	shift
	"$KSMSIM" explore-merge --out "$OUT" "$@" >"$OUT/refused.out" 2>"$OUT/refused.err"
	rc=$?
	[ $rc -eq 2 ] || fail "explore-merge $*: exit $rc, expected 2"
	grep -q "$want" "$OUT/refused.err" || fail "explore-merge $*: no '$want' in: $(cat "$OUT/refused.err")"
	[ -s "$OUT/refused.out" ] && fail "explore-merge $*: printed a report"
	return 0
}
refuse "has 2 parts, 1 results given" "$R/0.json"
refuse "part 1/2 is missing" "$R/0.json" "$R/0.json"
refuse "parts of different searches" "$R/0.json" "$OUT/1-results/1.json"
head -c 100 "$R/0.json" >"$OUT/cut.json"
refuse "cut.json:1:" "$OUT/cut.json" "$R/1.json"
# A shard result of a search with no failure, its last task removed.
python3 - "$OUT/1-results/1.json" "$OUT/lacking.json" <<'PY' || fail "python3"
import json, sys
d = json.load(open(sys.argv[1]))
d["tasks"].pop()
json.dump(d, open(sys.argv[2], "w"))
PY
refuse "lacks task" "$OUT/1-results/0.json" "$OUT/lacking.json"
refuse "no results given"

# Bad --shard and --jobs values are usage errors before anything runs.
for bad in "--shard 2/2:K must be less than N" "--shard 1:takes K/N" "--shard 0/0:has no parts" \
	"--jobs 0:runs nothing" "--jobs x:takes a number"; do
	opt=${bad%%:*}
	msg=${bad#*:}
	# shellcheck disable=SC2086
	"$KSMSIM" explore --exhaustive $opt >"$OUT/bad.out" 2>"$OUT/bad.err"
	rc=$?
	[ $rc -eq 2 ] || fail "explore $opt: exit $rc, expected 2"
	grep -q "$msg" "$OUT/bad.err" || fail "explore $opt: no '$msg' in: $(cat "$OUT/bad.err")"
done
echo ok
