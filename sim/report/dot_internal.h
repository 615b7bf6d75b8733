/* SPDX-License-Identifier: MIT */
/*
 * DOC: Shared machinery of the Graphviz pictures (sim/report/dot_*.c)
 *
 * One struct dot per picture: the cgraph graph being built, the node
 * budget, the focus, and a label buffer.  Each picture is one function
 * (dot_stable.c, dot_unstable.c, dot_anon_vma.c, dot_mm.c, dot_all.c)
 * that draws into a graph or a cluster of it; dot_all.c composes the
 * others.  The pieces every picture shares live in dot_common.c:
 *
 *  - one function per kind of object (stable node, rmap_item, VMA,
 *    anon_vma, anon_vma_chain) that draws it with its standard label and
 *    node name, or finds it if another picture of the same graph already
 *    drew it — so a later picture (the rmap walk) can point at the same
 *    nodes by calling the same functions;
 *  - a breadth-first drawer of red-black trees for any node type, which
 *    keeps left and right apart, shows colours, hides the subtrees the
 *    focus does not need and stops at the node budget;
 *  - notes, the "N more not drawn" node, the escString label builder,
 *    and writing or rendering the result.
 *
 * Node names are "<kind>_<object id>" (stable_12, item_40, vma_7,
 * av_3, avc_7_3 for the chain of VMA 7 in anon_vma 3, mm_2): ids are
 * handed out in creation order, so names are the same on every run.
 *
 * A new picture — the rmap walk of `dot rmap P ADDR` is the one missing —
 * is a dot_rmap.c drawing with these pieces: dot_stable_node() for the
 * page's node, dot_rmap_item() for its items, dot_anon_vma() and
 * dot_avc() for the anon_vmas and chains a walk visits (set
 * d->vma_parent so that dot_vma(d, dot_vma_home(d, g, vma), vma) puts
 * each VMA in its process's cluster), dot_mark() or dot_set() to mark
 * what each strategy visited and found, dot_label_add() for the page-table
 * entries; then a case in sim_dot() (dot_common.c) instead of the error.
 */
#ifndef KSMSIM_REPORT_DOT_INTERNAL_H
#define KSMSIM_REPORT_DOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cgraph.h>

#include "ksm/ksm_state.h"
#include "ksmsim/dot.h"
#include "mm/internal.h"

/* Kinds of structure nodes, for the budget's "not drawn" note. */
enum dot_kind {
	DOTK_STABLE,   /* stable nodes: regular, chains, dups */
	DOTK_ITEM,     /* rmap_items                          */
	DOTK_VMA,
	DOTK_ANON_VMA,
	DOTK_AVC,      /* anon_vma_chains                     */
	DOTK_MM,       /* processes                           */
	DOTK__COUNT
};

/* Attributes, declared once in this order so the DOT text is stable. */
enum dot_attr {
	/* graph (and cluster) attributes */
	DA_G_LABEL, DA_G_LABELLOC, DA_G_STYLE, DA_G_COLOR, DA_G_FONTNAME,
	DA_G_FONTSIZE, DA_G_RANKDIR, DA_G_NODESEP, DA_G_RANKSEP,
	/* node attributes */
	DA_N_LABEL, DA_N_SHAPE, DA_N_STYLE, DA_N_FILLCOLOR, DA_N_COLOR,
	DA_N_FONTCOLOR, DA_N_PENWIDTH, DA_N_FONTNAME, DA_N_FONTSIZE,
	DA_N_WIDTH, DA_N_HEIGHT, DA_N_MARGIN, DA_N_ORDERING,
	/* edge attributes */
	DA_E_LABEL, DA_E_STYLE, DA_E_COLOR, DA_E_FONTCOLOR, DA_E_ARROWHEAD,
	DA_E_FONTNAME, DA_E_FONTSIZE, DA_E_WEIGHT, DA_E_CONSTRAINT,
	DA__COUNT
};

/* A label being built: escaped text and the escapes that end lines. */
struct dot_label {
	char *s;
	size_t len, cap;
};

struct dot {
	struct ksm_sim *sim;
	Agraph_t *g;                 /* the whole picture                 */
	Agsym_t *sym[DA__COUNT];
	unsigned limit;              /* structure nodes at most           */
	unsigned drawn;              /* structure nodes so far            */
	unsigned long skipped[DOTK__COUNT]; /* left out for the limit     */
	struct mm_struct *focus_mm;  /* only this process, or NULL        */
	struct ksm_stable_node *focus_node; /* only this KSM page, or NULL */
	/* Where the VMAs a picture points at (chains, rmap walks) are
	 * drawn if no earlier part of the picture drew them: a cluster per
	 * process in this graph, or, if NULL, next to what points at them. */
	Agraph_t *vma_parent;
	unsigned nnotes;             /* names notes and placeholders      */
	struct dot_label lb;         /* scratch label of the node at hand */
};

/* ---- graphs with ids in creation order (dot_iddisc.c) ---- */
/* A directed graph whose DOT text depends only on what was put in it. */
Agraph_t *dot_agopen(const char *name);
/* agread() with the same ids: subgraphs stay in the order read. */
Agraph_t *dot_agread(FILE *f);

