#!/bin/sh
# ksmsim-kernel-replay --list-ksm-users on fake /proc trees
# (KSMSIM_KR_PROC; CTest label "cli", no root needed):
#   list-users-test.sh REPLAY WORK
# What the start-up check counts as another KSM user (foreign.c): 6.18's
# ksm_mergeable, an older kernel's ksm_stat without it plus smaps VmFlags
# "mg", merged pages, rmap items of no visible process while ksmd runs;
# and what it does not: kernel threads (empty ksm_stat), VmFlags without
# "mg", leftovers while ksmd is stopped (listed, but exit 0).
set -u
replay=$1 work=$2
rm -rf "$work"
mkdir -p "$work" || exit 1
fail() {
	echo "FAIL: $*"
	exit 1
}
proc() { # proc ROOT PID COMM KSM_STAT [SMAPS_VMFLAGS]
	mkdir -p "$1/$2"
	echo "$3" > "$1/$2/comm"
	printf '%b' "$4" > "$1/$2/ksm_stat"
	[ $# -ge 5 ] && printf '7f0000000000-7f0000001000 rw-p 00000000 00:00 0\nVmFlags: %s\n' "$5" > "$1/$2/smaps"
	true
}
new618='ksm_rmap_items %s\nksm_zero_pages 0\nksm_merging_pages %s\nksm_process_profit 0\nksm_merge_any: %s\nksm_mergeable: %s\n'
old='ksm_rmap_items %s\nksm_zero_pages 0\nksm_merging_pages %s\nksm_process_profit 0\n'
counters() { # counters ROOT RUN SHARED SHARING
	mkdir -p "$1/ksm"
	echo "$2" > "$1/ksm/run"; echo "$3" > "$1/ksm/pages_shared"; echo "$4" > "$1/ksm/pages_sharing"
	echo 0 > "$1/ksm/pages_unshared"; echo 0 > "$1/ksm/pages_volatile"
}
check() { # check ROOT WANT_RC
	KSMSIM_KR_PROC=$1 "$replay" --list-ksm-users > "$1.out" 2>&1
	rc=$?
	[ $rc -eq "$2" ] || { cat "$1.out"; fail "$1: exit $rc, expected $2"; }
}

# 6.18/7.2: ksm_mergeable and ksm_merge_any
r=$work/new
proc "$r" 100 qemu-system "$(printf "$new618" 0 0 no yes)"
proc "$r" 101 merger "$(printf "$new618" 0 0 yes yes)"
proc "$r" 102 merged "$(printf "$new618" 64 64 no yes)"
proc "$r" 103 bash "$(printf "$new618" 0 0 no no)"
proc "$r" 2 kthreadd ""
counters "$r" 0 1 63
check "$r" 1
grep -q '^pid 100 (qemu-system): mergeable memory (ksm_mergeable yes)$' "$r.out" || { cat "$r.out"; fail "pid 100 not listed"; }
grep -q '^pid 101 (merger): mergeable memory (ksm_mergeable yes), merge-any (PR_SET_MEMORY_MERGE)$' "$r.out" || { cat "$r.out"; fail "pid 101 not listed"; }
grep -q '^pid 102 (merged): mergeable memory (ksm_mergeable yes), 64 merged page(s), 64 rmap item(s)$' "$r.out" || { cat "$r.out"; fail "pid 102 not listed"; }
grep -q 'pid 103\|pid 2 ' "$r.out" && { cat "$r.out"; fail "a non-user or a kernel thread is listed"; }
# 64 items held by pid 102 explain the counters: no line about them
grep -q 'rmap item(s) of KSM' "$r.out" && { cat "$r.out"; fail "explained counters reported"; }

# an older kernel: no ksm_mergeable; smaps VmFlags decide
r=$work/old
proc "$r" 200 madviser "$(printf "$old" 0 0)" "rd wr mr mw me ac mg"
proc "$r" 201 plain "$(printf "$old" 0 0)" "rd wr mr mw me ac sd"
counters "$r" 1 0 0
check "$r" 1
grep -q '^pid 200 (madviser): 1 mergeable VMA(s) (smaps VmFlags mg)$' "$r.out" || { cat "$r.out"; fail "pid 200 not found through smaps"; }
grep -q 'pid 201' "$r.out" && { cat "$r.out"; fail "pid 201 (no mg) listed"; }

# items of no visible process: another user while ksmd runs ...
r=$work/hidden-running
proc "$r" 300 bash "$(printf "$new618" 0 0 no no)"
counters "$r" 1 1 7
check "$r" 1
grep -q '^8 rmap item(s) of KSM.s counters .* with ksmd running: a process of another PID namespace' "$r.out" || { cat "$r.out"; fail "hidden user not reported"; }
# ... leftovers while it is stopped: said, not counted
r=$work/hidden-stopped
proc "$r" 300 bash "$(printf "$new618" 0 0 no no)"
counters "$r" 0 1 7
check "$r" 0
grep -q 'with ksmd stopped: most likely left by processes that exited' "$r.out" || { cat "$r.out"; fail "leftovers not reported"; }

# nobody
r=$work/none
proc "$r" 400 bash "$(printf "$new618" 0 0 no no)"
counters "$r" 1 0 0
check "$r" 0
[ -s "$r.out" ] && { cat "$r.out"; fail "something listed on a quiet machine"; }
echo "PASS"
