// SPDX-License-Identifier: MIT
/*
 * DOC: The graph of a Graphviz picture: attributes, nodes, edges, notes
 *
 * Every attribute is declared once, in enum dot_attr's order, so the DOT
 * text is stable, and set through the library (agattr() symbols and
 * agxset()), so quoting in the DOT text is cgraph's job.  Only API present
 * in both Graphviz 2.42/2.43 (Debian 12) and 14.x (Homebrew) is used;
 * where the two declare a parameter `char *` and `const char *`
 * respectively, a writable or literal string is passed, which both accept.
 *
 * Also here: the node budget and its "N more not drawn" note, notes and
 * placeholders (which do not count against the budget), and the marks
 * every picture puts on a node (red-black colour, "not what it should
 * be").
 */
#include <stdio.h>
#include <string.h>

#include "report/dot_internal.h"

struct attr_decl {
	int kind;
	const char *name;
	const char *def;
};

static const struct attr_decl attr_decls[DA__COUNT] = {
	[DA_G_LABEL] = { AGRAPH, "label", "" },
	[DA_G_LABELLOC] = { AGRAPH, "labelloc", "t" },
	[DA_G_STYLE] = { AGRAPH, "style", "" },
	[DA_G_COLOR] = { AGRAPH, "color", "black" },
	[DA_G_FONTNAME] = { AGRAPH, "fontname", "monospace" },
	[DA_G_FONTSIZE] = { AGRAPH, "fontsize", "12" },
	[DA_G_RANKDIR] = { AGRAPH, "rankdir", "TB" },
	[DA_G_NODESEP] = { AGRAPH, "nodesep", "0.2" },
	[DA_G_RANKSEP] = { AGRAPH, "ranksep", "0.3" },
	[DA_N_LABEL] = { AGNODE, "label", "" },
	[DA_N_SHAPE] = { AGNODE, "shape", "box" },
	[DA_N_STYLE] = { AGNODE, "style", "" },
	[DA_N_FILLCOLOR] = { AGNODE, "fillcolor", "white" },
	[DA_N_COLOR] = { AGNODE, "color", "black" },
	[DA_N_FONTCOLOR] = { AGNODE, "fontcolor", "black" },
	[DA_N_PENWIDTH] = { AGNODE, "penwidth", "1" },
	[DA_N_FONTNAME] = { AGNODE, "fontname", "monospace" },
	[DA_N_FONTSIZE] = { AGNODE, "fontsize", "10" },
	[DA_N_WIDTH] = { AGNODE, "width", "0.3" },
	[DA_N_HEIGHT] = { AGNODE, "height", "0.2" },
	[DA_N_MARGIN] = { AGNODE, "margin", "0.08,0.04" },
	[DA_N_ORDERING] = { AGNODE, "ordering", "" },
	[DA_N_PERIPHERIES] = { AGNODE, "peripheries", "1" },
	[DA_E_LABEL] = { AGEDGE, "label", "" },
	[DA_E_STYLE] = { AGEDGE, "style", "" },
	[DA_E_COLOR] = { AGEDGE, "color", "black" },
	[DA_E_FONTCOLOR] = { AGEDGE, "fontcolor", "gray30" },
	[DA_E_ARROWHEAD] = { AGEDGE, "arrowhead", "normal" },
	[DA_E_FONTNAME] = { AGEDGE, "fontname", "monospace" },
	[DA_E_FONTSIZE] = { AGEDGE, "fontsize", "9" },
	[DA_E_WEIGHT] = { AGEDGE, "weight", "1" },
	[DA_E_CONSTRAINT] = { AGEDGE, "constraint", "true" },
	[DA_E_PENWIDTH] = { AGEDGE, "penwidth", "1" },
};

/*
 * cgraph 2.43 takes `char *` where 14.x takes `const char *`; the strings
 * are never written through, so casting away const is safe for both.
 */
static char *cs(const char *s)
{
	return (char *)s;
}

void dot_set(struct dot *d, void *obj, enum dot_attr a, const char *value)
{
	agxset(obj, d->sym[a], cs(value));
}

