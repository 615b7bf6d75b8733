// SPDX-License-Identifier: MIT
/*
 * DOC: Fault injection (sim.fault)
 *
 * A sequential simulator never runs out of memory and never races, so the
 * kernel's failure paths — the ones that end in break_cow() — would never
 * run.  sim.fault makes chosen steps fail:
 *
 *   set sim.fault=POINT:every=N     fail the Nth, 2Nth, ... time
 *   set sim.fault=POINT:prob=P      fail with probability P (0..1), drawn
 *                                   from the machine's RNG (sim.seed)
 *   set sim.fault=POINT:off         stop failing
 *   set sim.fault=none              every point off
 *
 * Points: rmap_item_alloc (the batch ends, the address is retried),
 * stable_node_alloc (stable_tree_insert() fails: break_cow() on both),
 * merge_two_pages (the second half of try_to_merge_two_pages() fails:
 * break_cow() on the first), merge_one_page (try_to_merge_one_page()
 * fails: the page changed or holds an extra reference).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm_state.h"
#include "mm/internal.h"

static const char *const point_names[KSM_FAULT__COUNT] = {
	[KSM_FAULT_RMAP_ITEM_ALLOC] = "rmap_item_alloc",
	[KSM_FAULT_STABLE_NODE_ALLOC] = "stable_node_alloc",
	[KSM_FAULT_MERGE_TWO_SECOND] = "merge_two_pages",
	[KSM_FAULT_MERGE_ONE_PAGE] = "merge_one_page",
};

const char *ksm_fault_point_name(enum ksm_fault_point point)
{
	return point_names[point];
}

bool ksm_fault_hit(struct ksm_sim *sim, enum ksm_fault_point point)
{
	struct ksm_fault *f = &sim->ksm->faults[point];
	bool hit = false;

	f->calls++;
	if (f->every)
		hit = f->calls % f->every == 0;
	else if (f->prob_ppm)
		hit = ksm_rng_below(&sim->ksm->rng, 1000000) < f->prob_ppm;
	f->injected += hit;
	return hit;
}

int ksm_fault_configure(struct ksm_sim *sim, const char *spec, struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;
	const char *colon = strchr(spec, ':');
	struct ksm_fault *f = NULL;
	char *end;

	if (!strcmp(spec, "none")) {
		memset(ksm->faults, 0, sizeof(ksm->faults));
		return 0;
	}
	for (int p = 0; p < KSM_FAULT__COUNT && colon; p++)
		if (strlen(point_names[p]) == (size_t)(colon - spec) &&
		    !strncmp(spec, point_names[p], (size_t)(colon - spec)))
			f = &ksm->faults[p];
	if (!f)
		return sim_fail(err, SIM_ARG_KNOB_VALUE,
				"sim.fault takes POINT:every=N, POINT:prob=P, POINT:off or none, with POINT one of rmap_item_alloc, stable_node_alloc, merge_two_pages, merge_one_page; got '%s'",
				spec);
	colon++;
	if (!strcmp(colon, "off")) {
		f->every = 0;
		f->prob_ppm = 0;
		return 0;
	}
	errno = 0;
	if (!strncmp(colon, "every=", 6)) {
		unsigned long long n = strtoull(colon + 6, &end, 10);

		if (errno || *end || !n || colon[6] == '-')
			return sim_fail(err, SIM_ARG_KNOB_VALUE, "sim.fault every=N needs N >= 1, got '%s'", colon + 6);
		f->every = n;
		f->prob_ppm = 0;
		f->calls = 0;
		return 0;
	}
	if (!strncmp(colon, "prob=", 5)) {
		double p = strtod(colon + 5, &end);

		if (errno || *end || !(p >= 0 && p <= 1))
			return sim_fail(err, SIM_ARG_KNOB_VALUE, "sim.fault prob=P needs 0 <= P <= 1, got '%s'", colon + 5);
		f->every = 0;
		f->prob_ppm = (uint32_t)(p * 1000000 + 0.5);
		return 0;
	}
	return sim_fail(err, SIM_ARG_KNOB_VALUE, "sim.fault: expected every=N, prob=P or off after '%s:', got '%s'",
			spec, colon);
}

bool ksm_fault_certain(const struct ksm_sim *sim, enum ksm_fault_point point)
{
	const struct ksm_fault *f = &sim->ksm->faults[point];

	return f->every == 1 || f->prob_ppm >= 1000000;
}
