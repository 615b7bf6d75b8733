// SPDX-License-Identifier: MIT
/*
 * anon_vma and anon_vma_chain bookkeeping of the memory model
 * (sim/mm/rmap.c, fork.c, exit.c, the split paths of vma.c/mmap.c):
 *
 *   - anon_vma_prepare: a new root, or reuse of a neighbour's anon_vma,
 *     next first then prev; VM_MERGEABLE / VM_ACCOUNT differences, a
 *     non-contiguous pgoff and a neighbour with more than one chain
 *     block reuse (M3.1-M3.4);
 *   - fork: the child VMA is linked into every anon_vma of the parent
 *     VMA, root first, plus its own (M4.1-M4.4); interval-tree queries
 *     meet VMAs in start order, equal starts in insertion order (M5.1,
 *     M5.2); num_children / num_active_vmas / refcount after forks and
 *     after exits in every order (M4.5);
 *   - reuse of an orphaned intermediate anon_vma at fork (M4.2);
 *   - split pieces share one anon_vma, are fresh structs on munmap
 *     (M2.1-M2.3), and their chains enter the trees in the M2.2 order;
 *   - a re-keyed VMA goes to the end of its equal-start run (M5.2,
 *     M5.3), and a fork appends the child's chains in address order
 *     (M4.4);
 *   - munmap of every piece, and exit, free every anon_vma (M10.1,
 *     M10.2).
 *
 * All expected values are worked out from docs/kernel-reading-mm.md.
 */
#include "mm_fixture.h"

/* assert_av(av, refcount, num_children, num_active_vmas, tree nodes) */
static void _assert_av(const struct anon_vma *av, int ref, unsigned long nc,
		       unsigned long nav, size_t nodes, const char *file,
		       int line)
{
	if (av->refcount != ref || av->num_children != nc ||
	    av->num_active_vmas != nav || av_count(av) != nodes) {
		print_error("anon_vma %llu: refcount %d children %lu active %lu nodes %zu, expected %d %lu %lu %zu\n",
			    (unsigned long long)av->id, av->refcount,
			    av->num_children, av->num_active_vmas, av_count(av),
			    ref, nc, nav, nodes);
		_fail(file, line);
	}
}
#define assert_av(av, ref, nc, nav, nodes) \
	_assert_av((av), (ref), (nc), (nav), (nodes), __FILE__, __LINE__)

/* ---------------------------------------------------------------- */
/* anon_vma_prepare (M3)                                             */
/* ---------------------------------------------------------------- */

/* No neighbour: a new root, counted as its own child (M3.4). */
static void test_prepare_new_root(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *v;
	struct anon_vma *x;

	(void)state;
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	assert_null(vma_at(mm, 0)->anon_vma);
	fix_write(sim, mm, 1, 1, 0x10);
	v = vma_at(mm, 0);
	x = v->anon_vma;
	assert_non_null(x);
	assert_ptr_equal(x->root, x);
	assert_ptr_equal(x->parent, x);
	assert_av(x, 1, 1, 1, 1);
	assert_int_equal(chain_len(v), 1);
	assert_ptr_equal(chain_av(v, 0), x);
	assert_query(x, pgo(0), pgo(1), v);
	/* Second fault: nothing new. */
	fix_write(sim, mm, 0, 1, 0x11);
	assert_ptr_equal(v->anon_vma, x);
	assert_av(x, 1, 1, 1, 1);
	assert_int_equal(nr_anon_vmas(sim), 1);
	fix_destroy(sim);
}

/*
 * Build   AA bb CC  with A and C faulted rw -> r (R|VM_ACCOUNT, own
 * roots X and Z) and b rw unfaulted, b touching both.  Flags of b differ
 * from its neighbours only in VM_WRITE, so b never merges with them but
 * may share their anon_vma (M3.3 ignores R/W/X).
 */
