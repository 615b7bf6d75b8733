#!/bin/sh
# Every program answers --version with its name and the version it was built
# from, and every ksmsim subcommand answers --help and --version, exit 0.
#
#   version-help.sh SOURCE_DIR KSMSIM OTHER_PROGRAM...
# Subcommands are taken from `ksmsim --help`, so a new one is covered at once.
# In a git checkout the version must name the revision (`git describe
# --always --dirty`: a hash, or TAG-N-gHASH once tags exist, and -dirty).
set -u
src=$1 ksmsim=$2
shift 2
fail=0
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git_part=' \(git [0-9A-Za-z._-]+\)'
else
	git_part='( \(git [0-9A-Za-z._-]+\))?'
fi
version_re="^[a-z-]+( [a-z-]+)? [0-9]+\.[0-9]+\.[0-9]+$git_part\$"

check_version() { # NAME COMMAND...
	name=$1
	shift
	out=$("$@" --version 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -Eq "$version_re" ||
	   [ "${out%% [0-9]*}" != "$name" ]; then
		echo "FAIL: $* --version: exit $rc, printed '$out' (want '$name X.Y.Z (git REV)')"
		fail=1
	fi
}

check_version ksmsim "$ksmsim"
for p in "$@"; do
	check_version "$(basename "$p")" "$p"
done

subs=$("$ksmsim" --help | sed -n '/^subcommands:/,/^$/p' | awk 'NF > 1 { print $1 }')
[ -n "$subs" ] || { echo "FAIL: ksmsim --help lists no subcommands"; exit 1; }
for s in $subs; do
	check_version "ksmsim $s" "$ksmsim" "$s"
	out=$("$ksmsim" "$s" --help 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q "^usage: ksmsim $s"; then
		echo "FAIL: ksmsim $s --help: exit $rc, no 'usage: ksmsim $s' line"
		fail=1
	fi
	# A usage line alone is not help: each subcommand says what it does.
	if [ "$(printf '%s\n' "$out" | wc -l)" -lt 4 ]; then
		echo "FAIL: ksmsim $s --help is under 4 lines:"
		printf '%s\n' "$out"
		fail=1
	fi
done
exit $fail
