// SPDX-License-Identifier: MIT
/*
 * DOC: Red-black trees in the Graphviz pictures
 *
 * dot_tree() draws any red-black tree (the stable and unstable trees, the
 * interval trees of anon_vma_chains) through the callbacks of struct
 * dot_tree.  It walks the tree breadth first, so that the top survives
 * the node budget, and works out for every node its subtree's size and
 * whether it matters under the focus before drawing anything.  Then:
 *
 *  - left and right stay apart: the tree edges of a node are created left
 *    first, with `ordering=out` on the node and an invisible stand-in for
 *    a missing child, so a right child is drawn to the right even when it
 *    has no sibling;
 *  - a subtree the focus does not need becomes a "k nodes hidden"
 *    placeholder, one the budget stopped a "...";
 *  - a tree of more than DOT_TREE_FULL nodes is drawn to depth
 *    DOT_TREE_DEPTH only (plus the paths to pinned nodes), and each
 *    subtree below that is one fold node that summarises it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

struct tree_entry {
	void *n;
	size_t parent;      /* index; SIZE_MAX for the root     */
	unsigned depth;     /* the root's is 0                   */
	bool wanted;        /* matters under the focus itself   */
	bool self;          /* drawn for itself, not as a path  */
	bool keep;          /* drawn (self, or above one)       */
	size_t size;        /* nodes in its subtree             */
	size_t nwanted;     /* wanted nodes in its subtree      */
	size_t kid[2];      /* left, right child index or SIZE_MAX */
	Agnode_t *node;
};

/*
 * A stand-in for a child that is not drawn: invisible for a missing one
 * (it keeps the sibling on its side), "k nodes hidden" for a subtree the
 * focus leaves out, "..." for one the budget left out.
 */
enum stand_in_kind { SI_NONE, SI_HIDDEN, SI_BUDGET };

static void stand_in(struct dot *d, Agraph_t *g, Agnode_t *parent,
		     enum stand_in_kind kind, size_t hidden)
{
	Agnode_t *n = dot_aux_node(d, g, kind == SI_NONE ? "nil" : "hidden");
	char text[64];

	if (kind == SI_NONE) {
		dot_set(d, n, DA_N_STYLE, "invis");
		dot_set(d, n, DA_N_SHAPE, "point");
		dot_edge(d, g, parent, n, NULL, "invis", NULL);
		return;
	}
	if (kind == SI_HIDDEN)
		snprintf(text, sizeof(text), "%zu node%s hidden", hidden,
			 hidden == 1 ? "" : "s");
	else
		snprintf(text, sizeof(text), "...");
	dl_reset(&d->lb);
	dl_printf(&d->lb, "%s", text);
	dot_set(d, n, DA_N_LABEL, d->lb.s);
	dot_set(d, n, DA_N_SHAPE, "plaintext");
	dot_set(d, n, DA_N_FONTCOLOR, "gray40");
	dot_edge(d, g, parent, n, NULL, "dotted", "gray60");
}

/* Processes of a folded subtree and how many of its nodes each has. */
#define FOLD_OWNERS 4

struct owner_tally {
	const char *name[FOLD_OWNERS];
	size_t count[FOLD_OWNERS];
	size_t others;
};

static void tally(struct owner_tally *o, const char *name)
{
	int i;

	if (!name)
		return;
	for (i = 0; i < FOLD_OWNERS && o->name[i]; i++) {
		if (!strcmp(o->name[i], name)) {
			o->count[i]++;
			return;
		}
	}
	if (i == FOLD_OWNERS) {
		o->others++;
		return;
	}
	o->name[i] = name;
	o->count[i] = 1;
}

/*
 * The subtree under entry @c, cut by a big tree's depth, as one node: how
 * many of its nodes the picture wanted, the keys it spans in order, and
 * whose they are.  Its nodes are not walked again: subtrees folded are
 * disjoint, so a tree costs O(n) however it is cut.
 */
static void fold_subtree(struct dot *d, Agraph_t *g, const struct dot_tree *t,
			 struct tree_entry *e, size_t c, Agnode_t *parent)
{
	struct owner_tally o = { 0 };
	size_t lo = c, hi = c, *stack, top = 0;
	struct dot_label l = { 0 };
	char k1[96] = "", k2[96] = "";
	Agnode_t *n;

