// SPDX-License-Identifier: MIT
/*
 * DOC: Picture of an anon_vma and its interval tree (dot anon_vma P ADDR)
 *
 * For the VMA at P:ADDR (drawn with a thick blue border): its anon_vma
 * and, if that is not the root of its fork family, the root too, each in
 * a cluster with its interval tree of anon_vma_chains.  Every chain node
 * shows the key the tree sorts it by — [start, last], the VMA's
 * [vm_pgoff, vm_pgoff + pages - 1] — and the subtree_last the tree keeps
 * to prune stabbing queries, is filled with its red-black colour, and
 * points at its VMA (with the VMA's process in both labels).
 *
 * The child's tree holds only the VMAs linked to the child's anon_vma; the
 * root's holds every VMA of the family.  An rmap walk of an anonymous
 * page starts at the page's anon_vma and yields chains in in-order (start,
 * insertion) order, so reading a tree left to right is reading a walk.
 */
#include <stddef.h>

#include "report/dot_internal.h"

static struct anon_vma_chain *avc_of(void *n)
{
	return (struct anon_vma_chain *)((char *)n - offsetof(struct anon_vma_chain, rb));
}

static void *avc_left(void *n)
{
	return RB_LEFT((struct itree_node *)n, rb);
}

static void *avc_right(void *n)
{
	return RB_RIGHT((struct itree_node *)n, rb);
}

static bool avc_wanted(struct dot *d, void *n)
{
	struct vm_area_struct *vma = avc_of(n)->vma;

	return (!d->focus_mm || vma->vm_mm == d->focus_mm) && dot_vma_in_range(d, vma);
}

/* The VMA the picture is about keeps its chains, however deep. */
static bool avc_pinned(struct dot *d, void *n)
{
	return avc_of(n)->vma == d->pin_vma || (d->avc_pinned && d->avc_pinned(d, avc_of(n)));
}

static void avc_key(struct dot *d, void *n, char *buf, size_t len)
{
	struct anon_vma_chain *avc = avc_of(n);

	(void)d;
	snprintf(buf, len, "[0x%llx, 0x%llx]", (unsigned long long)avc->rb.start,
		 (unsigned long long)avc->rb.last);
}

static const char *avc_owner(void *n)
{
	return dot_owner(avc_of(n)->vma->vm_mm);
}

static Agnode_t *draw_avc(struct dot *d, Agraph_t *g, void *n)
{
	return dot_avc(d, g, avc_of(n));
}

/*
 * After the tree edges: the chain's VMA, drawn in its process's cluster
 * because several anon_vmas' trees may point at it.  The edge does not
 * constrain the ranks: dot honours ordering=out (left child left) only
 * while a tree node's out-edges stay inside the tree's cluster.
 */
static void hang_avc(struct dot *d, Agraph_t *g, void *n, Agnode_t *node)
{
	struct anon_vma_chain *avc = avc_of(n);
	Agnode_t *vn = dot_vma(d, dot_vma_home(d, g, avc->vma), avc->vma);
	Agedge_t *e = dot_edge(d, g, node, vn, NULL, "dashed", "steelblue");

	if (e)
		dot_set(d, e, DA_E_CONSTRAINT, "false");
}

Agraph_t *dot_draw_one_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av)
{
	struct itree_node *root = RB_ROOT(&av->rb_root.root);
	struct dot_tree t = {
		.root = root,
		.left = avc_left,
		.right = avc_right,
		.draw = draw_avc,
		.wanted = d->focus_mm || d->range_hi ? avc_wanted : NULL,
		.hang = hang_avc,
		.what = "chains",
		.kind = DOTK_AVC,
		.key = avc_key,
		.owner = avc_owner,
		.pinned = d->pin_vma || d->avc_pinned ? avc_pinned : NULL,
	};
	char name[48], heading[96];
	Agnode_t *avn;
	Agraph_t *sub;

	snprintf(name, sizeof(name), "av_%llu", (unsigned long long)av->id);
	snprintf(heading, sizeof(heading), "anon_vma #%llu: interval tree of %zu chain%s",
		 (unsigned long long)av->id, av->rb_root.count,
		 av->rb_root.count == 1 ? "" : "s");
	sub = dot_cluster(d, g, name, heading);
	avn = dot_anon_vma(d, sub, av);
	if (!root) {
		dot_note(d, sub, "no chains");
		return sub;
	}
	dot_tree(d, sub, &t);
	/* The anon_vma points at its tree's root chain (if drawn). */
	snprintf(name, sizeof(name), "avc_%llu_%llu",
		 (unsigned long long)avc_of(root)->vma->id, (unsigned long long)av->id);
	dot_edge(d, sub, avn, agnode(d->g, name, 0), "rb_root", NULL, "darkgreen");
	return sub;
}

void dot_draw_anon_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma)
{
	struct anon_vma *av = vma->anon_vma;
	Agnode_t *vn, *avn, *rootn;
	char text[128];

	d->vma_parent = g;
	vn = dot_vma(d, dot_vma_home(d, g, vma), vma);
	if (vn) {
		dot_set(d, vn, DA_N_PENWIDTH, "3");
		dot_set(d, vn, DA_N_COLOR, "blue");
	}
	if (!av) {
		snprintf(text, sizeof(text),
			 "vma #%llu has no anon_vma yet\n(no page of it was ever faulted in)",
			 (unsigned long long)vma->id);
		dot_note(d, g, text);
		return;
	}
	dot_draw_one_anon_vma(d, g, av);
	if (av->root != av)
		dot_draw_one_anon_vma(d, g, av->root);
	snprintf(text, sizeof(text), "av_%llu", (unsigned long long)av->id);
	avn = agnode(d->g, text, 0);
	dot_edge(d, g, vn, avn, "anon_vma", "bold", "blue");
	if (av->root != av) {
		snprintf(text, sizeof(text), "av_%llu", (unsigned long long)av->root->id);
		rootn = agnode(d->g, text, 0);
		dot_edge(d, g, avn, rootn, "root", "dashed", "darkgreen");
	}
}
