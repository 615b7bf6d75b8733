#!/bin/sh
# `ksmsim window`'s errors: each exits 2 at once with a message, before any
# replay; a picture that cannot be drawn is an error, not a window.
#   errors.sh KSMSIM TRACE WORKDIR
set -u
ksmsim=$1 trace=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 2
status=0
expect() { # WHAT-IN-STDERR ARGS...
	want=$1
	shift
	err=$("$ksmsim" window "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ] || ! printf '%s\n' "$err" | grep -q -- "$want"; then
		echo "FAIL: window $*: exit $rc, stderr '$err'; want 2 and '$want'"
		status=1
	fi
}
expect "needs a value" --recorded
expect "needs a value" "$trace" --svg
expect "takes KERNEL=FILE" --recorded nokernel "$trace"
expect "/nonexistent/x.svg: cannot write" --svg /nonexistent/x.svg "$trace"
expect "$work: cannot write: Is a directory" --svg "$work" "$trace"
expect "cannot read" --recorded lpi=/nonexistent.jsonl "$trace"
expect "cannot read" "$work/missing.trace"
exit $status
