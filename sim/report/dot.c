// SPDX-License-Identifier: MIT
/*
 * DOC: sim_dot(): one Graphviz picture of the machine, from start to file
 *
 * sim_dot() checks its arguments, opens a graph (dot_graph.c), applies
 * the options (dot_opts.c), draws the picture asked for with the drawing
 * functions of dot_*.c, adds the "not drawn" note and the legend, and
 * writes the result (dot_output.c).  sim_dot_rmap_folio() does the same
 * for the rmap picture of a page the checker already holds.
 */
#include <stdio.h>

#include "ksmsim/rmap.h"
#include "report/dot_internal.h"

int sim_dot(struct ksm_sim *sim, enum trace_dot_what what, const char *proc,
	    uint64_t addr, const char *file, const struct dot_opts *opts,
	    struct sim_error *err)
{
	const char *title = opts ? opts->title : NULL;
	struct vm_area_struct *vma = NULL;
	struct folio *folio = NULL;
	char head[256], first[160];
	struct task *task = NULL;
	struct dot d;
	int rc = -1;

	switch (what) {
	case TDOT_RMAP:
		if (!(task = dot_find_proc(sim, proc, SIM_ARG_P, "", err)))
			return -1;
		folio = rmap_folio_at(sim, task, addr);
		if (!folio || !(folio->flags & FOLIO_KSM))
			return sim_fail(err, SIM_ARG_ADDR,
					"%s maps no KSM page at 0x%llx", task->name,
					(unsigned long long)addr);
		vma = vma_lookup(task->mm, addr);
		break;
	case TDOT_ANON_VMA:
	case TDOT_MM:
		if (!(task = dot_find_proc(sim, proc, SIM_ARG_P, "", err)))
			return -1;
		if (what == TDOT_MM)
			break;
		vma = vma_lookup(task->mm, addr);
		if (!vma)
			return sim_fail(err, SIM_ARG_ADDR, "%s has no VMA at 0x%llx",
					task->name, (unsigned long long)addr);
		break;
	case TDOT_STABLE:
	case TDOT_UNSTABLE:
	case TDOT_ALL:
		break;
	default:
		return sim_fail(err, SIM_ARG_DOT_WHAT, "unknown picture %d", (int)what);
	}

	dot_open(&d, sim, opts);
	if (dot_resolve_opts(&d, what, opts, err))
		goto out;
	if (vma)
		d.pin_vma = vma;
	if (what == TDOT_RMAP) {
		d.pin_mm = task->mm;
		d.pin_addr = addr;
	}
	switch (what) {
	case TDOT_STABLE:
		dot_focus_heading(&d, opts, head, sizeof(head), "stable tree");
		dot_heading(&d, head, title);
		dot_draw_stable(&d, d.g);
		break;
	case TDOT_UNSTABLE:
		dot_focus_heading(&d, opts, head, sizeof(head), "unstable tree");
		dot_heading(&d, head, title);
		dot_draw_unstable(&d, d.g);
		break;
	case TDOT_ANON_VMA:
		snprintf(first, sizeof(first), "anon_vma of %s 0x%llx", task->name,
			 (unsigned long long)addr);
		dot_focus_heading(&d, opts, head, sizeof(head), first);
		dot_heading(&d, head, title);
		dot_draw_anon_vma(&d, d.g, vma);
		break;
	case TDOT_MM:
		snprintf(first, sizeof(first), "address space of %s", task->name);
		dot_focus_heading(&d, opts, head, sizeof(head), first);
		dot_heading(&d, head, title);
		dot_draw_mm(&d, d.g, task);
		break;
	case TDOT_ALL:
		dot_focus_heading(&d, opts, head, sizeof(head), "the whole machine");
		dot_heading(&d, head, title);
		dot_draw_all(&d);
		break;
	case TDOT_RMAP:
		snprintf(head, sizeof(head), "rmap walks of the KSM page at %s 0x%llx",
			 task->name, (unsigned long long)addr);
		dot_heading(&d, head, title);
		dot_draw_rmap(&d, d.g, folio);
		break;
	default:
		break;
	}
	dot_more(&d, d.g);
	dot_legend(&d, d.g);
	dot_say_cuts(&d, opts);
	rc = dot_output_progress(&d, file, SIM_ARG_DOT_FILE, opts, err);
out:
	dot_close(&d);
	return rc;
}

int sim_dot_rmap_folio(struct ksm_sim *sim, struct folio *folio, const char *file,
		       const char *title, struct sim_error *err)
{
	struct dot d;
	char head[96];
	int rc;

	dot_open(&d, sim, NULL);
	snprintf(head, sizeof(head), "rmap walks of the KSM page pfn %u", folio->pfn);
	dot_heading(&d, head, title);
	dot_draw_rmap(&d, d.g, folio);
	dot_more(&d, d.g);
	dot_legend(&d, d.g);
	rc = dot_output(&d, file, SIM_ARG_CMD, err);
	dot_close(&d);
	return rc;
}
