// SPDX-License-Identifier: MIT
/*
 * DOC: Page migration, a user of rmap walks (mm/migrate.c)
 *
 * Migrating a page moves its contents to a new frame and points every
 * mapping at it.  The kernel finds the mappings with an rmap walk
 * (try_to_migrate()); if the page is still mapped afterwards — a mapping
 * the walk missed — migration fails and the page stays where it is,
 * which is exactly the consequence of a walk that misses mappings:
 * compaction and memory hot-remove cannot move the page.  For a KSM page
 * the stable node then names the new frame (folio_migrate_ksm()).
 *
 * The walk uses the machine's strategy: the kernel's own (full for the
 * baseline, indexed for lpi) unless sim.walk chooses another.
 *
 * The path modelled is move_pages(2) to another node: move_pages ->
 * do_pages_move -> migrate_pages -> migrate_folio_unmap -> try_to_migrate
 * -> rmap_walk (rmap_walk_ksm for a KSM page) in mm/migrate.c and
 * mm/rmap.c.  The model has two nodes for this purpose only: the new
 * frame is on the node the old one was not (folio_nid()).
 */
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm_state.h"
#include "ksmsim/migrate.h"
#include "mm/internal.h"

enum rmap_strategy ksm_walk_strategy(const struct ksm_sim *sim)
{
	if (sim->ksm->walk >= 0)
		return (enum rmap_strategy)sim->ksm->walk;
	return sim->ksm->kernel == KSM_KERNEL_LPI ? RMAP_INDEXED : RMAP_FULL;
}

static int mapping_cmp(const void *pa, const void *pb)
{
	const struct rmap_mapping *a = pa, *b = pb;

	if (a->mm != b->mm)
		return a->mm->id < b->mm->id ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

int sim_migrate(struct ksm_sim *sim, struct task *task, uint64_t addr,
		struct migrate_result *res, struct sim_error *err)
{
	struct folio *old = rmap_folio_at(sim, task, addr), *new;
	struct rmap_result r;
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	if (!old)
		return sim_fail(err, SIM_ARG_ADDR, "no page is mapped at 0x%llx (or only the zero page)",
				(unsigned long long)addr);
	res->ksm = folio_test_ksm(old);
	res->old_pfn = old->pfn;
	res->old_node = folio_nid(old);
	res->target_node = 1 - res->old_node;
	res->strategy = res->ksm ? ksm_walk_strategy(sim) : RMAP_INDEXED;
	if (res->ksm) {
		if (rmap_walk_ksm(sim, old, res->strategy, &r))
			return sim_fail(err, SIM_ARG_CMD,
					"the indexed walk needs sim.kernel=lpi (the baseline records no index)");
	} else {
		rmap_walk_anon(sim, old, &r);
	}
	/* A mapping reached twice is one mapping. */
	if (r.nfound) {
		qsort(r.found, r.nfound, sizeof(*r.found), mapping_cmp);
		for (size_t i = 0; i < r.nfound; i++)
			if (!n || mapping_cmp(&r.found[i], &r.found[n - 1]))
				r.found[n++] = r.found[i];
	}
	res->mapcount = old->mapcount;
	res->found = n;
	if (n < old->mapcount) {
		/* try_to_migrate() left mappings: the page stays. */
		rmap_result_free(&r);
		return 0;
	}
	new = folio_alloc(sim);
	new->content = old->content;
	new->flags = (old->flags & ~FOLIO_NODE1) | (res->target_node ? FOLIO_NODE1 : 0);
	new->index = old->index;
	if (res->ksm) {
		new->stable_node = old->stable_node;
		if (new->stable_node)
			new->stable_node->kpfn = new->pfn;
	} else {
		new->anon_vma = old->anon_vma;
	}
	for (size_t i = 0; i < n; i++) {
		pte_t pte = pte_get(r.found[i].mm, r.found[i].addr);

		pte_set(sim, r.found[i].mm, r.found[i].addr,
			(pte & ((1ULL << PTE_PFN_SHIFT) - 1)) | ((uint64_t)new->pfn << PTE_PFN_SHIFT));
		folio_add_rmap(new);
		folio_remove_rmap(sim, old);
	}
	res->new_pfn = new->pfn;
	res->moved = true;
	rmap_result_free(&r);
	return 0;
}
