#!/bin/sh
# ksmsim-difffuzz killed while it writes a file (here by SIGXFSZ, under
# `ulimit -f 1`) dies of the signal and leaves no temporary file behind.
#   xfsz.sh DIFFFUZZ WORKDIR
set -u
fz=$1 work=$2
rm -rf "$work" && mkdir -p "$work" || exit 2
(ulimit -f 1 && exec "$fz" --generate 3 --steps 200 --out "$work") 2>/dev/null
rc=$?
status=0
if [ $rc -ne 153 ]; then # 128 + SIGXFSZ (25)
	echo "FAIL: exit $rc, expected 153 (SIGXFSZ)"
	status=1
fi
left=$(find "$work" -name '*.tmp*')
if [ -n "$left" ]; then
	echo "FAIL: temporary files left: $left"
	status=1
fi
exit $status
