// SPDX-License-Identifier: MIT
/*
 * DOC: ksmd as the trace drives it (ksm_scan_thread() in mm/ksm.c)
 *
 * ksmd runs a batch when `run` is 1 and some mm is registered
 * (ksmd_should_run()), then sleeps sleep_millisecs; otherwise it sleeps
 * until both hold.  `scan batches=N` is N such batches, `scan rounds=N`
 * as many as it takes for full_scans to grow by N.  When ksmd would not
 * run — run is not 1, nothing is registered, pages_to_scan is 0 — or a
 * batch cannot move (every rmap_item allocation fails), the trace could
 * never get past the command, and the simulator says so instead of
 * waiting for ever.
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

static int ksmd_should_run(struct ksm_sim *sim, struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;

	if (ksm->knobs.run != 1)
		return sim_fail(err, SIM_ARG_CMD,
				"ksmd does not run with run=%u: this scan would never end",
				ksm->knobs.run);
	if (TAILQ_EMPTY(&ksm->ksm_mm_head))
		return sim_fail(err, SIM_ARG_CMD,
				"no process is registered with KSM: ksmd sleeps and this scan would never end");
	if (!ksm->knobs.pages_to_scan)
		return sim_fail(err, SIM_ARG_CMD,
				"pages_to_scan is 0: batches scan nothing and this scan would never end");
	return 0;
}

/* Where the scanner stands: a batch that changes none of it did nothing. */
struct scan_mark {
	unsigned long seqnr, scanned, skipped;
	struct ksm_mm_slot *slot;
	uint64_t address;
	long items;
};

static struct scan_mark scan_mark(const struct ksm_state *ksm)
{
	return (struct scan_mark){ ksm->seqnr, ksm->pages_scanned, ksm->pages_skipped,
				   ksm->scan_slot, ksm->scan_address, ksm->ksm_rmap_items };
}

static int one_batch(struct ksm_sim *sim, struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;
	struct scan_mark before, after;

	if (ksmd_should_run(sim, err))
		return -1;
	before = scan_mark(ksm);
	ksm_do_scan(sim, ksm->knobs.pages_to_scan);
	ksm->clock_ms += ksm->knobs.sleep_millisecs;
	after = scan_mark(ksm);
	if (before.seqnr == after.seqnr && before.scanned == after.scanned &&
	    before.skipped == after.skipped && before.slot == after.slot &&
	    before.address == after.address && before.items == after.items)
		return sim_fail(err, SIM_ARG_CMD,
				"ksmd makes no progress (every rmap_item allocation fails): this scan would never end");
	return 0;
}

int ksm_scan_batches(struct ksm_sim *sim, unsigned long n, struct sim_error *err)
{
	while (n--)
		if (one_batch(sim, err))
			return -1;
	return 0;
}

int ksm_scan_rounds(struct ksm_sim *sim, unsigned long n, struct sim_error *err)
{
	unsigned long target = sim->ksm->seqnr + n;

	while (sim->ksm->seqnr < target)
		if (one_batch(sim, err))
			return -1;
	return 0;
}