	n = dot_fold_node(d, g, t->kind, e[c].nwanted);
	if (!n)
		return;
	d->uses |= DOT_USES_FOLD;
	while (e[lo].kid[0] != SIZE_MAX)
		lo = e[lo].kid[0];
	while (e[hi].kid[1] != SIZE_MAX)
		hi = e[hi].kid[1];
	stack = xmalloc(sizeof(*stack) * e[c].size);
	stack[top++] = c;
	while (top) {
		size_t i = stack[--top];

		if (t->owner && e[i].wanted)
			tally(&o, t->owner(e[i].n));
		for (int k = 0; k < 2; k++)
			if (e[i].kid[k] != SIZE_MAX)
				stack[top++] = e[i].kid[k];
	}
	free(stack);
	dl_reset(&l);
	dl_line(&l, "subtree of %zu %s", e[c].size, t->what ? t->what : "nodes");
	if (e[c].nwanted != e[c].size)
		dl_line(&l, "%zu of them wanted here", e[c].nwanted);
	if (t->key) {
		t->key(d, e[lo].n, k1, sizeof(k1));
		t->key(d, e[hi].n, k2, sizeof(k2));
		dl_line(&l, "in order %s", k1);
		dl_line(&l, "to %s", k2);
	}
	if (o.name[0]) {
		char line[160];
		size_t used = 0;

		for (int i = 0; i < FOLD_OWNERS && o.name[i]; i++)
			used += (size_t)snprintf(line + used, used < sizeof(line) ?
						 sizeof(line) - used : 0, "%s%s %zu",
						 i ? ", " : "", o.name[i], o.count[i]);
		if (o.others && used < sizeof(line))
			snprintf(line + used, sizeof(line) - used, ", others %zu", o.others);
		dl_line(&l, "%s", line);
	}
	dot_set(d, n, DA_N_LABEL, l.s);
	dot_set(d, n, DA_N_SHAPE, "box");
	dot_set(d, n, DA_N_STYLE, "rounded,dashed");
	dot_set(d, n, DA_N_COLOR, "gray40");
	dl_free(&l);
	dot_edge(d, g, parent, n, NULL, "dotted", "gray40");
}

size_t dot_tree(struct dot *d, Agraph_t *g, const struct dot_tree *t)
{
	struct tree_entry *e;
	size_t n = 0, cap = 64, drawn = 0;
	bool big;

	if (!t->root)
		return 0;
	/* Breadth-first order: a parent before its children. */
	e = xmalloc(sizeof(*e) * cap);
	e[n++] = (struct tree_entry){ .n = t->root, .parent = SIZE_MAX,
				      .kid = { SIZE_MAX, SIZE_MAX } };
	for (size_t i = 0; i < n; i++) {
		void *kids[2] = { t->left(e[i].n), t->right(e[i].n) };

		for (int k = 0; k < 2; k++) {
			if (!kids[k])
				continue;
			if (n == cap)
				e = xrealloc(e, sizeof(*e) * (cap *= 2));
			e[i].kid[k] = n;
			e[n++] = (struct tree_entry){ .n = kids[k], .parent = i,
						      .depth = e[i].depth + 1,
						      .kid = { SIZE_MAX, SIZE_MAX } };
		}
	}
	/*
	 * A big tree is drawn to a fixed depth: what Graphviz can lay out
	 * and a reader can take in.  Below it only what the picture is
	 * about (pinned) is drawn, with the path to it.
	 */
	big = d->fold && n > DOT_TREE_FULL;
	/* Children before parents: sizes, and what is drawn. */
	for (size_t i = n; i-- > 0;) {
		e[i].size++;
		e[i].wanted = !t->wanted || t->wanted(d, e[i].n);
		e[i].nwanted += e[i].wanted;
		e[i].self = (e[i].wanted && (!big || e[i].depth <= DOT_TREE_DEPTH)) ||
			    (t->pinned && t->pinned(d, e[i].n));
		e[i].keep |= e[i].self;
		if (e[i].parent != SIZE_MAX) {
			e[e[i].parent].size += e[i].size;
			e[e[i].parent].nwanted += e[i].nwanted;
			e[e[i].parent].keep |= e[i].keep;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!e[i].keep)
			continue;
		e[i].node = t->draw(d, g, e[i].n);
		if (e[i].node) {
			dot_set(d, e[i].node, DA_N_ORDERING, "out");
			drawn++;
		}
	}
	/* Edges, left before right, so that ordering=out keeps the sides. */
	for (size_t i = 0; i < n; i++) {
		bool any = false;

		if (!e[i].node)
			continue;
		for (int k = 0; k < 2; k++)
			any |= e[i].kid[k] != SIZE_MAX;
		for (int k = 0; k < 2 && any; k++) {
			size_t c = e[i].kid[k];

			if (c == SIZE_MAX)
				stand_in(d, g, e[i].node, SI_NONE, 0);
			else if (!e[c].keep && e[c].nwanted)
				fold_subtree(d, g, t, e, c, e[i].node);
			else if (!e[c].keep)
				stand_in(d, g, e[i].node, SI_HIDDEN, e[c].size);
			else if (!e[c].node)
				stand_in(d, g, e[i].node, SI_BUDGET, 0);
			else
				dot_edge(d, g, e[i].node, e[c].node, NULL, NULL, NULL);
		}
		/* A node only on the way to a wanted one brings nothing along. */
		if (t->hang && e[i].self)
			t->hang(d, g, e[i].n, e[i].node);
	}
	free(e);
	return drawn;
}