static void build_prepare_layout(struct ksm_sim *sim, struct mm_struct *mm,
				 bool fault_prev, bool fault_next)
{
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	if (fault_prev)
		fix_write(sim, mm, 0, 2, 0x10);
	fix_mprotect(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 4, 2, SIM_PROT_RW);
	if (fault_next)
		fix_write(sim, mm, 4, 2, 0x40);
	fix_mprotect(sim, mm, 4, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
}

/* Both neighbours usable: next wins (M3.2). */
static void test_prepare_reuse_next_first(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *z;
	struct vm_area_struct *b;

	(void)state;
	build_prepare_layout(sim, mm, true, true);
	/*
	 * 012345
	 * AAbbCC
	 */
	assert_layout(mm, "AAbbCC");
	x = vma_at(mm, 0)->anon_vma;
	z = vma_at(mm, 4)->anon_vma;
	assert_ptr_not_equal(x, z);
	fix_write(sim, mm, 2, 1, 0x20);
	b = vma_at(mm, 2);
	assert_layout(mm, "AABBCC");
	assert_ptr_equal(b->anon_vma, z);
	assert_int_equal(chain_len(b), 1);
	/* Reuse: one more chain and active VMA, no refcount/children change. */
	assert_av(z, 1, 1, 2, 2);
	assert_av(x, 1, 1, 1, 1);
	assert_int_equal(nr_anon_vmas(sim), 2);
	assert_query(z, pgo(0), pgo(9), b, vma_at(mm, 4));
	assert_ptr_equal(folio_at(sim, mm, 2)->anon_vma, z);
	assert_int_equal(folio_at(sim, mm, 2)->index, pgo(2));
	fix_destroy(sim);
}

/* next has no anon_vma: prev's is used. */
static void test_prepare_reuse_prev(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x;

	(void)state;
	build_prepare_layout(sim, mm, true, false);
	/*
	 * 012345
	 * AAbbcc
	 */
	assert_layout(mm, "AAbbcc");
	x = vma_at(mm, 0)->anon_vma;
	fix_write(sim, mm, 3, 1, 0x20);
	assert_ptr_equal(vma_at(mm, 2)->anon_vma, x);
	assert_av(x, 1, 1, 2, 2);
	assert_null(vma_at(mm, 4)->anon_vma);
	assert_int_equal(nr_anon_vmas(sim), 1);
	fix_destroy(sim);
}

/* VM_MERGEABLE difference blocks reuse (M3.3). */
static void test_prepare_mergeable_blocks(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *z, *b_av;

	(void)state;
	/* next C made VM_MERGEABLE: b falls back to prev A. */
	build_prepare_layout(sim, mm, true, true);
	fix_madvise(sim, mm, 4, 2, SIM_MADV_MERGEABLE);
	x = vma_at(mm, 0)->anon_vma;
	z = vma_at(mm, 4)->anon_vma;
	fix_write(sim, mm, 2, 1, 0x20);
	assert_ptr_equal(vma_at(mm, 2)->anon_vma, x);
	assert_av(z, 1, 1, 1, 1);
	fix_destroy(sim);

	/* Both neighbours VM_MERGEABLE: a new root. */
	sim = fix_create();
	mm = fix_spawn(sim, "p");
	build_prepare_layout(sim, mm, true, true);
	fix_madvise(sim, mm, 0, 2, SIM_MADV_MERGEABLE);
	fix_madvise(sim, mm, 4, 2, SIM_MADV_MERGEABLE);
	x = vma_at(mm, 0)->anon_vma;
	z = vma_at(mm, 4)->anon_vma;
	fix_write(sim, mm, 2, 1, 0x20);
	b_av = vma_at(mm, 2)->anon_vma;
	assert_ptr_not_equal(b_av, x);
	assert_ptr_not_equal(b_av, z);
	assert_ptr_equal(b_av->root, b_av);
	assert_av(b_av, 1, 1, 1, 1);
	assert_int_equal(nr_anon_vmas(sim), 3);
	fix_destroy(sim);
}

/*
 * VM_ACCOUNT difference blocks reuse (M3.3).  In the model every VMA
 * with an anon_vma also has VM_ACCOUNT (it was writable when it got
 * one, and mprotect keeps VM_ACCOUNT once there is an anon_vma), so the
 * neighbour without VM_ACCOUNT is given its anon_vma by calling
 * anon_vma_prepare() directly, as the kernel's other callers would
 * (e.g. a MAP_NORESERVE mapping, not modelled).
 */
static void test_prepare_account_blocks(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *y;

	(void)state;
	/*
	 * 0123
	 * aabb   a: r (no VM_ACCOUNT), b: rw (VM_ACCOUNT)
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_R);
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_flags(vma_at(mm, 0), F_R);
	assert_int_equal(anon_vma_prepare(sim, vma_at(mm, 0)), 0);
	assert_invariants(sim);
	x = vma_at(mm, 0)->anon_vma;
	assert_non_null(x);
	/*
	 * 0123
	 * AAbb   b's write fault: prev differs in VM_ACCOUNT -> new root
	 */
	fix_write(sim, mm, 2, 1, 0x20);
	y = vma_at(mm, 2)->anon_vma;
	assert_ptr_not_equal(y, x);
	assert_ptr_equal(y->root, y);
	assert_av(x, 1, 1, 1, 1);
	assert_av(y, 1, 1, 1, 1);
	fix_destroy(sim);
}

/* A neighbour whose pgoff does not continue ours blocks reuse (M3.3). */
static void test_prepare_pgoff_blocks(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct anon_vma *x, *y;

	(void)state;
	/*
	 * C faulted at 10, moved to 4 (pgoff stays pgo(10)); b mapped at 2.
	 * 0123456789
	 *     CC       b: no merge either (pgoff not contiguous, M1.4)
	 */
	fix_mmap(sim, mm, 10, 2, SIM_PROT_RW);
	fix_write(sim, mm, 10, 2, 0x10);
	x = vma_at(mm, 10)->anon_vma;
	fix_mremap(sim, mm, 10, 2, 4, 2);
	assert_vma(vma_at(mm, 4), 4, 6, pgo(10));
	fix_mmap(sim, mm, 2, 2, SIM_PROT_RW);
	assert_layout(mm, "  aaBB");
	fix_write(sim, mm, 2, 1, 0x20);
	y = vma_at(mm, 2)->anon_vma;
	assert_ptr_not_equal(y, x);
	assert_ptr_equal(y->root, y);
	fix_destroy(sim);
}

/* A neighbour with fork ancestry (two chains) blocks reuse (M3.3). */
static void test_prepare_fork_child_neighbour_blocks(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct anon_vma *x, *ac, *nb;

	(void)state;
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	x = vma_at(p, 0)->anon_vma;
	c = fix_fork(sim, "p", "c");
	ac = vma_at(c, 0)->anon_vma;
	/*
	 * c: 0123
	 *    AAbb   b does not merge with A (M1.10) nor share its anon_vma
	 */
	fix_mmap(sim, c, 2, 2, SIM_PROT_RW);
	assert_layout(c, "AAbb");
	fix_write(sim, c, 2, 1, 0x20);
	nb = vma_at(c, 2)->anon_vma;
	assert_ptr_not_equal(nb, ac);
	assert_ptr_not_equal(nb, x);
	assert_ptr_equal(nb->root, nb);
	assert_av(nb, 1, 1, 1, 1);
	assert_int_equal(chain_len(vma_at(c, 2)), 1);
	assert_int_equal(nr_anon_vmas(sim), 3);
	fix_destroy(sim);
}

/* ---------------------------------------------------------------- */
/* fork (M4.2-M4.4, M5.2)                                            */
/* ---------------------------------------------------------------- */

static void test_fork_links_every_anon_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *pv[2], *cv[2];
	struct anon_vma *x[2];
	const uint64_t at[2] = { 0, 4 };

	(void)state;
	/*
	 * p: 012345
	 *    AA  BB   two roots X0, X1
	 */
	for (int i = 0; i < 2; i++) {
		fix_mmap(sim, p, at[i], 2, SIM_PROT_RW);
		fix_write(sim, p, at[i], 2, 0x10 * (uint64_t)(i + 1));
		pv[i] = vma_at(p, at[i]);
		x[i] = pv[i]->anon_vma;
	}
	assert_ptr_not_equal(x[0], x[1]);
	c = fix_fork(sim, "p", "c");
	assert_layout(c, "AA  BB");
	assert_int_equal(c->map_count, 2);
	for (int i = 0; i < 2; i++) {
		struct anon_vma *own;

		cv[i] = vma_at(c, at[i]);
		own = cv[i]->anon_vma;
		assert_vma(cv[i], at[i], at[i] + 2, pgo(at[i]));
		assert_int_equal(cv[i]->vm_flags, pv[i]->vm_flags);
		/* Chain newest first: own anon_vma at the head, root last. */
		assert_int_equal(chain_len(cv[i]), 2);
		assert_ptr_equal(chain_av(cv[i], 0), own);
		assert_ptr_equal(chain_av(cv[i], 1), x[i]);
		assert_ptr_equal(own->root, x[i]);
		assert_ptr_equal(own->parent, x[i]);
		assert_av(own, 1, 0, 1, 1);
		/* Root: +1 child, pinned once more by the child anon_vma. */
		assert_av(x[i], 2, 2, 1, 2);
		/* Equal starts: the parent's chain first (insertion order). */
		assert_query(x[i], pgo(at[i]), pgo(at[i]), pv[i], cv[i]);
		assert_query(own, pgo(at[i]), pgo(at[i] + 1), cv[i]);
		/* Pages shared with the child (M9.2). */
		assert_int_equal(pte_pfn(pte_at(c, at[i])),
				 pte_pfn(pte_at(p, at[i])));
		assert_int_equal(folio_at(sim, p, at[i])->mapcount, 2);
	}
	assert_int_equal(nr_anon_vmas(sim), 4);
	fix_destroy(sim);
}

