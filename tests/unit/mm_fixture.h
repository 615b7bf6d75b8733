/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the memory-model unit tests (test_vma_merge.c,
 * test_anon_vma.c, test_fault_cow.c, test_mremap.c).
 *
 * Every test works in a window of page "slots" starting at FIX_BASE:
 * pg(i) is the address of slot i, pgo(i) the page offset a private
 * anonymous mmap at that address gets (M12.1: addr >> PAGE_SHIFT).
 *
 * The fix_*() wrappers run one system call of the model, fail the test
 * (at the caller's line) if it returns an error, and then run the
 * invariant checker, so every step of every test is checked.
 * fix_destroy() asserts that tearing the machine down leaks nothing.
 *
 * draw_vmas() renders an address space the way the kernel's
 * tools/testing/vma tests draw it in their comments: one character per
 * page slot, ' ' for a gap, one letter per VMA in address order —
 * upper case if the VMA has an anon_vma, lower case if it has none:
 *
 *	0123456789
 *	AAbb  CC
 *
 * assert_layout() compares that drawing with an expected string.
 */
#ifndef KSMSIM_TESTS_MM_FIXTURE_H
#define KSMSIM_TESTS_MM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ksmsim/check.h"
#include "ksmsim/sim.h"
#include "mm/internal.h"

#define FIX_BASE 0x100000000ULL /* 4 GiB: well above mmap_min_addr */
#define FIX_WINDOW 40           /* slots drawn by draw_vmas()       */

/* The VMA flag bits the rules talk about (M1.1, M1.2, M7.3). */
#define FIX_FLAG_MASK (VM_READ | VM_WRITE | VM_EXEC | VM_ACCOUNT | VM_MERGEABLE)
#define F_R (VM_READ)
#define F_RW (VM_READ | VM_WRITE | VM_ACCOUNT) /* M1.2: private writable */
#define F_R_ACCT (VM_READ | VM_ACCOUNT)        /* faulted rw -> r        */

static inline uint64_t pg(uint64_t slot)
{
	return FIX_BASE + (slot << KSM_PAGE_SHIFT);
}

static inline pgoff_t pgo(uint64_t slot)
{
	return (FIX_BASE >> KSM_PAGE_SHIFT) + slot;
}

/* ---------------------------------------------------------------- */
/* Invariants, creation, teardown                                    */
/* ---------------------------------------------------------------- */

static inline void _fix_check(struct ksm_sim *sim, const char *file, int line)
{
	char why[512];

	why[0] = '\0';
	if (sim_check_invariants(sim, why, sizeof(why))) {
		print_error("invariant violated: %s\n", why);
		_fail(file, line);
	}
}
#define assert_invariants(sim) _fix_check((sim), __FILE__, __LINE__)

static inline struct ksm_sim *fix_create(void)
{
	struct ksm_sim *sim = ksm_sim_create();

	assert_non_null(sim);
	assert_invariants(sim);
	return sim;
}

static inline void _fix_destroy(struct ksm_sim *sim, const char *file, int line)
{
	char report[1024];
	long leaked;

	_fix_check(sim, file, line);
	leaked = ksm_sim_destroy(sim, report, sizeof(report));
	if (leaked) {
		print_error("ksm_sim_destroy: %ld objects leaked: %s\n", leaked,
			    report);
		_fail(file, line);
	}
}
#define fix_destroy(sim) _fix_destroy((sim), __FILE__, __LINE__)

static inline void _fix_rc(struct ksm_sim *sim, int rc,
			   const struct sim_error *err, const char *what,
			   const char *file, int line)
{
	if (rc) {
		print_error("%s failed: %s\n", what, err->msg);
		_fail(file, line);
	}
	_fix_check(sim, file, line);
}

/* ---------------------------------------------------------------- */
/* Processes                                                         */
/* ---------------------------------------------------------------- */

static inline struct mm_struct *_fix_spawn(struct ksm_sim *sim,
					   const char *name,
					   const char *file, int line)
{
	struct sim_error err = { 0 };

	_fix_rc(sim, sim_spawn(sim, name, &err), &err, "spawn", file, line);
	return sim_find_task(sim, name)->mm;
}
#define fix_spawn(sim, name) _fix_spawn((sim), (name), __FILE__, __LINE__)

static inline struct mm_struct *_fix_fork(struct ksm_sim *sim,
					  const char *parent,
					  const char *child,
					  const char *file, int line)
{
	struct sim_error err = { 0 };
	struct task *p = sim_find_task(sim, parent);

	_assert_true(p != NULL, "parent exists", file, line);
	_fix_rc(sim, sim_fork(sim, p, child, &err), &err, "fork", file, line);
	return sim_find_task(sim, child)->mm;
}
#define fix_fork(sim, parent, child) \
	_fix_fork((sim), (parent), (child), __FILE__, __LINE__)

static inline void _fix_exit(struct ksm_sim *sim, const char *name,
			     const char *file, int line)
{
	struct sim_error err = { 0 };
	struct task *t = sim_find_task(sim, name);

	_assert_true(t != NULL, "task exists", file, line);
	_fix_rc(sim, sim_exit(sim, t, &err), &err, "exit", file, line);
}
#define fix_exit(sim, name) _fix_exit((sim), (name), __FILE__, __LINE__)

/* ---------------------------------------------------------------- */
/* System calls on slots                                             */
/* ---------------------------------------------------------------- */

#define fix_mmap(sim, mm, slot, n, prot)                                       \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		_fix_rc((sim), sim_mmap((sim), (mm), pg(slot), (n), (prot), &_e), \
			&_e, "mmap", __FILE__, __LINE__);                      \
	} while (0)

