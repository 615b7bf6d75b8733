// SPDX-License-Identifier: MIT
/*
 * DOC: Picture of the stable tree (dot stable)
 *
 * The tree is drawn as the red-black tree it is: each entry filled with
 * its colour (red or black, read from its rb entry), left child to the
 * left, right child to the right, an invisible stand-in where a child is
 * missing.  An entry is a regular node (ellipse: one KSM page) or a chain
 * (hexagon: one content spread over several KSM pages); a chain's dups
 * hang off it on dashed edges, grey because a dup is on its chain's list
 * and not in the tree.  Under each KSM page hangs the list of its
 * rmap_items, newest first as on the node's hlist, each with its process,
 * address and the overlay bytes as they read now.
 *
 * A node whose page was freed is stale (ksm_get_folio() would remove it
 * when it next probes it): it keeps its place in the tree, with an
 * orange dashed border and "STALE" where the content would be.
 *
 * The focus keeps the entries with an rmap_item of the focused process
 * (or the focused KSM page) and the path from the root to them; the
 * subtrees left out become "k nodes hidden".
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

static void *stable_left(void *n)
{
	return RB_LEFT((struct ksm_stable_node *)n, node);
}

static void *stable_right(void *n)
{
	return RB_RIGHT((struct ksm_stable_node *)n, node);
}

/* Whether a KSM page (regular node or dup) matters under the focus. */
static bool page_wanted(struct dot *d, struct ksm_stable_node *n)
{
	struct ksm_rmap_item *it;

	if (d->focus_node && n != d->focus_node)
		return false;
	if (!d->focus_mm && !d->range_hi)
		return true;
	LIST_FOREACH(it, &n->hlist, hlist)
		if (dot_item_wanted(d, it))
			return true;
	return false;
}

/* The KSM page asked about is drawn however deep it is. */
static bool entry_pinned(struct dot *d, void *p)
{
	struct ksm_stable_node *n = p, *dup;

	if (n == d->focus_node)
		return true;
	if (n->kind == KSM_NODE_CHAIN)
		LIST_FOREACH(dup, &n->dups, hlist_dup)
			if (dup == d->focus_node)
				return true;
	return false;
}

static bool entry_wanted(struct dot *d, void *p)
{
	struct ksm_stable_node *n = p, *dup;

	if (n->kind != KSM_NODE_CHAIN)
		return page_wanted(d, n);
	LIST_FOREACH(dup, &n->dups, hlist_dup)
		if (page_wanted(d, dup))
			return true;
	return false;
}

/* The items a node that is not drawn takes with it, for the budget note. */
static void skip_items(struct dot *d, struct ksm_stable_node *n)
{
	struct ksm_rmap_item *it;

	LIST_FOREACH(it, &n->hlist, hlist)
		if (dot_item_wanted(d, it))
			d->skipped[DOTK_ITEM]++;
}

static Agnode_t *draw_entry(struct dot *d, Agraph_t *g, void *p)
{
	struct ksm_stable_node *n = p, *dup;
	Agnode_t *node = dot_stable_node(d, g, n);

	if (node)
		return node;
	/* Left out for the budget: so is everything hanging off it. */
	if (n->kind != KSM_NODE_CHAIN) {
		skip_items(d, n);
		return NULL;
	}
	LIST_FOREACH(dup, &n->dups, hlist_dup) {
		if (!page_wanted(d, dup))
			continue;
		d->skipped[DOTK_STABLE]++;
		skip_items(d, dup);
	}
	return NULL;
}

/* The rmap_items of a KSM page, as a list below it, runs folded. */
static void draw_items(struct dot *d, Agraph_t *g, struct ksm_stable_node *n,
		       Agnode_t *page)
{
	struct ksm_rmap_item *it, **v;
	size_t cnt = 0;

	LIST_FOREACH(it, &n->hlist, hlist)
		cnt++;
	v = xmalloc(sizeof(*v) * (cnt + 1));
	cnt = 0;
	LIST_FOREACH(it, &n->hlist, hlist)
		if (dot_item_wanted(d, it))
			v[cnt++] = it;
	dot_draw_items(d, g, v, cnt, page, NULL, "gray40", NULL);
	free(v);
}

static void hang_entry(struct dot *d, Agraph_t *g, void *p, Agnode_t *node)
{
	struct ksm_stable_node *n = p, *dup;
	unsigned i = 0;

	if (n->kind != KSM_NODE_CHAIN) {
		draw_items(d, g, n, node);
		return;
	}
	LIST_FOREACH(dup, &n->dups, hlist_dup) {
		char label[32];
		Agnode_t *dn;

		i++;
		if (!page_wanted(d, dup))
			continue;
		dn = dot_stable_node(d, g, dup);
		if (!dn) {
			skip_items(d, dup);
			continue;
		}
		/* The list order is the preference order of stable_node_dup(). */
		snprintf(label, sizeof(label), "dup %u", i);
		dot_edge(d, g, node, dn, label, "dashed", "gray30");
		draw_items(d, g, dup, dn);
	}
}

/* A folded subtree's keys: the contents its KSM pages hold. */
static void stable_key(struct dot *d, void *p, char *buf, size_t len)
{
	struct ksm_stable_node *n = p, *dup;
	struct folio *f = NULL;

	if (n->kind == KSM_NODE_CHAIN) {
		LIST_FOREACH(dup, &n->dups, hlist_dup)
			if ((f = dot_node_folio(d->sim, dup)))
				break;
	} else {
		f = dot_node_folio(d->sim, n);
	}
	if (f)
		snprintf(buf, len, "content %llu", (unsigned long long)f->content);
	else
		snprintf(buf, len, "a stale node");
}

void dot_draw_stable(struct dot *d, Agraph_t *g)
{
	struct ksm_state *ksm = d->sim->ksm;
	struct dot_tree t = {
		.root = RB_ROOT(&ksm->root_stable_tree),
		.left = stable_left,
		.right = stable_right,
		.draw = draw_entry,
		.wanted = d->focus_mm || d->focus_node || d->range_hi ? entry_wanted : NULL,
		.hang = hang_entry,
		.what = "stable tree entries",
		.kind = DOTK_STABLE,
		.key = stable_key,
		.pinned = d->focus_node ? entry_pinned : NULL,
	};
	char text[160];

	snprintf(text, sizeof(text),
		 "pages_shared %ld, pages_sharing %ld\nchains %ld, dups %ld",
		 ksm->ksm_pages_shared, ksm->ksm_pages_sharing,
		 ksm->ksm_stable_node_chains, ksm->ksm_stable_node_dups);
	if (!t.root)
		snprintf(text, sizeof(text), "the stable tree is empty");
	dot_note(d, g, text);
	dot_tree(d, g, &t);
}
