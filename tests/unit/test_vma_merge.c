// SPDX-License-Identifier: MIT
/*
 * VMA merging and splitting of the memory model (sim/mm/vma.c, mmap.c,
 * mprotect.c, madvise.c), in the style of the kernel's
 * tools/testing/vma/tests/merge.c: each scenario is a small function, the
 * layout before each step drawn in a comment (one character per page
 * slot, upper case = has an anon_vma, lower case = has none), and after
 * each step assertions on vm_start/vm_end/vm_pgoff, the flag bits that
 * matter, anon_vma identity and map_count.
 *
 * Expected values come from docs/kernel-reading-mm.md (Linux 6.18), not
 * from the simulator:
 *   M1.1  attribute compatibility: all flags equal (VM_ACCOUNT,
 *         VM_MERGEABLE included)
 *   M1.2  VM_ACCOUNT at mmap and in mprotect_fixup
 *   M1.3  anon_vma compatibility (fork-child neighbours)
 *   M1.4  pgoff contiguity
 *   M1.5  left/right tests, the three-way anon_vma test
 *   M1.6  new-range merge outcomes (prev grows up, next grows down)
 *   M1.7  existing-range merge (mprotect/madvise) outcomes
 *   M1.8  anon_vma adoption by the surviving VMA
 *   M1.10 mmap next to a forked child's faulted VMA never merges
 *   M2.1, M2.3  split pieces and which struct is the new one
 *   M7.1  merge first, split only if no merge
 *   M7.2  mprotect: equal flags -> nothing
 *   M7.3  madvise MERGEABLE/UNMERGEABLE through the same path
 * and the exhaustive matrix at the end checks the simulator against a
 * small reference predicate written from M1.3-M1.6 and M1.10.
 *
 * VMA identity is compared by vm_area_struct.id (creation order), never
 * by pointer alone, since a freed struct's address may be reused.
 */
#include "mm_fixture.h"

/* mmap [2,4) next to an unfaulted prev [0,2): prev grows up (M1.6). */
static void test_mmap_merge_prev_unfaulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id;

	(void)state;
	/*
	 * 0123
	 * aa
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	a_id = vma_at(mm, 0)->id;
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_flags(vma_at(mm, 0), F_RW);
	/*
	 * 0123
	 * aa**  ->  aaaa
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "aaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 3)->id, a_id);
	assert_vma(vma_at(mm, 3), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 3), F_RW);
	assert_null(vma_at(mm, 3)->anon_vma);
	fix_destroy(sim);
}

/* Same, prev faulted: chain of one, M1.3 case 2 allows it. */
static void test_mmap_merge_prev_faulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t a_id;

	(void)state;
	/*
	 * 0123
	 * AA
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 2, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	a_id = vma_at(mm, 0)->id;
	assert_non_null(x);
	/*
	 * 0123
	 * AA**  ->  AAAA
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 2)->id, a_id);
	assert_vma(vma_at(mm, 2), 0, 4, pgo(0));
	assert_ptr_equal(vma_at(mm, 2)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	/* The tree key follows the new range (M5.3 re-key). */
	assert_query(x, pgo(3), pgo(3), vma_at(mm, 0));
	/* A fault in the grown part uses the same anon_vma. */
	fix_write(sim, mm, 3, 1, 0x20);
	assert_ptr_equal(folio_at(sim, mm, 3)->anon_vma, x);
	assert_int_equal(nr_anon_vmas(sim), 1);
	fix_destroy(sim);
}

/* mmap [0,2) before an unfaulted next [2,4): next grows down (M1.6). */
static void test_mmap_merge_next_unfaulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t b_id;

	(void)state;
	/*
	 * 0123
	 *   bb
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	b_id = vma_at(mm, 2)->id;
	/*
	 * 0123
	 * **bb  ->  bbbb, pgoff = next.pgoff - 2
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	assert_layout(mm, "aaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, b_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_null(vma_at(mm, 0)->anon_vma);
	fix_destroy(sim);
}

static void test_mmap_merge_next_faulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	struct folio *f;
	uint64_t b_id;

	(void)state;
	/*
	 * 0123
	 *   BB
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_write(sim, mm, 2, 2, 0x10);
	x = vma_at(mm, 2)->anon_vma;
	b_id = vma_at(mm, 2)->id;
	f = folio_at(sim, mm, 2);
	assert_int_equal(f->index, pgo(2));
	/*
	 * 0123
	 * **BB  ->  BBBB
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, b_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(av_count(x), 1);
	assert_query(x, pgo(0), pgo(0), vma_at(mm, 0));
	/* Pages keep their index; it is still linear in the grown VMA. */
	assert_int_equal(f->index, linear_page_index(vma_at(mm, 2), pg(2)));
	fix_destroy(sim);
}

/* Three-way: both unfaulted, prev survives, next removed (M1.6). */
static void test_mmap_merge_both_unfaulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id;

	(void)state;
	/*
	 * 012345
	 * aa  bb
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	a_id = vma_at(mm, 0)->id;
	assert_layout(mm, "aa  bb");
	assert_int_equal(mm->map_count, 2);
	assert_null(vma_at(mm, 2));
	assert_vma(vma_from(mm, 2), 4, 6, pgo(4));
	/*
	 * 012345
	 * aa**bb  ->  aaaaaa
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "aaaaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 5)->id, a_id);
	assert_vma(vma_at(mm, 5), 0, 6, pgo(0));
	fix_destroy(sim);
}

/* Three-way, prev unfaulted, next faulted: prev adopts next's (M1.6/M1.8). */
static void test_mmap_merge_both_adopts_next_anon_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *y;
	struct folio *f;
	uint64_t a_id;

	(void)state;
	/*
	 * 012345
	 * aa  BB
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	fix_write(sim, mm, 4, 2, 0x40);
	y = vma_at(mm, 4)->anon_vma;
	f = folio_at(sim, mm, 5);
	a_id = vma_at(mm, 0)->id;
	assert_null(vma_at(mm, 0)->anon_vma);
	/*
	 * 012345
	 * aa**BB  ->  AAAAAA (prev, with next's anon_vma)
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, y);
	/* dup_anon_vma +1, unlink of the removed next -1. */
	assert_int_equal(y->num_active_vmas, 1);
	assert_int_equal(av_count(y), 1);
	assert_int_equal(chain_len(vma_at(mm, 0)), 1);
	assert_ptr_equal(f->anon_vma, y);
	assert_int_equal(f->index, pgo(5));
	fix_destroy(sim);
}