#define fix_munmap(sim, mm, slot, n)                                           \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		_fix_rc((sim), sim_munmap((sim), (mm), pg(slot), (n), &_e),    \
			&_e, "munmap", __FILE__, __LINE__);                    \
	} while (0)

#define fix_mprotect(sim, mm, slot, n, prot)                                   \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		_fix_rc((sim),                                                 \
			sim_mprotect((sim), (mm), pg(slot), (n), (prot), &_e), \
			&_e, "mprotect", __FILE__, __LINE__);                  \
	} while (0)

#define fix_madvise(sim, mm, slot, n, advice)                                  \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		_fix_rc((sim),                                                 \
			sim_madvise((sim), (mm), pg(slot), (n), (advice), &_e), \
			&_e, "madvise", __FILE__, __LINE__);                   \
	} while (0)

#define fix_mremap(sim, mm, oslot, on, nslot, nn)                              \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		_fix_rc((sim),                                                 \
			sim_mremap((sim), (mm), pg(oslot), (on), pg(nslot),    \
				   (nn), &_e),                                 \
			&_e, "mremap", __FILE__, __LINE__);                    \
	} while (0)

/* Page i of a write gets token base + i. */
static inline uint64_t fix_token(const void *ctx, uint64_t i)
{
	return *(const uint64_t *)ctx + i;
}

#define fix_write(sim, mm, slot, n, token)                                     \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		uint64_t _t = (token);                                         \
		_fix_rc((sim),                                                 \
			sim_write((sim), (mm), pg(slot), (n), fix_token, &_t,  \
				  &_e),                                        \
			&_e, "write", __FILE__, __LINE__);                     \
	} while (0)

#define fix_read(sim, mm, slot, n)                                             \
	do {                                                                   \
		struct sim_error _e = { 0 };                                   \
		_fix_rc((sim), sim_read((sim), (mm), pg(slot), (n), &_e), &_e, \
			"read", __FILE__, __LINE__);                           \
	} while (0)

/* ---------------------------------------------------------------- */
/* Lookups                                                           */
/* ---------------------------------------------------------------- */

static inline struct vm_area_struct *vma_at(struct mm_struct *mm,
					    uint64_t slot)
{
	return vma_lookup(mm, pg(slot));
}

/* find_vma(): the first VMA ending above slot @slot (may start later). */
static inline struct vm_area_struct *vma_from(struct mm_struct *mm,
					      uint64_t slot)
{
	return find_vma(mm, pg(slot));
}

static inline pte_t pte_at(struct mm_struct *mm, uint64_t slot)
{
	return pte_get(mm, pg(slot));
}

/* The folio a present, non-zero entry maps, else NULL. */
static inline struct folio *folio_at(struct ksm_sim *sim,
				     struct mm_struct *mm, uint64_t slot)
{
	pte_t pte = pte_at(mm, slot);

