#!/bin/sh
# The reports that replay a trace to examine it — window, compare, check —
# do not run the trace's own `dot` commands (with two machines, each would
# write the same file); replay does.
#   reports-no-dot.sh KSMSIM WORKDIR
set -u
ksmsim=$1 work=$2
rm -rf "$work" && mkdir -p "$work" || exit 2
cat >"$work/t.trace" <<EOT
ksmtrace 1
spawn a
mmap a 0x100000000000 2
write a 0x100000000000 2 token=3
dot mm a $work/drawn.dot
EOT
status=0
for sub in window compare check; do
	"$ksmsim" $sub "$work/t.trace" >/dev/null 2>&1
	if [ -e "$work/drawn.dot" ]; then
		echo "FAIL: ksmsim $sub ran the trace's dot command"
		rm -f "$work/drawn.dot"
		status=1
	fi
done
"$ksmsim" replay --snapshots /dev/null --quiet "$work/t.trace"
[ -e "$work/drawn.dot" ] || { echo "FAIL: ksmsim replay did not run the trace's dot command"; status=1; }
exit $status