/* Three-way, both faulted with different anon_vmas: left only (M1.5). */
static void test_mmap_merge_both_faulted_distinct(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *y;
	uint64_t a_id, b_id;

	(void)state;
	/*
	 * 012345
	 * AA  BB
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 1, 0x10);
	fix_write(sim, mm, 4, 1, 0x40);
	x = vma_at(mm, 0)->anon_vma;
	y = vma_at(mm, 4)->anon_vma;
	assert_ptr_not_equal(x, y);
	a_id = vma_at(mm, 0)->id;
	b_id = vma_at(mm, 4)->id;
	/*
	 * 012345
	 * AA**BB  ->  AAAABB
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAABB");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(vma_at(mm, 4)->id, b_id);
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_ptr_equal(vma_at(mm, 4)->anon_vma, y);
	fix_destroy(sim);
}

/* Three-way with one shared anon_vma (pieces of one VMA): full merge. */
static void test_mmap_merge_both_same_anon_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t a_id;

	(void)state;
	/*
	 * 012345
	 * AAAAAA  -> munmap [2,4) ->  AA  BB (both X, chains of one)
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	fix_munmap(sim, mm, 2, 2);
	assert_layout(mm, "AA  BB");
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_ptr_equal(vma_at(mm, 4)->anon_vma, x);
	a_id = vma_at(mm, 0)->id;
	/*
	 * 012345
	 * AA**BB  ->  AAAAAA
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	fix_destroy(sim);
}

/* Different protection: no merge (M1.1). */
static void test_mmap_prot_differs(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	/*
	 * 0123
	 * aa**  (aa read-only)  ->  aabb
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "aabb");
	assert_int_equal(mm->map_count, 2);
	assert_flags(vma_at(mm, 0), F_R);
	assert_flags(vma_at(mm, 2), F_RW);
	/*
	 * 0123456
	 * aabb***  (PROT_NONE)  ->  aabbccc
	 */
	fix_mmap(sim, mm, 4, 3, SIM_PROT_NONE);
	assert_layout(mm, "aabbccc");
	assert_flags(vma_at(mm, 4), 0);
	assert_int_equal(mm->map_count, 3);
	fix_destroy(sim);
}

/*
 * VM_ACCOUNT (M1.2): an r mapping has none, an rw one has it, so they do
 * not merge; mprotect r -> rw adds it, and then they do.
 */
static void test_account_mprotect_r_to_rw_adds(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t b_id;

	(void)state;
	/*
	 * 0123
	 * aabb   a: r (no VM_ACCOUNT), b: rw (VM_ACCOUNT)
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "aabb");
	b_id = vma_at(mm, 2)->id;
	/*
	 * mprotect [0,2) rw: VM_ACCOUNT added, flags == b's.  Whole middle,
	 * no prev, next compatible: "right only", next grows down over the
	 * range and middle is removed (M1.7).
	 *
	 * 0123
	 * **bb  ->  bbbb
	 */
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_RW);
	assert_layout(mm, "aaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, b_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 0), F_RW);
	fix_destroy(sim);
}

/* A faulted rw -> r keeps VM_ACCOUNT: no merge with a never-writable prev. */
static void test_account_faulted_rw_to_r_keeps(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t b_id;

	(void)state;
	/*
	 * 0123
	 * aaBB   a: r, B: rw faulted
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_write(sim, mm, 2, 1, 0x10);
	b_id = vma_at(mm, 2)->id;
	assert_true(pte_write(pte_at(mm, 2)));
	/*
	 * mprotect [2,4) r: flags R|ACCOUNT != a's R, so no merge; the whole
	 * VMA changes in place.
	 *
	 * 0123
	 * aaBB  ->  aaBB
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aaBB");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 2)->id, b_id);
	assert_vma(vma_at(mm, 2), 2, 4, pgo(2));
	assert_flags(vma_at(mm, 2), F_R_ACCT);
	assert_flags(vma_at(mm, 0), F_R);
	/* Removing write write-protects every entry (M7.2). */
	assert_false(pte_write(pte_at(mm, 2)));
	fix_destroy(sim);
}

/* An unfaulted rw -> r drops VM_ACCOUNT and then merges. */
static void test_account_unfaulted_rw_to_r_drops(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id;

	(void)state;
	/*
	 * 0123
	 * aabb   a: r, b: rw unfaulted
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	a_id = vma_at(mm, 0)->id;
	/*
	 * mprotect [2,4) r: VM_ACCOUNT dropped (no anon_vma), flags == a's:
	 * "left only" over all of the middle, which is removed (M1.7).
	 *
	 * 0123
	 * aa**  ->  aaaa
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 2)->id, a_id);
	assert_vma(vma_at(mm, 2), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 2), F_R);
	fix_destroy(sim);
}

/*
 * The M1.2 consequence: mmap r, mprotect a part rw, fault it, mprotect it
 * back r: it keeps VM_ACCOUNT and does not re-merge (spec R9.3.3's
 * "restoring the original protection normally re-merges" is wrong here).
 */
static void test_account_restore_does_not_remerge(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t orig_id;

	(void)state;
	/*
	 * 012345
	 * aaaaaa (r)
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_R);
	orig_id = vma_at(mm, 0)->id;
	/*
	 * mprotect [2,4) rw: neither end of the VMA, no merge: split twice,
	 * the original struct keeps [2,4) (M2.3, M7.1).
	 *
	 * 012345
	 * aa**aa  ->  aabbcc
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "aabbcc");
	assert_int_equal(vma_at(mm, 2)->id, orig_id);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_vma(vma_at(mm, 2), 2, 4, pgo(2));
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_flags(vma_at(mm, 2), F_RW);
	assert_flags(vma_at(mm, 0), F_R);
	assert_flags(vma_at(mm, 4), F_R);
	fix_write(sim, mm, 2, 2, 0x10);
	/*
	 * 012345
	 * aaBBcc  -> mprotect [2,4) r ->  aaBBcc  (R|ACCOUNT vs R)
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aaBBcc");
	assert_int_equal(mm->map_count, 3);
	assert_flags(vma_at(mm, 2), F_R_ACCT);
	fix_destroy(sim);
}

/* M1.2 with PROT_NONE: unfaulted rw -> none drops VM_ACCOUNT, none -> rw adds it. */
static void test_account_prot_none(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id;

	(void)state;
	/*
	 * 0123
	 * aabb   a: PROT_NONE (flags 0), b: rw
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_NONE);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	a_id = vma_at(mm, 0)->id;
	/* b -> none: VM_ACCOUNT dropped (no anon_vma): equal to a, merge. */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_NONE);
	assert_layout(mm, "aaaa");
	assert_int_equal(vma_at(mm, 2)->id, a_id);
	assert_flags(vma_at(mm, 2), 0);
	/* [0,2) -> rw: VM_ACCOUNT added; prefix, no prev: split. */
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_RW);
	assert_layout(mm, "aabb");
	assert_flags(vma_at(mm, 0), F_RW);
	assert_flags(vma_at(mm, 2), 0);
	/* Faulted rw -> none keeps VM_ACCOUNT: no merge with [2,4). */
	fix_write(sim, mm, 0, 1, 0x10);
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_NONE);
	assert_layout(mm, "AAbb");
	assert_flags(vma_at(mm, 0), VM_ACCOUNT);
	assert_false(pte_write(pte_at(mm, 0)));
	fix_destroy(sim);
}

