#!/bin/sh
# A long valid trace streams through replay, check and fmt in bounded
# memory: about 24 MB of commands piped in under `ulimit -v 250000`
# (250 MB of address space; reading the whole trace first needs over 300
# MB).  Not in sanitizer builds (ASan needs terabytes of address space).
#   bounded-valid.sh KSMSIM
set -u
ksmsim=$1
gen() {
	printf 'ksmtrace 1\nspawn a\nmmap a 0x100000000000 1\n'
	# 600,000 cheap commands: a write and an expect, again and again.
	awk 'BEGIN { for (i = 0; i < 300000; i++)
		printf "write a 0x100000000000 1 token=%d\nexpect a.vmas=1\n", i % 7 + 1 }'
}
status=0
for sub in "replay --snapshots /dev/null --quiet" "check" "fmt"; do
	# shellcheck disable=SC2086 # the subcommand's words
	gen | (ulimit -v 250000 && exec "$ksmsim" $sub -) >/dev/null 2>"${TMPDIR:-/tmp}/bounded-valid.$$"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: ksmsim $sub - on a 24 MB valid trace under ulimit -v 250000: exit $rc"
		tail -n 3 "${TMPDIR:-/tmp}/bounded-valid.$$"
		status=1
	fi
done
rm -f "${TMPDIR:-/tmp}/bounded-valid.$$"
exit $status
