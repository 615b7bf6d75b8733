// SPDX-License-Identifier: MIT
/*
 * DOC: The options of a Graphviz picture, and what it says about its limits
 *
 * struct dot_opts narrows a picture (a process, a KSM page, an address
 * range) and bounds it (the node limit, folding).  An option a picture
 * has no use for is refused rather than ignored; a focus is turned into
 * what the drawers test (d->focus_mm, d->focus_node, the pinned page) and
 * into the words of the heading.  After drawing, the caller is told
 * through opts->note what the node limit left out and what was folded.
 */
#include <stdarg.h>
#include <stdio.h>

#include "report/dot_internal.h"

struct task *dot_find_proc(struct ksm_sim *sim, const char *name, enum sim_arg arg,
			   const char *what, struct sim_error *err)
{
	struct task *t = name ? sim_find_task(sim, name) : NULL;

	if (!t)
		sim_fail(err, arg, "%sno live process named '%s'", what,
			 name ? name : "");
	return t;
}

/* Which options a picture has a use for. */
enum { USE_FOCUS = 1, USE_PAGE = 2, USE_RANGE = 4 };

static unsigned opts_used(enum trace_dot_what what)
{
	switch (what) {
	case TDOT_STABLE:
	case TDOT_ALL:
		return USE_FOCUS | USE_PAGE | USE_RANGE;
	case TDOT_UNSTABLE:
	case TDOT_ANON_VMA:
		return USE_FOCUS | USE_RANGE;
	case TDOT_MM:
		return USE_RANGE;
	default:
		return 0;
	}
}

int dot_resolve_opts(struct dot *d, enum trace_dot_what what,
		     const struct dot_opts *opts, struct sim_error *err)
{
	unsigned use = opts_used(what);
	const char *name = trace_dot_what_name(what);
	struct task *t;

	if (!opts)
		return 0;
	/* An option the picture has no use for is a mistake, not a no-op. */
	if (opts->focus && !(use & USE_FOCUS))
		return sim_fail(err, SIM_ARG_CMD, "focus: %s draws no other process to leave out",
				name);
	if (opts->page_proc && !(use & USE_PAGE))
		return sim_fail(err, SIM_ARG_CMD, "page: only stable and all draw KSM pages to choose from, not %s",
				name);
	if (opts->range_hi && !(use & USE_RANGE))
		return sim_fail(err, SIM_ARG_CMD, "range: %s is of one page already", name);
	if (opts->range_hi && opts->range_hi <= opts->range_lo)
		return sim_fail(err, SIM_ARG_CMD, "range: 0x%llx-0x%llx is empty",
				(unsigned long long)opts->range_lo,
				(unsigned long long)opts->range_hi);
	if (opts->focus) {
		if (!(t = dot_find_proc(d->sim, opts->focus, SIM_ARG_CMD, "focus: ", err)))
			return -1;
		d->focus_mm = t->mm;
	}
	if (opts->page_proc) {
		uint64_t a = opts->page_addr & KSM_PAGE_MASK;
		struct folio *f = NULL;
		pte_t pte;

		if (!(t = dot_find_proc(d->sim, opts->page_proc, SIM_ARG_CMD, "page: ", err)))
			return -1;
		pte = pte_get(t->mm, a);
		if (pte_present(pte) && !is_zero_pfn(pte_pfn(pte)))
			f = pfn_folio(d->sim, pte_pfn(pte));
		if (!f || !folio_stable_node(f))
			return sim_fail(err, SIM_ARG_CMD, "page: %s maps no KSM page at 0x%llx",
					t->name, (unsigned long long)opts->page_addr);
		d->focus_node = folio_stable_node(f);
		d->pin_vma = vma_lookup(t->mm, a);
		d->pin_mm = t->mm;
		d->pin_addr = a;
	}
	return 0;
}

void dot_focus_heading(struct dot *d, const struct dot_opts *opts, char *buf,
		       size_t len, const char *what)
{
	int n = snprintf(buf, len, "%s", what);

	if (d->focus_mm && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", process %s only",
			      d->focus_mm->owner);
	if (d->focus_node && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", the KSM page at %s 0x%llx only",
			      opts->page_proc, (unsigned long long)opts->page_addr);
	if (d->range_hi && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", addresses 0x%llx-0x%llx only",
			 (unsigned long long)d->range_lo, (unsigned long long)d->range_hi);
}

void dot_say(const struct dot_opts *opts, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!opts || !opts->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	opts->note(opts->note_ctx, line);
}

void dot_say_cuts(struct dot *d, const struct dot_opts *opts)
{
	char line[400];
	size_t used = 0;
	unsigned long total = 0;

	for (int k = 0; k < DOTK__COUNT; k++)
		total += d->skipped[k];
	if (total) {
		for (int k = 0; k < DOTK__COUNT; k++)
			if (d->skipped[k] && used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, ", %lu %s",
							 d->skipped[k], dot_kind_name(k, true));
		dot_say(opts, "%lu objects not drawn (node limit %u; --limit raises it)%s", total,
		    d->limit, used ? line : "");
	}
	used = 0;
	total = 0;
	for (int k = 0; k < DOTK__COUNT; k++) {
		total += d->folded[k];
		if (d->folded[k] && used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, ", %lu %s",
						 d->folded[k], dot_kind_name(k, true));
	}
	if (total)
		dot_say(opts, "%lu objects folded into %u nodes%s", total, d->nfolds, line);
}
