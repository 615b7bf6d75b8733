#!/bin/sh
# Tests of ksmsim-difffuzz (CTest label "difffuzz", and "kernel" for the
# live one):
#   run-test.sh CASE FUZZ KSMSIM FAKE SRCDIR WORKDIR [REPLAYER]
# FUZZ is ksmsim-difffuzz, KSMSIM ksmsim, FAKE tests/difffuzz/fake-replayer.sh
# (the simulator on a perturbed copy of each trace: no root, no kernel),
# SRCDIR this folder, WORKDIR a scratch folder (emptied first), REPLAYER the
# real ksmsim-kernel-replay (case "kernel" only).  Every case runs with
# TMPDIR inside WORKDIR and checks that nothing is left there.
set -u
case=$1 fuzz=$2 ksmsim=$3 fake=$4 src=$5 work=$6 replayer=${7:-}

rm -rf "$work"
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp" KSMSIM="$ksmsim"
cd "$work" || exit 1

fail() {
	echo "FAIL: $*"
	exit 1
}

# run WANT_RC ARGS...: run the fuzzer, keep stdout/stderr in out/err.  The
# fake replayer does not use KSM: the host's other KSM users (a QEMU guest
# of another test) are none of its business.
run() {
	want=$1
	shift
	case " $* " in
	*" --generate "*|*" --help "*) ;;
	*) set -- --other-ksm-users ignore "$@" ;;
	esac
	"$fuzz" "$@" > out 2> err
	rc=$?
	[ "$rc" = "$want" ] || {
		echo "--- stdout"; cat out; echo "--- stderr"; cat err
		fail "ksmsim-difffuzz $*: exit $rc, expected $want"
	}
}

has() { grep -q -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "$1 lacks '$2'"; }; }

tmp_empty() {
	left=$(ls -A "$TMPDIR")
	[ -z "$left" ] || fail "temporary files left behind in TMPDIR: $left"
}

# The first differing field of two snapshot streams, procs.P. as procs.*.
first_field() {
	"$ksmsim" diff "$1" "$2" | head -1 |
		sed -n 's/^[^:]*:[0-9]*: record for trace line [0-9]* ([^)]*): \([^:]*\):.*/\1/p' |
		sed 's/^procs\.[^.]*/procs.*/'
}

# verdict TRACE: the first differing field between the simulator and the
# fake on TRACE; "invalid" if the simulator refuses it, "" if they agree.
verdict() {
	"$ksmsim" replay --quiet --snapshots v.sim.jsonl "$1" 2>/dev/null || { echo invalid; return; }
	sed "s/token=2/token=1/g" "$1" > v.fake.trace
	"$ksmsim" replay --quiet --snapshots v.fake.jsonl v.fake.trace 2>/dev/null || { echo invalid; return; }
	first_field v.sim.jsonl v.fake.jsonl
}

