// SPDX-License-Identifier: MIT
/*
 * DOC: Ground truth: who maps which page
 *
 * One pass over every page table of every live process lists each
 * present entry as (pfn, process, VMA, address); sorted by pfn then
 * process name then address, the mappings of any page are one contiguous
 * run, found by binary search.  This is what every rmap walk is judged
 * against: a mapping here that a walk did not find is a page the kernel
 * could not unmap, migrate or offline.
 */
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "ksmsim/rmap.h"
#include "mm/internal.h"

static int truth_cmp(const void *pa, const void *pb)
{
	const struct rmap_truth_entry *a = pa, *b = pb;
	int c;

	if (a->pfn != b->pfn)
		return a->pfn < b->pfn ? -1 : 1;
	c = strcmp(a->task->name, b->task->name);
	if (c)
		return c;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

void rmap_truth_build(struct ksm_sim *sim, struct rmap_truth *gt)
{
	size_t cap = 0;

	memset(gt, 0, sizeof(*gt));
	for (struct task *t = sim_first_task(sim); t; t = sim_next_task(sim, t)) {
		for (struct vm_area_struct *v = vma_first(t->mm); v; v = vma_next(t->mm, v)) {
			uint64_t addr = v->vm_start;

			while (pte_next_used(t->mm, &addr, v->vm_end)) {
				pte_t pte = pte_get(t->mm, addr);

				if (!is_zero_pfn(pte_pfn(pte))) {
					ARRAY_GROW(gt->e, cap, gt->n + 1, 1024);
					gt->e[gt->n++] = (struct rmap_truth_entry){
						pte_pfn(pte), t, v, addr };
				}
				addr += KSM_PAGE_SIZE;
			}
		}
	}
	if (gt->n)
		qsort(gt->e, gt->n, sizeof(*gt->e), truth_cmp);
}

void rmap_truth_free(struct rmap_truth *gt)
{
	free(gt->e);
	memset(gt, 0, sizeof(*gt));
}

void rmap_truth_of(const struct rmap_truth *gt, uint64_t pfn, size_t *first,
		   size_t *count)
{
	size_t lo = 0, hi = gt->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gt->e[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (hi < gt->n && gt->e[hi].pfn == pfn)
		hi++;
	*count = hi - lo;
}