void dot_open(struct dot *d, struct ksm_sim *sim, const struct dot_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->sim = sim;
	d->limit = opts && opts->limit ? opts->limit : DOT_DEFAULT_LIMIT;
	d->fold = opts && opts->fold ? opts->fold : DOT_DEFAULT_FOLD;
	if (d->fold == DOT_FOLD_NEVER)
		d->fold = 0;
	if (opts && opts->range_hi) {
		d->range_lo = opts->range_lo;
		d->range_hi = opts->range_hi;
	}
	d->g = dot_agopen("ksmsim");
	for (int i = 0; i < DA__COUNT; i++)
		d->sym[i] = agattr(d->g, attr_decls[i].kind, cs(attr_decls[i].name),
				   cs(attr_decls[i].def));
	dl_reset(&d->lb);
}

void dot_close(struct dot *d)
{
	if (d->g)
		agclose(d->g);
	dl_free(&d->lb);
	dot_alias_free(d);
	d->g = NULL;
}

Agraph_t *dot_cluster(struct dot *d, Agraph_t *parent, const char *name,
		      const char *heading)
{
	char full[128];
	Agraph_t *sub;

	snprintf(full, sizeof(full), "cluster_%s", name);
	sub = agsubg(parent, full, 1);
	dl_reset(&d->lb);
	dl_printf(&d->lb, "%s", heading);
	dot_set(d, sub, DA_G_LABEL, d->lb.s);
	dot_set(d, sub, DA_G_STYLE, "rounded");
	dot_set(d, sub, DA_G_COLOR, "gray50");
	return sub;
}

/* The scan cursor, as a heading line. */
static void cursor_line(struct dot *d, struct dot_label *l)
{
	struct ksm_state *ksm = d->sim->ksm;

	if (!ksm->scan_slot) {
		dl_line(l, "full_scans %lu, cursor between rounds", ksm->seqnr);
		return;
	}
	dl_line(l, "full_scans %lu, cursor in round %lu at %s 0x%llx", ksm->seqnr,
		ksm->seqnr + 1, dot_owner(ksm->scan_slot->mm),
		(unsigned long long)ksm->scan_address);
}

void dot_heading(struct dot *d, const char *first, const char *title)
{
	struct ksm_state *ksm = d->sim->ksm;
	struct dot_label l = { 0 };

	dl_reset(&l);
	dl_line(&l, "%s", first);
	dl_line(&l, "kernel %s, layout %s, max_page_sharing %lu",
		ksm_kernel_name(ksm->kernel), ksm_layout_name(ksm->layout),
		ksm->knobs.max_page_sharing);
	cursor_line(d, &l);
	if (title && title[0])
		dl_line(&l, "%s", title);
	dot_set(d, d->g, DA_G_LABEL, l.s);
	dl_free(&l);
}

Agnode_t *dot_node(struct dot *d, Agraph_t *g, const char *name)
{
	Agnode_t *n = agnode(d->g, cs(name), 0);

	return n ? n : agnode(g, cs(name), 1);
}

Agedge_t *dot_edge(struct dot *d, Agraph_t *g, Agnode_t *t, Agnode_t *h,
		   const char *label, const char *style, const char *color)
{
	Agedge_t *e;

	if (!t || !h)
		return NULL;
	/*
	 * In @g when both ends are in it, so that the cluster's layout (and
	 * ordering=out) sees it; otherwise in the root graph, since an edge
	 * made in a cluster would pull its other end into the cluster.
	 */
	if (!agsubnode(g, t, 0) || !agsubnode(g, h, 0))
		g = d->g;
	e = agedge(g, t, h, NULL, 1);
	if (label) {
		dl_reset(&d->lb);
		dl_printf(&d->lb, "%s", label);
		dot_set(d, e, DA_E_LABEL, d->lb.s);
	}
	if (style)
		dot_set(d, e, DA_E_STYLE, style);
	if (color)
		dot_set(d, e, DA_E_COLOR, color);
	return e;
}

Agnode_t *dot_aux_node(struct dot *d, Agraph_t *g, const char *kind)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%u", kind, ++d->nnotes);
	return dot_node(d, g, name);
}

