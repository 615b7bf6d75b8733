// SPDX-License-Identifier: MIT
/*
 * Page faults, copy-on-write and zapping of the memory model
 * (sim/mm/memory.c, access.c, fork.c's page-table copy, madvise.c's
 * MADV_DONTNEED, mprotect.c's change_protection):
 *
 *   M8.2  read fault on an empty entry: the zero page, RO, clean, no
 *         anon_vma prepared
 *   M8.3  write fault on an empty entry: anon_vma_prepare, a new
 *         exclusive folio, index = linear_page_index, PTE writable+dirty
 *   M8.4  write to a RO entry: reuse when exclusive or refcount == 1;
 *         folio_move_anon_rmap only on the non-exclusive reuse
 *   M8.5  copy: new exclusive folio with index = linear_page_index of
 *         the faulting address in the faulting VMA; the zero page is
 *         replaced, with the anon_vma prepared then
 *   M9.1  fork copies page tables only of VMAs with an anon_vma
 *   M9.2  fork: pages shared, exclusive cleared, writable entries
 *         write-protected in both, zero entries copied verbatim
 *   M7.2  mprotect: removing write protects every entry, adding write
 *         re-enables it only for exclusive pages
 *   M8.7, M11.1  MADV_DONTNEED zaps entries and changes no VMA
 *   plus the access errors of the trace contract (SIGSEGV cases):
 *   sim_write/sim_read return -1 with SIM_ARG_ADDR and change nothing.
 */
#include "mm_fixture.h"

static void assert_zero_pte(pte_t pte)
{
	assert_true(pte_present(pte));
	assert_true(is_zero_pfn(pte_pfn(pte)));
	assert_false(pte_write(pte));
	assert_false(pte_dirty(pte)); /* not KSM-placed */
}

/* M8.2: read faults map the zero page and prepare nothing. */
static void test_read_fault_zero_page(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");

	(void)state;
	/*
	 * 0123
	 * aabb   a: r, b: rw
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	fix_read(sim, mm, 0, 4);
	for (uint64_t s = 0; s < 4; s++)
		assert_zero_pte(pte_at(mm, s));
	assert_null(vma_at(mm, 0)->anon_vma);
	assert_null(vma_at(mm, 2)->anon_vma);
	assert_int_equal(nr_folios(sim), 0);
	assert_int_equal(nr_anon_vmas(sim), 0);
	assert_layout(mm, "aabb");
	/* Reading again changes nothing. */
	{
		char *before = fix_digest(sim, mm);

		fix_read(sim, mm, 0, 4);
		assert_unchanged(before, sim, mm);
	}
	fix_destroy(sim);
}

/* M8.3: the first write allocates an exclusive folio. */
static void test_write_fault_new_folio(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *v;
	struct folio *f;
	pte_t pte;
	uint64_t pfn;

	(void)state;
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 1, 1, 0xabc);
	v = vma_at(mm, 0);
	assert_non_null(v->anon_vma);
	pte = pte_at(mm, 1);
	assert_true(pte_present(pte));
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	f = folio_at(sim, mm, 1);
	assert_non_null(f);
	assert_true(f->flags & FOLIO_ANON);
	assert_true(f->flags & FOLIO_ANON_EXCLUSIVE);
	assert_false(f->flags & FOLIO_KSM);
	assert_int_equal(f->mapcount, 1);
	assert_int_equal(f->refcount, 1);
	assert_int_equal(f->index, linear_page_index(v, pg(1)));
	assert_int_equal(f->index, pgo(1));
	assert_ptr_equal(f->anon_vma, v->anon_vma);
	assert_int_equal(f->content, 0xabc);
	assert_int_equal(nr_folios(sim), 1);
	/* Other pages stay empty. */
	assert_true(pte_none(pte_at(mm, 0)));
	assert_true(pte_none(pte_at(mm, 2)));
	/* A write to a writable entry stores in place. */
	pfn = pte_pfn(pte);
	fix_write(sim, mm, 1, 1, 0xdef);
	assert_int_equal(pte_pfn(pte_at(mm, 1)), pfn);
	assert_int_equal(f->content, 0xdef);
	assert_int_equal(nr_folios(sim), 1);
	fix_destroy(sim);
}

