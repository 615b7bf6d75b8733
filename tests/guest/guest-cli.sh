#!/bin/sh
# Failure paths of ksmsim-kernel-replay --guest (CTest label "cli"):
#   guest-cli.sh REPLAY TRACE WORK
# Every failure must say what is missing, exit non-zero, write no output
# and leave no job folder behind.  The parts that need QEMU or a built
# guest kernel run only where they exist.
set -u
replay=$1 trace=$2 work=$3
fail=0
rm -rf "$work"
mkdir -p "$work/tmp" "$work/empty"
export TMPDIR="$work/tmp"

check() { # check NAME WANT_RC PATTERN -- CMD...
	name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, wanted $want"; cat "$work/$name.err"; fail=1
	elif ! grep -q -- "$pattern" "$work/$name.err"; then
		echo "FAIL $name: stderr lacks '$pattern':"; cat "$work/$name.err"; fail=1
	elif [ -n "$(ls -A "$work/tmp")" ] || [ -e "$work/out" ]; then
		echo "FAIL $name: left files behind:"; ls -R "$work/tmp" "$work/out" 2>&1; fail=1
	else
		echo "ok   $name"
	fi
	rm -rf "$work/out"
}

check no-kernel 2 "tools/guest/build.sh" -- \
	"$replay" --guest lpi --guest-dir "$work/empty" --out-dir "$work/out" "$trace"
check bad-name 2 "wants baseline, lpi or the path of a bzImage" -- \
	"$replay" --guest lpi2 --out-dir "$work/out" "$trace"
check two-traces 2 "needs --out-dir" -- "$replay" --guest lpi "$trace" "$trace"
check bad-accel 2 "wants tcg or kvm" -- "$replay" --guest lpi --accel xen "$trace"
check no-guest-opts 2 "need --guest" -- "$replay" --guest-timeout 5 --out-dir "$work/out" "$trace"

# kill -9 of the replay while "QEMU" runs (a stand-in that only sleeps):
# QEMU dies with it (PR_SET_PDEATHSIG) and the guardian removes the job
# folder, within a second (polled every 50 ms).
mkdir -p "$work/fake"
echo "not a kernel" > "$work/fake/bzImage"
printf '#!/bin/sh\necho $$ > "%s/fake/qemu.pid"\nexec sleep 600\n' "$work" \
	> "$work/fake/qemu-system-x86_64"
chmod +x "$work/fake/qemu-system-x86_64"
if PATH="$work/fake:$PATH" "$replay" --probe --guest "$work/fake/bzImage" >/dev/null 2>&1; then
	PATH="$work/fake:$PATH" "$replay" --guest "$work/fake/bzImage" --out-dir "$work/out" \
		"$trace" >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 100); do
		[ -s "$work/fake/qemu.pid" ] && break
		sleep 0.05
	done
	qpid=$(cat "$work/fake/qemu.pid" 2>/dev/null)
	kill -9 $pid
	wait $pid 2>/dev/null
	# (a zombie waiting for its new parent to reap it has ended)
	alive() { [ -e "/proc/$1/status" ] && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
	for i in $(seq 20); do
		{ [ -z "$qpid" ] || ! alive "$qpid"; } && [ -z "$(ls -A "$work/tmp")" ] && break
		sleep 0.05
	done
	if [ -z "$qpid" ]; then
		echo "FAIL sigkill: the stand-in QEMU never ran"; fail=1
	elif alive "$qpid"; then
		echo "FAIL sigkill: QEMU (pid $qpid) outlived the killed replay"; kill "$qpid"; fail=1
	elif [ -n "$(ls -A "$work/tmp")" ]; then
		echo "FAIL sigkill: the job folder was left behind:"; ls -R "$work/tmp"; fail=1
	else
		echo "ok   sigkill"
	fi
	rm -rf "$work/out" "$work/tmp"/*
else
	echo "skip sigkill: this replayer cannot boot guests (dynamically linked)"
fi

if command -v qemu-system-x86_64 >/dev/null; then
	echo "this is not a kernel" > "$work/empty/bzImage"
	check not-a-kernel 3 "did not boot" -- \
		"$replay" --guest "$work/empty/bzImage" --out-dir "$work/out" "$trace"
	if "$replay" --probe --guest lpi >/dev/null 2>&1; then
		check timeout 3 "did not finish within 1 s" -- \
			"$replay" --guest lpi --guest-timeout 1 --out-dir "$work/out" "$trace"
		# SIGINT while the guest runs: QEMU stopped, nothing left, 130.
		"$replay" --guest lpi --out-dir "$work/out" "$trace" 2>"$work/int.err" &
		pid=$!
		sleep 1
		kill -INT $pid
		wait $pid
		rc=$?
		if [ $rc != 130 ] || [ -n "$(ls -A "$work/tmp")" ] || [ -e "$work/out" ] ||
		   pgrep -f "ksmsim-guest-" >/dev/null; then
			echo "FAIL sigint: exit $rc"; cat "$work/int.err"; ls -R "$work/tmp"; fail=1
		else
			echo "ok   sigint"
		fi
	else
		echo "skip timeout, sigint: no lpi guest kernel built"
	fi
else
	echo "skip not-a-kernel, timeout, sigint: QEMU is not installed"
fi
exit $fail