/*
 * p -> c -> g, plus a sibling d of c: every generation's VMA sits in
 * the root's tree, in fork order.
 */
static void test_fork_grandchild_and_sibling(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c, *g, *d;
	struct vm_area_struct *v, *vc, *vg, *vd;
	struct anon_vma *x, *ac, *ag, *ad;

	(void)state;
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	v = vma_at(p, 0);
	x = v->anon_vma;
	c = fix_fork(sim, "p", "c");
	vc = vma_at(c, 0);
	ac = vc->anon_vma;
	g = fix_fork(sim, "c", "g");
	vg = vma_at(g, 0);
	ag = vg->anon_vma;

	assert_int_equal(chain_len(vg), 3);
	assert_ptr_equal(chain_av(vg, 0), ag);
	assert_ptr_equal(chain_av(vg, 1), ac);
	assert_ptr_equal(chain_av(vg, 2), x);
	assert_ptr_equal(ag->parent, ac);
	assert_ptr_equal(ag->root, x);
	/* x: self + ac pins; ac: one child now; ag: leaf. */
	assert_av(x, 3, 2, 1, 3);
	assert_av(ac, 1, 1, 1, 2);
	assert_av(ag, 1, 0, 1, 1);
	assert_query(x, pgo(0), pgo(1), v, vc, vg);
	assert_query(ac, pgo(0), pgo(1), vc, vg);
	assert_query(ag, pgo(1), pgo(1), vg);
	assert_int_equal(folio_at(sim, g, 1)->mapcount, 3);

	d = fix_fork(sim, "p", "d");
	vd = vma_at(d, 0);
	ad = vd->anon_vma;
	assert_ptr_equal(ad->parent, x);
	assert_int_equal(chain_len(vd), 2);
	assert_av(x, 4, 3, 1, 4);
	assert_av(ad, 1, 0, 1, 1);
	assert_query(x, pgo(1), pgo(1), v, vc, vg, vd);
	assert_int_equal(nr_anon_vmas(sim), 4);
	fix_destroy(sim);
}

