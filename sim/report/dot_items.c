// SPDX-License-Identifier: MIT
/*
 * DOC: Lists of rmap_items, folded
 *
 * A KSM page shared by 500 mappings has 500 rmap_items on its hlist, and
 * the last round may leave thousands of unstable items outside the tree.
 * Drawn one by one they swamp the picture (and the layout), so a list is
 * cut into runs of alike items (dot_runs()): items of the same process
 * in the same state, repeating with a short period (the items of a page
 * shared by a fork family come in turn: a, b, c, a, b, c...).  Each phase
 * of a run is one node giving the count and the first and last address.
 * The item of the page the picture is about is never folded.
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

struct item_run_ctx {
	struct dot *d;
	struct ksm_rmap_item **v;
};

static bool item_pinned(struct dot *d, const struct ksm_rmap_item *it)
{
	return d->pin_mm && it->mm == d->pin_mm &&
	       (it->address & KSM_PAGE_MASK) == (d->pin_addr & KSM_PAGE_MASK);
}

/* The state bits an item's label shows (stable, unstable and its seqnr). */
static uint64_t item_state(const struct ksm_rmap_item *it)
{
	return it->address & ~KSM_PAGE_MASK;
}

static bool item_same(void *ctx, size_t i, size_t j)
{
	struct item_run_ctx *x = ctx;
	const struct ksm_rmap_item *a = x->v[i], *b = x->v[j];

	return a->mm == b->mm && item_state(a) == item_state(b) &&
	       !item_pinned(x->d, a) && !item_pinned(x->d, b);
}

static Agnode_t *item_fold(struct dot *d, Agraph_t *g, struct item_run_ctx *x,
			   const struct dot_run *r, unsigned phase)
{
	size_t first = r->start + phase, count = (r->len - phase + r->period - 1) / r->period;
	size_t last = first + (count - 1) * r->period;
	struct ksm_rmap_item *i0 = x->v[first], *il = x->v[last];
	struct dot_label l = { 0 };
	Agnode_t *n = dot_fold_node(d, g, DOTK_ITEM, count);

	if (!n)
		return NULL;
	d->uses |= DOT_USES_FOLD;
	dl_reset(&l);
	dl_linel(&l, "%zu rmap_items like this (%s)", count, dot_owner(i0->mm));
	if (i0->address & STABLE_FLAG)
		dl_linel(&l, "STABLE");
	else if (i0->address & UNSTABLE_FLAG)
		dl_linel(&l, "UNSTABLE seqnr %llu",
			 (unsigned long long)(i0->address & SEQNR_MASK));
	else
		dl_linel(&l, "volatile");
	dl_linel(&l, "first item #%llu at 0x%llx", (unsigned long long)i0->id,
		 (unsigned long long)(i0->address & KSM_PAGE_MASK));
	dl_linel(&l, "last  item #%llu at 0x%llx", (unsigned long long)il->id,
		 (unsigned long long)(il->address & KSM_PAGE_MASK));
	dot_set(d, n, DA_N_LABEL, l.s);
	dot_set(d, n, DA_N_SHAPE, "box");
	dot_set(d, n, DA_N_STYLE, "rounded,filled");
	dot_set(d, n, DA_N_FILLCOLOR, i0->address & STABLE_FLAG ? "lightyellow" : "gray90");
	dl_free(&l);
	for (size_t i = first; i <= last; i += r->period)
		dot_alias_set(d, x->v[i], n);
	return n;
}

Agnode_t *dot_draw_items(struct dot *d, Agraph_t *g, struct ksm_rmap_item **v, size_t n,
			 Agnode_t *prev, const char *style, const char *color,
			 const char *fill)
{
	struct item_run_ctx x = { .d = d, .v = v };
	struct dot_run *runs = xmalloc(sizeof(*runs) * (n + 1));
	size_t nruns = dot_runs(n, d->fold, item_same, &x, runs);

	for (size_t r = 0; r < nruns; r++) {
		for (unsigned p = 0; p < runs[r].period; p++) {
			Agnode_t *in;

			if (runs[r].len == 1) {
				in = dot_rmap_item(d, g, v[runs[r].start]);
				if (in && fill)
					dot_set(d, in, DA_N_FILLCOLOR, fill);
			} else {
				in = item_fold(d, g, &x, &runs[r], p);
			}
			if (!in)
				continue; /* counted by the budget */
			dot_edge(d, g, prev, in, NULL, style, color);
			prev = in;
		}
	}
	free(runs);
	return prev;
}
