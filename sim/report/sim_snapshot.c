// SPDX-License-Identifier: MIT
/*
 * DOC: A snapshot record of a simulated machine
 *
 * Fills struct ksm_snapshot (include/ksmsim/snapshot.h) from a machine,
 * the way the real-kernel replayer fills it from /sys/kernel/mm/ksm,
 * /proc/PID/ksm_stat, /proc/PID/maps and /proc/PID/pagemap, so that the
 * two can be compared field for field.  Only reads the machine.
 *
 * The migrate record is made the way the kernel replayer makes it around
 * move_pages(2): the mappings of the page's frame before (the ground
 * truth of every page table, not the walk's view), then, after the
 * migration, what each of them maps and on which node.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/array.h"
#include "ksm/ksm_state.h"
#include "ksmsim/ksm.h"
#include "ksmsim/migrate.h"
#include "ksmsim/rmap.h"
#include "ksmsim/sim_snapshot.h"
#include "mm/internal.h"

/* Walk every present entry of @mm; with @refs, record the pairs. */
static void scan_mm(struct ksm_sim *sim, struct task *t, struct ksm_snap_proc *p,
		    struct ksm_page_ref **refs, size_t *nrefs, size_t *cap)
{
	struct mm_struct *mm = t->mm;
	uint64_t addr = 0;

	while (pte_next_used(mm, &addr, KSM_TASK_SIZE)) {
		pte_t pte = pte_get(mm, addr);
		bool zero = is_zero_pfn(pte_pfn(pte));

		p->mapped++;
		p->zero_pfn += zero;
		if (refs) {
			ARRAY_GROW(*refs, *cap, *nrefs + 1, 1024);
			(*refs)[(*nrefs)++] = (struct ksm_page_ref){
				.name = t->name,
				.addr = addr,
				.phys = pte_pfn(pte),
				.zero = zero,
				.ksm = !zero && folio_test_ksm(pfn_folio(sim, pte_pfn(pte))),
			};
		}
		addr += KSM_PAGE_SIZE;
	}
}

int sim_snapshot_take(struct ksm_sim *sim, unsigned line, const char *label,
		      bool with_sharing, struct ksm_snapshot *out)
{
	struct ksm_page_ref *refs = NULL;
	size_t nrefs = 0, cap = 0, n = 0;
	struct task *t;

	memset(out, 0, sizeof(*out));
	out->line = line;
	out->label = xstrdup(label ? label : "");
	ksm_read_counters(sim, &out->global);
	out->knobs = *ksm_knobs(sim);
	for (t = sim_first_task(sim); t; t = sim_next_task(sim, t))
		n++;
	out->procs = xcalloc(n ? n : 1, sizeof(*out->procs));
	/* sim_first_task() iterates in byte order of names: already sorted. */
	for (t = sim_first_task(sim); t; t = sim_next_task(sim, t)) {
		struct ksm_snap_proc *p = &out->procs[out->nprocs++];

		snprintf(p->name, sizeof(p->name), "%s", t->name);
		ksm_read_proc_stat(sim, t->mm, &p->stat);
		p->vmas = (int64_t)t->mm->map_count;
		scan_mm(sim, t, p, with_sharing ? &refs : NULL, &nrefs, &cap);
	}
	if (with_sharing)
		ksm_sharing_compute(refs, nrefs, &out->sharing); /* 0: OOM exits */
	free(refs);
	return 0;
}

int sim_migrate_record(struct ksm_sim *sim, struct task *task, uint64_t addr,
		       unsigned line, struct migrate_result *res,
		       struct ksm_snapshot *out, struct sim_error *err)
{
	struct folio *f = rmap_folio_at(sim, task, addr), *now;
	struct ksm_migrate_rec *m = &out->migrate;
	struct rmap_truth gt;
	size_t first, count;
	uint64_t old_pfn, new_pfn = ZERO_PFN;

	memset(out, 0, sizeof(*out));
	out->kind = KSM_RECORD_MIGRATE;
	out->line = line;
	out->label = xstrdup("");
	if (!f) /* sim_migrate() says why */
		return sim_migrate(sim, task, addr, res, err);
	old_pfn = f->pfn;
	snprintf(m->proc, sizeof(m->proc), "%s", task->name);
	m->addr = addr;
	m->ksm = folio_test_ksm(f);

	/* Before: every mapping of the frame, by name then address. */
	rmap_truth_build(sim, &gt);
	rmap_truth_of(&gt, old_pfn, &first, &count);
	m->mappings = xcalloc(count ? count : 1, sizeof(*m->mappings));
	for (size_t i = 0; i < count; i++) {
		snprintf(m->mappings[i].proc, sizeof(m->mappings[i].proc), "%s",
			 gt.e[first + i].task->name);
		m->mappings[i].addr = gt.e[first + i].addr;
	}
	m->nmappings = count;
	rmap_truth_free(&gt);
	ksm_migrate_sort(m); /* the truth's order already; the record's rule */

	if (sim_migrate(sim, task, addr, res, err))
		return -1;
	m->moved = res->moved;
	m->target_node = res->target_node;

	/* After: the frame P:ADDR maps now is "new" if it changed. */
	now = rmap_folio_at(sim, task, addr);
	if (now && now->pfn != old_pfn)
		new_pfn = now->pfn;
	for (size_t i = 0; i < m->nmappings; i++) {
		struct ksm_migrate_mapping *e = &m->mappings[i];
		struct task *t = sim_find_task(sim, e->proc);
		pte_t pte = t ? pte_get(t->mm, e->addr) : 0;
		uint64_t pfn = pte_pfn(pte);

		if (!pte_present(pte)) {
			e->frame = KSM_FRAME_NONE;
			e->node = -1;
			continue;
		}
		e->frame = pfn == old_pfn ? KSM_FRAME_OLD :
			   pfn == new_pfn && !is_zero_pfn(pfn) ? KSM_FRAME_NEW : KSM_FRAME_OTHER;
		e->node = is_zero_pfn(pfn) ? -1 : folio_nid(pfn_folio(sim, pfn));
	}
	return 0;
}