/* Expected counters of x, ac, ag (refcount, children, active, nodes). */
struct av_expect {
	bool alive;
	int ref;
	unsigned long nc, nav;
	size_t nodes;
};

struct exit_step {
	const char *who;
	struct av_expect x, ac, ag;
	size_t nr_avs;
	uint32_t mapcount; /* of the shared page, 0 = freed */
};

/*
 * Build p -> c -> g over one faulted VMA and exit in the given order,
 * checking M4.5 after each exit:
 *   - an anon_vma whose tree empties decrements its parent's
 *     num_children (a root its own) and loses its self reference;
 *   - the exiting VMA's own anon_vma loses an active VMA;
 *   - a freed non-root anon_vma drops its pin on the root.
 * Starting point: x 3/2/1/3, ac 1/1/1/2, ag 1/0/1/1.
 */
static void run_exit_order(const struct exit_step *steps)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p");
	struct anon_vma *x, *ac, *ag;
	struct folio *f;

	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	x = vma_at(p, 0)->anon_vma;
	ac = vma_at(fix_fork(sim, "p", "c"), 0)->anon_vma;
	ag = vma_at(fix_fork(sim, "c", "g"), 0)->anon_vma;
	f = folio_at(sim, p, 0);
	assert_av(x, 3, 2, 1, 3);
	assert_av(ac, 1, 1, 1, 2);
	assert_av(ag, 1, 0, 1, 1);
	for (int i = 0; i < 3; i++) {
		const struct exit_step *s = &steps[i];

		print_message("exit %s\n", s->who);
		fix_exit(sim, s->who);
		if (s->x.alive)
			assert_av(x, s->x.ref, s->x.nc, s->x.nav, s->x.nodes);
		if (s->ac.alive)
			assert_av(ac, s->ac.ref, s->ac.nc, s->ac.nav, s->ac.nodes);
		if (s->ag.alive)
			assert_av(ag, s->ag.ref, s->ag.nc, s->ag.nav, s->ag.nodes);
		assert_int_equal(nr_anon_vmas(sim), s->nr_avs);
		if (s->mapcount)
			assert_int_equal(f->mapcount, s->mapcount);
		else
			assert_int_equal(nr_folios(sim), 0);
	}
	fix_destroy(sim);
}

