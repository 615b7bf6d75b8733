// SPDX-License-Identifier: MIT
/*
 * DOC: ksmd as the trace drives it (ksm_scan_thread() in mm/ksm.c)
 *
 * ksmd runs a batch when `run` is 1 and some mm is registered
 * (ksmd_should_run()), then sleeps sleep_millisecs; otherwise it sleeps
 * until both hold.  `scan batches=N` is N such batches, `scan rounds=N`
 * as many as it takes for full_scans to grow by N.
 *
 * What a scan does when ksmd would not work (the same in the kernel
 * replayer, docs/kernel-replay.md):
 *  - run is 0 or 2: ksmd is stopped; the scan does nothing;
 *  - pages_to_scan is 0: batches do nothing; rounds never end — error;
 *  - nothing is registered: the scan could never end — error, instead of
 *    waiting for ever;
 *  - a batch moves nothing (every rmap_item allocation fails): `scan
 *    batches` still ends after its batches; `scan rounds` never would —
 *    error.
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

/* Returns 1 when ksmd is stopped (nothing to do), 0 to run, -1 error. */
static int ksmd_should_run(struct ksm_sim *sim, bool rounds, struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;

	if (ksm->knobs.run != 1)
		return 1;
	if (TAILQ_EMPTY(&ksm->ksm_mm_head))
		return sim_fail(err, SIM_ARG_CMD,
				"no process is registered with KSM: ksmd sleeps and this scan would never end");
	if (!ksm->knobs.pages_to_scan)
		return rounds ? sim_fail(err, SIM_ARG_CMD,
					 "pages_to_scan is 0: batches scan nothing and no round would ever end") : 1;
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

/* One batch; 1 if ksmd is stopped, so the scan is over. */
static int one_batch(struct ksm_sim *sim, bool rounds, struct sim_error *err)
{
	struct ksm_state *ksm = sim->ksm;
	struct scan_mark before, after;
	int should = ksmd_should_run(sim, rounds, err);

	if (should)
		return should;
	before = scan_mark(ksm);
	ksm_do_scan(sim, ksm->knobs.pages_to_scan);
	ksm->clock_ms += ksm->knobs.sleep_millisecs;
	after = scan_mark(ksm);
	/*
	 * A batch that moved nothing: `scan batches` still ends; `scan rounds`
	 * never would if every allocation is bound to fail (with every=N > 1
	 * or a probability below 1 a later batch gets further).
	 */
	if (rounds && ksm_fault_certain(sim, KSM_FAULT_RMAP_ITEM_ALLOC) &&
	    before.seqnr == after.seqnr && before.scanned == after.scanned &&
	    before.skipped == after.skipped && before.slot == after.slot &&
	    before.address == after.address && before.items == after.items)
		return sim_fail(err, SIM_ARG_CMD,
				"ksmd makes no progress (every rmap_item allocation fails): this scan would never end");
	return 0;
}

int ksm_scan_batches(struct ksm_sim *sim, unsigned long n, struct sim_error *err)
{
	while (n--) {
		int ret = one_batch(sim, false, err);

		if (ret)
			return ret < 0 ? -1 : 0;
	}
	return 0;
}

int ksm_scan_rounds(struct ksm_sim *sim, unsigned long n, struct sim_error *err)
{
	unsigned long target = sim->ksm->seqnr + n;

	while (sim->ksm->seqnr < target) {
		int ret = one_batch(sim, true, err);

		if (ret)
			return ret < 0 ? -1 : 0;
	}
	return 0;
}
