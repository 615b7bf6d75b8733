#!/bin/bash
# Run an exploration as S shards with GNU parallel (Debian package
# `parallel`), here or on ssh hosts, then merge them into the report of
# the unsharded run (docs/rmap.md, "Running an exploration").
#
# usage: tools/explore/parallel.sh [-s SHARDS] [-j JOBS] [-S SSHLOGINS] [-o OUTDIR]
#                                  [-k KSMSIM] -- EXPLORE-OPTIONS...
#   -s SHARDS    parts of the search (default: two per core here)
#   -j JOBS      shards run at once per host (GNU parallel's -j; default: cores)
#   -S LOGINS    GNU parallel's --sshlogin (e.g. ':,host1,4/host2'); ksmsim
#                must be at the same path on every host (-k)
#   -o OUTDIR    where the shard results, the merged report and the traces go
#                (default explore-shards)
#   -k KSMSIM    the ksmsim binary (default build/ksmsim)
#   -n           print the commands instead of running them
# The merged report is OUTDIR/report (and on stdout); the exit status is
# explore-merge's (0 nothing failed, 1 a failure, 2 bad input).
set -eu
shards=
jobs=
logins=
out=explore-shards
ksmsim=build/ksmsim
dry=
while getopts s:j:S:o:k:nh opt; do
	case $opt in
	s) shards=$OPTARG ;;
	j) jobs=$OPTARG ;;
	S) logins=$OPTARG ;;
	o) out=$OPTARG ;;
	k) ksmsim=$OPTARG ;;
	n) dry=1 ;;
	h) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [-s SHARDS] [-j JOBS] [-S SSHLOGINS] [-o OUTDIR] [-k KSMSIM] [-n] -- EXPLORE-OPTIONS..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if ! command -v parallel >/dev/null; then
	echo "$0: GNU parallel is missing: apt-get install parallel" >&2
	exit 2
fi
cores=$(nproc)
shards=${shards:-$((2 * cores))}
jobs=${jobs:-$cores}
case $shards in ''|*[!0-9]*|0) echo "$0: -s takes a number of shards >= 1, not '$shards'" >&2; exit 2 ;; esac
[ -x "$ksmsim" ] || { echo "$0: $ksmsim: no ksmsim binary there (-k)" >&2; exit 2; }
ksmsim=$(cd "$(dirname "$ksmsim")" && pwd)/$(basename "$ksmsim")
mkdir -p "$out/traces"
# Quote the explore options once, for the shell parallel runs them in.
opts=$(printf ' %q' "$@")
ssh=()
[ -n "$logins" ] && ssh=(--sshlogin "$logins" --return "$out/{}.json" --cleanup)
cmd="$ksmsim explore$opts --quiet --shard {}/$shards > $out/{}.json; test \$? -le 1"
if [ -n "$dry" ]; then
	echo "parallel -j $jobs ${ssh[*]} --halt now,fail=1 '$cmd' ::: $(seq -s ' ' 0 $((shards - 1)))"
	echo "$ksmsim explore-merge --out $out/traces $out/0.json ... $out/$((shards - 1)).json"
	exit 0
fi
# A shard exits 1 when it found a failure: that is a result, not an error.
parallel -j "$jobs" "${ssh[@]}" --halt now,fail=1 "$cmd" ::: $(seq 0 $((shards - 1)))
results=()
for k in $(seq 0 $((shards - 1))); do results+=("$out/$k.json"); done
set +e
"$ksmsim" explore-merge --out "$out/traces" "${results[@]}" | tee "$out/report"
exit "${PIPESTATUS[0]}"
