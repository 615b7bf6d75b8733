#!/bin/sh
# The kernel replayer's safety on the live kernel (CTest label "kernel"):
#   safety-test.sh CASE REPLAY KSM_USER WORKPREFIX
# CASE:
#   foreign  a process with mergeable memory (KSM_USER, tests/kernel/
#            ksm-user.c) makes the replay refuse (exit 2), naming it and
#            --allow-foreign; once its pages are merged (ksmd stopped
#            again), --allow-foreign replays (exit 0, the trace's expects
#            on its own process hold) and the helper's pages are still
#            merged afterwards; the settings read back as before.
#   sigkill  kill -9 of the replay in mid-scan: within a second (polled
#            every 50 ms) every setting reads back as before; then the
#            journal is gone, the lock is free (the guardian that held it
#            has exited), and whoever read the replay's output saw end of
#            file.
#   restore  a normal end and a SIGTERM (exit 143) both leave every setting
#            as before, with no journal and the lock free.
#   crash    the replay dies of a signal it does not catch while writing
#            --snapshots FILE (SIGXFSZ under `ulimit -f 1`, as a crash would):
#            exit 153, no FILE and no FILE.tmp.* left (core/cleanup.h), and
#            the guardian has put every setting back.
# Exits 77 (skipped) where KSM cannot be driven (not root, no KSM).  The
# settings this test changes itself are put back on every exit.
set -u
case=$1 replay=$2 ksm_user=$3 work=$4

if ! why=$("$replay" --probe 2>&1 >/dev/null); then
	echo "SKIP: live KSM is not usable here: $why"
	exit 77
fi
ksm=/sys/kernel/mm/ksm
lock=$work.lock
rm -rf "$work.d"
mkdir -p "$work.d" || exit 1
helper=

# Every writable setting, NAME=VALUE (the counters move on their own).
settings() {
	for f in $(find "$ksm" -maxdepth 1 -type f -perm -u+w | sort); do
		printf '%s=%s\n' "${f##*/}" "$(cat "$f")"
	done
}
original=$(settings)

# Put back what this test changed (run=2 first: max_page_sharing and
# merge_across_nodes need an empty stable tree; run last).
cleanup() {
	[ -n "$helper" ] && kill "$helper" 2>/dev/null && wait "$helper" 2>/dev/null
	if [ "$(settings)" != "$original" ]; then
		echo 2 > "$ksm/run"
		echo "$original" | while IFS='=' read -r name value; do
			case $name in run) ;; advisor_mode) echo "${value#*[}" | cut -d] -f1 > "$ksm/$name" ;;
			*) echo "$value" > "$ksm/$name" 2>/dev/null ;; esac
		done
		echo "$original" | sed -n 's/^run=//p' > "$ksm/run"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	exit 1
}

# ksm_stat field NAME of process PID
stat_of() {
	awk -v k="$2" '$1 == k || $1 == k":" { print $2 }' "/proc/$1/ksm_stat"
}

# The lock must be free: no replay and no guardian holds it any more.
lock_free() {
	flock -n "$lock" true
}

cat > "$work.d/own.trace" <<'EOF'
ksmtrace 1
set pages_to_scan=10000 smart_scan=0
spawn a
mmap a 0x100000000000 8
write a 0x100000000000 8 token=7
madvise a 0x100000000000 8 mergeable
scan rounds=2
expect a.ksm_merging_pages=8 a.ksm_rmap_items=8
snapshot merged
EOF