/* VM_MERGEABLE difference blocks mmap merges; madvise makes them equal. */
static void test_mmap_mergeable_differs(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id;

	(void)state;
	/*
	 * 0123
	 * aa     madvise MERGEABLE
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_madvise(sim, mm, 0, 2, SIM_MADV_MERGEABLE);
	assert_flags(vma_at(mm, 0), F_RW | VM_MERGEABLE);
	a_id = vma_at(mm, 0)->id;
	/*
	 * 0123
	 * aa**  ->  aabb
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "aabb");
	assert_flags(vma_at(mm, 2), F_RW);
	/*
	 * madvise [2,4) MERGEABLE: flags now equal, whole middle, left only.
	 *
	 * 0123
	 * aa**  ->  aaaa
	 */
	fix_madvise(sim, mm, 2, 2, SIM_MADV_MERGEABLE);
	assert_layout(mm, "aaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 2)->id, a_id);
	assert_vma(vma_at(mm, 2), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 2), F_RW | VM_MERGEABLE);
	/* MERGEABLE again: flags unchanged -> nothing (M7.3). */
	fix_madvise(sim, mm, 1, 2, SIM_MADV_MERGEABLE);
	assert_layout(mm, "aaaa");
	assert_int_equal(vma_at(mm, 2)->id, a_id);
	fix_destroy(sim);
}

/*
 * M1.10: after fork every faulted child VMA has two chains, so an mmap
 * next to it never merges with it; the parent's (one chain) does.
 */
static void test_mmap_next_to_fork_child(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *cv, *pv;
	struct anon_vma *x;
	uint64_t pv_id, cv_id;

	(void)state;
	/*
	 * p: 01234567
	 *        BB
	 */
	fix_mmap(sim, p, 4, 2, SIM_PROT_RW);
	fix_write(sim, p, 4, 2, 0x40);
	x = vma_at(p, 4)->anon_vma;
	c = fix_fork(sim, "p", "c");
	cv = vma_at(c, 4);
	cv_id = cv->id;
	assert_int_equal(chain_len(cv), 2);
	/*
	 * c: 01234567
	 *      **BB**  ->  aaBBcc
	 */
	fix_mmap(sim, c, 2, 2, SIM_PROT_RW);
	fix_mmap(sim, c, 6, 2, SIM_PROT_RW);
	assert_layout(c, "  aaBBcc");
	assert_int_equal(c->map_count, 3);
	assert_int_equal(vma_at(c, 4)->id, cv_id);
	assert_vma(vma_at(c, 4), 4, 6, pgo(4));
	assert_vma(vma_at(c, 2), 2, 4, pgo(2));
	assert_vma(vma_at(c, 6), 6, 8, pgo(6));
	/*
	 * p: 01234567
	 *      **BB**  ->  AAAAAA: right merge (grows down), then left.
	 */
	pv_id = vma_at(p, 4)->id;
	fix_mmap(sim, p, 2, 2, SIM_PROT_RW);
	assert_layout(p, "  AAAA");
	assert_int_equal(vma_at(p, 2)->id, pv_id);
	assert_vma(vma_at(p, 2), 2, 6, pgo(2));
	fix_mmap(sim, p, 6, 2, SIM_PROT_RW);
	assert_layout(p, "  AAAAAA");
	assert_int_equal(p->map_count, 1);
	pv = vma_at(p, 2);
	assert_int_equal(pv->id, pv_id);
	assert_vma(pv, 2, 8, pgo(2));
	assert_ptr_equal(pv->anon_vma, x);
	/* x's tree: the parent re-keyed to [2,7], the child still [4,5]. */
	assert_int_equal(av_count(x), 2);
	assert_query(x, pgo(2), pgo(3), pv);
	assert_query(x, pgo(4), pgo(4), pv, vma_at(c, 4));
	assert_query(x, pgo(6), pgo(7), pv);
	fix_destroy(sim);
}

/* A child VMA that was never faulted in the parent has no anon_vma: merges. */
static void test_mmap_next_to_fork_child_unfaulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	uint64_t cv_id;

	(void)state;
	fix_mmap(sim, p, 4, 2, SIM_PROT_RW);
	c = fix_fork(sim, "p", "c");
	cv_id = vma_at(c, 4)->id;
	assert_null(vma_at(c, 4)->anon_vma);
	/*
	 * c: 012345
	 *      **bb  ->  bbbb
	 */
	fix_mmap(sim, c, 2, 2, SIM_PROT_RW);
	assert_layout(c, "  aaaa");
	assert_int_equal(c->map_count, 1);
	assert_int_equal(vma_at(c, 2)->id, cv_id);
	assert_vma(vma_at(c, 2), 2, 6, pgo(2));
	fix_destroy(sim);
}

/* ---------------------------------------------------------------- */
/* mprotect (M7.1, M7.2, M1.7)                                       */
/* ---------------------------------------------------------------- */

