// SPDX-License-Identifier: MIT
/*
 * DOC: The scan-time advisor (advisor_mode=scan-time, Linux 6.9+)
 *
 * At the end of each round the advisor scales pages_to_scan so that a
 * round takes about advisor_target_scan_time seconds, smoothing the change
 * with an EWMA (weight 30%) and capping the CPU ksmd may use
 * (scan_time_advisor() in mm/ksm.c).  Its inputs are wall-clock time and
 * ksmd's CPU time, which the model replaces by its own clock (each batch
 * is followed by sleep_millisecs) and a cost per scanned page
 * (sim.page_cost_ns, default 1000 ns).  The arithmetic is the kernel's;
 * the inputs are a model, so advisor runs are not compared with the real
 * kernel (docs/model.md).
 */
#include "ksm/ksm_state.h"

#define EWMA_WEIGHT 30

void advisor_start_scan(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;

	if (ksm->knobs.advisor_mode == KSM_ADVISOR_SCAN_TIME)
		ksm->advisor.start_scan_ms = ksm->clock_ms;
}

static unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

static unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

void advisor_stop_scan(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_advisor_ctx *ctx = &ksm->advisor;
	struct ksm_knobs *k = &ksm->knobs;
	unsigned long scan_time, cpu_percent, last_scan_time, change, pages;
	unsigned long factor, per_page_cost;
	uint64_t cpu_ms;

	if (k->advisor_mode != KSM_ADVISOR_SCAN_TIME)
		return;
	scan_time = max_ul(1, (unsigned long)((ksm->clock_ms - ctx->start_scan_ms) / 1000));
	cpu_ms = (ksm->cpu_ns - ctx->cpu_ns) / 1000000;
	cpu_percent = max_ul(1, (unsigned long)(cpu_ms * 100 / (scan_time * 1000)));
	last_scan_time = ctx->scan_time ? ctx->scan_time : scan_time;

	factor = max_ul(1, k->advisor_target_scan_time * 100 / scan_time);
	change = max_ul(1, scan_time * 100 / last_scan_time);
	change = ((100 - EWMA_WEIGHT) * ctx->change + EWMA_WEIGHT * change) / 100;
	ctx->change = change;

	pages = k->pages_to_scan * 100 / factor;
	pages = pages * change / 100;
	per_page_cost = max_ul(1, k->pages_to_scan / cpu_percent);
	pages = min_ul(pages, per_page_cost * k->advisor_max_cpu);
	pages = max_ul(pages, per_page_cost * 10); /* ksm_advisor_min_cpu */
	pages = min_ul(pages, k->advisor_max_pages_to_scan);

	ctx->scan_time = scan_time;
	ctx->cpu_ns = ksm->cpu_ns;
	k->pages_to_scan = pages;
}