case $case in
foreign)
	"$ksm_user" 64 > "$work.d/helper.out" &
	helper=$!
	for i in $(seq 100); do
		grep -q '^ready' "$work.d/helper.out" && break
		sleep 0.05
	done
	grep -q '^ready' "$work.d/helper.out" || fail "ksm-user did not start"

	# 1. refused, naming the helper and the override
	"$replay" --lock "$lock" --snapshots "$work.d/a.jsonl" "$work.d/own.trace" \
		2> "$work.d/refused.err"
	rc=$?
	cat "$work.d/refused.err"
	[ $rc -eq 2 ] || fail "exit $rc beside another KSM user, expected 2"
	grep -q "pid $helper (ksm-user): mergeable memory" "$work.d/refused.err" ||
		fail "the refusal does not name pid $helper (ksm-user)"
	grep -q -- "--allow-foreign" "$work.d/refused.err" || fail "the refusal does not name --allow-foreign"
	[ ! -e "$work.d/a.jsonl" ] || fail "a refused replay wrote its snapshots"
	[ "$(settings)" = "$original" ] || fail "a refused replay changed the settings"

	# 2. merge the helper's 64 pages, then stop ksmd (run=0 keeps merges)
	echo 0 > "$ksm/run"
	echo 1000 > "$ksm/pages_to_scan"
	echo 10 > "$ksm/sleep_millisecs"
	echo 1 > "$ksm/run"
	for i in $(seq 400); do
		[ "$(stat_of "$helper" ksm_merging_pages)" = 64 ] && break
		sleep 0.05
	done
	echo 0 > "$ksm/run"
	[ "$(stat_of "$helper" ksm_merging_pages)" = 64 ] ||
		fail "the helper's pages did not merge (ksm_merging_pages $(stat_of "$helper" ksm_merging_pages))"
	before=$(settings)

	# 3. --allow-foreign: runs, exact for its own process, helper kept
	"$replay" --allow-foreign --lock "$lock" --snapshots "$work.d/b.jsonl" \
		"$work.d/own.trace" 2> "$work.d/allowed.err"
	rc=$?
	cat "$work.d/allowed.err"
	[ $rc -eq 0 ] || fail "--allow-foreign: exit $rc, expected 0"
	[ -s "$work.d/b.jsonl" ] || fail "--allow-foreign wrote no snapshots"
	grep -q "pid $helper (ksm-user)" "$work.d/allowed.err" ||
		fail "--allow-foreign does not name the other KSM user"
	grep -q "global.* counters include" "$work.d/allowed.err" ||
		fail "--allow-foreign does not flag the global counters"
	m=$(stat_of "$helper" ksm_merging_pages)
	[ "$m" = 64 ] || fail "the replay unmerged the other user's pages (ksm_merging_pages 64 -> $m)"
	[ "$(settings)" = "$before" ] || fail "the settings differ after the replay"
	[ ! -e "$lock.saved" ] || fail "the journal $lock.saved was left behind"
	echo "PASS: refused beside pid $helper; --allow-foreign kept its 64 merged pages"
	;;

sigkill)
	sed 's/^scan rounds=2$/scan rounds=100000000/; /^expect/d; /^snapshot/d' \
		"$work.d/own.trace" > "$work.d/long.trace"
	# A reader that must see end of file once the replay is gone.
	mkfifo "$work.d/out.fifo" || exit 1
	cat "$work.d/out.fifo" > "$work.d/out.txt" &
	reader=$!
	"$replay" --lock "$lock" "$work.d/long.trace" > "$work.d/out.fifo" 2>&1 &
	pid=$!
	# Mid-run: ksmd parked by the replay (sleep_millisecs an hour), and
	# some rounds done.
	for i in $(seq 200); do
		s=$(cat "$ksm/sleep_millisecs")
		[ "$s" -ge 3600000 ] && [ "$(cat "$ksm/full_scans")" -ge 20 ] && break
		sleep 0.05
	done
	[ "$(cat "$ksm/sleep_millisecs")" -ge 3600000 ] || fail "the replay did not start scanning"
	[ "$(settings)" != "$original" ] || fail "the replay did not change the settings"
	kill -9 "$pid"
	# Correctness bound, not speed: the guardian acts at once.
	ok=
	for i in $(seq 20); do
		sleep 0.05
		if [ "$(settings)" = "$original" ]; then
			ok=$i
			break
		fi
	done
	wait "$pid" 2>/dev/null
	if [ -z "$ok" ]; then
		echo "$original" > "$work.d/want"
		settings > "$work.d/got"
		diff -u "$work.d/want" "$work.d/got"
		fail "the settings were not restored within 1 s of kill -9"
	fi
	echo "restored within $((ok * 50)) ms"
	for i in $(seq 20); do
		kill -0 "$reader" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$reader" 2>/dev/null && fail "the replay's output pipe is still held open"
	for i in $(seq 20); do
		lock_free && [ ! -e "$lock.saved" ] && break
		sleep 0.05
	done
	lock_free || fail "the lock is still held after the replay was killed"
	[ ! -e "$lock.saved" ] || fail "the journal $lock.saved was left behind"
	echo "PASS: kill -9 in mid-scan, settings back, journal removed, lock free"
	;;

