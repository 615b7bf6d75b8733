#!/bin/sh
# Record the live kernel's snapshot output of corpus traces:
#   record-corpus.sh REPLAY [TRACE...]      (default: traces/kernel/*.trace)
# Each trace is replayed twice; the two outputs must be byte-identical,
# then the first becomes NAME.expected.jsonl next to the trace and
# RECORDED-ON (in the same folder) gets the line
#   NAME.expected.jsonl KERNEL-RELEASE YYYY-MM-DD
# replacing any earlier line for that file.  Needs root and a writable
# /sys/kernel/mm/ksm (see docs/kernel-replay.md).
set -eu
replay=$1
shift
if [ $# -eq 0 ]; then
	set -- "$(dirname "$0")/../../traces/kernel/"*.trace
fi
release=$(uname -r)
today=$(date -u +%Y-%m-%d)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for trace in "$@"; do
	dir=$(dirname "$trace")
	name=$(basename "$trace" .trace)
	"$replay" --wait 900 --snapshots "$tmp/$name.1.jsonl" "$trace"
	"$replay" --wait 900 --snapshots "$tmp/$name.2.jsonl" "$trace"
	if ! cmp -s "$tmp/$name.1.jsonl" "$tmp/$name.2.jsonl"; then
		echo "$trace: two replays differ; not recorded" >&2
		diff "$tmp/$name.1.jsonl" "$tmp/$name.2.jsonl" >&2 || true
		exit 1
	fi
	cp "$tmp/$name.1.jsonl" "$dir/$name.expected.jsonl"
	ro="$dir/RECORDED-ON"
	if [ ! -f "$ro" ]; then
		printf '%s\n' "# Kernel each NAME.expected.jsonl was recorded on (uname -r) and when." \
			"# Written by tools/kernel-replay/record-corpus.sh." > "$ro"
	fi
	grep -v "^$name.expected.jsonl " "$ro" > "$tmp/ro" || true
	printf '%s %s %s\n' "$name.expected.jsonl" "$release" "$today" >> "$tmp/ro"
	{ grep '^#' "$tmp/ro"; grep -v '^#' "$tmp/ro" | sort; } > "$ro"
	echo "recorded $dir/$name.expected.jsonl ($release)"
done
