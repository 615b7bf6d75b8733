/* SPDX-License-Identifier: MIT */
/*
 * DOC: Shared machinery of the Graphviz pictures (sim/report/dot*.c)
 *
 * One struct dot per picture: the cgraph graph being built, the node
 * budget, the focus, and a label buffer.  sim_dot() (dot.c) opens it,
 * applies the options (dot_opts.c), calls the function of the picture
 * asked for (dot_stable.c, dot_unstable.c, dot_anon_vma.c, dot_mm.c,
 * dot_rmap.c, dot_all.c — which composes the others), each of which
 * draws into a graph or a cluster of it, and writes the result
 * (dot_output.c).  The pieces every picture shares, one file per job:
 *
 *  - dot_label.c: escaping, and the escString label builder (dl_*());
 *  - dot_graph.c: attributes, nodes, edges, clusters, the heading, notes,
 *    the node budget and its "N more not drawn" note, marks;
 *  - dot_objects.c: one function per kind of object (stable node,
 *    rmap_item, VMA, anon_vma, anon_vma_chain) that draws it with its
 *    standard label and node name, or finds it if another picture of the
 *    same graph already drew it — so a later picture (the rmap walk) can
 *    point at the same nodes by calling the same functions;
 *  - dot_tree.c: a breadth-first drawer of red-black trees for any node
 *    type, which keeps left and right apart, shows colours, hides the
 *    subtrees the focus does not need and stops at the node budget;
 *  - dot_fold.c, dot_items.c: folding runs of alike objects, lists of
 *    rmap_items; dot_legend.c: the legend; dot_iddisc.c: cgraph ids in
 *    creation order.
 *
 * Node names are "<kind>_<object id>" (stable_12, item_40, vma_7,
 * av_3, avc_7_3 for the chain of VMA 7 in anon_vma 3, mm_2): ids are
 * handed out in creation order, so names are the same on every run.
 *
 * A new picture is drawn with these pieces, as dot_rmap.c draws the rmap
 * walks: dot_stable_node() for a KSM page's node, dot_draw_items() for
 * its items, dot_draw_one_anon_vma() for the anon_vmas and chains (set
 * d->vma_parent so that dot_vma(d, dot_vma_home(d, g, vma), vma) puts
 * each VMA in its process's cluster), dot_mark() or dot_set() to mark
 * what matters, dot_label_add() for more lines; then a case in sim_dot().
 *
 * Big structures (dot_fold.c): runs of alike objects are folded into one
 * node and big trees are cut at a depth; what the picture is about is
 * pinned (d->pin_vma, d->focus_node, d->avc_pinned) and never folded.
 * d->uses collects what the legend (dot_legend.c) must explain.
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
	DA_N_WIDTH, DA_N_HEIGHT, DA_N_MARGIN, DA_N_ORDERING, DA_N_PERIPHERIES,
	/* edge attributes */
	DA_E_LABEL, DA_E_STYLE, DA_E_COLOR, DA_E_FONTCOLOR, DA_E_ARROWHEAD,
	DA_E_FONTNAME, DA_E_FONTSIZE, DA_E_WEIGHT, DA_E_CONSTRAINT, DA_E_PENWIDTH,
	DA__COUNT
};

/* A label being built: escaped text and the escapes that end lines. */
struct dot_label {
	char *s;
	size_t len, cap;
};

/* Object -> the node of the fold it was drawn in (dot_fold.c). */
struct dot_alias {
	const void **key;
	Agnode_t **val;
	size_t n, cap;
};

/* What a picture used, for its legend. */
enum {
	DOT_USES_RB = 1u << 0,        /* red-black tree colours */
	DOT_USES_MARK = 1u << 1,      /* orange: not what it should be */
	DOT_USES_WALKS = 1u << 2,     /* rmap: found by all / divergent / by none */
	DOT_USES_FOLD = 1u << 3,      /* folded runs and subtrees */
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
	unsigned fold;               /* fold runs this long; 0: never     */
	unsigned long folded[DOTK__COUNT]; /* objects drawn inside folds  */
	unsigned nfolds;             /* names fold nodes                  */
	struct dot_alias alias;      /* folded object -> its fold's node  */
	uint64_t range_lo, range_hi; /* addresses drawn; hi 0: all        */
	/* Never folded, whatever else is like it: what the picture is about. */
	const struct vm_area_struct *pin_vma;
	/* ...and the rmap_item of this page of this process (rmap P ADDR,
	 * --page P:ADDR); pin_mm NULL: none. */
	const struct mm_struct *pin_mm;
	uint64_t pin_addr;
	unsigned uses;               /* DOT_USES_*: what the legend explains */
	/* Chains an interval tree must draw however deep (the rmap walks'
	 * findings), or NULL; pin_ctx is for it. */
	bool (*avc_pinned)(struct dot *d, const struct anon_vma_chain *avc);
	void *pin_ctx;
};

