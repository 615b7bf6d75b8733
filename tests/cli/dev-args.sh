#!/bin/sh
# tools/dev.sh refuses bad arguments before it installs or builds anything.
#   dev-args.sh SOURCE_DIR
set -u
dev=$1/tools/dev.sh
fail=0
expect_usage() { # WHAT ARGS...
	what=$1
	shift
	out=$(bash "$dev" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 2 ] || ! printf '%s\n' "$out" | grep -q "$what"; then
		echo "FAIL: tools/dev.sh $*: exit $rc, want 2 and '$what'; printed:"
		printf '%s\n' "$out"
		fail=1
	fi
}
expect_usage "whole number of seconds" fuzz abc
expect_usage "whole number of seconds" fuzz -5
expect_usage "at most one argument" fuzz 5 6
expect_usage "unknown command 'no-such-command'" no-such-command
expect_usage "tools/dev.sh fuzz \[S\]"
out=$(bash "$dev" --help 2>/dev/null)
rc=$?
if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q "tools/dev.sh test"; then
	echo "FAIL: tools/dev.sh --help: exit $rc, want 0 and the usage on stdout"
	fail=1
fi
exit $fail
