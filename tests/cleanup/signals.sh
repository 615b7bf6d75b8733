#!/bin/bash
# No temporary output survives a signal (core/cleanup.h).
#
#   signals.sh KSMSIM WORKDIR [SANITIZE]
#
# For each signal, `ksmsim replay --snapshots OUT` runs a trace that scans
# for hours; once OUT.tmp.PID exists the signal is sent.  The run must die
# of that signal (status 128+N) and leave no *.tmp.* behind.  SIGSEGV and
# SIGABRT stand for a crash inside a library (Graphviz's layout); in a
# sanitizer build (SANITIZE ON) SIGSEGV goes on to AddressSanitizer's own
# handler, which reports and exits 1, so it is left out there.
set -u
ksmsim=$1
dir=$2
sanitize=${3:-OFF}
# Job control: a non-interactive shell starts background jobs with SIGINT
# ignored, and ksmsim keeps a signal that was ignored at start ignored.
set -m
ulimit -c 0
rm -rf "$dir" && mkdir -p "$dir" || exit 1
cat > "$dir/long.trace" <<'TRACE'
ksmtrace 1
spawn a
mmap a 0x100000000000 4096
write a 0x100000000000 4096 mod=16,1
madvise a 0x100000000000 4096 mergeable
snapshot start
scan rounds=1000000000
TRACE
fail=0
sigs="INT TERM HUP QUIT ABRT"
case $sanitize in ON|on|1|TRUE|true) ;; *) sigs="$sigs SEGV" ;; esac
for sig in $sigs; do
	num=$(kill -l "$sig")
	"$ksmsim" replay --snapshots "$dir/out.jsonl" "$dir/long.trace" 2>"$dir/stderr" &
	pid=$!
	# Wait (for the file, not for a time) until the output is open.
	for ((i = 0; i < 600; i++)); do
		compgen -G "$dir/out.jsonl.tmp.*" >/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! compgen -G "$dir/out.jsonl.tmp.*" >/dev/null; then
		echo "SIG$sig: the temporary output never appeared"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		fail=1
		continue
	fi
	kill -"$sig" "$pid"
	wait "$pid"
	st=$?
	if [ "$st" -ne $((128 + num)) ]; then
		echo "SIG$sig: exit status $st, expected $((128 + num))"
		cat "$dir/stderr"
		fail=1
	fi
	if compgen -G "$dir/*.tmp.*" >/dev/null; then
		echo "SIG$sig: left behind:" "$dir"/*.tmp.*
		rm -f "$dir"/*.tmp.*
		fail=1
	fi
	if [ -e "$dir/out.jsonl" ]; then
		echo "SIG$sig: a partial output was committed"
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "signals: no temporary file left after: $sigs"
exit "$fail"
