// SPDX-License-Identifier: MIT
/*
 * DOC: Picture of the unstable tree (dot unstable)
 *
 * The unstable tree is a red-black tree of rmap_items ordered by the
 * content their address maps *now*.  Each node is drawn as its rmap_item
 * (process, address, seqnr bits of the round that inserted it, the
 * content it maps now), filled with its red-black colour.  Because the
 * pages are not write protected, the order can break under the tree: a
 * node whose content no longer fits between its in-order neighbours, one
 * that maps no mergeable page any more (a search reaching it gives up),
 * or — which the invariants rule out — one from an earlier round, is
 * marked with an orange dashed border and a line saying why.
 *
 * The tree exists only while the scan cursor is inside a round.  At the
 * round's end it is abandoned as it is, and the next round start
 * discards it; meanwhile its items may have been freed, so between
 * rounds (sim->ksm->scan_slot == NULL) it is never walked: a note says
 * so instead.
 *
 * Items still flagged unstable by an earlier round are not in the tree
 * (it was discarded under them) but still count in pages_unshared until
 * the scan reaches them: they are stale, and are drawn apart, grey, one
 * column per process in rmap_list order.  These are read from the
 * mm_slots' lists, which are always valid.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

static void *item_left(void *n)
{
	return RB_LEFT((struct ksm_rmap_item *)n, node);
}

static void *item_right(void *n)
{
	return RB_RIGHT((struct ksm_rmap_item *)n, node);
}

static bool item_wanted(struct dot *d, void *n)
{
	return dot_item_wanted(d, n);
}

static void item_key(struct dot *d, void *n, char *buf, size_t len)
{
	struct folio *f = dot_item_folio(d->sim, n);

	if (f)
		snprintf(buf, len, "content %llu", (unsigned long long)f->content);
	else
		snprintf(buf, len, "an item mapping no page");
}

static const char *item_owner(void *n)
{
	return dot_owner(((struct ksm_rmap_item *)n)->mm);
}

/*
 * Whether a search for @it's content would reach @it: every ancestor on
 * its path must send that content the way the path goes.  Pages are not
 * write protected, so a content that changed after insertion may not.
 * Ancestors that map no mergeable page (a search gives up there) are
 * skipped: they say nothing about the order.
 */
static bool in_order(struct dot *d, struct ksm_rmap_item *it, uint64_t content)
{
	for (struct ksm_rmap_item *c = it, *p; (p = RB_PARENT(c, node)); c = p) {
		struct folio *pf = dot_item_folio(d->sim, p);

		if (!pf)
			continue;
		if (RB_LEFT(p, node) == c ? content >= pf->content :
					    content <= pf->content)
			return false;
	}
	return true;
}

static bool this_round(struct dot *d, struct ksm_rmap_item *it)
{
	return (it->address & UNSTABLE_FLAG) &&
	       (it->address & SEQNR_MASK) == (d->sim->ksm->seqnr & SEQNR_MASK);
}

static Agnode_t *draw_tree_item(struct dot *d, Agraph_t *g, void *p)
{
	struct ksm_rmap_item *it = p;
	struct folio *f = dot_item_folio(d->sim, it);
	Agnode_t *node = dot_rmap_item(d, g, it);

	if (!node)
		return NULL;
	dot_rb_colour(d, node, RB_COLOR(it, node) == RB_RED);
	if (!this_round(d, it)) {
		dot_label_add(d, node, "STALE: not this round's item");
		dot_mark(d, node);
	}
	if (!f) {
		dot_label_add(d, node, "a search gives up here");
		dot_mark(d, node);
	} else if (!in_order(d, it, f->content)) {
		dot_label_add(d, node, "OUT OF ORDER: a search for its");
		dot_label_add(d, node, "content would not come here");
		dot_mark(d, node);
	}
	return node;
}

/* Unstable items not in the tree: an earlier round's, one column per mm,
 * runs of alike items folded. */
static unsigned long draw_stale(struct dot *d, Agraph_t *g, bool between)
{
	struct ksm_state *ksm = d->sim->ksm;
	struct ksm_mm_slot *slot;
	struct ksm_rmap_item **v = NULL;
	size_t cap = 0;
	unsigned long n = 0;
	Agraph_t *sub = NULL;

	TAILQ_FOREACH(slot, &ksm->ksm_mm_head, mm_node) {
		size_t cnt = 0;

		for (struct ksm_rmap_item *it = slot->rmap_list; it; it = it->rmap_list) {
			if (!(it->address & UNSTABLE_FLAG) || (!between && this_round(d, it)) ||
			    !dot_item_wanted(d, it))
				continue;
			if (cnt == cap)
				v = xrealloc(v, sizeof(*v) * (cap = cap ? 2 * cap : 64));
			v[cnt++] = it;
		}
		if (!cnt)
			continue;
		n += cnt;
		if (!sub)
			sub = dot_cluster(d, g, "unstable_stale", between ?
					  "unstable items of the finished round (the tree is not drawn)" :
					  "stale: unstable items of the last round, not in the tree");
		dot_draw_items(d, sub, v, cnt, NULL, "dotted", "gray60", "gray90");
	}
	free(v);
	return n;
}

void dot_draw_unstable(struct dot *d, Agraph_t *g)
{
	struct ksm_state *ksm = d->sim->ksm;
	struct dot_tree t = {
		.left = item_left,
		.right = item_right,
		.draw = draw_tree_item,
		.wanted = d->focus_mm || d->range_hi ? item_wanted : NULL,
		.what = "rmap_items",
		.kind = DOTK_ITEM,
		.key = item_key,
		.owner = item_owner,
	};
	unsigned long in_tree = 0;
	char text[256];

	if (!ksm->scan_slot) {
		snprintf(text, sizeof(text),
			 "between rounds: the unstable tree is dead\n"
			 "(the next round start discards it; its items may be freed)\n"
			 "pages_unshared %ld", ksm->ksm_pages_unshared);
		dot_note(d, g, text);
		draw_stale(d, g, true);
		return;
	}
	for (struct ksm_rmap_item *it = ksm_unstable_first(ksm); it;
	     it = ksm_unstable_next(it))
		in_tree++;
	snprintf(text, sizeof(text),
		 "pages_unshared %ld\n%lu in the tree (round %lu, seqnr bits %lu)",
		 ksm->ksm_pages_unshared, in_tree, ksm->seqnr + 1,
		 (unsigned long)(ksm->seqnr & SEQNR_MASK));
	if (!in_tree)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "\nthe unstable tree is empty");
	dot_note(d, g, text);
	t.root = RB_ROOT(&ksm->root_unstable_tree);
	dot_tree(d, g, &t);
	draw_stale(d, g, false);
}
