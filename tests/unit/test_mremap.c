// SPDX-License-Identifier: MIT
/*
 * mremap of the memory model (sim/mm/mremap.c and copy_vma's merge in
 * vma.c).  The trace's mremap is MREMAP_MAYMOVE|MREMAP_FIXED when the
 * new address differs and a plain in-place resize when it does not.
 *
 *   M6.1  dispatch: same-size move -> remap_move, else one VMA only
 *   M6.2  mremap_to: destination unmapped first, shrink tail unmapped,
 *         then move_vma
 *   M6.3  move_vma: copy_vma, move page tables, then unmap the source
 *         (the source split happens only now: its pieces are new structs
 *         created after the copy)
 *   M6.4  copy_vma: pgoff preserved, reset to new_addr >> 12 for a VMA
 *         without anon_vma; merge with destination neighbours (M1.6)
 *   M1.9  6.18.y: a faulted moved range merging into an unfaulted
 *         neighbour gives it the anon_vma; a fork child's does not merge
 *   M6.5  shrink in place: the lower part survives as a new struct
 *   M6.6  grow in place: pgoff unchanged, merge with a compatible next;
 *         blocked -> ENOMEM
 *   M6.7  remap_move over several VMAs keeps the gaps
 *   M9/M5 a child's moved VMA stays in the parent's anon_vma tree with
 *         the old pgoff range; pages stay shared, indices unchanged
 *   R9.6.2 no operation changes a page's index.
 *
 * The layouts in the comments use the characters of draw_vmas(): one
 * per page slot, upper case = VMA with an anon_vma.
 */
#include "mm_fixture.h"

/* M6.3/M6.4: a move keeps vm_pgoff and the pages (and their index). */
static void test_move_keeps_pgoff_and_index(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *v, *w;
	struct anon_vma *x;
	uint64_t pfn[4], v_id;

	(void)state;
	/*
	 * 012345678901234567890123
	 * AAAA                      ->                      AAAA
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	v = vma_at(mm, 0);
	v_id = v->id;
	x = v->anon_vma;
	for (int i = 0; i < 4; i++)
		pfn[i] = pte_pfn(pte_at(mm, (uint64_t)i));
	fix_mremap(sim, mm, 0, 4, 20, 4);
	assert_layout(mm, "                    AAAA");
	assert_int_equal(mm->map_count, 1);
	w = vma_at(mm, 20);
	assert_vma(w, 20, 24, pgo(0));
	assert_int_not_equal(w->id, v_id);
	assert_flags(w, F_RW);
	assert_ptr_equal(w->anon_vma, x);
	assert_int_equal(chain_len(w), 1);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	assert_query(x, pgo(0), pgo(3), w);
	for (int i = 0; i < 4; i++) {
		struct folio *f = folio_at(sim, mm, 20 + (uint64_t)i);
		uint64_t addr = 0;

		assert_true(pte_none(pte_at(mm, (uint64_t)i)));
		assert_int_equal(f->pfn, pfn[i]);
		assert_int_equal(f->index, pgo((uint64_t)i));
		assert_int_not_equal(f->index, pg(20 + (uint64_t)i) >> KSM_PAGE_SHIFT);
		assert_int_equal(f->mapcount, 1);
		assert_ptr_equal(f->anon_vma, x);
		assert_int_equal(f->content, 0x10 + (uint64_t)i);
		assert_true(pte_write(pte_at(mm, 20 + (uint64_t)i)));
		assert_true(folio_address_in_vma(f, w, &addr));
		assert_int_equal(addr, pg(20 + (uint64_t)i));
	}
	/* A new fault in the moved VMA uses its (non-linear) pgoff. */
	fix_madvise(sim, mm, 23, 1, SIM_MADV_DONTNEED);
	fix_write(sim, mm, 23, 1, 0x99);
	assert_int_equal(folio_at(sim, mm, 23)->index, pgo(3));
	fix_destroy(sim);
}