case $case in
generate)
	# Same seed, same bytes; another seed, other bytes; the recorded trace.
	run 0 --generate 6 --seed 7 --steps 30 --out g1
	run 0 --generate 6 --seed 7 --steps 30 --out g2
	run 0 --generate 6 --seed 8 --steps 30 --out g3
	[ "$(ls g1 | tr '\n' ' ')" = "fz-7-0000.trace fz-7-0001.trace fz-7-0002.trace fz-7-0003.trace fz-7-0004.trace fz-7-0005.trace " ] ||
		fail "unexpected names: $(ls g1)"
	diff -r g1 g2 > /dev/null || fail "the same seed gave different traces"
	cmp -s g1/fz-7-0000.trace g3/fz-8-0000.trace && fail "seeds 7 and 8 gave the same trace"
	diff "$src/fz-7-0000.trace" g1/fz-7-0000.trace ||
		fail "trace 0 of seed 7 differs from the recorded one"
	# Every generated trace replays on the simulator, with the model's
	# invariants after every command, and holds only contract commands.
	for t in g1/*.trace g3/*.trace; do
		"$ksmsim" replay --quiet --check-invariants=each --snapshots /dev/null "$t" ||
			fail "$t does not replay on the simulator"
		grep -Eq '^(check|rmap|dot|migrate|expect)( |$)|sim\.' "$t" &&
			fail "$t has a simulator-only line"
		tail -1 "$t" | grep -qx 'snapshot end' || fail "$t does not end with a snapshot"
	done
	tmp_empty ;;

agree)
	# The fake replays the traces unchanged: everything agrees.
	FAKE_PERTURB= run 0 --replayer "$fake" --traces 20 --steps 30 --batch 7 --json --out out.d
	has out '"traces":20,'
	has out '"agreed":20,"disagreed":0,'
	has out '"backend":"batch"'
	has err 'agreed 20, disagreed 0, unstable 0'
	[ -z "$(ls -A out.d)" ] || fail "cases written although everything agreed"
	# Given traces are compared instead of random ones.
	run 0 --generate 3 --seed 1 --steps 30 --out given
	FAKE_PERTURB= run 0 --replayer "$fake" --out out.d -- given/fz-1-0000.trace \
		given/fz-1-0001.trace given/fz-1-0002.trace
	has out 'difffuzz: 3 of 3 given traces'
	has out 'agreed 3, disagreed 0'
	run 1 --replayer "$fake" --out given.d given/fz-1-0000.trace given/fz-1-0001.trace \
		given/fz-1-0002.trace
	has err 'fz-1-0001-0001: shrunk to'
	# On the host, --wait goes to the batch (for another replay's lock).
	FAKE_PERTURB= FAKE_LOG=calls run 0 --replayer "$fake" --traces 2 --wait 33 --out out.d
	has calls '^--wait 33 --allow-foreign --out-dir '
	tmp_empty ;;

shrink)
	# The fake stores token 1 where the trace writes token 2: the shrunk
	# cases must still disagree the same way, be small, and be 1-minimal
	# (removing any one command makes the disagreement go or change kind).
	run 1 --replayer "$fake" --traces 12 --steps 30 --seed 1 --out cases
	has out 'disagreed [1-9][0-9]*, unstable 0'
	has out 'cases written [1-9]'
	has err 'shrunk to [0-9]* commands; written to cases/fz-'
	n=0
	for d in cases/fz-*; do
		[ -f "$d/shrunk.trace" ] || continue
		n=$((n + 1))
		for f in original.trace original.diff explanation.txt shrunk.diff \
			 shrunk.sim.jsonl shrunk.kernel.jsonl shrunk.kernel.log; do
			[ -f "$d/$f" ] || fail "$d/$f missing"
		done
		has "$d/explanation.txt" 'first difference is'
		has "$d/explanation.txt" 'ddmin shrank it from'
		grep -q token=2 "$d/shrunk.trace" || fail "$d/shrunk.trace writes no token 2"
		want=$(verdict "$d/shrunk.trace")
		case $want in
		''|invalid) fail "$d/shrunk.trace does not disagree ($want)" ;;
		esac
		# the explanation names the same kind of difference
		orig=$(verdict "$d/original.trace")
		[ "$orig" = "$want" ] || fail "$d: shrunk disagrees on $want, the original on $orig"
		grep -v '^#' "$d/shrunk.trace" | tail -n +2 > cmds
		total=$(wc -l < cmds)
		[ "$total" -le 10 ] || fail "$d/shrunk.trace has $total commands (more than 10)"
		[ "$total" -lt "$(grep -vc '^#' "$d/original.trace")" ] || fail "$d was not shrunk"
		i=1
		while [ "$i" -le "$total" ]; do
			{ echo "ksmtrace 1"; sed "${i}d" cmds; } > cand.trace
			got=$(verdict cand.trace)
			[ "$got" = "$want" ] &&
				fail "$d/shrunk.trace is not 1-minimal: without command $i it still disagrees on $want"
			i=$((i + 1))
		done
	done
	[ "$n" -ge 1 ] || fail "no case was shrunk"
	tmp_empty ;;

unstable)
	# A "kernel" that does not repeat its results: the disagreements of
	# the first batch are unstable, not disagreements, and are not shrunk.
	FAKE_FLAKY=$work/count run 0 --replayer "$fake" --traces 12 --steps 30 --seed 1 \
		--out cases --json
	has out '"disagreed":0,"unstable":[1-9]'
	has err 'not repeated by the kernel (unstable)'
	for d in cases/fz-*; do
		has "$d/explanation.txt" 'counted as unstable'
		[ -f "$d/shrunk.trace" ] && fail "$d was shrunk"
	done
	tmp_empty ;;

single)
	# A replayer without batch mode is run once per trace.
	FAKE_NO_BATCH=1 run 1 --replayer "$fake" --traces 6 --steps 30 --shrink-per-group 0 --out cases
	has out 'single mode'
	has out 'disagreed [1-9]'
	for d in cases/fz-*; do
		has "$d/explanation.txt" 'Not shrunk'
	done
	FAKE_NO_BATCH=1 run 2 --replayer "$fake" --guest lpi --backend single --traces 1
	has err '--guest needs the batch backend'
	FAKE_NO_BATCH=1 run 77 --replayer "$fake" --guest lpi --traces 1 --out cases
	has err 'batch mode'
	tmp_empty ;;

guest)
	# --guest is passed to the batch, and the simulator follows its kernel.
	FAKE_PERTURB= FAKE_EXPECT_GUEST=lpi FAKE_LOG=calls run 0 --replayer "$fake" --guest lpi \
		--traces 4 --steps 20 --out cases --json
	has out '"sim_kernel":"lpi","guest":"lpi"'
	has calls '^--guest lpi --probe$'
	has calls '^--guest lpi --out-dir '
	FAKE_PROBE_FAIL=1 run 77 --replayer "$fake" --guest lpi --traces 1 --out cases
	has err 'FAKE reason'
	# A guest that never boots: nothing can be compared here.
	FAKE_BATCH_FAIL=1 run 77 --replayer "$fake" --guest baseline --traces 3 --out cases
	has err 'the guest did not boot (FAKE)'
	# On the host, a batch failing in mid-run is exit 3.
	FAKE_BATCH_FAIL=1 run 3 --replayer "$fake" --traces 3 --out cases
	has out 'stopped: the kernel replayer.s batch failed (exit 3)'
	tmp_empty ;;

cli)
	run 0 --help
	has out 'usage: ksmsim-difffuzz'
	run 2 --frobnicate
	has err "unknown option '--frobnicate'"
	run 2 --traces many
	has err "--traces takes a number, not 'many'"
	run 2 --traces
	has err '--traces needs a value'
	run 2 --guest rc1
	has err '--guest takes baseline or lpi'
	run 2 --sim-kernel=foo
	has err '--sim-kernel takes baseline or lpi'
	run 2 --ignore global.pages_sharng
	has err 'not a field of the snapshot record'
	run 2 --batch 0
	has err '--batch is at least 1'
	run 2 --backend fast
	has err '--backend takes auto, batch or single'
	run 2 --other-ksm-users kill
	has err '--other-ksm-users takes wait or ignore'
	run 2 no-such.trace
	has err "no-such.trace: cannot read: No such file or directory"
	printf 'ksmtrace 1\nmmap a 0x1000 1\n' > bad.trace
	run 2 bad.trace
	has err 'bad.trace:2:8: address 0x1000 is below the lowest mappable address'
	run 2 bad.trace --traces 3
	has err "options go before the traces ('--traces')"
	run 2 --generate 2 bad.trace
	has err '--generate takes no trace files' 
	: > afile
	run 2 --out afile/sub --replayer "$fake"
	has err '--out afile/sub: cannot create'
	mkdir ro && chmod 555 ro
	if [ "$(id -u)" != 0 ]; then
		run 2 --out ro --replayer "$fake"
		has err '--out ro: cannot write'
	fi
	run 77 --replayer "$work/no-such-replayer" --out o
	has err 'SKIP: cannot replay on a kernel here: the kernel replayer'
	has err 'No such file or directory'
	FAKE_PROBE_FAIL=1 run 77 --replayer "$fake" --out o
	has err 'FAKE reason'
	tmp_empty ;;

foreign)
	# Other KSM users ignored (--other-ksm-users ignore, or its synonym
	# --allow-foreign): the replayer gets --allow-foreign, in batch and in
	# single mode.  A replayer that refuses anyway (exit 2: another KSM
	# user came after our check) stops the run with its reason, exit 3,
	# instead of counting disagreements.
	FAKE_PERTURB= FAKE_LOG=batch.log run 0 --replayer "$fake" --traces 3 --out o1
	has batch.log '--allow-foreign --out-dir'
	FAKE_PERTURB= FAKE_NO_BATCH=1 FAKE_LOG=single.log run 0 --replayer "$fake" --traces 2 --out o2
	has single.log '^--allow-foreign --wait'
	FAKE_PERTURB= FAKE_LOG=synonym.log "$fuzz" --allow-foreign --replayer "$fake" --traces 2 --out o3 \
		> out 2> err || { cat err; fail "--allow-foreign: exit $?"; }
	has synonym.log '--allow-foreign --out-dir'
	FAKE_REFUSE=1 run 3 --replayer "$fake" --traces 3 --out o4
	has out 'could not start (exit 2)'
	has out 'refusing to start: other processes have memory registered with KSM'
	FAKE_REFUSE=1 FAKE_NO_BATCH=1 run 3 --replayer "$fake" --traces 3 --out o5
	has out 'refusing to start: other processes'
	tmp_empty ;;

sigint)
	# SIGINT in mid-run: the statistics so far, exit 130, no files left.
	FAKE_PERTURB= FAKE_SLEEP=0.2 "$fuzz" --other-ksm-users ignore --replayer "$fake" --traces 60 --batch 3 --steps 20 \
		--out cases > out 2> err &
	pid=$!
	sleep 2
	kill -INT $pid
	wait $pid
	rc=$?
	[ "$rc" = 130 ] || { cat out err; fail "exit $rc after SIGINT, expected 130"; }
	has out 'interrupted'
	has out 'agreed [1-9]'
	sleep 0.5 # the fake's own last child
	tmp_empty ;;

kernel)
	# A few traces on this machine's KSM; skipped where it cannot be driven.
	if ! why=$("$replayer" --probe 2>&1 >/dev/null); then
		echo "SKIP: live KSM is not usable here: $why"
		exit 77
	fi
	"$fuzz" --replayer "$replayer" --wait 900 --traces 25 --steps 40 --seed 11 \
		--out cases --json > out 2> err
	rc=$?
	cat err
	[ "$rc" = 77 ] && { echo "SKIP: $(cat err)"; exit 77; }
	[ "$rc" = 0 ] || fail "exit $rc: the simulator and $(uname -r) disagree (see $work/cases)"
	has out '"traces":25,'
	has out '"agreed":25,'
	# The refused mremaps that once stopped at different columns on the
	# two sides (tests/findings/difffuzz/README.md) now agree.
	"$fuzz" --replayer "$replayer" --wait 900 --out cases2 --json \
		"$src/../findings/difffuzz/mremap-grow-position.trace" \
		"$src/../findings/difffuzz/mremap-overlap-position.trace" \
		"$src/../findings/difffuzz/mremap-efault-position.trace" > out2 2> err2
	rc=$?
	cat err2
	[ "$rc" = 0 ] || fail "exit $rc: refused mremaps stop at different positions (see $work/cases2)"
	has out2 '"agreed":3,'
	tmp_empty ;;

*)
	fail "unknown case $case" ;;
esac
echo "PASS: $case"