/* ---- labels ---- */
void dl_reset(struct dot_label *l);
/* Formatted text, escaped. */
void dl_printf(struct dot_label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Formatted text, escaped, then a line end: centred (\n) or left (\l). */
void dl_line(struct dot_label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dl_linel(struct dot_label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dl_free(struct dot_label *l);

/* ---- the graph ---- */
/* A cluster "cluster_<name>" of @parent with a heading. */
Agraph_t *dot_cluster(struct dot *d, Agraph_t *parent, const char *name,
		      const char *heading);
/* Set attribute @a of @obj (graph, node or edge). */
void dot_set(struct dot *d, void *obj, enum dot_attr a, const char *value);
/* The graph's heading: a first line, the machine, opts->title. */
void dot_heading(struct dot *d, const char *first, const char *title);
/*
 * dot_node() - the node @name, found anywhere in the picture, or created
 * in @g.  Clusters must not share nodes, so an object drawn by an earlier
 * part of the picture is reused where it is.
 */
Agnode_t *dot_node(struct dot *d, Agraph_t *g, const char *name);
/* An edge, in @g if both ends are in it; nothing if either end was not
 * drawn.  @label, @style, @color may be NULL. */
Agedge_t *dot_edge(struct dot *d, Agraph_t *g, Agnode_t *t, Agnode_t *h,
		   const char *label, const char *style, const char *color);
/* A note (not a structure node: it does not count against the limit);
 * each line of @text ('\n' separated) is centred. */
Agnode_t *dot_note(struct dot *d, Agraph_t *g, const char *text);
/*
 * dot_budget() - may one more structure node of @kind be drawn?  If not,
 * it is counted as left out.
 */
bool dot_budget(struct dot *d, enum dot_kind kind);
/* The "N more not drawn" note, if anything was left out. */
void dot_more(struct dot *d, Agraph_t *g);

/* ---- objects, each with its standard node ---- */
/*
 * Each returns the object's node — drawn now in @g, or found if drawn
 * already — or NULL when the budget stopped it.
 */
Agnode_t *dot_stable_node(struct dot *d, Agraph_t *g, struct ksm_stable_node *n);
Agnode_t *dot_rmap_item(struct dot *d, Agraph_t *g, struct ksm_rmap_item *it);
Agnode_t *dot_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma);
Agnode_t *dot_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av);
Agnode_t *dot_avc(struct dot *d, Agraph_t *g, struct anon_vma_chain *avc);
/* The graph a VMA pointed at from @g belongs in (see vma_parent). */
Agraph_t *dot_vma_home(struct dot *d, Agraph_t *g, struct vm_area_struct *vma);

/* Add a left-justified line to a drawn node's label. */
void dot_label_add(struct dot *d, Agnode_t *node, const char *text);
/* Mark a node as not what it should be (stale, out of order): dashed
 * orange border; its label says why. */
void dot_mark(struct dot *d, Agnode_t *node);

/* The page of a regular node or dup if it is still its page, else NULL
 * (the node is stale) — ksm_get_folio() without the removal. */
struct folio *dot_node_folio(struct ksm_sim *sim, struct ksm_stable_node *n);
/* The anonymous page @it's address maps now, or NULL. */
struct folio *dot_item_folio(struct ksm_sim *sim, struct ksm_rmap_item *it);
/* The name of the process an mm belongs (or, exited, belonged) to. */
const char *dot_owner(const struct mm_struct *mm);

/* ---- red-black trees ---- */
struct dot_tree {
	void *root;
	void *(*left)(void *n);
	void *(*right)(void *n);
	/* Draw the node of @n; NULL if the budget stopped it (then count
	 * what would have hung off it as left out too). */
	Agnode_t *(*draw)(struct dot *d, Agraph_t *g, void *n);
	/* Whether @n itself matters under the focus; NULL: every node does.
	 * Nodes that do not matter are drawn only on the way to one that
	 * does; other subtrees become a "k hidden" placeholder. */
	bool (*wanted)(struct dot *d, void *n);
	/* Draw what hangs off a drawn tree node that is wanted (after its
	 * tree edges, so that those come first among its out-edges); may be
	 * NULL. */
	void (*hang)(struct dot *d, Agraph_t *g, void *n, Agnode_t *node);
};

/* Draw a tree breadth first (the top survives the budget); the number
 * of tree nodes drawn. */
size_t dot_tree(struct dot *d, Agraph_t *g, const struct dot_tree *t);

/* Colours of a red-black node. */
void dot_rb_colour(struct dot *d, Agnode_t *node, bool red);

/* ---- the pictures ---- */
void dot_draw_stable(struct dot *d, Agraph_t *g);
void dot_draw_unstable(struct dot *d, Agraph_t *g);
void dot_draw_anon_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma);
/* One anon_vma and its interval tree, in a cluster of @g. */
void dot_draw_one_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av);
void dot_draw_mm(struct dot *d, Agraph_t *g, struct task *task);
void dot_draw_all(struct dot *d);
/* The rmap walks of the KSM page @f (dot_rmap.c). */
void dot_draw_rmap(struct dot *d, Agraph_t *g, struct folio *f);

/* Whether the focus keeps @it: no process focus, or its process. */
bool dot_item_wanted(struct dot *d, struct ksm_rmap_item *it);

#endif /* KSMSIM_REPORT_DOT_INTERNAL_H */
