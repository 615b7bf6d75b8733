#!/bin/sh
# tools/explore: both scripts parse (bash -n); slurm.sh's dry run asks for
# one array task per shard and a merge after them; parallel.sh (when GNU
# parallel is installed) merges 4 shards into the unsharded report.
# usage: tools.sh SRCDIR KSMSIM OUTDIR
set -u
src=$1 ksmsim=$2 out=$3
rm -rf "$out"; mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
bash -n "$src/tools/explore/parallel.sh" || fail "parallel.sh does not parse"
bash -n "$src/tools/explore/slurm.sh" || fail "slurm.sh does not parse"
bash "$src/tools/explore/slurm.sh" -n -s 5 -o "$out/sl" -k "$ksmsim" -- --exhaustive --depth 4 >"$out/dry" ||
	fail "slurm.sh -n failed"
grep -q -- '--array=0-4 ' "$out/dry" || fail "slurm.sh: no 5-task array: $(cat "$out/dry")"
grep -q -- '--shard\\ \\$SLURM_ARRAY_TASK_ID/5' "$out/dry" || fail "slurm.sh: no --shard: $(cat "$out/dry")"
grep -q -- '--dependency=afterany:' "$out/dry" || fail "slurm.sh: no dependent merge"
command -v parallel >/dev/null || { echo "SKIP: GNU parallel not installed (tools/dev.sh deps installs it): parallel.sh not run"; exit 77; }
bash "$src/tools/explore/parallel.sh" -s 4 -o "$out/p" -k "$ksmsim" -- --exhaustive --depth 4 >"$out/p.out" ||
	fail "parallel.sh exit $?"
"$ksmsim" explore --exhaustive --depth 4 --quiet --out "$out/p/traces" >"$out/one.out"
cmp "$out/one.out" "$out/p/report" || fail "parallel.sh's merged report differs from the unsharded one"
echo ok