crash)
	{ cat "$work.d/own.trace"; for i in $(seq 60); do echo "snapshot s$i"; done; } \
		> "$work.d/many.trace"
	(ulimit -f 1 && exec "$replay" --lock "$lock" --snapshots "$work.d/c.jsonl" \
		"$work.d/many.trace") 2> "$work.d/crash.err"
	rc=$?
	[ $rc -eq 153 ] || { cat "$work.d/crash.err"; fail "exit $rc, expected 153 (SIGXFSZ)"; }
	left=$(find "$work.d" -name 'c.jsonl*')
	[ -z "$left" ] || fail "left behind: $left"
	for i in $(seq 20); do
		[ "$(settings)" = "$original" ] && lock_free && [ ! -e "$lock.saved" ] && break
		sleep 0.05
	done
	[ "$(settings)" = "$original" ] || fail "the settings were not restored after the crash"
	lock_free || fail "the lock is still held after the crash"
	[ ! -e "$lock.saved" ] || fail "the journal $lock.saved was left behind"
	echo "PASS: killed by SIGXFSZ mid-write: no temporary file, settings back"
	;;

restore)
	# Settings unlike the defaults, so that a restore to defaults would show.
	echo 0 > "$ksm/run"
	echo 123 > "$ksm/pages_to_scan"
	echo 77 > "$ksm/sleep_millisecs"
	before=$(settings)
	out=$("$replay" --lock "$lock" "$work.d/own.trace") || fail "the replay failed"
	[ -n "$out" ] || fail "no records on stdout"
	[ "$(settings)" = "$before" ] || fail "the settings differ after a normal end"
	lock_free || fail "the lock is still held after a normal end (the guardian?)"
	[ ! -e "$lock.saved" ] || fail "the journal was left behind after a normal end"

	sed 's/^scan rounds=2$/scan rounds=100000000/; /^expect/d; /^snapshot/d' \
		"$work.d/own.trace" > "$work.d/long.trace"
	"$replay" --lock "$lock" "$work.d/long.trace" > /dev/null 2> "$work.d/term.err" &
	pid=$!
	for i in $(seq 200); do
		[ "$(cat "$ksm/full_scans")" -ge 20 ] && [ "$(cat "$ksm/sleep_millisecs")" -ge 3600000 ] && break
		sleep 0.05
	done
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	[ $rc -eq 143 ] || fail "SIGTERM: exit $rc, expected 143"
	[ "$(settings)" = "$before" ] || fail "the settings differ after SIGTERM"
	grep -q "guardian" "$work.d/term.err" && fail "the guardian acted although the replay restored"
	lock_free || fail "the lock is still held after SIGTERM"
	[ ! -e "$lock.saved" ] || fail "the journal was left behind after SIGTERM"
	echo "PASS: normal end and SIGTERM restore every setting"
	;;
*)
	echo "usage: safety-test.sh foreign|sigkill|restore REPLAY KSM_USER WORKPREFIX" >&2
	exit 2
	;;
esac
exit 0