/* Prefix into a compatible prev: prev grows, middle shrinks, no split. */
static void test_mprotect_prefix_merges_prev(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id, b_id;

	(void)state;
	/*
	 * 012345
	 * aabbbb   a: r, b: rw unfaulted
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 4, SIM_PROT_RW);
	a_id = vma_at(mm, 0)->id;
	b_id = vma_at(mm, 2)->id;
	/*
	 * mprotect [2,4) r (VM_ACCOUNT dropped: no anon_vma):
	 * 012345
	 * aa**bb  ->  aaaabb
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aaaabb");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 0), F_R);
	assert_int_equal(vma_at(mm, 4)->id, b_id);
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_flags(vma_at(mm, 4), F_RW);
	fix_destroy(sim);
}

/* The same with faulted VMAs sharing one anon_vma. */
static void test_mprotect_prefix_merges_prev_faulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t orig_id, upper_id;

	(void)state;
	/*
	 * 012345
	 * AAAAAA
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	orig_id = vma_at(mm, 0)->id;
	/*
	 * mprotect [0,2) r: no prev; split at 2 (new upper piece), the
	 * original keeps [0,2) with R|ACCOUNT.
	 * 012345
	 * **AAAA  ->  AABBBB
	 */
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_R);
	assert_layout(mm, "AABBBB");
	assert_int_equal(vma_at(mm, 0)->id, orig_id);
	assert_flags(vma_at(mm, 0), F_R_ACCT);
	upper_id = vma_at(mm, 2)->id;
	assert_int_not_equal(upper_id, orig_id);
	assert_vma(vma_at(mm, 2), 2, 6, pgo(2));
	assert_ptr_equal(vma_at(mm, 2)->anon_vma, x);
	/*
	 * mprotect [2,4) r: R|ACCOUNT == prev's, same anon_vma: merge left,
	 * the middle shrinks to [4,6) (pgoff +2).
	 * 012345
	 * AA**BB  ->  AAAABB
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "AAAABB");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 0)->id, orig_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 0), F_R_ACCT);
	assert_int_equal(vma_at(mm, 4)->id, upper_id);
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_flags(vma_at(mm, 4), F_RW);
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_ptr_equal(vma_at(mm, 4)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 2);
	assert_int_equal(av_count(x), 2);
	for (int i = 0; i < 4; i++)
		assert_false(pte_write(pte_at(mm, (uint64_t)i)));
	assert_true(pte_write(pte_at(mm, 4)));
	assert_true(pte_write(pte_at(mm, 5)));
	fix_destroy(sim);
}

/* Suffix into a compatible next: next grows down, no split (M1.7). */
static void test_mprotect_suffix_merges_next(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id, b_id;

	(void)state;
	/*
	 * 012345
	 * aaaabb   a: rw unfaulted, b: r
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_R);
	a_id = vma_at(mm, 0)->id;
	b_id = vma_at(mm, 4)->id;
	/*
	 * 012345
	 * aa**bb  ->  aabbbb
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aabbbb");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_flags(vma_at(mm, 0), F_RW);
	assert_int_equal(vma_at(mm, 2)->id, b_id);
	assert_vma(vma_at(mm, 2), 2, 6, pgo(2));
	assert_flags(vma_at(mm, 2), F_R);
	fix_destroy(sim);
}

static void test_mprotect_suffix_merges_next_faulted(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t orig_id, lower_id;

	(void)state;
	/*
	 * 012345
	 * AAAAAA  -> mprotect [4,6) r: split at 4 (new lower piece)
	 *         -> AAAABB, the original keeps [4,6)
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	orig_id = vma_at(mm, 0)->id;
	fix_mprotect(sim, mm, 4, 2, SIM_PROT_R);
	assert_layout(mm, "AAAABB");
	assert_int_equal(vma_at(mm, 4)->id, orig_id);
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	lower_id = vma_at(mm, 0)->id;
	assert_int_not_equal(lower_id, orig_id);
	/*
	 * 012345
	 * AA**BB  ->  AABBBB
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "AABBBB");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 0)->id, lower_id);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_int_equal(vma_at(mm, 2)->id, orig_id);
	assert_vma(vma_at(mm, 2), 2, 6, pgo(2));
	assert_flags(vma_at(mm, 2), F_R_ACCT);
	assert_int_equal(x->num_active_vmas, 2);
	assert_int_equal(av_count(x), 2);
	fix_destroy(sim);
}

/* Middle of a VMA: no merge possible; split twice (M7.1, M2.3). */
static void test_mprotect_middle_splits(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t orig_id;

	(void)state;
	/*
	 * 01234567
	 * aaBBBBcc   a, c: r neighbours (never merge with the middle)
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 4, SIM_PROT_RW);
	fix_mmap(sim, mm, 6, 2, SIM_PROT_R);
	fix_write(sim, mm, 2, 4, 0x10);
	x = vma_at(mm, 2)->anon_vma;
	orig_id = vma_at(mm, 2)->id;
	/*
	 * 01234567
	 * aaA**Acc  ->  aaBCCDee  (B, D new pieces; C the original)
	 */
	fix_mprotect(sim, mm, 3, 2, SIM_PROT_R);
	assert_layout(mm, "aaBCCDee");
	assert_int_equal(mm->map_count, 5);
	assert_vma(vma_at(mm, 2), 2, 3, pgo(2));
	assert_vma(vma_at(mm, 3), 3, 5, pgo(3));
	assert_vma(vma_at(mm, 5), 5, 6, pgo(5));
	assert_int_equal(vma_at(mm, 3)->id, orig_id);
	assert_int_not_equal(vma_at(mm, 2)->id, orig_id);
	assert_int_not_equal(vma_at(mm, 5)->id, orig_id);
	assert_flags(vma_at(mm, 2), F_RW);
	assert_flags(vma_at(mm, 3), F_R_ACCT);
	assert_flags(vma_at(mm, 5), F_RW);
	for (uint64_t s = 2; s < 6; s++)
		assert_ptr_equal(vma_at(mm, s)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 3);
	assert_int_equal(av_count(x), 3);
	/*
	 * Back to rw (R|ACCOUNT -> RW|ACCOUNT): flags equal on both sides,
	 * one anon_vma: the whole middle merges three ways into prev
	 * (M1.7 "both").
	 * 01234567
	 * aaB**Dee  ->  aaBBBBcc
	 */
	fix_mprotect(sim, mm, 3, 2, SIM_PROT_RW);
	assert_layout(mm, "aaBBBBcc");
	assert_int_equal(mm->map_count, 3);
	assert_vma(vma_at(mm, 2), 2, 6, pgo(2));
	assert_flags(vma_at(mm, 2), F_RW);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	fix_destroy(sim);
}

/* Whole VMA between two compatible neighbours: three-way merge. */
static void test_mprotect_whole_three_way(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id;

	(void)state;
	/*
	 * 012345
	 * aabbcc   a, c: r; b: rw unfaulted
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_R);
	assert_layout(mm, "aabbcc");
	a_id = vma_at(mm, 0)->id;
	/*
	 * 012345
	 * aa**cc  ->  aaaaaa
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aaaaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_flags(vma_at(mm, 0), F_R);
	fix_destroy(sim);
}

/* Whole VMA, no compatible neighbour: flags change in place. */
static void test_mprotect_whole_no_merge(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t b_id;

	(void)state;
	/*
	 * 012345
	 * aaBBcc   a, c: r;  B: rw faulted
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_R);
	fix_write(sim, mm, 2, 2, 0x10);
	b_id = vma_at(mm, 2)->id;
	/* R|ACCOUNT matches neither R neighbour. */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_layout(mm, "aaBBcc");
	assert_int_equal(mm->map_count, 3);
	assert_int_equal(vma_at(mm, 2)->id, b_id);
	assert_vma(vma_at(mm, 2), 2, 4, pgo(2));
	assert_flags(vma_at(mm, 2), F_R_ACCT);
	/* PROT_NONE on it, then back to r: in place each time. */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_NONE);
	assert_int_equal(vma_at(mm, 2)->id, b_id);
	assert_flags(vma_at(mm, 2), VM_ACCOUNT);
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_R);
	assert_int_equal(vma_at(mm, 2)->id, b_id);
	assert_flags(vma_at(mm, 2), F_R_ACCT);
	assert_int_equal(mm->map_count, 3);
	fix_destroy(sim);
}

