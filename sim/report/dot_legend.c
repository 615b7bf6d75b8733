// SPDX-License-Identifier: MIT
/*
 * DOC: The legend of a picture
 *
 * Four visual languages share a picture and must not be confused: the
 * colour of a red-black tree node (a grey shade and the words "rb: red"
 * or "rb: black"), what is not as it should be (a thick orange dashed
 * border), what the rmap walks found (thick green border: every walk;
 * thick red dashed border: the full walk found it, the indexed walk did
 * not), and folds (a double border: one node for many alike objects).
 * Every picture that uses one gets a small cluster explaining it, with a
 * sample node drawn exactly as the real ones are; d->uses says which.
 */
#include "report/dot_internal.h"

static Agnode_t *sample(struct dot *d, Agraph_t *g, const char *text)
{
	char name[32];
	Agnode_t *n;

	snprintf(name, sizeof(name), "legend_%u", ++d->nnotes);
	n = dot_node(d, g, name);
	dl_reset(&d->lb);
	dl_lines(&d->lb, text);
	dot_set(d, n, DA_N_LABEL, d->lb.s);
	dot_set(d, n, DA_N_SHAPE, "box");
	return n;
}

void dot_legend(struct dot *d, Agraph_t *g)
{
	Agraph_t *sub;
	Agnode_t *n, *prev = NULL;

	if (!d->uses)
		return;
	sub = dot_cluster(d, g, "legend", "legend");
	/* One column: each sample below the previous one. */
#define NEXT(n) do { if (prev) dot_edge(d, sub, prev, n, NULL, "invis", NULL); prev = n; } while (0)
	if (d->uses & DOT_USES_RB) {
		n = sample(d, sub, "tree node, rb: black (grey)");
		dot_set(d, n, DA_N_STYLE, "filled");
		dot_set(d, n, DA_N_FILLCOLOR, "gray80");
		NEXT(n);
		n = sample(d, sub, "tree node, rb: red (white)");
		dot_set(d, n, DA_N_STYLE, "filled");
		dot_set(d, n, DA_N_FILLCOLOR, "white");
		NEXT(n);
	}
	if (d->uses & DOT_USES_MARK) {
		n = sample(d, sub, "not as it should be\n(stale, out of order)");
		dot_set(d, n, DA_N_STYLE, "filled,dashed");
		dot_set(d, n, DA_N_COLOR, "orange");
		dot_set(d, n, DA_N_PENWIDTH, "3");
		NEXT(n);
	}
	if (d->uses & DOT_USES_WALKS) {
		n = sample(d, sub, "found by every walk");
		dot_set(d, n, DA_N_COLOR, "darkgreen");
		dot_set(d, n, DA_N_PENWIDTH, "3");
		NEXT(n);
		n = sample(d, sub, "DIVERGENCE: found by the full walk,\nmissed by the indexed walk");
		dot_set(d, n, DA_N_STYLE, "dashed");
		dot_set(d, n, DA_N_COLOR, "red");
		dot_set(d, n, DA_N_PENWIDTH, "4");
		NEXT(n);
	}
	if (d->uses & DOT_USES_FOLD) {
		n = sample(d, sub, "folded: many alike objects,\nor a subtree below the depth drawn");
		dot_set(d, n, DA_N_PERIPHERIES, "2");
		NEXT(n);
	}
#undef NEXT
}
