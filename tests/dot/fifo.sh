#!/bin/sh
# A picture written to a FIFO (`ksmsim dot T stable /path/fifo.svg`, read by
# another process) arrives whole and the command ends: the output is never
# opened and closed before Graphviz writes it, which would give the reader
# its end of file and leave Graphviz blocked.  The DOT text form too.
#   fifo.sh KSMSIM TRACE WORKDIR
set -u
ksmsim=$1 trace=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 2
status=0
for ext in svg dot; do
	fifo=$work/pic.$ext
	mkfifo "$fifo" || exit 2
	cat "$fifo" >"$work/got.$ext" &
	reader=$!
	timeout 20 "$ksmsim" dot "$trace" stable "$fifo"
	rc=$?
	wait $reader
	if [ $rc -ne 0 ]; then
		echo "FAIL: dot to a FIFO .$ext: exit $rc (124: it hung)"
		status=1
	elif ! grep -q '<svg\|digraph' "$work/got.$ext"; then
		echo "FAIL: the reader of the .$ext FIFO got no picture"
		status=1
	fi
done
exit $status