	if (!pte_present(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	return pfn_folio(sim, pte_pfn(pte));
}

static inline size_t chain_len(const struct vm_area_struct *vma)
{
	const struct anon_vma_chain *avc;
	size_t n = 0;

	TAILQ_FOREACH(avc, &vma->anon_vma_chain, same_vma)
		n++;
	return n;
}

/* The anon_vma of the i-th chain of @vma, head (newest) first. */
static inline struct anon_vma *chain_av(const struct vm_area_struct *vma,
					size_t i)
{
	const struct anon_vma_chain *avc;

	TAILQ_FOREACH(avc, &vma->anon_vma_chain, same_vma)
		if (i-- == 0)
			return avc->anon_vma;
	return NULL;
}

static inline size_t av_count(const struct anon_vma *av)
{
	return av->rb_root.count;
}

/*
 * av_query() - the VMAs anon_vma_interval_tree_foreach(av, first, last)
 * visits, in visiting order.  Returns how many (at most @max stored).
 */
static inline size_t av_query(struct anon_vma *av, pgoff_t first,
			      pgoff_t last, struct vm_area_struct **out,
			      size_t max)
{
	size_t n = 0;

	for (struct itree_node *it = itree_iter_first(&av->rb_root, first, last);
	     it; it = itree_iter_next(it, first, last)) {
		struct anon_vma_chain *avc = (struct anon_vma_chain *)
			((char *)it - offsetof(struct anon_vma_chain, rb));

		if (n < max)
			out[n] = avc->vma;
		n++;
	}
	return n;
}

/*
 * assert_query(av, first, last, v0, v1, ...): the walk over [first, last]
 * meets exactly these VMAs in this order.
 */
static inline void _fix_query(struct anon_vma *av, pgoff_t first,
			      pgoff_t last, struct vm_area_struct *const *want,
			      size_t nwant, const char *file, int line)
{
	struct vm_area_struct *got[16];
	size_t n = av_query(av, first, last, got, 16);

	if (n != nwant) {
		print_error("query [%#llx, %#llx]: %zu VMAs, expected %zu\n",
			    (unsigned long long)first, (unsigned long long)last,
			    n, nwant);
		_fail(file, line);
	}
	for (size_t i = 0; i < n && i < 16; i++) {
		if (got[i] != want[i]) {
			print_error("query [%#llx, %#llx]: VMA #%zu is [%#llx, %#llx) id %llu, expected [%#llx, %#llx) id %llu\n",
				    (unsigned long long)first,
				    (unsigned long long)last, i,
				    (unsigned long long)got[i]->vm_start,
				    (unsigned long long)got[i]->vm_end,
				    (unsigned long long)got[i]->id,
				    (unsigned long long)want[i]->vm_start,
				    (unsigned long long)want[i]->vm_end,
				    (unsigned long long)want[i]->id);
			_fail(file, line);
		}
	}
}
#define assert_query(av, first, last, ...)                                     \
	do {                                                                   \
		struct vm_area_struct *const _w[] = { __VA_ARGS__ };           \
		_fix_query((av), (first), (last), _w, sizeof(_w) / sizeof(_w[0]), \
			   __FILE__, __LINE__);                                \
	} while (0)

static inline size_t nr_anon_vmas(struct ksm_sim *sim)
{
	struct anon_vma *av;
	size_t n = 0;

	LIST_FOREACH(av, &sim->anon_vmas, all)
		n++;
	return n;
}

static inline uint64_t nr_folios(struct ksm_sim *sim)
{
	return sim->mem.nr_used;
}

/* ---------------------------------------------------------------- */
/* VMA assertions                                                    */
/* ---------------------------------------------------------------- */

/* assert_vma(vma, first slot, end slot, pgoff): range and vm_pgoff. */
static inline void _fix_vma(const struct vm_area_struct *vma, uint64_t s,
			    uint64_t e, pgoff_t pgoff, const char *file,
			    int line)
{
	if (!vma) {
		print_error("no VMA, expected [slot %llu, slot %llu)\n",
			    (unsigned long long)s, (unsigned long long)e);
		_fail(file, line);
	}
	if (vma->vm_start != pg(s) || vma->vm_end != pg(e) ||
	    vma->vm_pgoff != pgoff) {
		print_error("VMA [%#llx, %#llx) pgoff %#llx, expected [%#llx, %#llx) pgoff %#llx\n",
			    (unsigned long long)vma->vm_start,
			    (unsigned long long)vma->vm_end,
			    (unsigned long long)vma->vm_pgoff,
			    (unsigned long long)pg(s), (unsigned long long)pg(e),
			    (unsigned long long)pgoff);
		_fail(file, line);
	}
}
#define assert_vma(vma, s, e, pgoff) \
	_fix_vma((vma), (s), (e), (pgoff), __FILE__, __LINE__)

/* The flag bits of FIX_FLAG_MASK are exactly @want. */
static inline void _fix_flags(const struct vm_area_struct *vma, uint64_t want,
			      const char *file, int line)
{
	uint64_t got = vma->vm_flags & FIX_FLAG_MASK;

	if (got != want) {
		print_error("VMA [%#llx, %#llx) flags %#llx, expected %#llx (R=1 W=2 ACCOUNT=0x100000 MERGEABLE=0x80000000)\n",
			    (unsigned long long)vma->vm_start,
			    (unsigned long long)vma->vm_end,
			    (unsigned long long)got, (unsigned long long)want);
		_fail(file, line);
	}
}
#define assert_flags(vma, want) _fix_flags((vma), (want), __FILE__, __LINE__)

/* ---------------------------------------------------------------- */
/* Drawing                                                           */
/* ---------------------------------------------------------------- */

/*
 * draw_vmas_buf() - the address space of @mm over the test window, one
 * character per slot, trailing blanks trimmed.
 */
static inline void draw_vmas_buf(struct mm_struct *mm, char *buf, size_t len)
{
	struct vm_area_struct *vma;
	size_t n = FIX_WINDOW < len - 1 ? FIX_WINDOW : len - 1;
	int k = 0;

	memset(buf, ' ', n);
	buf[n] = '\0';
	for (vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		char c;

		if (vma->vm_end <= pg(0) || vma->vm_start >= pg(n))
			continue;
		c = (char)((vma->anon_vma ? 'A' : 'a') + k % 26);
		k++;
		for (uint64_t a = vma->vm_start; a < vma->vm_end; a += KSM_PAGE_SIZE)
			if (a >= pg(0) && a < pg(n))
				buf[(a - pg(0)) >> KSM_PAGE_SHIFT] = c;
	}
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

/* draw_vmas() - print the address space like tools/testing/vma does. */
static inline void draw_vmas(struct mm_struct *mm)
{
	char buf[FIX_WINDOW + 1];

	draw_vmas_buf(mm, buf, sizeof(buf));
	print_message("0123456789012345678901234567890123456789\n%s\n", buf);
}

static inline void _fix_layout(struct mm_struct *mm, const char *want,
			       const char *file, int line)
{
	char buf[FIX_WINDOW + 1];

	draw_vmas_buf(mm, buf, sizeof(buf));
	if (strcmp(buf, want)) {
		print_error("layout:\n  0123456789012345678901234567890123456789\n"
			    "  %s\nexpected:\n  %s\n", buf, want);
		_fail(file, line);
	}
}
#define assert_layout(mm, want) _fix_layout((mm), (want), __FILE__, __LINE__)

/* ---------------------------------------------------------------- */
/* "Nothing changed"                                                 */
/* ---------------------------------------------------------------- */

/*
 * fix_digest() - a text rendering of everything a failed call must leave
 * alone: the VMAs of @mm (identity, range, pgoff, flags, anon_vma, chain
 * length), every page-table entry with its folio's state, the anon_vma
 * counters, and the machine's folio count.  Free the result.
 */
static inline char *fix_digest(struct ksm_sim *sim, struct mm_struct *mm)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vm_area_struct *vma;
	struct anon_vma *av;
	uint64_t addr = 0;

	assert_non_null(f);
	fprintf(f, "map_count %lu folios %llu\n", mm->map_count,
		(unsigned long long)sim->mem.nr_used);
	for (vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		fprintf(f, "vma %p [%#llx,%#llx) pgoff %#llx flags %#llx av %p chains %zu\n",
			(void *)vma, (unsigned long long)vma->vm_start,
			(unsigned long long)vma->vm_end,
			(unsigned long long)vma->vm_pgoff,
			(unsigned long long)vma->vm_flags, (void *)vma->anon_vma,
			chain_len(vma));
	while (pte_next_used(mm, &addr, KSM_TASK_SIZE)) {
		pte_t pte = pte_get(mm, addr);
		struct folio *fo = pfn_folio(sim, pte_pfn(pte));

		fprintf(f, "pte %#llx = %#llx map %u ref %u flags %#x av %p idx %#llx content %#llx\n",
			(unsigned long long)addr, (unsigned long long)pte,
			fo->mapcount, fo->refcount, fo->flags,
			(void *)fo->anon_vma, (unsigned long long)fo->index,
			(unsigned long long)fo->content);
		addr += KSM_PAGE_SIZE;
	}
	LIST_FOREACH(av, &sim->anon_vmas, all)
		fprintf(f, "av %p ref %d children %lu active %lu nodes %zu\n",
			(void *)av, av->refcount, av->num_children,
			av->num_active_vmas, av_count(av));
	fclose(f);
	return buf;
}

static inline void _fix_same(char *before, char *after, const char *file,
			     int line)
{
	if (strcmp(before, after)) {
		print_error("state changed:\n--- before\n%s--- after\n%s", before,
			    after);
		free(before);
		free(after);
		_fail(file, line);
	}
	free(before);
	free(after);
}
/* assert_unchanged(before, sim, mm): @before came from fix_digest(). */
#define assert_unchanged(before, sim, mm) \
	_fix_same((before), fix_digest((sim), (mm)), __FILE__, __LINE__)

#endif /* KSMSIM_TESTS_MM_FIXTURE_H */
