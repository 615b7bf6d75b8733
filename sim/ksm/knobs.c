// SPDX-License-Identifier: MIT
/*
 * DOC: The knobs of /sys/kernel/mm/ksm/ (mm/ksm.c *_store())
 *
 * Each write is validated the way the kernel's store function validates
 * it; a value the kernel refuses (EINVAL, EBUSY) is an error that leaves
 * the knob as it was.  Side effects modelled:
 *  - run=2 unmerges everything at once (unmerge_and_remove_all_rmap_items());
 *  - max_page_sharing and merge_across_nodes can change only while no KSM
 *    page is shared and every stable node can be removed;
 *  - advisor_mode resets pages_to_scan (100 for none, the advisor's
 *    minimum for scan-time), and pages_to_scan cannot be written while
 *    the advisor runs.
 * merge_across_nodes=0 is accepted: the model has one NUMA node, where
 * one tree per node is the same as one tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm_state.h"
#include "mm/internal.h"

const struct ksm_knobs *ksm_knobs(const struct ksm_sim *sim)
{
	return &sim->ksm->knobs;
}

/* Parse a decimal or 0x number that must not exceed @max. */
static int parse_knob_value(const char *name, const char *text, uint64_t max,
			    uint64_t *out, struct sim_error *err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!text[0] || text[0] == '-' || text[0] == '+')
		goto bad;
	v = strtoull(text, &end, 0);
	if (errno || *end)
		goto bad;
	if (v > max)
		return sim_fail(err, SIM_ARG_KNOB_VALUE, "%s=%s is out of range (at most %llu; EINVAL)",
				name, text, (unsigned long long)max);
	*out = v;
	return 0;
bad:
	return sim_fail(err, SIM_ARG_KNOB_VALUE, "%s needs a number, got '%s' (EINVAL)", name, text);
}

/*
 * Writes that need an empty stable tree: refused (EBUSY) while pages are
 * shared; otherwise every stable node that can go is removed first, and a
 * node whose page is still mapped also means EBUSY.
 */
static int need_no_shared_pages(struct ksm_sim *sim, const char *name,
				struct sim_error *err)
{
	if (sim->ksm->ksm_pages_shared)
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"%s cannot change while KSM pages are shared (pages_shared=%ld; EBUSY)",
				name, sim->ksm->ksm_pages_shared);
	if (!remove_all_stable_nodes(sim))
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"%s cannot change: a stable node's page is still mapped (EBUSY)",
				name);
	return 0;
}

/* set_advisor_defaults(): a new mode resets pages_to_scan. */
static int set_advisor_mode(struct ksm_sim *sim, const char *text,
			    struct sim_error *err)
{
	struct ksm_knobs *k = &sim->ksm->knobs;
	enum ksm_advisor_mode mode;

	if (ksm_advisor_mode_parse(text, &mode))
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"advisor_mode must be none or scan-time, got '%s' (EINVAL)",
				text);
	if (mode != k->advisor_mode) {
		struct ksm_knobs def;

		ksm_knobs_default(&def);
		k->advisor_mode = mode;
		k->pages_to_scan = mode == KSM_ADVISOR_NONE ?
				   def.pages_to_scan : k->advisor_min_pages_to_scan;
		memset(&sim->ksm->advisor, 0, sizeof(sim->ksm->advisor));
	}
	return 0;
}

/*
 * Every numeric knob the same way, from its row of ksm_snap_knob_fields:
 * the advisor's claim, the bounds, then (for a value that changes
 * anything) the empty-tree rule and the side effect of run=2.
 */
int ksm_set_knob(struct ksm_sim *sim, const char *name, const char *text,
		 struct sim_error *err)
{
	const struct ksm_snap_field *f = ksm_field_find(ksm_snap_knob_fields, name);
	struct ksm_knobs *k = &sim->ksm->knobs;
	uint64_t v = 0, *cur;

	if (!f) {
		if (!strncmp(name, "sim.", 4))
			return ksm_set_sim_knob(sim, name, text, err);
		return sim_fail(err, SIM_ARG_KNOB_NAME, "unknown knob '%s'", name);
	}
	if (f->type == KSM_SNAP_ADVISOR)
		return set_advisor_mode(sim, text, err);
	if ((f->flags & KSM_F_ADVISOR_OWNED) && k->advisor_mode != KSM_ADVISOR_NONE)
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"%s cannot be written while advisor_mode=scan-time (EINVAL)",
				name);
	if (parse_knob_value(name, text, f->max, &v, err))
		return -1;
	if (v < f->min)
		return sim_fail(err, SIM_ARG_KNOB_VALUE, "%s must be at least %llu (EINVAL)",
				name, (unsigned long long)f->min);
	cur = (uint64_t *)((char *)k + f->offset);
	if (v == *cur)
		return 0;
	if ((f->flags & KSM_F_EMPTY_TREE) && need_no_shared_pages(sim, name, err))
		return -1;
	*cur = v;
	if (cur == &k->run && v == 2)
		unmerge_and_remove_all_rmap_items(sim);
	return 0;
}

unsigned ksm_rmap_item_size(const struct ksm_sim *sim)
{
	return ksm_layout_item_size(sim->ksm->layout);
}

void ksm_read_counters(const struct ksm_sim *sim, struct ksm_counters *c)
{
	const struct ksm_state *ksm = sim->ksm;
	long volatile_pages = ksm->ksm_rmap_items - ksm->ksm_pages_shared -
			      ksm->ksm_pages_sharing - ksm->ksm_pages_unshared;

	memset(c, 0, sizeof(*c));
	c->full_scans = (long)ksm->seqnr;
	c->ksm_zero_pages = ksm->ksm_zero_pages;
	c->pages_scanned = ksm->pages_scanned;
	c->pages_shared = ksm->ksm_pages_shared;
	c->pages_sharing = ksm->ksm_pages_sharing;
	c->pages_skipped = ksm->pages_skipped;
	c->pages_unshared = ksm->ksm_pages_unshared;
	/* The kernel clamps the derived figure at zero (it can race). */
	c->pages_volatile = volatile_pages < 0 ? 0 : volatile_pages;
	c->stable_node_chains = ksm->ksm_stable_node_chains;
	c->stable_node_dups = ksm->ksm_stable_node_dups;
	c->general_profit = (ksm->ksm_pages_sharing + ksm->ksm_zero_pages) *
			    (long)KSM_PAGE_SIZE -
			    ksm->ksm_rmap_items * (long)ksm_rmap_item_size(sim);
}

void ksm_read_proc_stat(const struct ksm_sim *sim, const struct mm_struct *mm,
			struct ksm_proc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ksm_rmap_items = mm->ksm_rmap_items;
	st->ksm_zero_pages = mm->ksm_zero_pages;
	st->ksm_merging_pages = mm->ksm_merging_pages;
	st->ksm_process_profit = (mm->ksm_merging_pages + mm->ksm_zero_pages) *
				 (long)KSM_PAGE_SIZE -
				 mm->ksm_rmap_items * (long)ksm_rmap_item_size(sim);
	st->ksm_merge_any = mm->flags & MMF_VM_MERGE_ANY;
	/* ksm_process_mergeable(): any VMA with VM_MERGEABLE. */
	for (struct vm_area_struct *v = vma_first((struct mm_struct *)mm);
	     v && !st->ksm_mergeable; v = vma_next((struct mm_struct *)mm, v))
		st->ksm_mergeable = v->vm_flags & VM_MERGEABLE;
}
