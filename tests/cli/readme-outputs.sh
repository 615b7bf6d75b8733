#!/bin/sh
# Following the README's examples from the top of the checkout leaves
# nothing that git would show as new: every output file or folder named in
# the README's shell examples (after --snapshots, --report, --out, --out-dir,
# --json-out, -o, or ending in .svg/.png/.pdf/.dot/.jsonl/.json), and every
# default output folder of the tools, is covered by .gitignore.
#
#   readme-outputs.sh SOURCE_DIR
set -u
cd "$1" || exit 2
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "not a git checkout: nothing to check"
	exit 77
fi
# Default outputs of the tools (their --help says so): difffuzz's folder,
# and a trace explore writes into the current folder without --out.
defaults="difffuzz-out explore-depth6-divergence.trace"

outputs=$(awk '/^```sh/ { on = 1; next } /^```/ { on = 0 } on' README.md |
	sed 's/#.*//' | awk '{
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^(--snapshots|--report|--out|--out-dir|--json-out|-o)$/ && i < NF)
				print $(i + 1)
			else if ($i ~ /\.(svg|png|pdf|dot|jsonl|json)$/)
				print $i
		}
	}')
fail=0
for f in $outputs $defaults; do
	[ -e "$f" ] && git ls-files --error-unmatch "$f" >/dev/null 2>&1 && continue # an input
	if ! git check-ignore -q --no-index "$f" && ! git check-ignore -q --no-index "$f/x"; then
		echo "FAIL: README example output '$f' is not ignored by .gitignore"
		fail=1
	fi
done
exit $fail
