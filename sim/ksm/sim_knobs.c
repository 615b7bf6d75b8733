// SPDX-License-Identifier: MIT
/*
 * DOC: The simulator's own knobs (set sim.NAME=VALUE)
 *
 *   sim.kernel=baseline|lpi          Linux 6.18, or 6.18 with the
 *                                    linear_page_index series (v8)
 *   sim.layout=lp64|ilp32|ilp32-reordered
 *                                    rmap_item layout: 64-bit, 32-bit, or
 *                                    32-bit with oldchecksum moved after
 *                                    the ages (the review's suggestion)
 *   sim.fault=SPEC                   fault injection (sim/ksm/fault.c)
 *   sim.seed=N                       seed of the machine's RNG
 *   sim.page_cost_ns=N               CPU cost of a scanned page (advisor)
 *   sim.walk=full|indexed|naive|kernel
 *                                    the strategy of the rmap walks that
 *                                    `migrate` runs (default "kernel": full
 *                                    for baseline, indexed for lpi)
 *   sim.reap_clears_merge_any=0|1    whether ksmd's reaping of an mm with
 *                                    nothing to scan also clears
 *                                    MMF_VM_MERGE_ANY (kernels before the
 *                                    2025 fix did)
 *
 * The kernel and the layout describe the machine's kernel, so they can
 * change only before KSM has created any rmap_item.  The 32-bit layouts
 * model a 32-bit kernel: no mapping may reach above 3 GiB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/lookup.h"
#include "ksm/ksm_state.h"
#include "mm/internal.h"

static const char *const strategy_names[RMAP__COUNT + 1] = {
	[RMAP_FULL] = "full",
	[RMAP_INDEXED] = "indexed",
	[RMAP_NAIVE] = "naive",
};

const char *rmap_strategy_name(enum rmap_strategy s)
{
	return strategy_names[s];
}

int rmap_strategy_parse(const char *s, enum rmap_strategy *out)
{
	int i = sim_name_index(strategy_names, s);

	if (i < 0)
		return -1;
	*out = (enum rmap_strategy)i;
	return 0;
}

static int parse_u64(const char *name, const char *text, uint64_t *out,
		     struct sim_error *err)
{
	char *end;

	/* -1 is returned explicitly (not sim_fail()'s value) so the compiler
	 * sees that callers never read *out on failure. */
	*out = 0;
	errno = 0;
	if (!text[0] || text[0] == '-')
		goto bad;
	*out = strtoull(text, &end, 0);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	sim_fail(err, SIM_ARG_KNOB_VALUE, "%s needs a number, got '%s'", name, text);
	return -1;
}

static int no_items_yet(struct ksm_sim *sim, const char *name, struct sim_error *err)
{
	if (sim->ksm->ksm_rmap_items || sim->ksm->seqnr ||
	    !RB_EMPTY(&sim->ksm->root_stable_tree))
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"%s describes the kernel: set it before KSM scans anything", name);
	return 0;
}

static int set_layout(struct ksm_sim *sim, const char *text, struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;
	enum ksm_layout layout;

	if (!strcmp(text, "lp64"))
		layout = KSM_LAYOUT_LP64;
	else if (!strcmp(text, "ilp32"))
		layout = KSM_LAYOUT_ILP32;
	else if (!strcmp(text, "ilp32-reordered"))
		layout = KSM_LAYOUT_ILP32_REORDERED;
	else
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"sim.layout must be lp64, ilp32 or ilp32-reordered, got '%s'", text);
	if (no_items_yet(sim, "sim.layout", err))
		return -1;
	if (layout != KSM_LAYOUT_LP64) {
		for (struct task *t = sim_first_task(sim); t; t = sim_next_task(sim, t))
			for (struct vm_area_struct *v = vma_first(t->mm); v; v = vma_next(t->mm, v))
				if (v->vm_end > KSM_TASK_SIZE_32)
					return sim_fail(err, SIM_ARG_KNOB_VALUE,
							"sim.layout=%s models a 32-bit kernel, but %s maps 0x%llx above 3 GiB",
							text, t->name, (unsigned long long)v->vm_start);
	}
	ksm->layout = layout;
	memset(ksm->csum_cache, 0, sizeof(ksm->csum_cache));
	ksm->zero_checksum = ksm_layout_checksum(layout, 0);
	return 0;
}

