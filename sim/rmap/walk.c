// SPDX-License-Identifier: MIT
/*
 * DOC: rmap_walk_ksm() and rmap_walk_anon() (mm/ksm.c, mm/rmap.c)
 *
 * The KSM walk, as Linux 6.18 runs it: for pass 0 then pass 1, for each
 * rmap_item on the page's stable node (newest first), take the item's
 * anon_vma and query its interval tree; for each anon_vma_chain yielded:
 *
 *   - the VMA must cover the item's own address (every candidate is
 *     tried at that address — true for plain fork, not after a child's
 *     mremap): else "skip_addr";
 *   - pass 0 wants the item's own mm, pass 1 any other: else "skip_mm";
 *   - rmap_one(): the entry at that address in that VMA's mm must map the
 *     page (page_vma_mapped_walk()): else the candidate finds nothing.
 *
 * The strategies differ only in the query range (include/ksmsim/rmap.h).
 * The walk never stops early, so the statistics describe the whole walk;
 * the series' benchmark reported one item's loop stopped at the first
 * match (docs/rmap.md explains the relation).
 */
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "ksm/ksm_state.h"
#include "ksmsim/rmap.h"
#include "mm/internal.h"

void rmap_result_free(struct rmap_result *r)
{
	free(r->found);
	r->found = NULL;
	r->nfound = r->cap = 0;
}

static void record(struct rmap_result *r, struct vm_area_struct *vma, uint64_t addr)
{
	ARRAY_GROW(r->found, r->cap, r->nfound + 1, 16);
	r->found[r->nfound++] = (struct rmap_mapping){ vma->vm_mm, vma, addr };
}

/* rmap_one() via page_vma_mapped_walk(): does @vma map @folio at @addr? */
static bool maps_folio(struct vm_area_struct *vma, uint64_t addr,
		       const struct folio *folio)
{
	pte_t pte = pte_get(vma->vm_mm, addr);

	return pte_present(pte) && pte_pfn(pte) == folio->pfn;
}

static void query_range(struct ksm_sim *sim, const struct ksm_rmap_item *item,
			enum rmap_strategy s, uint64_t *first, uint64_t *last)
{
	switch (s) {
	case RMAP_FULL:
		*first = 0;
		*last = UINT64_MAX;
		return;
	case RMAP_INDEXED:
		/* nr_pages of a KSM folio is 1: [index, index + 1 - 1] */
		*first = *last = rmap_item_linear_page_index(sim->ksm, item);
		return;
	case RMAP_NAIVE:
	case RMAP__COUNT:
		break;
	}
	*first = *last = item->address >> KSM_PAGE_SHIFT;
}

int rmap_walk_ksm(struct ksm_sim *sim, struct folio *folio,
		  enum rmap_strategy strategy, struct rmap_result *out)
{
	return rmap_walk_ksm_visit(sim, folio, strategy, out, NULL, NULL);
}

int rmap_walk_ksm_visit(struct ksm_sim *sim, struct folio *folio,
			enum rmap_strategy strategy, struct rmap_result *out,
			rmap_visit_fn visit, void *ctx)
{
	struct ksm_stable_node *node = folio_stable_node(folio);
	struct ksm_rmap_item *item;

	memset(out, 0, sizeof(*out));
	out->strategy = strategy;
	if (strategy == RMAP_INDEXED && sim->ksm->kernel != KSM_KERNEL_LPI)
		return -1;
	if (!node) {
		out->no_node = true;
		return 0;
	}
	LIST_FOREACH(item, &node->hlist, hlist)
		out->items++;
	for (int pass = 0; pass < 2; pass++) {
		struct rmap_pass_stats *st = &out->pass[pass];

		LIST_FOREACH(item, &node->hlist, hlist) {
			uint64_t addr = item->address & KSM_PAGE_MASK, first, last, n = 0;
			struct itree_node *it;

			query_range(sim, item, strategy, &first, &last);
			for (it = itree_iter_first(&item->anon_vma->rb_root, first, last); it;
			     it = itree_iter_next(it, first, last)) {
				struct anon_vma_chain *avc =
					(struct anon_vma_chain *)((char *)it - offsetof(struct anon_vma_chain, rb));
				struct vm_area_struct *vma = avc->vma;

				enum rmap_outcome o;

				n++;
				if (addr < vma->vm_start || addr >= vma->vm_end) {
					st->skip_addr++;
					o = RMAP_SKIP_ADDR;
				} else if ((pass == 0) != (vma->vm_mm == item->mm)) {
					st->skip_mm++;
					o = RMAP_SKIP_MM;
				} else if (st->rmap_one++, maps_folio(vma, addr, folio)) {
					st->found++;
					record(out, vma, addr);
					o = RMAP_FOUND;
				} else {
					o = RMAP_MISS;
				}
				if (visit)
					visit(ctx, pass, item, avc, o);
			}
			st->iterations += n;
			if (n > st->max_item_iterations)
				st->max_item_iterations = n;
		}
	}
	return 0;
}

size_t rmap_ksm_items(struct ksm_sim *sim, struct folio *folio,
		      struct rmap_item_view *out, size_t max)
{
	struct ksm_stable_node *node = folio_stable_node(folio);
	bool lpi = sim->ksm->kernel == KSM_KERNEL_LPI;
	struct ksm_rmap_item *item;
	size_t n = 0;

	if (!node)
		return 0;
	LIST_FOREACH(item, &node->hlist, hlist) {
		if (n < max)
			out[n] = (struct rmap_item_view){
				.owner = item->mm->owner,
				.addr = item->address & KSM_PAGE_MASK,
				.has_index = lpi,
				.index = lpi ? rmap_item_linear_page_index(sim->ksm, item) : 0,
			};
		n++;
	}
	return n;
}

void rmap_walk_anon(struct ksm_sim *sim, struct folio *folio, struct rmap_result *out)
{
	struct anon_vma *av = folio->anon_vma;
	struct itree_node *it;
	uint64_t n = 0;

	(void)sim;
	memset(out, 0, sizeof(*out));
	out->strategy = RMAP_INDEXED;
	if ((folio->flags & FOLIO_KSM) || !av)
		return;
	/* rmap_walk_anon() locks the root; the page's own anon_vma's tree
	 * holds every VMA that may map it. */
	for (it = itree_iter_first(&av->rb_root, folio->index, folio->index); it;
	     it = itree_iter_next(it, folio->index, folio->index)) {
		struct anon_vma_chain *avc =
			(struct anon_vma_chain *)((char *)it - offsetof(struct anon_vma_chain, rb));
		struct vm_area_struct *vma = avc->vma;
		uint64_t addr = vma->vm_start + ((folio->index - vma->vm_pgoff) << KSM_PAGE_SHIFT);

		n++;
		out->pass[0].rmap_one++;
		if (maps_folio(vma, addr, folio)) {
			out->pass[0].found++;
			record(out, vma, addr);
		}
	}
	out->pass[0].iterations = n;
	out->pass[0].max_item_iterations = n;
}

struct folio *rmap_folio_at(struct ksm_sim *sim, struct task *task, uint64_t addr)
{
	pte_t pte = pte_get(task->mm, addr);

	if (!pte_present(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	return pfn_folio(sim, pte_pfn(pte));
}