/* M9.2: fork shares every page copy-on-write. */
static void test_fork_shares_pages(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct anon_vma *x;
	struct folio *f[2];

	(void)state;
	/*
	 * p: 01234567
	 *    AAAA  bb   A: written at 0, 1, read at 2 (a zero entry in a
	 *               VMA with an anon_vma); b: only read (zero entries,
	 *               no anon_vma)
	 */
	fix_mmap(sim, p, 0, 4, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	fix_read(sim, p, 2, 1);   /* zero entry in a VMA that has an anon_vma */
	fix_mmap(sim, p, 6, 2, SIM_PROT_RW);
	fix_read(sim, p, 6, 2);   /* zero entries, VMA without anon_vma */
	x = vma_at(p, 0)->anon_vma;
	for (int i = 0; i < 2; i++)
		f[i] = folio_at(sim, p, (uint64_t)i);
	c = fix_fork(sim, "p", "c");
	for (int i = 0; i < 2; i++) {
		pte_t pp = pte_at(p, (uint64_t)i), cp = pte_at(c, (uint64_t)i);

		assert_int_equal(pte_pfn(pp), pte_pfn(cp));
		assert_false(pte_write(pp));
		assert_false(pte_write(cp));
		assert_true(pte_dirty(cp)); /* private mappings keep dirty */
		assert_int_equal(f[i]->mapcount, 2);
		assert_int_equal(f[i]->refcount, 2);
		assert_false(f[i]->flags & FOLIO_ANON_EXCLUSIVE);
		assert_ptr_equal(f[i]->anon_vma, x);
		assert_int_equal(f[i]->index, pgo((uint64_t)i));
	}
	/* The zero entry of the faulted VMA is copied verbatim. */
	assert_zero_pte(pte_at(c, 2));
	assert_true(pte_none(pte_at(c, 3)));
	/* The VMA without an anon_vma is not copied (M9.1). */
	assert_null(vma_at(c, 6)->anon_vma);
	assert_true(pte_none(pte_at(c, 6)));
	assert_true(pte_none(pte_at(c, 7)));
	assert_zero_pte(pte_at(p, 6));
	assert_int_equal(nr_folios(sim), 2);
	fix_destroy(sim);
}

/*
 * After fork: the child's write copies (M8.5), then the parent's write
 * reuses the page in place (refcount 1, M8.4).
 */
static void test_child_copies_parent_reuses(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *pv, *cv;
	struct folio *f, *g;
	uint64_t fpfn;

	(void)state;
	fix_mmap(sim, p, 0, 4, SIM_PROT_RW);
	fix_write(sim, p, 0, 4, 0x10);
	pv = vma_at(p, 0);
	f = folio_at(sim, p, 2);
	fpfn = f->pfn;
	c = fix_fork(sim, "p", "c");
	cv = vma_at(c, 0);

	fix_write(sim, c, 2, 1, 0x77);
	g = folio_at(sim, c, 2);
	assert_int_not_equal(g->pfn, fpfn);
	assert_true(pte_write(pte_at(c, 2)));
	assert_true(pte_dirty(pte_at(c, 2)));
	assert_true(g->flags & FOLIO_ANON_EXCLUSIVE);
	assert_int_equal(g->mapcount, 1);
	assert_int_equal(g->refcount, 1);
	assert_int_equal(g->index, linear_page_index(cv, pg(2)));
	assert_ptr_equal(g->anon_vma, cv->anon_vma);
	assert_ptr_not_equal(g->anon_vma, pv->anon_vma);
	assert_int_equal(g->content, 0x77);
	/* The old page: one mapping left, still shared-marked, still x's. */
	assert_int_equal(f->mapcount, 1);
	assert_int_equal(f->refcount, 1);
	assert_false(f->flags & FOLIO_ANON_EXCLUSIVE);
	assert_ptr_equal(f->anon_vma, pv->anon_vma);
	assert_false(pte_write(pte_at(p, 2)));
	assert_int_equal(f->content, 0x10 + 2);
	assert_int_equal(nr_folios(sim), 5);

	/* The parent's write: sole user, reuse in place. */
	fix_write(sim, p, 2, 1, 0x88);
	assert_int_equal(pte_pfn(pte_at(p, 2)), fpfn);
	assert_true(pte_write(pte_at(p, 2)));
	assert_true(pte_dirty(pte_at(p, 2)));
	assert_true(f->flags & FOLIO_ANON_EXCLUSIVE);
	assert_ptr_equal(f->anon_vma, pv->anon_vma);
	assert_int_equal(f->index, pgo(2));
	assert_int_equal(f->content, 0x88);
	assert_int_equal(nr_folios(sim), 5);
	/* Pages nobody wrote stay shared and RO in both. */
	assert_int_equal(pte_pfn(pte_at(p, 3)), pte_pfn(pte_at(c, 3)));
	assert_false(pte_write(pte_at(p, 3)));
	fix_destroy(sim);
}

/*
 * The reuse moves a non-exclusive page to the faulting VMA's anon_vma
 * (folio_move_anon_rmap in wp_can_reuse_anon_folio, M8.4): parent
 * writes first (copy), then the child is the page's only user and its
 * write reuses it; the page leaves x for the child's anon_vma.
 */
static void test_reuse_moves_anon_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *pv, *cv;
	struct folio *f, *np;
	uint64_t fpfn;

	(void)state;
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	pv = vma_at(p, 0);
	f = folio_at(sim, p, 0);
	fpfn = f->pfn;
	c = fix_fork(sim, "p", "c");
	cv = vma_at(c, 0);

	fix_write(sim, p, 0, 1, 0x20);       /* parent copies */
	np = folio_at(sim, p, 0);
	assert_int_not_equal(np->pfn, fpfn);
	assert_ptr_equal(np->anon_vma, pv->anon_vma);
	assert_int_equal(f->refcount, 1);
	assert_ptr_equal(f->anon_vma, pv->anon_vma);

	fix_write(sim, c, 0, 1, 0x30);       /* child reuses and moves */
	assert_int_equal(pte_pfn(pte_at(c, 0)), fpfn);
	assert_true(pte_write(pte_at(c, 0)));
	assert_true(f->flags & FOLIO_ANON_EXCLUSIVE);
	assert_ptr_equal(f->anon_vma, cv->anon_vma);
	assert_int_equal(f->index, pgo(0));  /* index never changes */
	assert_int_equal(f->content, 0x30);
	assert_int_equal(nr_folios(sim), 3);
	fix_destroy(sim);
}

