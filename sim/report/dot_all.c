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

static void draw_anon_vmas(struct dot *d, Agraph_t *g)
{
	struct anon_vma **avs = NULL, *av;
	size_t n = 0, cap = 0;

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
	for (size_t i = 0; i < n; i++)
		dot_draw_one_anon_vma(d, g, avs[i]);
	for (size_t i = 0; i < n; i++) {
		char a[48], r[48];

		if (avs[i]->root == avs[i])
			continue;
		snprintf(a, sizeof(a), "av_%llu", (unsigned long long)avs[i]->id);
		snprintf(r, sizeof(r), "av_%llu", (unsigned long long)avs[i]->root->id);
		dot_edge(d, g, agnode(d->g, a, 0), agnode(d->g, r, 0), "root", "dashed",
			 "darkgreen");
	}
	if (!n)
		dot_note(d, g, "no anon_vma");
	free(avs);
}

void dot_draw_all(struct dot *d)
{
	Agraph_t *procs = dot_cluster(d, d->g, "mm", "processes");
	Agraph_t *sub;
	bool any = false;

	for (struct task *t = sim_first_task(d->sim); t; t = sim_next_task(d->sim, t)) {
		char name[48], heading[64];

		if (d->focus_mm && t->mm != d->focus_mm)
			continue;
		snprintf(name, sizeof(name), "mm_%llu", (unsigned long long)t->mm->id);
		snprintf(heading, sizeof(heading), "process %s", t->name);
		dot_draw_mm(d, dot_cluster(d, procs, name, heading), t);
		any = true;
	}
	if (!any)
		dot_note(d, procs, "no process");
	/* Every live VMA is drawn by now; a VMA the budget left out stays out. */
	d->vma_parent = procs;
	draw_anon_vmas(d, dot_cluster(d, d->g, "anon_vma", "anon_vmas and their interval trees"));
	sub = dot_cluster(d, d->g, "stable", "stable tree");
	dot_draw_stable(d, sub);
	sub = dot_cluster(d, d->g, "unstable", "unstable tree");
	dot_draw_unstable(d, sub);
}