Agnode_t *dot_note(struct dot *d, Agraph_t *g, const char *text)
{
	Agnode_t *n = dot_aux_node(d, g, "note");

	dl_reset(&d->lb);
	dl_lines(&d->lb, text);
	dot_set(d, n, DA_N_LABEL, d->lb.s);
	dot_set(d, n, DA_N_SHAPE, "note");
	dot_set(d, n, DA_N_STYLE, "filled");
	dot_set(d, n, DA_N_FILLCOLOR, "lightyellow");
	return n;
}

bool dot_budget(struct dot *d, enum dot_kind kind)
{
	if (d->drawn < d->limit) {
		d->drawn++;
		return true;
	}
	d->skipped[kind]++;
	return false;
}

static const char *const kind_names[DOTK__COUNT][2] = {
	[DOTK_STABLE] = { "stable node", "stable nodes" },
	[DOTK_ITEM] = { "rmap_item", "rmap_items" },
	[DOTK_VMA] = { "VMA", "VMAs" },
	[DOTK_ANON_VMA] = { "anon_vma", "anon_vmas" },
	[DOTK_AVC] = { "anon_vma_chain", "anon_vma_chains" },
	[DOTK_MM] = { "process", "processes" },
};

const char *dot_kind_name(enum dot_kind kind, bool plural)
{
	return kind_names[kind][plural];
}

void dot_more(struct dot *d, Agraph_t *g)
{
	unsigned long total = 0;
	struct dot_label l = { 0 };
	Agnode_t *n;

	for (int k = 0; k < DOTK__COUNT; k++)
		total += d->skipped[k];
	if (!total)
		return;
	dl_reset(&l);
	dl_line(&l, "%lu more not drawn", total);
	dl_line(&l, "(limit %u nodes)", d->limit);
	for (int k = 0; k < DOTK__COUNT; k++)
		if (d->skipped[k])
			dl_line(&l, "%lu %s", d->skipped[k],
				dot_kind_name(k, d->skipped[k] != 1));
	n = dot_aux_node(d, g, "more");
	dot_set(d, n, DA_N_LABEL, l.s);
	dot_set(d, n, DA_N_SHAPE, "note");
	dot_set(d, n, DA_N_STYLE, "filled");
	dot_set(d, n, DA_N_FILLCOLOR, "orange");
	dl_free(&l);
}

/* A line added to a node's label, centred if the label's lines are. */
static void rb_label(struct dot *d, Agnode_t *node, const char *text)
{
	const char *old = agxget(node, d->sym[DA_N_LABEL]);
	size_t n = strlen(old);

	if (n >= 2 && !strcmp(old + n - 2, "\\n")) {
		dl_reset(&d->lb);
		dl_raw(&d->lb, old);
		dl_line(&d->lb, "%s", text);
		dot_set(d, node, DA_N_LABEL, d->lb.s);
	} else {
		dot_label_add(d, node, text);
	}
}

/*
 * A tree node's colour is said in words and a grey shade, never with a
 * red hue or a border: red and green borders, thick and dashed, are what
 * the rmap picture marks divergence with, and orange dashed borders mark
 * what is not as it should be.  The two must not be confused.
 */
void dot_rb_colour(struct dot *d, Agnode_t *node, bool red)
{
	d->uses |= DOT_USES_RB;
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, red ? "white" : "gray80");
	rb_label(d, node, red ? "rb: red" : "rb: black");
}

void dot_label_add(struct dot *d, Agnode_t *node, const char *text)
{
	const char *old = agxget(node, d->sym[DA_N_LABEL]);

	dl_reset(&d->lb);
	dl_raw(&d->lb, old);
	dl_linel(&d->lb, "%s", text);
	dot_set(d, node, DA_N_LABEL, d->lb.s);
}

void dot_mark(struct dot *d, Agnode_t *node)
{
	d->uses |= DOT_USES_MARK;
	dot_set(d, node, DA_N_STYLE, "filled,dashed");
	dot_set(d, node, DA_N_COLOR, "orange");
	dot_set(d, node, DA_N_PENWIDTH, "3");
}