/* M8.5: a write to a zero-page entry allocates and prepares then. */
static void test_write_to_zero_page_copies(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *v;
	struct folio *f;

	(void)state;
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_read(sim, mm, 0, 2);
	v = vma_at(mm, 0);
	assert_null(v->anon_vma);
	fix_write(sim, mm, 1, 1, 0x55);
	assert_non_null(v->anon_vma);
	assert_int_equal(nr_anon_vmas(sim), 1);
	f = folio_at(sim, mm, 1);
	assert_non_null(f);
	assert_true(f->flags & FOLIO_ANON_EXCLUSIVE);
	assert_int_equal(f->mapcount, 1);
	assert_int_equal(f->index, pgo(1));
	assert_ptr_equal(f->anon_vma, v->anon_vma);
	assert_int_equal(f->content, 0x55);
	assert_true(pte_write(pte_at(mm, 1)));
	assert_true(pte_dirty(pte_at(mm, 1)));
	assert_zero_pte(pte_at(mm, 0));
	assert_int_equal(nr_folios(sim), 1);
	fix_destroy(sim);

	/* r mapping, read, then made rw: the zero entry stays RO (M7.2). */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_read(sim, mm, 0, 1);
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_RW);
	assert_flags(vma_at(mm, 0), F_RW);
	assert_zero_pte(pte_at(mm, 0));
	fix_write(sim, mm, 0, 1, 0x66);
	f = folio_at(sim, mm, 0);
	assert_non_null(f);
	assert_int_equal(f->content, 0x66);
	assert_ptr_equal(f->anon_vma, vma_at(mm, 0)->anon_vma);
	fix_destroy(sim);
}

