#!/bin/bash
# Submit an exploration to Slurm as a job array, one array task per shard,
# and a merge job that runs when every shard has ended (afterany: a shard
# that found a failure exits 1, which is a result).  Needs a shared file
# system for OUTDIR and ksmsim (docs/rmap.md, "Running an exploration").
#
# usage: tools/explore/slurm.sh [-s SHARDS] [-o OUTDIR] [-k KSMSIM] [-n]
#                               [-- SBATCH-OPTIONS... --] -- EXPLORE-OPTIONS...
#   -s SHARDS   parts of the search, one array task each (default 16)
#   -o OUTDIR   shard results, logs, traces and the merged report
#               (default explore-shards)
#   -k KSMSIM   the ksmsim binary (default build/ksmsim)
#   -p PART     the Slurm partition (sbatch --partition)
#   -n          dry run: print the sbatch commands, submit nothing
set -eu
shards=16
out=explore-shards
ksmsim=build/ksmsim
part=
dry=
while getopts s:o:k:p:nh opt; do
	case $opt in
	s) shards=$OPTARG ;;
	o) out=$OPTARG ;;
	k) ksmsim=$OPTARG ;;
	p) part=$OPTARG ;;
	n) dry=1 ;;
	h) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [-s SHARDS] [-o OUTDIR] [-k KSMSIM] [-p PARTITION] [-n] -- EXPLORE-OPTIONS..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $shards in ''|*[!0-9]*|0) echo "$0: -s takes a number of shards >= 1, not '$shards'" >&2; exit 2 ;; esac
if [ -z "$dry" ]; then
	command -v sbatch >/dev/null || { echo "$0: sbatch not found: is this a Slurm login node? (-n prints the commands)" >&2; exit 2; }
	[ -x "$ksmsim" ] || { echo "$0: $ksmsim: no ksmsim binary there (-k)" >&2; exit 2; }
	mkdir -p "$out/traces" "$out/logs"
fi
ksmsim=$(cd "$(dirname "$ksmsim")" 2>/dev/null && pwd || dirname "$ksmsim")/$(basename "$ksmsim")
out=$(mkdir -p "$out" 2>/dev/null; cd "$out" 2>/dev/null && pwd || echo "$out")
opts=$(printf ' %q' "$@")
pflag=
[ -n "$part" ] && pflag="--partition=$part"
array_script="$ksmsim explore$opts --quiet --shard \$SLURM_ARRAY_TASK_ID/$shards > $out/\$SLURM_ARRAY_TASK_ID.json; test \$? -le 1"
merge_script="$ksmsim explore-merge --out $out/traces \$(for k in \$(seq 0 $((shards - 1))); do echo $out/\$k.json; done) > $out/report"
array=(sbatch --parsable $pflag --job-name=ksmsim-explore --array=0-$((shards - 1))
       --output="$out/logs/shard-%a.log" --wrap="$array_script")
if [ -n "$dry" ]; then
	printf '%q ' "${array[@]}"
	echo
	echo "sbatch --parsable $pflag --job-name=ksmsim-explore-merge --dependency=afterany:JOBID --output=$out/logs/merge.log --wrap=$(printf '%q' "$merge_script")"
	exit 0
fi
jobid=$("${array[@]}")
merge=$(sbatch --parsable $pflag --job-name=ksmsim-explore-merge --dependency=afterany:"$jobid" \
	--output="$out/logs/merge.log" --wrap="$merge_script")
echo "shards: job array $jobid ($shards tasks); merge: job $merge; the report will be $out/report"
