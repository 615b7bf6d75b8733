// SPDX-License-Identifier: MIT
/*
 * DOC: Picture of the whole machine (dot all)
 *
 * The other pictures side by side, each kind in its own cluster:
 *
 *   cluster_mm        one cluster per live process (name order) with its
 *                     VMAs, as `dot mm` draws them;
 *   cluster_anon_vma  every anon_vma (creation order) with its interval
 *                     tree, as `dot anon_vma` draws them; the chains point
 *                     at the VMAs of the first cluster;
 *   cluster_stable    the stable tree, as `dot stable`;
 *   cluster_unstable  the unstable tree, as `dot unstable`.
 *
 * The processes come first so that their VMAs land in their clusters:
 * Graphviz clusters may not share nodes, so a later picture only points
 * at an object an earlier one drew.  With a focus on a process only its
 * VMAs, the anon_vmas they are linked to and its rmap_items (and the
 * tree nodes above them) are drawn; a focus on a KSM page narrows the
 * stable tree only.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

static int av_cmp(const void *a, const void *b)
{
	const struct anon_vma *x = *(struct anon_vma *const *)a;
	const struct anon_vma *y = *(struct anon_vma *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Whether a VMA of @mm is linked to @av. */
static bool av_linked(struct anon_vma *av, struct mm_struct *mm)
{
	for (struct itree_node *n = itree_first(&av->rb_root); n; n = itree_next(n)) {
		struct anon_vma_chain *avc = (struct anon_vma_chain *)
			((char *)n - offsetof(struct anon_vma_chain, rb));

		if (avc->vma->vm_mm == mm)
			return true;
	}
	return false;
}

/* Processes per row, anon_vmas per row: `all` is a page, not one row. */
#define ALL_MM_ROW 3
#define ALL_AV_ROW 4

/* Whether @n has an edge to (@out) or from a node of @sub. */
static bool linked_within(struct dot *d, Agraph_t *sub, Agnode_t *n, bool out)
{
	for (Agedge_t *e = out ? agfstout(d->g, n) : agfstin(d->g, n); e;
	     e = out ? agnxtout(d->g, e) : agnxtin(d->g, e))
		if (agsubnode(sub, out ? aghead(e) : agtail(e), 0))
			return true;
	return false;
}

/*
 * Stack what Graphviz would put side by side: invisible edges from every
 * bottom node of @upper (no edge down to another node of it) to every
 * top node of @lower (no edge from another node of it) put @lower
 * entirely below @upper.
 */
static void stack(struct dot *d, Agraph_t *upper, Agraph_t *lower)
{
	for (Agnode_t *b = agfstnode(upper); b; b = agnxtnode(upper, b)) {
		if (linked_within(d, upper, b, true))
			continue;
		for (Agnode_t *t = agfstnode(lower); t; t = agnxtnode(lower, t)) {
			Agedge_t *e;

			if (linked_within(d, lower, t, false))
				continue;
			e = dot_edge(d, d->g, b, t, NULL, "invis", NULL);
			if (e)
				dot_set(d, e, DA_E_WEIGHT, "0");
		}
	}
}

/* Lay @subs out in rows of @per: each one under the one @per before it. */
static void rows(struct dot *d, Agraph_t **subs, size_t n, size_t per)
{
	for (size_t i = per; i < n; i++)
		stack(d, subs[i - per], subs[i]);
}

struct av_run_ctx {
	struct dot *d;
	struct anon_vma **v;
};

/* The process of an anon_vma's first chain's VMA, or NULL. */
static struct mm_struct *av_mm(struct anon_vma *av)
{
	struct itree_node *n = itree_first(&av->rb_root);

	return n ? ((struct anon_vma_chain *)((char *)n -
		    offsetof(struct anon_vma_chain, rb)))->vma->vm_mm : NULL;
}

/* Alike anon_vmas: a fork child's VMAs, each with its own anon_vma of one
 * chain in the same family.  The one the picture is about stays alone. */
static bool av_same(void *ctx, size_t i, size_t j)
{
	struct av_run_ctx *x = ctx;
	struct anon_vma *a = x->v[i], *b = x->v[j];
	const struct vm_area_struct *pin = x->d->pin_vma;

	if (pin && (a == pin->anon_vma || b == pin->anon_vma))
		return false;
	return a->root == b->root && a->root != a && b->root != b && a->parent == b->parent &&
	       a->rb_root.count == b->rb_root.count && a->refcount == b->refcount &&
	       a->num_children == b->num_children && a->num_active_vmas == b->num_active_vmas &&
	       av_mm(a) == av_mm(b);
}