/* ---- labels (dot_label.c) ---- */
void dl_reset(struct dot_label *l);
/* Formatted text, escaped. */
void dl_printf(struct dot_label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Formatted text, escaped, then a line end: centred (\n) or left (\l). */
void dl_line(struct dot_label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dl_linel(struct dot_label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* @text (escaped) as one centred line per line it holds. */
void dl_lines(struct dot_label *l, const char *text);
/* An escape sequence (a line end), appended as it is. */
void dl_raw(struct dot_label *l, const char *esc);
void dl_free(struct dot_label *l);

/* ---- graphs with ids in creation order (dot_iddisc.c) ---- */
/* A directed graph whose DOT text depends only on what was put in it. */
Agraph_t *dot_agopen(const char *name);
/* agread() with the same ids: subgraphs stay in the order read. */
Agraph_t *dot_agread(FILE *f);

/* ---- the graph (dot_graph.c) ---- */
/* A new picture of @sim: the graph, its attributes, the options' limit,
 * folding and range (@opts may be NULL). */
void dot_open(struct dot *d, struct ksm_sim *sim, const struct dot_opts *opts);
void dot_close(struct dot *d);
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
/* A node that is not a structure node (notes, placeholders), named
 * "<kind>_<n>" in the order they are made. */
Agnode_t *dot_aux_node(struct dot *d, Agraph_t *g, const char *kind);
/* A note (not a structure node: it does not count against the limit);
 * each line of @text ('\n' separated) is centred. */
Agnode_t *dot_note(struct dot *d, Agraph_t *g, const char *text);
/*
 * dot_budget() - may one more structure node of @kind be drawn?  If not,
 * it is counted as left out.
 */
bool dot_budget(struct dot *d, enum dot_kind kind);
/* What @kind is called, for one object or (@plural) several. */
const char *dot_kind_name(enum dot_kind kind, bool plural);
/* The "N more not drawn" note, if anything was left out. */
void dot_more(struct dot *d, Agraph_t *g);
/* Add a left-justified line to a drawn node's label. */
void dot_label_add(struct dot *d, Agnode_t *node, const char *text);
/* Mark a node as not what it should be (stale, out of order): dashed
 * orange border; its label says why. */
void dot_mark(struct dot *d, Agnode_t *node);
/* Colours of a red-black node. */
void dot_rb_colour(struct dot *d, Agnode_t *node, bool red);

/* ---- objects, each with its standard node (dot_objects.c) ---- */
/*
 * Each returns the object's node — drawn now in @g, or found if drawn
 * already — or NULL when the budget stopped it.
 */
Agnode_t *dot_stable_node(struct dot *d, Agraph_t *g, struct ksm_stable_node *n);
Agnode_t *dot_rmap_item(struct dot *d, Agraph_t *g, struct ksm_rmap_item *it);
Agnode_t *dot_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma);
Agnode_t *dot_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av);
Agnode_t *dot_avc(struct dot *d, Agraph_t *g, struct anon_vma_chain *avc);
/* Present, KSM, KSM zero-page and shared (mapcount > 1) pages of a VMA. */
struct vma_pages {
	uint64_t present, ksm, ksm_zero, shared;
};

struct vma_pages dot_vma_pages(struct ksm_sim *sim, struct vm_area_struct *vma);
/* The graph a VMA pointed at from @g belongs in (see vma_parent). */
Agraph_t *dot_vma_home(struct dot *d, Agraph_t *g, struct vm_area_struct *vma);
/* The page of a regular node or dup if it is still its page, else NULL
 * (the node is stale) — ksm_get_folio() without the removal. */
struct folio *dot_node_folio(struct ksm_sim *sim, struct ksm_stable_node *n);
/* The anonymous page @it's address maps now, or NULL. */
struct folio *dot_item_folio(struct ksm_sim *sim, struct ksm_rmap_item *it);
/* The name of the process an mm belongs (or, exited, belonged) to. */
const char *dot_owner(const struct mm_struct *mm);
/* Whether the focus keeps @it: no process focus, or its process, and the
 * address range. */
bool dot_item_wanted(struct dot *d, struct ksm_rmap_item *it);
/* Whether the address range keeps @vma (it overlaps the range). */
bool dot_vma_in_range(struct dot *d, const struct vm_area_struct *vma);

/* ---- red-black trees (dot_tree.c) ---- */
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
	/* For the summary of a folded subtree: what its nodes are (plural:
	 * "chains"), the key of a node in words, the process a node belongs
	 * to (NULL: none).  Any may be NULL. */
	const char *what;
	enum dot_kind kind;   /* what a fold of its nodes counts as */
	void (*key)(struct dot *d, void *n, char *buf, size_t len);
	const char *(*owner)(void *n);
	/* Whether @n must be drawn even below the depth a big tree is cut
	 * at (what the picture is about); NULL: none must. */
	bool (*pinned)(struct dot *d, void *n);
};