/* Equal flags: nothing at all, no split (M7.2). */
static void test_mprotect_equal_flags_nothing(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	char *before;

	(void)state;
	/*
	 * 012345
	 * AAAAAA  -> mprotect [2,4) rw  ->  AAAAAA
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	before = fix_digest(sim, mm);
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_RW);
	assert_unchanged(before, sim, mm);
	assert_layout(mm, "AAAAAA");
	/* An r VMA asked for r again: nothing either. */
	fix_mmap(sim, mm, 8, 4, SIM_PROT_R);
	before = fix_digest(sim, mm);
	fix_mprotect(sim, mm, 9, 2, SIM_PROT_R);
	assert_unchanged(before, sim, mm);
	/* A faulted rw -> r VMA (R|ACCOUNT) asked for r: nothing. */
	fix_mprotect(sim, mm, 0, 6, SIM_PROT_R);
	before = fix_digest(sim, mm);
	fix_mprotect(sim, mm, 1, 3, SIM_PROT_R);
	assert_unchanged(before, sim, mm);
	fix_destroy(sim);
}

/* Prefix and suffix without a mergeable neighbour: one split each. */
static void test_mprotect_prefix_suffix_split(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t orig_id;

	(void)state;
	/*
	 * 012345
	 * aaaaaa  -> mprotect [0,2) r ->  aabbbb (original keeps [0,2))
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	orig_id = vma_at(mm, 0)->id;
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_R);
	assert_layout(mm, "aabbbb");
	assert_int_equal(vma_at(mm, 0)->id, orig_id);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_vma(vma_at(mm, 2), 2, 6, pgo(2));
	assert_flags(vma_at(mm, 0), F_R);
	assert_flags(vma_at(mm, 2), F_RW);
	fix_destroy(sim);

	sim = fix_create();
	mm = fix_spawn(sim, "p");
	/*
	 * 012345
	 * aaaaaa  -> mprotect [4,6) r ->  aaaabb (original keeps [4,6))
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	orig_id = vma_at(mm, 0)->id;
	fix_mprotect(sim, mm, 4, 2, SIM_PROT_R);
	assert_layout(mm, "aaaabb");
	assert_int_equal(vma_at(mm, 4)->id, orig_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_int_not_equal(vma_at(mm, 0)->id, orig_id);
	fix_destroy(sim);
}

/* mprotect over several VMAs: each one handled on its own (M7.2). */
static void test_mprotect_spanning(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	/*
	 * 01234567
	 * aabbbbcc  a, c: r;  b: rw unfaulted  -> mprotect [1,7) r
	 *
	 * a: flags equal -> nothing (no split at 1).  b: the whole VMA, new
	 * flags R (VM_ACCOUNT dropped), prev a and next c both compatible:
	 * M1.7 "both", a grows over b and c.  The rest of the range then
	 * lies in a, whose flags are equal -> nothing.
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 4, SIM_PROT_RW);
	fix_mmap(sim, mm, 6, 2, SIM_PROT_R);
	fix_mprotect(sim, mm, 1, 6, SIM_PROT_R);
	assert_layout(mm, "aaaaaaaa");
	assert_int_equal(mm->map_count, 1);
	assert_vma(vma_at(mm, 0), 0, 8, pgo(0));
	fix_destroy(sim);

	/*
	 * 012345
	 * aabbcc  a, c: rw;  b: r  -> mprotect [0,6) r
	 * a: whole, next b compatible (R): b grows down over a.  b: equal
	 * flags, nothing.  c: whole, prev (now [0,4)) compatible: merge.
	 */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	fix_mprotect(sim, mm, 0, 6, SIM_PROT_R);
	assert_layout(mm, "aaaaaa");
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_flags(vma_at(mm, 0), F_R);
	fix_destroy(sim);
}

/*
 * Existing range, M1.3 case 2: the middle has no anon_vma and prev is a
 * fork child (two chains): no merge, the flags change in place.
 */
static void test_mprotect_next_to_fork_child_prev(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	uint64_t b_id;

	(void)state;
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	c = fix_fork(sim, "p", "c");
	/*
	 * c: 0123
	 *    AAbb   A: fork child rw, b: r unfaulted -> mprotect b rw
	 */
	fix_mmap(sim, c, 2, 2, SIM_PROT_R);
	b_id = vma_at(c, 2)->id;
	fix_mprotect(sim, c, 2, 2, SIM_PROT_RW);
	assert_layout(c, "AAbb");
	assert_int_equal(c->map_count, 2);
	assert_int_equal(vma_at(c, 2)->id, b_id);
	assert_flags(vma_at(c, 2), F_RW);
	assert_flags(vma_at(c, 0), F_RW);
	/* The parent's copy (one chain) does merge the same way. */
	fix_mmap(sim, p, 2, 2, SIM_PROT_R);
	fix_mprotect(sim, p, 2, 2, SIM_PROT_RW);
	assert_layout(p, "AAAA");
	assert_int_equal(p->map_count, 1);
	fix_destroy(sim);
}

/*
 * Existing range, M1.5: prev and next both compatible with the middle
 * but carrying different anon_vmas: left only, next stays.
 */
static void test_mprotect_three_way_distinct_anon_vmas(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *y;
	uint64_t a_id, c_id;

	(void)state;
	/*
	 * 012345
	 * AAbbCC   A, C: rw faulted (own roots), b: r unfaulted
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 2, 0x10);
	fix_write(sim, mm, 4, 2, 0x40);
	x = vma_at(mm, 0)->anon_vma;
	y = vma_at(mm, 4)->anon_vma;
	assert_ptr_not_equal(x, y);
	a_id = vma_at(mm, 0)->id;
	c_id = vma_at(mm, 4)->id;
	assert_layout(mm, "AAbbCC");
	/*
	 * 012345
	 * AA**CC  ->  AAAACC
	 */
	fix_mprotect(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAABB");
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(vma_at(mm, 4)->id, c_id);
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_ptr_equal(vma_at(mm, 4)->anon_vma, y);
	fix_destroy(sim);
}

/*
 * A hole in the range is ENOMEM (M7.2).  NOTE: the kernel changes the
 * VMAs before the hole and then fails; the simulator validates first
 * and changes nothing (include/ksmsim/sim.h: "They validate first and
 * change nothing when they fail").  That is a deliberate difference of
 * the trace contract (a trace stops at its first error), so only the
 * error itself is asserted here.
 */
static void test_mprotect_hole_error(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct sim_error err = { 0 };

	(void)state;
	/*
	 * 012345
	 * aa  bb   mprotect [0,6) r
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	assert_int_equal(sim_mprotect(sim, mm, pg(0), 6, SIM_PROT_R, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_invariants(sim);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_madvise(sim, mm, pg(0), 6, SIM_MADV_MERGEABLE, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_invariants(sim);
	fix_destroy(sim);
}

/* ---------------------------------------------------------------- */
/* madvise MERGEABLE / UNMERGEABLE (M7.3)                            */
/* ---------------------------------------------------------------- */

static void test_madvise_mergeable_subrange_and_back(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t orig_id, lower_id;

	(void)state;
	/*
	 * 012345
	 * AAAAAA
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	orig_id = vma_at(mm, 0)->id;
	/*
	 * madvise [2,4) MERGEABLE: the middle, split twice, the original
	 * keeps [2,4) and gets VM_MERGEABLE.
	 * 012345
	 * AA**AA  ->  AABBCC
	 */
	fix_madvise(sim, mm, 2, 2, SIM_MADV_MERGEABLE);
	assert_layout(mm, "AABBCC");
	assert_int_equal(mm->map_count, 3);
	assert_int_equal(vma_at(mm, 2)->id, orig_id);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_vma(vma_at(mm, 2), 2, 4, pgo(2));
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	assert_flags(vma_at(mm, 0), F_RW);
	assert_flags(vma_at(mm, 2), F_RW | VM_MERGEABLE);
	assert_flags(vma_at(mm, 4), F_RW);
	assert_int_equal(x->num_active_vmas, 3);
	lower_id = vma_at(mm, 0)->id;
	/* Pages are not touched by the flag change. */
	for (uint64_t s = 0; s < 6; s++)
		assert_true(pte_write(pte_at(mm, s)));
	/*
	 * UNMERGEABLE [2,4): flags equal to both neighbours again, one
	 * anon_vma: three-way merge into the lower piece.
	 * 012345
	 * AA**CC  ->  AAAAAA
	 */
	fix_madvise(sim, mm, 2, 2, SIM_MADV_UNMERGEABLE);
	assert_layout(mm, "AAAAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, lower_id);
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_flags(vma_at(mm, 0), F_RW);
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	/* UNMERGEABLE on a VMA without VM_MERGEABLE: nothing (M7.3). */
	fix_madvise(sim, mm, 1, 2, SIM_MADV_UNMERGEABLE);
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, lower_id);
	fix_destroy(sim);
}

/*
 * Three-way existing merge where only the middle has an anon_vma: prev
 * adopts it (M1.7 "both": from next if it has one, else from middle).
 */
static void test_madvise_three_way_adopts_middle(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t a_id;

	(void)state;
	/*
	 * 012345
	 * aaBBcc   B: VM_MERGEABLE, faulted; a, c: rw unfaulted
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_madvise(sim, mm, 2, 2, SIM_MADV_MERGEABLE);
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	fix_write(sim, mm, 2, 2, 0x10);
	assert_layout(mm, "aaBBcc");
	x = vma_at(mm, 2)->anon_vma;
	a_id = vma_at(mm, 0)->id;
	/*
	 * 012345
	 * aa**cc  ->  AAAAAA
	 */
	fix_madvise(sim, mm, 2, 2, SIM_MADV_UNMERGEABLE);
	assert_layout(mm, "AAAAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	assert_ptr_equal(folio_at(sim, mm, 3)->anon_vma, x);
	fix_destroy(sim);
}

/* Same, but next has the anon_vma: prev adopts next's. */
static void test_madvise_three_way_adopts_next(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *y;
	uint64_t a_id;

	(void)state;
	/*
	 * 012345
	 * aabbCC   b: VM_MERGEABLE unfaulted; C: rw faulted
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_madvise(sim, mm, 2, 2, SIM_MADV_MERGEABLE);
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	fix_write(sim, mm, 4, 2, 0x40);
	assert_layout(mm, "aabbCC");
	y = vma_at(mm, 4)->anon_vma;
	a_id = vma_at(mm, 0)->id;
	fix_madvise(sim, mm, 2, 2, SIM_MADV_UNMERGEABLE);
	assert_layout(mm, "AAAAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, y);
	assert_int_equal(y->num_active_vmas, 1);
	assert_int_equal(av_count(y), 1);
	fix_destroy(sim);
}

/*
 * Existing-range merge with a fork-child middle into an unfaulted
 * neighbour: M1.3 case 1 forbids it (the middle's anon_vma would be
 * duplicated into a VMA with fork ancestry); split instead.
 */
static void test_madvise_fork_child_middle_no_merge(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	uint64_t b_id;

	(void)state;
	fix_mmap(sim, p, 2, 2, SIM_PROT_RW);
	fix_madvise(sim, p, 2, 2, SIM_MADV_MERGEABLE);
	fix_write(sim, p, 2, 2, 0x10);
	c = fix_fork(sim, "p", "c");
	/*
	 * c: 0123
	 *    aaBB   a: rw unfaulted, B: MERGEABLE fork child (two chains)
	 */
	fix_mmap(sim, c, 0, 2, SIM_PROT_RW);
	assert_layout(c, "aaBB");
	b_id = vma_at(c, 2)->id;
	fix_madvise(sim, c, 2, 2, SIM_MADV_UNMERGEABLE);
	assert_layout(c, "aaBB");
	assert_int_equal(c->map_count, 2);
	assert_int_equal(vma_at(c, 2)->id, b_id);
	assert_flags(vma_at(c, 2), F_RW);
	assert_null(vma_at(c, 0)->anon_vma);
	fix_destroy(sim);
}

/* ---------------------------------------------------------------- */
/* Exhaustive: prev x next x flags, against a reference predicate    */
/* ---------------------------------------------------------------- */

enum nb_kind { NB_NONE, NB_UNFAULTED, NB_FAULTED, NB_FORKED, NB__COUNT };
enum nb_flags { NBF_SAME, NBF_PROT, NBF_MERGEABLE, NBF__COUNT };

static const char *const nb_kind_name[] = { "none", "unfaulted", "faulted",
					    "forked-faulted" };
static const char *const nb_flags_name[] = { "same", "prot", "mergeable" };

/* What the rules look at about one neighbour, from how it was built. */
struct nb_model {
	bool present;
	bool flags_equal;  /* M1.1                                     */
	int av;            /* 0: no anon_vma, else an identity         */
	bool fork_child;   /* chain of != 1 AVC (M1.3)                 */
	bool pgoff_linear; /* pgoff contiguous at the junction (M1.4) */
};

static struct nb_model nb_model(enum nb_kind k, enum nb_flags f, int id)
{
	struct nb_model m = {
		.present = k != NB_NONE,
		.flags_equal = f == NBF_SAME,
		.av = (k == NB_FAULTED || k == NB_FORKED) ? id : 0,
		.fork_child = k == NB_FORKED,
		.pgoff_linear = true, /* built at its own address (M12.1) */
	};
	return m;
}

/* M1.3 for a new range (src_av == NULL, no middle). */
static bool ref_anon_compatible(const struct nb_model *w)
{
	if (!w->av)
		return true;     /* case 3: both NULL */
	return !w->fork_child;   /* case 2 */
}

enum merge_kind { MERGE_NONE, MERGE_LEFT, MERGE_RIGHT, MERGE_BOTH };
static const char *const merge_name[] = { "none", "left", "right", "both" };

/* M1.5 / M1.6 / M1.10: the outcome of mmap between @p and @n. */
static enum merge_kind ref_merge_new_range(const struct nb_model *p,
					   const struct nb_model *n)
{
	bool left = p->present && p->flags_equal && ref_anon_compatible(p) &&
		    p->pgoff_linear;
	bool right = n->present && n->flags_equal && ref_anon_compatible(n) &&
		     n->pgoff_linear &&
		     (!left || !p->av || !n->av || p->av == n->av);

	if (left && right)
		return MERGE_BOTH;
	if (left)
		return MERGE_LEFT;
	return right ? MERGE_RIGHT : MERGE_NONE;
}

static void build_side(struct ksm_sim *sim, struct mm_struct *mm,
		       uint64_t slot, enum nb_kind k, enum nb_flags f)
{
	fix_mmap(sim, mm, slot, 2, SIM_PROT_RW);
	if (k != NB_UNFAULTED)
		fix_write(sim, mm, slot, 2, 0x1000 + slot);
	if (f == NBF_PROT)
		fix_mprotect(sim, mm, slot, 2, SIM_PROT_R);
	else if (f == NBF_MERGEABLE)
		fix_madvise(sim, mm, slot, 2, SIM_MADV_MERGEABLE);
}

/* Returns the number of mismatches found for one combination. */
static int run_combo(enum nb_kind pk, enum nb_flags pf, enum nb_kind nk,
		     enum nb_flags nf)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *mm = p;
	struct nb_model pm = nb_model(pk, pf, 1), nm = nb_model(nk, nf, 2);
	enum merge_kind want = ref_merge_new_range(&pm, &nm), got;
	struct vm_area_struct *prev, *next, *v;
	struct anon_vma *prev_av = NULL, *next_av = NULL, *want_av = NULL;
	uint64_t prev_id = 0, next_id = 0;
	unsigned long count;
	int bad = 0;

	/* Fork-child neighbours are built in the parent, then forked. */
	if (pk == NB_FORKED)
		build_side(sim, p, 0, pk, pf);
	if (nk == NB_FORKED)
		build_side(sim, p, 4, nk, nf);
	if (pk == NB_FORKED || nk == NB_FORKED)
		mm = fix_fork(sim, "p", "c");
	if (pk == NB_UNFAULTED || pk == NB_FAULTED)
		build_side(sim, mm, 0, pk, pf);
	if (nk == NB_UNFAULTED || nk == NB_FAULTED)
		build_side(sim, mm, 4, nk, nf);

	prev = vma_at(mm, 0);
	next = vma_at(mm, 4);
	if (prev) {
		prev_av = prev->anon_vma;
		prev_id = prev->id;
	}
	if (next) {
		next_av = next->anon_vma;
		next_id = next->id;
	}
	count = mm->map_count;
	/*
	 * 012345
	 * PP**NN
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);

	v = vma_at(mm, 2);
	if (prev && v->id == prev_id)
		got = v->vm_end == pg(6) ? MERGE_BOTH : MERGE_LEFT;
	else if (next && v->id == next_id)
		got = MERGE_RIGHT;
	else
		got = MERGE_NONE;

#define COMBO_FAIL(fmt, ...)                                                    \
	do {                                                                    \
		print_error("prev=%s/%s next=%s/%s: " fmt "\n", nb_kind_name[pk], \
			    nb_flags_name[pf], nb_kind_name[nk],                \
			    nb_flags_name[nf], __VA_ARGS__);                    \
		bad++;                                                          \
	} while (0)

	if (got != want) {
		COMBO_FAIL("merge %s, rules say %s", merge_name[got],
			   merge_name[want]);
		goto out;
	}
	switch (want) {
	case MERGE_BOTH:
		if (v->vm_start != pg(0) || v->vm_end != pg(6) || v->vm_pgoff != pgo(0))
			COMBO_FAIL("both: range/pgoff %#llx-%#llx/%#llx",
				   (unsigned long long)v->vm_start,
				   (unsigned long long)v->vm_end,
				   (unsigned long long)v->vm_pgoff);
		want_av = prev_av ? prev_av : next_av; /* M1.6 vma_expand */
		if (mm->map_count != count - 1)
			COMBO_FAIL("both: map_count %lu", mm->map_count);
		break;
	case MERGE_LEFT:
		if (v->vm_start != pg(0) || v->vm_end != pg(4) || v->vm_pgoff != pgo(0))
			COMBO_FAIL("left: range/pgoff %#llx-%#llx/%#llx",
				   (unsigned long long)v->vm_start,
				   (unsigned long long)v->vm_end,
				   (unsigned long long)v->vm_pgoff);
		want_av = prev_av;
		if (mm->map_count != count)
			COMBO_FAIL("left: map_count %lu", mm->map_count);
		break;
	case MERGE_RIGHT:
		if (v->vm_start != pg(2) || v->vm_end != pg(6) || v->vm_pgoff != pgo(2))
			COMBO_FAIL("right: range/pgoff %#llx-%#llx/%#llx",
				   (unsigned long long)v->vm_start,
				   (unsigned long long)v->vm_end,
				   (unsigned long long)v->vm_pgoff);
		want_av = next_av;
		if (mm->map_count != count)
			COMBO_FAIL("right: map_count %lu", mm->map_count);
		break;
	case MERGE_NONE:
		if (v->vm_start != pg(2) || v->vm_end != pg(4) || v->vm_pgoff != pgo(2))
			COMBO_FAIL("none: range/pgoff %#llx-%#llx/%#llx",
				   (unsigned long long)v->vm_start,
				   (unsigned long long)v->vm_end,
				   (unsigned long long)v->vm_pgoff);
		want_av = NULL;
		if (mm->map_count != count + 1)
			COMBO_FAIL("none: map_count %lu", mm->map_count);
		break;
	}
	if (v->anon_vma != want_av)
		COMBO_FAIL("anon_vma %p, expected %p", (void *)v->anon_vma,
			   (void *)want_av);
	if ((v->vm_flags & FIX_FLAG_MASK) != F_RW)
		COMBO_FAIL("flags %#llx",
			   (unsigned long long)(v->vm_flags & FIX_FLAG_MASK));
	/* The untouched neighbour is untouched. */
	if (want == MERGE_LEFT && next &&
	    (vma_at(mm, 4)->id != next_id || vma_at(mm, 4)->vm_pgoff != pgo(4)))
		COMBO_FAIL("%s", "left: next changed");
	if (want == MERGE_RIGHT && prev &&
	    (vma_at(mm, 0)->id != prev_id || vma_at(mm, 0)->vm_end != pg(2)))
		COMBO_FAIL("%s", "right: prev changed");
#undef COMBO_FAIL
out:
	/* A write in the new range must leave a consistent rmap. */
	fix_write(sim, mm, 2, 2, 0x9000);
	fix_destroy(sim);
	return bad;
}

static void test_merge_matrix(void **state)
{
	int bad = 0, combos = 0;

	(void)state;
	for (int pk = 0; pk < NB__COUNT; pk++)
		for (int pf = 0; pf < (pk == NB_NONE ? 1 : NBF__COUNT); pf++)
			for (int nk = 0; nk < NB__COUNT; nk++)
				for (int nf = 0; nf < (nk == NB_NONE ? 1 : NBF__COUNT);
				     nf++) {
					bad += run_combo(pk, pf, nk, nf);
					combos++;
				}
	assert_int_equal(combos, 100);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap_merge_prev_unfaulted),
		cmocka_unit_test(test_mmap_merge_prev_faulted),
		cmocka_unit_test(test_mmap_merge_next_unfaulted),
		cmocka_unit_test(test_mmap_merge_next_faulted),
		cmocka_unit_test(test_mmap_merge_both_unfaulted),
		cmocka_unit_test(test_mmap_merge_both_adopts_next_anon_vma),
		cmocka_unit_test(test_mmap_merge_both_faulted_distinct),
		cmocka_unit_test(test_mmap_merge_both_same_anon_vma),
		cmocka_unit_test(test_mmap_prot_differs),
		cmocka_unit_test(test_account_mprotect_r_to_rw_adds),
		cmocka_unit_test(test_account_faulted_rw_to_r_keeps),
		cmocka_unit_test(test_account_unfaulted_rw_to_r_drops),
		cmocka_unit_test(test_account_restore_does_not_remerge),
		cmocka_unit_test(test_account_prot_none),
		cmocka_unit_test(test_mmap_mergeable_differs),
		cmocka_unit_test(test_mmap_next_to_fork_child),
		cmocka_unit_test(test_mmap_next_to_fork_child_unfaulted),
		cmocka_unit_test(test_mprotect_prefix_merges_prev),
		cmocka_unit_test(test_mprotect_prefix_merges_prev_faulted),
		cmocka_unit_test(test_mprotect_suffix_merges_next),
		cmocka_unit_test(test_mprotect_suffix_merges_next_faulted),
		cmocka_unit_test(test_mprotect_middle_splits),
		cmocka_unit_test(test_mprotect_whole_three_way),
		cmocka_unit_test(test_mprotect_whole_no_merge),
		cmocka_unit_test(test_mprotect_equal_flags_nothing),
		cmocka_unit_test(test_mprotect_prefix_suffix_split),
		cmocka_unit_test(test_mprotect_spanning),
		cmocka_unit_test(test_mprotect_next_to_fork_child_prev),
		cmocka_unit_test(test_mprotect_three_way_distinct_anon_vmas),
		cmocka_unit_test(test_mprotect_hole_error),
		cmocka_unit_test(test_madvise_mergeable_subrange_and_back),
		cmocka_unit_test(test_madvise_three_way_adopts_middle),
		cmocka_unit_test(test_madvise_three_way_adopts_next),
		cmocka_unit_test(test_madvise_fork_child_middle_no_merge),
		cmocka_unit_test(test_merge_matrix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