static Agraph_t *av_fold(struct dot *d, Agraph_t *g, struct av_run_ctx *x,
			 const struct dot_run *r, unsigned phase)
{
	size_t first = r->start + phase, count = (r->len - phase + r->period - 1) / r->period;
	size_t last = first + (count - 1) * r->period;
	struct anon_vma *a0 = x->v[first], *al = x->v[last];
	struct mm_struct *mm = av_mm(a0);
	char name[48], text[400];
	Agraph_t *sub;
	Agnode_t *n;

	snprintf(name, sizeof(name), "avfold_%llu", (unsigned long long)a0->id);
	sub = dot_cluster(d, g, name, "folded anon_vmas");
	n = dot_fold_node(d, sub, DOTK_ANON_VMA, count);
	if (!n)
		return sub;
	d->uses |= DOT_USES_FOLD;
	/* Their chains are folded with them. */
	d->folded[DOTK_AVC] += count * a0->rb_root.count;
	snprintf(text, sizeof(text),
		 "%zu anon_vmas like this\nfirst #%llu, last #%llu\nroot #%llu  parent #%llu\n"
		 "refcount %d  children %lu  active VMAs %lu\n%zu chain%s each%s%s",
		 count, (unsigned long long)a0->id, (unsigned long long)al->id,
		 (unsigned long long)a0->root->id, (unsigned long long)a0->parent->id,
		 a0->refcount, a0->num_children, a0->num_active_vmas, a0->rb_root.count,
		 a0->rb_root.count == 1 ? "" : "s", mm ? ", VMAs of " : "", mm ? dot_owner(mm) : "");
	dl_reset(&d->lb);
	for (const char *t = text; *t;) {
		size_t len = strcspn(t, "\n");

		dl_line(&d->lb, "%.*s", (int)len, t);
		t += len + (t[len] == '\n');
	}
	dot_set(d, n, DA_N_LABEL, d->lb.s);
	dot_set(d, n, DA_N_SHAPE, "octagon");
	dot_set(d, n, DA_N_STYLE, "filled");
	dot_set(d, n, DA_N_FILLCOLOR, "palegreen");
	for (size_t i = first; i <= last; i += r->period)
		dot_alias_set(d, x->v[i], n);
	return sub;
}

/* The node an anon_vma was drawn as: its own, or its fold's. */
static Agnode_t *av_node(struct dot *d, struct anon_vma *av)
{
	char a[48];
	Agnode_t *n;

	snprintf(a, sizeof(a), "av_%llu", (unsigned long long)av->id);
	n = agnode(d->g, a, 0);
	return n ? n : dot_alias_get(d, av);
}

static void draw_anon_vmas(struct dot *d, Agraph_t *g)
{
	struct anon_vma **avs = NULL, *av;
	size_t n = 0, cap = 0, nsubs = 0, nruns;
	struct av_run_ctx x = { .d = d };
	struct dot_run *runs;
	Agraph_t **subs;

	LIST_FOREACH(av, &d->sim->anon_vmas, all) {
		if (d->focus_mm && !av_linked(av, d->focus_mm))
			continue;
		if (n == cap)
			avs = xrealloc(avs, sizeof(*avs) * (cap = cap ? 2 * cap : 16));
		avs[n++] = av;
	}
	/* The machine's list is newest first; ids give creation order. */
	if (n)
		qsort(avs, n, sizeof(*avs), av_cmp);
	x.v = avs;
	runs = xmalloc(sizeof(*runs) * (n + 1));
	subs = xmalloc(sizeof(*subs) * (n + 1));
	nruns = dot_runs(n, d->fold, av_same, &x, runs);
	for (size_t r = 0; r < nruns; r++) {
		for (unsigned p = 0; p < runs[r].period; p++) {
			if (runs[r].len == 1)
				subs[nsubs++] = dot_draw_one_anon_vma(d, g, avs[runs[r].start]);
			else
				subs[nsubs++] = av_fold(d, g, &x, &runs[r], p);
		}
	}
	rows(d, subs, nsubs, ALL_AV_ROW);
	for (size_t i = 0; i < n; i++) {
		Agnode_t *a, *rn;

		if (avs[i]->root == avs[i])
			continue;
		a = av_node(d, avs[i]);
		rn = av_node(d, avs[i]->root);
		/* A fold points at its root once. */
		if (a && rn && !agedge(d->g, a, rn, NULL, 0))
			dot_edge(d, g, a, rn, "root", "dashed", "darkgreen");
	}
	if (!n)
		dot_note(d, g, "no anon_vma");
	free(subs);
	free(runs);
	free(avs);
}

void dot_draw_all(struct dot *d)
{
	Agraph_t *procs = dot_cluster(d, d->g, "mm", "processes");
	Agraph_t *kinds[4], **subs = NULL;
	size_t nsubs = 0, cap = 0;
	bool any = false;

	for (struct task *t = sim_first_task(d->sim); t; t = sim_next_task(d->sim, t)) {
		char name[48], heading[64];

		if (d->focus_mm && t->mm != d->focus_mm)
			continue;
		snprintf(name, sizeof(name), "mm_%llu", (unsigned long long)t->mm->id);
		snprintf(heading, sizeof(heading), "process %s", t->name);
		if (nsubs == cap)
			subs = xrealloc(subs, sizeof(*subs) * (cap = cap ? 2 * cap : 8));
		subs[nsubs] = dot_cluster(d, procs, name, heading);
		dot_draw_mm(d, subs[nsubs++], t);
		any = true;
	}
	if (!any)
		dot_note(d, procs, "no process");
	rows(d, subs, nsubs, ALL_MM_ROW);
	free(subs);
	/* Every live VMA is drawn by now; a VMA the budget left out stays out. */
	d->vma_parent = procs;
	kinds[0] = procs;
	kinds[1] = dot_cluster(d, d->g, "anon_vma", "anon_vmas and their interval trees");
	draw_anon_vmas(d, kinds[1]);
	kinds[2] = dot_cluster(d, d->g, "stable", "stable tree");
	dot_draw_stable(d, kinds[2]);
	kinds[3] = dot_cluster(d, d->g, "unstable", "unstable tree");
	dot_draw_unstable(d, kinds[3]);
	/* Processes, then anon_vmas, then the two trees side by side. */
	stack(d, kinds[0], kinds[1]);
	stack(d, kinds[1], kinds[2]);
	stack(d, kinds[1], kinds[3]);
}