#define ALIVE(r, c, a, n) { true, (r), (c), (a), (n) }
#define GONE { false, 0, 0, 0, 0 }

static void test_exit_order_middle_first(void **state)
{
	static const struct exit_step steps[] = {
		{ "c", ALIVE(3, 2, 1, 2), ALIVE(1, 1, 0, 1), ALIVE(1, 0, 1, 1), 3, 2 },
		{ "g", ALIVE(1, 1, 1, 1), GONE, GONE, 1, 1 },
		{ "p", GONE, GONE, GONE, 0, 0 },
	};

	(void)state;
	run_exit_order(steps);
}

static void test_exit_order_parent_first(void **state)
{
	static const struct exit_step steps[] = {
		{ "p", ALIVE(3, 2, 0, 2), ALIVE(1, 1, 1, 2), ALIVE(1, 0, 1, 1), 3, 2 },
		{ "c", ALIVE(3, 2, 0, 1), ALIVE(1, 1, 0, 1), ALIVE(1, 0, 1, 1), 3, 1 },
		{ "g", GONE, GONE, GONE, 0, 0 },
	};

	(void)state;
	run_exit_order(steps);
}

static void test_exit_order_leaf_first(void **state)
{
	static const struct exit_step steps[] = {
		{ "g", ALIVE(2, 2, 1, 2), ALIVE(1, 0, 1, 1), GONE, 2, 2 },
		{ "c", ALIVE(1, 1, 1, 1), GONE, GONE, 1, 1 },
		{ "p", GONE, GONE, GONE, 0, 0 },
	};

	(void)state;
	run_exit_order(steps);
}

static void test_exit_order_parent_leaf_middle(void **state)
{
	static const struct exit_step steps[] = {
		{ "p", ALIVE(3, 2, 0, 2), ALIVE(1, 1, 1, 2), ALIVE(1, 0, 1, 1), 3, 2 },
		{ "g", ALIVE(2, 2, 0, 1), ALIVE(1, 0, 1, 1), GONE, 2, 1 },
		{ "c", GONE, GONE, GONE, 0, 0 },
	};

	(void)state;
	run_exit_order(steps);
}

/*
 * M4.2: p -> c -> g, c exits: ac is left with no active VMA and one
 * child (ag).  When g forks h, h adopts ac (the first anon_vma in
 * root-to-leaf order with num_children < 2 and num_active_vmas == 0)
 * instead of getting a new one.  The root x (num_children 2) is not.
 */
