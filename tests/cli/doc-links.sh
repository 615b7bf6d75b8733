#!/bin/sh
# The documents stand alone in the repository: every relative Markdown link
# in README.md and docs/ names a file that exists, and nothing points outside
# the repository (../shared, /work/...).
#
#   doc-links.sh SOURCE_DIR
set -u
cd "$1" || exit 2
fail=0
tmp_fail=$(mktemp) || exit 2
trap 'rm -f "$tmp_fail"' EXIT
for md in README.md docs/*.md docs/*/*.md; do
	[ -f "$md" ] || continue
	dir=$(dirname "$md")
	if grep -n '\.\./shared\|/work/' "$md"; then
		echo "FAIL: $md points outside the repository (lines above)"
		fail=1
	fi
	# ](target) links; drop web links, mail links and in-page anchors.
	grep -o '](\([^)]*\))' "$md" | sed 's/^](//; s/)$//; s/ .*//' |
	while IFS= read -r target; do
		case "$target" in
		http://*|https://*|mailto:*|\#*|"") continue ;;
		esac
		path=${target%%#*}
		if [ ! -e "$dir/$path" ]; then
			echo "FAIL: $md links to $target, which does not exist"
			echo x >>"$tmp_fail"
		fi
	done
done
[ -s "$tmp_fail" ] && fail=1
rm -f "$tmp_fail"
exit $fail