/* M11.1 / M8.7: MADV_DONTNEED zaps and nothing else. */
static void test_dontneed(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *v;
	struct anon_vma *x;
	uint64_t v_id;
	struct folio *f;

	(void)state;
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	v = vma_at(mm, 0);
	v_id = v->id;
	x = v->anon_vma;
	assert_int_equal(nr_folios(sim), 4);
	fix_madvise(sim, mm, 1, 2, SIM_MADV_DONTNEED);
	assert_true(pte_none(pte_at(mm, 1)));
	assert_true(pte_none(pte_at(mm, 2)));
	assert_false(pte_none(pte_at(mm, 0)));
	assert_false(pte_none(pte_at(mm, 3)));
	assert_int_equal(nr_folios(sim), 2);
	/* No split, merge, flag or anon_vma change. */
	assert_int_equal(mm->map_count, 1);
	assert_int_equal(vma_at(mm, 2)->id, v_id);
	assert_vma(vma_at(mm, 2), 0, 4, pgo(0));
	assert_flags(vma_at(mm, 2), F_RW);
	assert_ptr_equal(vma_at(mm, 2)->anon_vma, x);
	/* A later read maps the zero page; a later write a new folio. */
	fix_read(sim, mm, 1, 1);
	assert_zero_pte(pte_at(mm, 1));
	fix_write(sim, mm, 2, 1, 0x99);
	f = folio_at(sim, mm, 2);
	assert_ptr_equal(f->anon_vma, x);
	assert_int_equal(f->index, pgo(2));
	assert_int_equal(nr_anon_vmas(sim), 1);
	/* DONTNEED of zero entries and of empty entries is fine too. */
	fix_madvise(sim, mm, 0, 4, SIM_MADV_DONTNEED);
	for (uint64_t s = 0; s < 4; s++)
		assert_true(pte_none(pte_at(mm, s)));
	assert_int_equal(nr_folios(sim), 0);
	assert_ptr_equal(vma_at(mm, 0)->anon_vma, x);
	fix_destroy(sim);
}

/* DONTNEED in a child drops one mapping; the parent then reuses. */
static void test_dontneed_after_fork(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct folio *f;
	uint64_t fpfn;

	(void)state;
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	f = folio_at(sim, p, 0);
	fpfn = f->pfn;
	c = fix_fork(sim, "p", "c");
	fix_madvise(sim, c, 0, 1, SIM_MADV_DONTNEED);
	assert_true(pte_none(pte_at(c, 0)));
	assert_int_equal(f->mapcount, 1);
	assert_false(pte_write(pte_at(p, 0)));
	fix_write(sim, p, 0, 1, 0x20);
	assert_int_equal(pte_pfn(pte_at(p, 0)), fpfn);
	assert_true(pte_write(pte_at(p, 0)));
	assert_int_equal(nr_folios(sim), 2);
	fix_destroy(sim);
}