static void test_fork_reuses_orphaned_anon_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *h;
	struct vm_area_struct *vh;
	struct anon_vma *x, *ac, *ag;
	struct folio *nf;

	(void)state;
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	fix_write(sim, p, 0, 2, 0x10);
	x = vma_at(p, 0)->anon_vma;
	ac = vma_at(fix_fork(sim, "p", "c"), 0)->anon_vma;
	ag = vma_at(fix_fork(sim, "c", "g"), 0)->anon_vma;
	fix_exit(sim, "c");
	assert_av(x, 3, 2, 1, 2);
	assert_av(ac, 1, 1, 0, 1);
	assert_av(ag, 1, 0, 1, 1);

	h = fix_fork(sim, "g", "h");
	vh = vma_at(h, 0);
	assert_ptr_equal(vh->anon_vma, ac);
	assert_int_equal(nr_anon_vmas(sim), 3);
	/* Linked root first: chain (head first) ag, ac, x. */
	assert_int_equal(chain_len(vh), 3);
	assert_ptr_equal(chain_av(vh, 0), ag);
	assert_ptr_equal(chain_av(vh, 1), ac);
	assert_ptr_equal(chain_av(vh, 2), x);
	/* Adoption: active +1, no refcount or num_children change. */
	assert_av(x, 3, 2, 1, 3);
	assert_av(ac, 1, 1, 1, 2);
	assert_av(ag, 1, 0, 1, 2);
	assert_query(x, pgo(0), pgo(0), vma_at(p, 0), vma_at(sim_find_task(sim, "g")->mm, 0), vh);

	/* h's COW copy belongs to h's anon_vma, ac (M8.5). */
	fix_write(sim, h, 0, 1, 0x99);
	nf = folio_at(sim, h, 0);
	assert_ptr_equal(nf->anon_vma, ac);
	assert_int_equal(nf->index, pgo(0));
	fix_destroy(sim);
}

/*
 * Split pieces that share one anon_vma in the parent each get their own
 * anon_vma in the child (each parent VMA gets its own AV_c); all of them
 * join the parent's tree, which grows by one node per child VMA.
 */
static void test_fork_split_pieces(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *pv[3], *cv[3];
	struct anon_vma *x;

	(void)state;
	fix_mmap(sim, p, 0, 6, SIM_PROT_RW);
	fix_write(sim, p, 0, 6, 0x10);
	x = vma_at(p, 0)->anon_vma;
	fix_mprotect(sim, p, 2, 2, SIM_PROT_R);
	/*
	 * p: 012345
	 *    AABBCC  all on x
	 */
	assert_layout(p, "AABBCC");
	assert_av(x, 1, 1, 3, 3);
	c = fix_fork(sim, "p", "c");
	for (int i = 0; i < 3; i++) {
		pv[i] = vma_at(p, 2 * (uint64_t)i);
		cv[i] = vma_at(c, 2 * (uint64_t)i);
		assert_ptr_equal(cv[i]->anon_vma->parent, x);
		assert_int_equal(chain_len(cv[i]), 2);
		assert_av(cv[i]->anon_vma, 1, 0, 1, 1);
	}
	assert_ptr_not_equal(cv[0]->anon_vma, cv[1]->anon_vma);
	assert_ptr_not_equal(cv[1]->anon_vma, cv[2]->anon_vma);
	assert_av(x, 4, 4, 3, 6);
	assert_query(x, pgo(0), pgo(5), pv[0], cv[0], pv[1], cv[1], pv[2], cv[2]);
	assert_int_equal(nr_anon_vmas(sim), 4);
	fix_destroy(sim);
}

/* ---------------------------------------------------------------- */
/* Splits and tree order (M2, M5)                                    */
/* ---------------------------------------------------------------- */