static bool is_pinned(const struct ksm_state *ksm, const char *name)
{
	for (unsigned i = 0; i < ksm->npinned; i++)
		if (!strcmp(ksm->pinned[i], name))
			return true;
	return false;
}

static int apply_sim_knob(struct ksm_sim *sim, const char *name, const char *text,
			  struct sim_error *err);

int ksm_set_sim_knob(struct ksm_sim *sim, const char *name, const char *text,
		     struct sim_error *err)
{
	if (is_pinned(sim->ksm, name))
		return 0;
	return apply_sim_knob(sim, name, text, err);
}

int ksm_pin_sim_knob(struct ksm_sim *sim, const char *name, const char *text,
		     struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;

	if (strncmp(name, "sim.", 4))
		return sim_fail(err, SIM_ARG_KNOB_NAME, "only sim.* knobs can be pinned, not %s", name);
	if (strlen(name) >= sizeof(ksm->pinned[0]))
		return sim_fail(err, SIM_ARG_KNOB_NAME, "unknown simulator knob %s", name);
	if (!is_pinned(ksm, name) && ksm->npinned == ARRAY_SIZE(ksm->pinned))
		return sim_fail(err, SIM_ARG_KNOB_NAME, "too many pinned knobs");
	if (apply_sim_knob(sim, name, text, err))
		return -1;
	if (!is_pinned(ksm, name))
		snprintf(ksm->pinned[ksm->npinned++], sizeof(ksm->pinned[0]), "%s", name);
	return 0;
}

static int apply_sim_knob(struct ksm_sim *sim, const char *name, const char *text,
			  struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;
	uint64_t v;

	if (!strcmp(name, "sim.kernel")) {
		enum ksm_kernel kernel;

		if (!strcmp(text, "baseline"))
			kernel = KSM_KERNEL_BASELINE;
		else if (!strcmp(text, "lpi"))
			kernel = KSM_KERNEL_LPI;
		else
			return sim_fail(err, SIM_ARG_KNOB_VALUE, "sim.kernel must be baseline or lpi, got '%s'", text);
		if (kernel != ksm->kernel && no_items_yet(sim, name, err))
			return -1;
		ksm->kernel = kernel;
		return 0;
	}
	if (!strcmp(name, "sim.layout"))
		return set_layout(sim, text, err);
	if (!strcmp(name, "sim.fault"))
		return ksm_fault_configure(sim, text, err);
	if (!strcmp(name, "sim.seed")) {
		if (parse_u64(name, text, &v, err))
			return -1;
		ksm_rng_seed(&ksm->rng, v);
		return 0;
	}
	if (!strcmp(name, "sim.page_cost_ns")) {
		if (parse_u64(name, text, &v, err))
			return -1;
		ksm->page_cost_ns = v;
		return 0;
	}
	if (!strcmp(name, "sim.walk")) {
		enum rmap_strategy st;

		if (!strcmp(text, "kernel")) {
			ksm->walk = -1;
			return 0;
		}
		if (rmap_strategy_parse(text, &st))
			return sim_fail(err, SIM_ARG_KNOB_VALUE,
					"sim.walk must be full, indexed, naive or kernel, got '%s'", text);
		ksm->walk = st;
		return 0;
	}
	if (!strcmp(name, "sim.reap_clears_merge_any")) {
		if (parse_u64(name, text, &v, err))
			return -1;
		if (v > 1)
			return sim_fail(err, SIM_ARG_KNOB_VALUE, "sim.reap_clears_merge_any must be 0 or 1");
		ksm->reap_clears_merge_any = v;
		return 0;
	}
	return sim_fail(err, SIM_ARG_KNOB_NAME,
			"unknown simulator knob '%s' (known: sim.kernel, sim.layout, sim.walk, sim.fault, sim.seed, sim.page_cost_ns, sim.reap_clears_merge_any)",
			name);
}

uint64_t sim_task_size(const struct ksm_sim *sim)
{
	return sim->ksm->layout == KSM_LAYOUT_LP64 ? KSM_TASK_SIZE : KSM_TASK_SIZE_32;
}