/* Draw a tree breadth first (the top survives the budget); the number
 * of tree nodes drawn.  A tree of more than DOT_TREE_FULL nodes (when
 * folding is on) is drawn to depth DOT_TREE_DEPTH, plus the paths to
 * nodes t->pinned wants; each subtree below is one fold node. */
size_t dot_tree(struct dot *d, Agraph_t *g, const struct dot_tree *t);

/* ---- the pictures (dot_stable.c ... dot_all.c, dot_rmap.c) ---- */
void dot_draw_stable(struct dot *d, Agraph_t *g);
void dot_draw_unstable(struct dot *d, Agraph_t *g);
void dot_draw_anon_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma);
/* One anon_vma and its interval tree, in a cluster of @g (returned). */
Agraph_t *dot_draw_one_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av);
void dot_draw_mm(struct dot *d, Agraph_t *g, struct task *task);
/* The VMAs of @mm in the range, folded into runs, chained from @prev
 * (may be NULL) in address order; the last node drawn. */
Agnode_t *dot_draw_vmas(struct dot *d, Agraph_t *g, struct mm_struct *mm, Agnode_t *prev);
void dot_draw_all(struct dot *d);
/* The rmap walks of the KSM page @f (dot_rmap.c). */
void dot_draw_rmap(struct dot *d, Agraph_t *g, struct folio *f);

/* ---- folding (dot_fold.c) ---- */
/* Longest period a run of alike objects is looked for with. */
#define DOT_FOLD_PERIOD 4

/* Objects [start, start + len) repeat with @period: object i is like
 * object i - period.  A run of len 1 is one object, not folded. */
struct dot_run {
	size_t start, len;
	unsigned period;
};

/*
 * dot_runs() - split objects 0..n-1 into runs: greedily, the longest run
 * starting at each point whose period is 1 to DOT_FOLD_PERIOD and whose
 * phases each hold at least @min_each objects, or a single object.
 * @same(ctx, i, j): whether objects i and j are alike.  @runs has room
 * for @n entries.  @min_each 0: every object alone.
 * Return: the number of runs.
 */
size_t dot_runs(size_t n, size_t min_each, bool (*same)(void *ctx, size_t i, size_t j),
		void *ctx, struct dot_run *runs);
/* The node of a fold standing for @count objects of @kind (double
 * border), counted against the budget as one node; NULL if the budget
 * stopped it (then all @count objects count as left out). */
Agnode_t *dot_fold_node(struct dot *d, Agraph_t *g, enum dot_kind kind, size_t count);
void dot_alias_set(struct dot *d, const void *obj, Agnode_t *node);
Agnode_t *dot_alias_get(struct dot *d, const void *obj);
void dot_alias_free(struct dot *d);

/* ---- lists of rmap_items (dot_items.c) ---- */
/*
 * dot_draw_items() - the rmap_items @v[0..n-1] as a list chained from
 * @prev (may be NULL) with edges of @style and @color (may be NULL), runs
 * of alike items folded; single items get @fill if not NULL.  Return: the
 * last node drawn (@prev if none).
 */
Agnode_t *dot_draw_items(struct dot *d, Agraph_t *g, struct ksm_rmap_item **v, size_t n,
			 Agnode_t *prev, const char *style, const char *color,
			 const char *fill);

/* ---- the legend (dot_legend.c) ---- */
/* The legend of what the picture used (d->uses), in a cluster of @g. */
void dot_legend(struct dot *d, Agraph_t *g);

/* ---- options and limits (dot_opts.c) ---- */
/* The live process @name, or NULL with "no live process named" in @err
 * (err->arg @arg, the message after @what). */
struct task *dot_find_proc(struct ksm_sim *sim, const char *name, enum sim_arg arg,
			   const char *what, struct sim_error *err);
/* Check @opts (may be NULL) against picture @what and set the focus and
 * the pinned page of @d from them; an option @what has no use for is an
 * error. */
int dot_resolve_opts(struct dot *d, enum trace_dot_what what,
		     const struct dot_opts *opts, struct sim_error *err);
/* The first line of the heading into @buf: @what, and what the focus
 * leaves out. */
void dot_focus_heading(struct dot *d, const struct dot_opts *opts, char *buf,
		       size_t len, const char *what);
/* A line through opts->note, if there is one. */
void dot_say(const struct dot_opts *opts, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* What the budget cut and what was folded, in words, for the caller. */
void dot_say_cuts(struct dot *d, const struct dot_opts *opts);

/* ---- writing and rendering (dot_output.c) ---- */
/*
 * dot_output() - write the picture into @file: DOT text, or laid out and
 * rendered as the file name's extension says.  A failure is reported as
 * err->arg @arg and leaves no file behind.
 */
int dot_output(struct dot *d, const char *file, enum sim_arg arg, struct sim_error *err);
/* dot_output() with the progress opts->progress asks for around it. */
int dot_output_progress(struct dot *d, const char *file, enum sim_arg arg,
			const struct dot_opts *opts, struct sim_error *err);

#endif /* KSMSIM_REPORT_DOT_INTERNAL_H */