/* munmap of a middle: both survivors are new structs on one anon_vma. */
static void test_split_pieces_share_anon_vma(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *lo, *hi;
	struct anon_vma *x;
	uint64_t orig_id;

	(void)state;
	/*
	 * 012345
	 * AA**AA  munmap [2,4)
	 */
	fix_mmap(sim, mm, 0, 6, SIM_PROT_RW);
	fix_write(sim, mm, 0, 6, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	orig_id = vma_at(mm, 0)->id;
	fix_munmap(sim, mm, 2, 2);
	assert_layout(mm, "AA  BB");
	lo = vma_at(mm, 0);
	hi = vma_at(mm, 4);
	assert_vma(lo, 0, 2, pgo(0));
	assert_vma(hi, 4, 6, pgo(4));
	/* M2.3: the original struct was the removed middle. */
	assert_int_not_equal(lo->id, orig_id);
	assert_int_not_equal(hi->id, orig_id);
	assert_true(lo->id < hi->id); /* split at start before split at end */
	assert_ptr_equal(lo->anon_vma, x);
	assert_ptr_equal(hi->anon_vma, x);
	assert_int_equal(chain_len(lo), 1);
	assert_int_equal(chain_len(hi), 1);
	assert_av(x, 1, 1, 2, 2);
	assert_query(x, pgo(0), pgo(5), lo, hi);
	assert_int_equal(nr_folios(sim), 4);
	assert_true(pte_none(pte_at(mm, 2)));
	assert_true(pte_none(pte_at(mm, 3)));
	fix_destroy(sim);
}

/*
 * M2.2: the new piece's chain is inserted while the original still has
 * its old key; then the original is re-keyed (to the end of its new
 * equal-start run).  With a fork child on the same key, the new lower
 * piece lands after the child's node.
 */
static void test_split_chain_order(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *v, *vc, *lo;
	struct anon_vma *x;
	uint64_t v_id;

	(void)state;
	fix_mmap(sim, p, 0, 6, SIM_PROT_RW);
	fix_write(sim, p, 0, 6, 0x10);
	v = vma_at(p, 0);
	v_id = v->id;
	x = v->anon_vma;
	c = fix_fork(sim, "p", "c");
	vc = vma_at(c, 0);
	assert_query(x, pgo(0), pgo(0), v, vc);
	/*
	 * p: 012345
	 *    AA****  mprotect [2,6) r: no merge, split at 2 (new lower
	 *            piece); the original keeps [2,6).
	 */
	fix_mprotect(sim, p, 2, 4, SIM_PROT_R);
	assert_layout(p, "AABBBB");
	v = vma_at(p, 2);
	assert_int_equal(v->id, v_id);
	lo = vma_at(p, 0);
	assert_query(x, pgo(0), pgo(0), vc, lo);
	assert_query(x, pgo(0), pgo(5), vc, lo, v);
	fix_destroy(sim);
}

/* Same with munmap: both remainders are inserted after the child's node. */
static void test_munmap_chain_order(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *vc;
	struct anon_vma *x;

	(void)state;
	fix_mmap(sim, p, 0, 6, SIM_PROT_RW);
	fix_write(sim, p, 0, 6, 0x10);
	x = vma_at(p, 0)->anon_vma;
	c = fix_fork(sim, "p", "c");
	vc = vma_at(c, 0);
	fix_munmap(sim, p, 2, 2);
	assert_layout(p, "AA  BB");
	assert_query(x, pgo(0), pgo(5), vc, vma_at(p, 0), vma_at(p, 4));
	assert_av(x, 2, 2, 2, 3);
	/* The unmapped pages are now the child's alone. */
	assert_int_equal(folio_at(sim, c, 2)->mapcount, 1);
	assert_int_equal(folio_at(sim, c, 0)->mapcount, 2);
	fix_destroy(sim);
}

/*
 * M5.2: a VMA whose key is changed goes behind the nodes already on its
 * new start.  w (moved away, pgoff pgo(0)) is in x's tree before u
 * grows down to pgo(0).
 */
static void test_rekey_goes_to_end_of_run(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *mm = fix_spawn(sim, "p");
	struct vm_area_struct *w, *u;
	struct anon_vma *x;

	(void)state;
	/*
	 * 0123456789012345678
	 * AAAA                 move [0,2) to 16 ->
	 *   AA            BB   (B: pgoff pgo(0))
	 */
	fix_mmap(sim, mm, 0, 4, SIM_PROT_RW);
	fix_write(sim, mm, 0, 4, 0x10);
	x = vma_at(mm, 0)->anon_vma;
	fix_mremap(sim, mm, 0, 2, 16, 2);
	assert_layout(mm, "  AA            BB");
	w = vma_at(mm, 16);
	assert_vma(w, 16, 18, pgo(0));
	/*
	 * mmap [0,2): u (pgoff pgo(2), one chain) grows down to pgo(0).
	 * 0123456789012345678
	 * **AA            BB  ->  AAAA            BB
	 */
	fix_mmap(sim, mm, 0, 2, SIM_PROT_RW);
	assert_layout(mm, "AAAA            BB");
	u = vma_at(mm, 0);
	assert_vma(u, 0, 4, pgo(0));
	assert_query(x, pgo(0), pgo(0), w, u);
	/* The moved page is found by its index at its new address. */
	{
		uint64_t addr = 0;

		assert_true(folio_address_in_vma(folio_at(sim, mm, 16), w, &addr));
		assert_int_equal(addr, pg(16));
	}
	fix_destroy(sim);
}

/*
 * M4.4: dup_mmap walks the parent's VMAs in ascending address order, so
 * in a parent anon_vma's tree the child's chains follow each other in
 * that order among equal starts.  Two parent VMAs on x with the same
 * pgoff: w (moved to 16, pgoff pgo(0)) and u (grown down to pgo(0)).
 */
static void test_fork_order_equal_starts(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct vm_area_struct *u, *w;
	struct anon_vma *x;

	(void)state;
	fix_mmap(sim, p, 0, 4, SIM_PROT_RW);
	fix_write(sim, p, 0, 4, 0x10);
	x = vma_at(p, 0)->anon_vma;
	fix_mremap(sim, p, 0, 2, 16, 2);
	fix_mmap(sim, p, 0, 2, SIM_PROT_RW);
	/*
	 * p: 012345678901234567
	 *    AAAA            BB   both keyed from pgo(0) in x: w, then u
	 */
	assert_layout(p, "AAAA            BB");
	u = vma_at(p, 0);
	w = vma_at(p, 16);
	assert_int_equal(u->vm_pgoff, pgo(0));
	assert_int_equal(w->vm_pgoff, pgo(0));
	assert_query(x, pgo(0), pgo(0), w, u);
	c = fix_fork(sim, "p", "c");
	/* Child VMAs appended in address order: u's copy, then w's. */
	assert_query(x, pgo(0), pgo(0), w, u, vma_at(c, 0), vma_at(c, 16));
	assert_av(x, 3, 3, 2, 4);
	fix_destroy(sim);
}

/* munmap every piece (parent and child): everything is freed. */
static void test_munmap_pieces_frees_everything(void **state)
{
	struct ksm_sim *sim = fix_create();
	struct mm_struct *p = fix_spawn(sim, "p"), *c;
	struct anon_vma *x, *ac;

	(void)state;
	fix_mmap(sim, p, 0, 6, SIM_PROT_RW);
	fix_write(sim, p, 0, 6, 0x10);
	x = vma_at(p, 0)->anon_vma;
	c = fix_fork(sim, "p", "c");
	ac = vma_at(c, 0)->anon_vma;
	fix_munmap(sim, c, 0, 2);   /* c: **AAAA */
	assert_layout(c, "  AAAA");
	assert_ptr_equal(vma_at(c, 2)->anon_vma, ac);
	assert_av(ac, 1, 0, 1, 1);
	fix_munmap(sim, p, 2, 2);   /* p: AA**AA */
	assert_av(x, 2, 2, 2, 3);
	fix_munmap(sim, p, 0, 6);   /* p: empty  */
	assert_int_equal(p->map_count, 0);
	assert_av(x, 2, 2, 0, 1);
	assert_int_equal(nr_folios(sim), 4);
	fix_munmap(sim, c, 4, 2);   /* c: **AA** */
	assert_av(x, 2, 2, 0, 1);
	assert_av(ac, 1, 0, 1, 1);
	fix_munmap(sim, c, 2, 2);   /* c: empty  */
	assert_int_equal(c->map_count, 0);
	assert_int_equal(nr_anon_vmas(sim), 0);
	assert_int_equal(nr_folios(sim), 0);
	fix_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare_new_root),
		cmocka_unit_test(test_prepare_reuse_next_first),
		cmocka_unit_test(test_prepare_reuse_prev),
		cmocka_unit_test(test_prepare_mergeable_blocks),
		cmocka_unit_test(test_prepare_account_blocks),
		cmocka_unit_test(test_prepare_pgoff_blocks),
		cmocka_unit_test(test_prepare_fork_child_neighbour_blocks),
		cmocka_unit_test(test_fork_links_every_anon_vma),
		cmocka_unit_test(test_fork_grandchild_and_sibling),
		cmocka_unit_test(test_exit_order_middle_first),
		cmocka_unit_test(test_exit_order_parent_first),
		cmocka_unit_test(test_exit_order_leaf_first),
		cmocka_unit_test(test_exit_order_parent_leaf_middle),
		cmocka_unit_test(test_fork_reuses_orphaned_anon_vma),
		cmocka_unit_test(test_fork_split_pieces),
		cmocka_unit_test(test_split_pieces_share_anon_vma),
		cmocka_unit_test(test_split_chain_order),
		cmocka_unit_test(test_munmap_chain_order),
		cmocka_unit_test(test_rekey_goes_to_end_of_run),
		cmocka_unit_test(test_fork_order_equal_starts),
		cmocka_unit_test(test_munmap_pieces_frees_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