/* M6.4: a VMA without anon_vma restarts at new_addr >> 12. */
static void test_move_unfaulted_resets_pgoff(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_mremap(sim, mm, 0, 4, 20, 4);
	assert_layout(mm, "                    aaaa");
	assert_vma(vma_at(mm, 20), 20, 24, pgo(20));
	fix_destroy(sim);

	/* Only read (zero entries, still no anon_vma): reset too. */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_read(sim, mm, 0, 4);
	fix_mremap(sim, mm, 0, 4, 20, 4);
	assert_vma(vma_at(mm, 20), 20, 24, pgo(20));
	assert_null(vma_at(mm, 20)->anon_vma);
	for (uint64_t s = 0; s < 4; s++) {
		assert_true(pte_none(pte_at(mm, s)));
		assert_true(is_zero_pfn(pte_pfn(pte_at(mm, 20 + s))));
		assert_true(pte_present(pte_at(mm, 20 + s)));
	}
	fix_destroy(sim);
}

/*
 * M6.3: moving part of a VMA; the source is split only after the copy,
 * so the moved VMA is created before both survivors.  Then moving it
 * back where its pgoff came from re-merges all three (M1.6 "both").
 */
static void test_move_part_and_back(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *lo, *hi, *w;
	struct anon_vma *x;
	uint64_t v_id, lo_id;

	(void)state;
	/*
	 * 0123456789012345678901
	 * AA**AA                 move [2,4) to 20
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	v_id = vma_at(mm, 0)->id;
	fix_mremap(sim, mm, 2, 2, 20, 2);
	/*
	 * 0123456789012345678901
	 * AA  BB              CC
	 */
	assert_layout(mm, "AA  BB              CC");
	lo = vma_at(mm, 0);
	hi = vma_at(mm, 4);
	w = vma_at(mm, 20);
	assert_vma(lo, 0, 2, pgo(0));
	assert_vma(hi, 4, 6, pgo(4));
	assert_vma(w, 20, 22, pgo(2));
	assert_int_not_equal(lo->id, v_id);
	assert_int_not_equal(hi->id, v_id);
	assert_int_not_equal(w->id, v_id);
	assert_true(w->id < lo->id);
	assert_true(lo->id < hi->id);
	assert_ptr_equal(lo->anon_vma, x);
	assert_ptr_equal(hi->anon_vma, x);
	assert_ptr_equal(w->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 3);
	assert_int_equal(av_count(x), 3);
	assert_int_equal(folio_at(sim, mm, 20)->index, pgo(2));
	assert_int_equal(folio_at(sim, mm, 21)->index, pgo(3));
	assert_query(x, pgo(0), pgo(5), lo, w, hi);
	lo_id = lo->id;
	/*
	 * Back to 2: pgoff pgo(2) continues lo and is continued by hi, one
	 * anon_vma: prev grows over the range and next.
	 * 0123456789012345678901
	 * AA**BB              CC  ->  AAAAAA
	 */
	fix_mremap(sim, mm, 20, 2, 2, 2);
	assert_layout(mm, "AAAAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, lo_id);
	assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	for (uint64_t s = 0; s < 6; s++) {
		struct folio *f = folio_at(sim, mm, s);

		assert_int_equal(f->index, pgo(s));
		assert_int_equal(f->content, 0x10 + s);
	}
	fix_destroy(sim);
}

/* A moved faulted range next to a VMA whose pgoff it does not continue. */
static void test_move_next_to_unrelated(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	fix_mremap(sim, mm, 2, 2, 20, 2);
	/*
	 * 0123456789012345678901
	 * AA  BB**            CC  move 20 -> 6: pgo(2) != pgo(4) + 2
	 */
	fix_mremap(sim, mm, 20, 2, 6, 2);
	assert_layout(mm, "AA  BBCC");
	assert_int_equal(mm->map_count, 3);
	assert_vma(vma_at(mm, 6), 6, 8, pgo(2));
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	fix_destroy(sim);
}

/* M6.4 + M1.6: an unfaulted VMA moved next to another merges (pgoff reset). */
static void test_move_unfaulted_merges(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	uint64_t a_id, c_id;

	(void)state;
	/*
	 * 0123456789012
	 * aa        bb     move b to 2  ->  aaaa
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 10, 2, SIM_PROT_RW);
	a_id = vma_at(mm, 0)->id;
	fix_mremap(sim, mm, 10, 2, 2, 2);
	assert_layout(mm, "aaaa");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, a_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	/*
	 * Right side: c at 8, moved unfaulted to 6 -> c grows down.
	 * 0123456789
	 * aaaa  **cc
	 */
	fix_mmap(sim, mm, 8, 2, SIM_PROT_RW);
	fix_mmap(sim, mm, 14, 2, SIM_PROT_RW);
	c_id = vma_at(mm, 8)->id;
	fix_mremap(sim, mm, 14, 2, 6, 2);
	assert_layout(mm, "aaaa  bbbb");
	assert_int_equal(vma_at(mm, 6)->id, c_id);
	assert_vma(vma_at(mm, 6), 6, 10, pgo(6));
	fix_destroy(sim);
}

/*
 * M1.9 (6.18.y): a faulted range moved back next to an unfaulted prev
 * merges, and the grown prev takes the moved range's anon_vma, so the
 * pages' rmap still finds them.
 */
static void test_move_faulted_into_unfaulted_prev(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t u_id;

	(void)state;
	/*
	 * 0123456789012345678901
	 *   AA                    move to 20, then map u at 0
	 * uu                  AA
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_write(sim, mm, 2, 2, 0x10);
	x = vma_at(mm, 2)->anon_vma;
	fix_mremap(sim, mm, 2, 2, 20, 2);
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	assert_layout(mm, "aa                  BB");
	u_id = vma_at(mm, 0)->id;
	/*
	 * 0123456789012345678901
	 * uu**                AA  ->  UUUU
	 */
	fix_mremap(sim, mm, 20, 2, 2, 2);
	assert_layout(mm, "AAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 0)->id, u_id);
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	assert_ptr_equal(folio_at(sim, mm, 3)->anon_vma, x);
	assert_int_equal(folio_at(sim, mm, 3)->index, pgo(3));
	fix_destroy(sim);
}

/* Same on the right: an unfaulted next grows down and takes the anon_vma. */
static void test_move_faulted_into_unfaulted_next(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t n_id;

	(void)state;
	/*
	 * 0123456789012345678901
	 *   AA                    move to 20, then map n at 4
	 *     nn              AA
	 */
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_write(sim, mm, 2, 2, 0x10);
	x = vma_at(mm, 2)->anon_vma;
	fix_mremap(sim, mm, 2, 2, 20, 2);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	n_id = vma_at(mm, 4)->id;
	/*
	 * 0123456789012345678901
	 *   **nn              AA  ->    NNNN
	 */
	fix_mremap(sim, mm, 20, 2, 2, 2);
	assert_layout(mm, "  AAAA");
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 2)->id, n_id);
	assert_vma(vma_at(mm, 2), 2, 6, pgo(2));
	assert_ptr_equal(vma_at(mm, 2)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	fix_destroy(sim);
}

/*
 * M6.4: an unfaulted VMA's moved part, its pgoff reset, may merge with
 * the source VMA itself; the source unmap then splits the merged VMA.
 */
static void test_move_merges_with_own_source(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	/*
	 * 012345
	 * aa##**  move [2,4) to 4: copy merges into the source (pgo(4)
	 *         continues it), then [2,4) is unmapped  ->  aa  bb
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_mremap(sim, mm, 2, 2, 4, 2);
	assert_layout(mm, "aa  bb");
	assert_int_equal(mm->map_count, 2);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(0));
	assert_vma(vma_at(mm, 4), 4, 6, pgo(4));
	fix_destroy(sim);

	/*
	 * Same on the other side: v at [4,8), move [4,6) to 2 -> v grows
	 * down over [2,4), then [4,6) is unmapped  ->  aa  bb at 2 and 6.
	 */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	fix_mmap(sim, mm, 4, 4, SIM_PROT_RW);
	fix_mremap(sim, mm, 4, 2, 2, 2);
	assert_layout(mm, "  aa  bb");
	assert_vma(vma_at(mm, 2), 2, 4, pgo(2));
	assert_vma(vma_at(mm, 6), 6, 8, pgo(6));
	fix_destroy(sim);
}

/* M1.9: a fork child's moved range does not merge into an unfaulted prev. */
static void test_move_fork_child_into_unfaulted_prev(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *w;
	struct anon_vma *x, *ac;

	(void)state;
	fix_mmap(sim, p, 2, 2, SIM_PROT_RW);
	fix_write(sim, p, 2, 2, 0x10);
	x = vma_at(p, 2)->anon_vma;
	c = fix_fork(sim, "p", "c");
	ac = vma_at(c, 2)->anon_vma;
	fix_mremap(sim, c, 2, 2, 20, 2);
	fix_mmap(sim, c, 0, 2, SIM_PROT_RW);
	/*
	 * c: 0123456789012345678901
	 *    uu**                AA  ->  uuAA
	 */
	fix_mremap(sim, c, 20, 2, 2, 2);
	assert_layout(c, "aaBB");
	assert_int_equal(c->map_count, 2);
	assert_null(vma_at(c, 0)->anon_vma);
	w = vma_at(c, 2);
	assert_vma(w, 2, 4, pgo(2));
	assert_ptr_equal(w->anon_vma, ac);
	assert_int_equal(chain_len(w), 2);
	assert_query(x, pgo(2), pgo(3), vma_at(p, 2), w);
	fix_destroy(sim);
}

/* M6.5: shrink in place unmaps the tail; the lower part is a new struct. */
static void test_shrink_in_place(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;
	uint64_t v_id;

	(void)state;
	/*
	 * 012345
	 * AAAA**  ->  AAAA
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	v_id = vma_at(mm, 0)->id;
	fix_mremap(sim, mm, 0, 6, 0, 4);
	assert_layout(mm, "AAAA");
	assert_vma(vma_at(mm, 0), 0, 4, pgo(0));
	assert_int_not_equal(vma_at(mm, 0)->id, v_id);
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 1);
	assert_int_equal(nr_folios(sim), 4);
	assert_true(pte_none(pte_at(mm, 4)));
	fix_destroy(sim);
}

/* M6.6: grow in place keeps the struct and pgoff, re-keys the chain. */
static void test_grow_in_place(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *v;
	struct anon_vma *x;
	uint64_t v_id;

	(void)state;
	/*
	 * 012345
	 * AAAA**  ->  AAAAAA
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	v = vma_at(mm, 0);
	v_id = v->id;
	x = v->anon_vma;
	fix_mremap(sim, mm, 0, 4, 0, 6);
	assert_layout(mm, "AAAAAA");
	v = vma_at(mm, 5);
	assert_int_equal(v->id, v_id);
	assert_vma(v, 0, 6, pgo(0));
	assert_ptr_equal(v->anon_vma, x);
	assert_query(x, pgo(5), pgo(5), v);
	fix_write(sim, mm, 5, 1, 0x20);
	assert_int_equal(folio_at(sim, mm, 5)->index, pgo(5));
	assert_ptr_equal(folio_at(sim, mm, 5)->anon_vma, x);
	fix_destroy(sim);
}

/* Build v [0,4) and n [6,8), grow v to 6 pages in place. */
static void run_grow_into_next(bool fault_v, bool fault_n, enum sim_prot nprot,
			       bool v_fork_child, bool want_merge)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *vav, *nav;
	uint64_t v_id, n_id;

	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	if (fault_v)
		fix_write(sim, mm, 0, 4, 0x10);
	if (v_fork_child) {
		mm = fix_fork(sim, "p", "c");
		fix_exit(sim, "p");
	}
	fix_mmap(sim, mm, 6, 2, nprot);
	if (fault_n)
		fix_write(sim, mm, 6, 2, 0x60);
	vav = vma_at(mm, 0)->anon_vma;
	nav = vma_at(mm, 6)->anon_vma;
	v_id = vma_at(mm, 0)->id;
	n_id = vma_at(mm, 6)->id;
	/*
	 * 01234567
	 * vvvv**nn
	 */
	fix_mremap(sim, mm, 0, 4, 0, 6);
	if (want_merge) {
		/* -> vvvvvvvv, next removed; v adopts n's anon_vma if it had none. */
		assert_int_equal(mm->map_count, 1);
		assert_int_equal(vma_at(mm, 0)->id, v_id);
		assert_vma(vma_at(mm, 0), 0, 8, pgo(0));
		assert_ptr_equal(vma_at(mm, 0)->anon_vma, vav ? vav : nav);
	} else {
		/* -> vvvvvvnn */
		assert_int_equal(mm->map_count, 2);
		assert_int_equal(vma_at(mm, 0)->id, v_id);
		assert_vma(vma_at(mm, 0), 0, 6, pgo(0));
		assert_int_equal(vma_at(mm, 6)->id, n_id);
		assert_vma(vma_at(mm, 6), 6, 8, pgo(6));
	}
	fix_destroy(sim);
}

static void test_grow_in_place_merges_next(void **state)
{
	(void)state;
	/* v faulted, n unfaulted: M1.3 case 1 with no middle -> merge. */
	run_grow_into_next(true, false, SIM_PROT_RW, false, true);
	/* v unfaulted, n faulted (one chain): merge, v adopts n's. */
	run_grow_into_next(false, true, SIM_PROT_RW, false, true);
	/* both unfaulted: merge. */
	run_grow_into_next(false, false, SIM_PROT_RW, false, true);
	/* both faulted, different anon_vmas: M1.5 three-way test fails. */
	run_grow_into_next(true, true, SIM_PROT_RW, false, false);
	/* n read-only: flags differ. */
	run_grow_into_next(false, false, SIM_PROT_R, false, false);
	/*
	 * v a fork child (two chains), n unfaulted: vma_merge_extend has
	 * no middle and no copied_from, so M1.3 case 1 holds -> merge.
	 */
	run_grow_into_next(true, false, SIM_PROT_RW, true, true);
}

/* M6.6: growth blocked, without MAYMOVE -> error, nothing changed. */
static void test_grow_in_place_blocked(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct sim_error err = { 0 };
	char *before;

	(void)state;
	/*
	 * 01234567
	 * AAAA*bb    grow v to 6 pages: slot 5 is taken
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	fix_mmap(sim, mm, 5, 2, SIM_PROT_RW);
	before = fix_digest(sim, mm);
	assert_int_equal(sim_mremap(sim, mm, pg(0), 4, pg(0), 6, &err), -1);
	assert_unchanged(before, sim, mm);
	assert_invariants(sim);
	/* Not the tail of its VMA: cannot grow in place either. */
	before = fix_digest(sim, mm);
	assert_int_equal(sim_mremap(sim, mm, pg(0), 2, pg(0), 3, &err), -1);
	assert_unchanged(before, sim, mm);
	assert_invariants(sim);
	fix_destroy(sim);
}

/* M6.2: size-changing moves. */
static void test_size_changing_move(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *w;
	struct anon_vma *x;

	(void)state;
	/*
	 * 01234567890123456789012345
	 * AAAA                 ->                     AAAA**
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	fix_mremap(sim, mm, 0, 4, 20, 6);
	assert_layout(mm, "                    AAAAAA");
	w = vma_at(mm, 20);
	assert_vma(w, 20, 26, pgo(0));
	assert_ptr_equal(w->anon_vma, x);
	assert_int_equal(folio_at(sim, mm, 23)->index, pgo(3));
	assert_true(pte_none(pte_at(mm, 24)));
	assert_int_equal(nr_folios(sim), 4);
	fix_write(sim, mm, 24, 1, 0x20);
	assert_int_equal(folio_at(sim, mm, 24)->index, pgo(4));
	assert_query(x, pgo(5), pgo(5), w);
	fix_destroy(sim);

	/* Shrinking move: the tail goes first, then the rest moves. */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	fix_mremap(sim, mm, 0, 4, 20, 2);
	assert_layout(mm, "                    AA");
	assert_vma(vma_at(mm, 20), 20, 22, pgo(0));
	assert_int_equal(nr_folios(sim), 2);
	assert_int_equal(folio_at(sim, mm, 21)->content, 0x11);
	fix_destroy(sim);
}

/* M6.7: a same-size move over two VMAs and a gap keeps the gap. */
static void test_remap_move_multi(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x1, *x2;
	struct sim_error err = { 0 };
	char *before;

	(void)state;
	/*
	 * 0123456789012345678901234
	 * AA BB                      B: faulted rw -> r
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 2, 0x10);
	fix_mmap(sim, mm, 3, 2, SIM_PROT_RW);
	fix_write(sim, mm, 3, 2, 0x30);
	fix_mprotect(sim, mm, 3, 2, SIM_PROT_R);
	x1 = vma_at(mm, 0)->anon_vma;
	x2 = vma_at(mm, 3)->anon_vma;

	/* The range may not start in a gap (EFAULT). */
	before = fix_digest(sim, mm);
	assert_int_equal(sim_mremap(sim, mm, pg(2), 3, pg(20), 3, &err), -1);
	assert_unchanged(before, sim, mm);

	/*
	 * 0123456789012345678901234
	 * AA BB               ->   AA BB at 20
	 */
	fix_mremap(sim, mm, 0, 5, 20, 5);
	assert_layout(mm, "                    AA BB");
	assert_int_equal(mm->map_count, 2);
	assert_vma(vma_at(mm, 20), 20, 22, pgo(0));
	assert_vma(vma_at(mm, 23), 23, 25, pgo(3));
	assert_flags(vma_at(mm, 20), F_RW);
	assert_flags(vma_at(mm, 23), F_R_ACCT);
	assert_ptr_equal(vma_at(mm, 20)->anon_vma, x1);
	assert_ptr_equal(vma_at(mm, 23)->anon_vma, x2);
	assert_int_equal(folio_at(sim, mm, 24)->content, 0x31);
	fix_destroy(sim);

	/* Partial cover: [1,4) = end of A, the gap, start of B. */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 2, 0x10);
	fix_mmap(sim, mm, 3, 2, SIM_PROT_RW);
	fix_mremap(sim, mm, 1, 3, 20, 3);
	/*
	 * 0123456789012345678901234
	 * A   b               C d      (b, d: unfaulted -> pgoff reset)
	 */
	assert_layout(mm, "A   b               C d");
	assert_vma(vma_at(mm, 0), 0, 1, pgo(0));
	assert_vma(vma_at(mm, 4), 4, 5, pgo(4));
	assert_vma(vma_at(mm, 20), 20, 21, pgo(1));
	assert_vma(vma_at(mm, 22), 22, 23, pgo(22));
	fix_destroy(sim);
}

/* Destination overlapping the source: error, nothing changed. */
static void test_overlap_error(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct sim_error err = { 0 };
	char *before;

	(void)state;
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	before = fix_digest(sim, mm);
	assert_int_equal(sim_mremap(sim, mm, pg(0), 4, pg(2), 4, &err), -1);
	assert_unchanged(before, sim, mm);
	before = fix_digest(sim, mm);
	assert_int_equal(sim_mremap(sim, mm, pg(2), 2, pg(1), 4, &err), -1);
	assert_unchanged(before, sim, mm);
	/* Source not mapped: EFAULT. */
	before = fix_digest(sim, mm);
	assert_int_equal(sim_mremap(sim, mm, pg(10), 2, pg(20), 3, &err), -1);
	assert_unchanged(before, sim, mm);
	assert_invariants(sim);
	fix_destroy(sim);
}

/*
 * M6.2: the destination is unmapped first, even when it is another part
 * of the source VMA: move [2,4) of AAAA onto [0,2).
 */
static void test_move_onto_own_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;

	(void)state;
	/*
	 * 0123
	 * ##AA  ->  AA   (pgoff pgo(2): not contiguous with anything)
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	fix_mremap(sim, mm, 2, 2, 0, 2);
	assert_layout(mm, "AA");
	assert_int_equal(mm->map_count, 1);
	assert_vma(vma_at(mm, 0), 0, 2, pgo(2));
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	assert_int_equal(nr_folios(sim), 2);
	assert_int_equal(folio_at(sim, mm, 0)->content, 0x12);
	assert_int_equal(folio_at(sim, mm, 0)->index, pgo(2));
	assert_int_equal(av_count(x), 1);
	fix_destroy(sim);
}

/* M6.2: moving onto part of another VMA splits it first. */
static void test_move_onto_other_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *y;

	(void)state;
	/*
	 * 01234567890123456789012345
	 * AA                  BBBBBB   move A onto [22,24)
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 2, 0x10);
	fix_mmap(sim, mm, 20, 6, SIM_PROT_RW);
	fix_write(sim, mm, 20, 6, 0x20);
	x = vma_at(mm, 0)->anon_vma;
	y = vma_at(mm, 20)->anon_vma;
	fix_mremap(sim, mm, 0, 2, 22, 2);
	assert_layout(mm, "                    AABBCC");
	assert_int_equal(mm->map_count, 3);
	assert_vma(vma_at(mm, 20), 20, 22, pgo(20));
	assert_vma(vma_at(mm, 22), 22, 24, pgo(0));
	assert_vma(vma_at(mm, 24), 24, 26, pgo(24));
	assert_ptr_equal(vma_at(mm, 20)->anon_vma, y);
	assert_ptr_equal(vma_at(mm, 22)->anon_vma, x);
	assert_ptr_equal(vma_at(mm, 24)->anon_vma, y);
	assert_int_equal(nr_folios(sim), 6);
	assert_int_equal(folio_at(sim, mm, 22)->content, 0x10);
	fix_destroy(sim);
}

/* M6.3: VM_MERGEABLE is kept on the moved VMA. */
static void test_move_keeps_mergeable(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_madvise(sim, mm, 0, 2, SIM_MADV_MERGEABLE);
	fix_write(sim, mm, 0, 2, 0x10);
	fix_mremap(sim, mm, 0, 2, 20, 2);
	assert_flags(vma_at(mm, 20), F_RW | VM_MERGEABLE);
	fix_destroy(sim);
}

/*
 * A child moves its copy: the pages stay shared with the parent, the
 * moved VMA stays in the parent's anon_vma tree with the old pgoff range
 * (so the parent's rmap walk finds the child's mapping at the new
 * address), and a COW copy in the child gets the pgoff-based index.
 */
static void test_fork_child_mremap(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *pv, *w;
	struct anon_vma *x, *ac;
	struct folio *f, *g;
	uint64_t addr = 0;

	(void)state;
	fix_mmap(sim, p, 0, 4, SIM_PROT_RW);
	fix_write(sim, p, 0, 4, 0x10);
	pv = vma_at(p, 0);
	x = pv->anon_vma;
	c = fix_fork(sim, "p", "c");
	ac = vma_at(c, 0)->anon_vma;
	/*
	 * c: 012345678901234567890123
	 *    AAAA                 ->                      AAAA
	 */
	fix_mremap(sim, c, 0, 4, 20, 4);
	assert_layout(c, "                    AAAA");
	w = vma_at(c, 20);
	assert_vma(w, 20, 24, pgo(0));
	assert_ptr_equal(w->anon_vma, ac);
	assert_int_equal(chain_len(w), 2);
	assert_ptr_equal(chain_av(w, 0), ac);
	assert_ptr_equal(chain_av(w, 1), x);
	assert_int_equal(x->refcount, 2);
	assert_int_equal(x->num_children, 2);
	assert_int_equal(x->num_active_vmas, 1);
	assert_int_equal(av_count(x), 2);
	assert_int_equal(ac->num_active_vmas, 1);
	assert_int_equal(av_count(ac), 1);
	assert_query(x, pgo(1), pgo(1), pv, w);
	for (uint64_t s = 0; s < 4; s++) {
		f = folio_at(sim, p, s);
		assert_int_equal(pte_pfn(pte_at(c, 20 + s)), f->pfn);
		assert_false(pte_write(pte_at(c, 20 + s)));
		assert_int_equal(f->mapcount, 2);
		assert_ptr_equal(f->anon_vma, x);
		assert_true(folio_address_in_vma(f, w, &addr));
		assert_int_equal(addr, pg(20 + s));
		assert_true(folio_address_in_vma(f, pv, &addr));
		assert_int_equal(addr, pg(s));
	}
	/* COW in the child at 21: index = linear_page_index = pgo(1). */
	f = folio_at(sim, p, 1);
	fix_write(sim, c, 21, 1, 0x99);
	g = folio_at(sim, c, 21);
	assert_int_not_equal(g->pfn, f->pfn);
	assert_int_equal(g->index, linear_page_index(w, pg(21)));
	assert_int_equal(g->index, pgo(1));
	assert_ptr_equal(g->anon_vma, ac);
	assert_int_equal(f->mapcount, 1);
	/* The parent is now the only user: reuse in place. */
	fix_write(sim, p, 1, 1, 0x98);
	assert_int_equal(pte_pfn(pte_at(p, 1)), f->pfn);
	assert_true(pte_write(pte_at(p, 1)));
	fix_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_keeps_pgoff_and_index),
		cmocka_unit_test(test_move_unfaulted_resets_pgoff),
		cmocka_unit_test(test_move_part_and_back),
		cmocka_unit_test(test_move_next_to_unrelated),
		cmocka_unit_test(test_move_unfaulted_merges),
		cmocka_unit_test(test_move_faulted_into_unfaulted_prev),
		cmocka_unit_test(test_move_faulted_into_unfaulted_next),
		cmocka_unit_test(test_move_fork_child_into_unfaulted_prev),
		cmocka_unit_test(test_move_merges_with_own_source),
		cmocka_unit_test(test_shrink_in_place),
		cmocka_unit_test(test_grow_in_place),
		cmocka_unit_test(test_grow_in_place_merges_next),
		cmocka_unit_test(test_grow_in_place_blocked),
		cmocka_unit_test(test_size_changing_move),
		cmocka_unit_test(test_remap_move_multi),
		cmocka_unit_test(test_overlap_error),
		cmocka_unit_test(test_move_onto_own_vma),
		cmocka_unit_test(test_move_onto_other_vma),
		cmocka_unit_test(test_move_keeps_mergeable),
		cmocka_unit_test(test_fork_child_mremap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
