// SPDX-License-Identifier: MIT
/*
 * DOC: Observation — the snapshot record of a live machine
 *
 * Fills the struct ksm_snapshot that `snapshot` writes and `expect`
 * checks (include/ksmsim/snapshot.h), with ksmd parked:
 *
 *  global   the counters of /sys/kernel/mm/ksm; pages_scanned and
 *           pages_skipped minus their values at the start of the replay
 *           (they never reset); full_scans as the kernel has it
 *  knobs    the values the trace set (the kernel's pages_to_scan and
 *           sleep_millisecs are the replayer's while it steps ksmd), except
 *           pages_to_scan under the scan-time advisor, which owns it
 *  procs    per live trace process: /proc/PID/ksm_stat, the VMAs that
 *           overlap the trace's ranges, present and zero-page pages
 *  sharing  the partition of every present trace page by physical page
 *           (pagemap PFN), KSM pages flagged by /proc/kpageflags
 *
 * Before reading, it checks that ksmd did nothing since its last step, so
 * a record never mixes counters from before and after a stray batch.
 */
#include <string.h>
#include <stdlib.h>

#include "kr.h"

static int read_globals(struct kr_state *st, struct ksm_counters *g,
			struct ksm_diag *err)
{
	for (const struct ksm_snap_field *f = ksm_snap_global_fields; f->name; f++) {
		int64_t *v = (int64_t *)((char *)g + f->offset);
		int r = kr_sysfs_read_i64(f->name, v);

		if (r)
			return ksm_diag_set(err, NULL, 0, 0, "cannot read %s/%s: %s",
					    KR_SYSFS_DIR, f->name, strerror(-r));
	}
	g->full_scans -= st->ksmd->base_full;
	g->pages_scanned -= st->ksmd->base_scanned;
	g->pages_skipped -= st->ksmd->base_skipped;
	return 0;
}

int kr_observe(struct kr_state *st, unsigned line, const char *label,
	       struct ksm_snapshot *out, struct ksm_diag *err)
{
	struct kr_ctl *c = st->ctl;
	struct ksm_page_ref *refs = NULL;
	size_t nrefs = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	out->line = line;
	out->label = strdup(label ? label : "");
	if (!out->label)
		return ksm_diag_set(err, NULL, 0, 0, "out of memory");
	if (kr_ksmd_check_quiet(st->ksmd, err) || read_globals(st, &out->global, err))
		goto fail;
	out->knobs = st->knobs;
	if (st->knobs.advisor_mode != KSM_ADVISOR_NONE) {
		int64_t v;

		if (kr_sysfs_read_i64("pages_to_scan", &v)) {
			ksm_diag_set(err, NULL, 0, 0, "cannot read pages_to_scan");
			goto fail;
		}
		out->knobs.pages_to_scan = (uint64_t)v;
	}

	out->nprocs = c->n;
	out->procs = calloc(c->n ? c->n : 1, sizeof(*out->procs));
	if (!out->procs) {
		ksm_diag_set(err, NULL, 0, 0, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct kr_proc *p = &c->procs[i];
		struct ksm_snap_proc *sp = &out->procs[i];

		snprintf(sp->name, sizeof(sp->name), "%s", p->name);
		if (kr_read_ksm_stat(p->pid, sp, err) ||
		    kr_count_vmas(p->pid, &p->ranges, &sp->vmas, err) ||
		    kr_collect_pages(st->pi, p->pid, p->name, &p->ranges, &refs, &nrefs,
				     &cap, &sp->mapped, &sp->zero_pfn, err))
			goto fail;
	}
	ksm_snapshot_sort_procs(out);
	if (ksm_sharing_compute(refs, nrefs, &out->sharing)) {
		ksm_diag_set(err, NULL, 0, 0, "out of memory");
		goto fail;
	}
	free(refs);
	/* Reading /proc must not have let ksmd run either. */
	if (kr_ksmd_check_quiet(st->ksmd, err)) {
		ksm_snapshot_free(out);
		return -1;
	}
	return 0;
fail:
	free(refs);
	ksm_snapshot_free(out);
	return -1;
}