/* M7.2: protection changes and PTE write bits. */
static void test_mprotect_pte_bits(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p");

	(void)state;
	fix_mmap(sim, p, 0, 4, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	fix_read(sim, p, 2, 1);
	fix_mprotect(sim, p, 0, 4, SIM_PROT_R);
	for (uint64_t s = 0; s < 3; s++)
		assert_false(pte_write(pte_at(p, s)));
	/* Exclusive pages become writable again, the zero entry does not. */
	fix_mprotect(sim, p, 0, 4, SIM_PROT_RW);
	assert_true(pte_write(pte_at(p, 0)));
	assert_true(pte_write(pte_at(p, 1)));
	assert_zero_pte(pte_at(p, 2));
	/* After fork nothing is exclusive: rw again leaves them RO. */
	fix_fork(sim, "p", "c");
	fix_mprotect(sim, p, 0, 4, SIM_PROT_R);
	fix_mprotect(sim, p, 0, 4, SIM_PROT_RW);
	assert_false(pte_write(pte_at(p, 0)));
	assert_false(pte_write(pte_at(p, 1)));
	fix_destroy(sim);
}

/* Access errors: -1, SIM_ARG_ADDR, nothing changed. */
static void test_access_errors(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct sim_error err;
	uint64_t tok = 0x42;
	char *before;

	(void)state;
	/*
	 * 0123456789
	 * AArrnn  RR   A: rw faulted, r: r, n: PROT_NONE, R: rw at 8
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	fix_write(sim, mm, 0, 1, 0x10);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_NONE);
	fix_mmap(sim, mm, 8, 2, SIM_PROT_RW);

	/* Write to an r mapping. */
	before = fix_digest(sim, mm);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_write(sim, mm, pg(2), 1, fix_token, &tok, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_unchanged(before, sim, mm);
	assert_invariants(sim);

	/* Read of a PROT_NONE mapping. */
	before = fix_digest(sim, mm);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_read(sim, mm, pg(4), 1, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_unchanged(before, sim, mm);

	/* Write to a PROT_NONE mapping. */
	before = fix_digest(sim, mm);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_write(sim, mm, pg(5), 1, fix_token, &tok, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_unchanged(before, sim, mm);

	/* Read and write of a hole. */
	before = fix_digest(sim, mm);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_read(sim, mm, pg(6), 1, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_write(sim, mm, pg(7), 2, fix_token, &tok, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_unchanged(before, sim, mm);

	/* A write range whose end is bad touches no page, not even the good ones. */
	before = fix_digest(sim, mm);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_write(sim, mm, pg(0), 3, fix_token, &tok, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_unchanged(before, sim, mm);
	assert_true(pte_none(pte_at(mm, 1)));

	/* Likewise a read range running into PROT_NONE. */
	before = fix_digest(sim, mm);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_read(sim, mm, pg(2), 3, &err), -1);
	assert_int_equal(err.arg, SIM_ARG_ADDR);
	assert_unchanged(before, sim, mm);
	assert_true(pte_none(pte_at(mm, 2)));
	assert_invariants(sim);
	fix_destroy(sim);
}

/* Exit and munmap free every page (M10.1, M10.2). */
static void test_teardown_frees_pages(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;

	(void)state;
	fix_mmap(sim, p, 0, 4, SIM_PROT_RW);
	fix_write(sim, p, 0, 4, 0x10);
	c = fix_fork(sim, "p", "c");
	fix_write(sim, c, 0, 2, 0x20);
	assert_int_equal(nr_folios(sim), 6);
	fix_munmap(sim, p, 0, 4);
	/* Pages 2, 3 were shared: now the child's only. */
	assert_int_equal(nr_folios(sim), 4);
	assert_int_equal(folio_at(sim, c, 3)->mapcount, 1);
	fix_exit(sim, "c");
	assert_int_equal(nr_folios(sim), 0);
	assert_int_equal(nr_anon_vmas(sim), 0);
	fix_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fault_zero_page),
		cmocka_unit_test(test_write_fault_new_folio),
		cmocka_unit_test(test_fork_shares_pages),
		cmocka_unit_test(test_child_copies_parent_reuses),
		cmocka_unit_test(test_reuse_moves_anon_vma),
		cmocka_unit_test(test_write_to_zero_page_copies),
		cmocka_unit_test(test_dontneed),
		cmocka_unit_test(test_dontneed_after_fork),
		cmocka_unit_test(test_mprotect_pte_bits),
		cmocka_unit_test(test_access_errors),
		cmocka_unit_test(test_teardown_frees_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
