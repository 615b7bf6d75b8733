// SPDX-License-Identifier: MIT
/*
 * DOC: The objects of the Graphviz pictures, each with its standard node
 *
 * One function per kind of object — stable node, rmap_item, VMA,
 * anon_vma, anon_vma_chain — draws it with its standard label under the
 * name "<kind>_<object id>", or finds it if another part of the same
 * picture drew it already (or folded it: dot_alias_get()), so a later
 * picture (the rmap walk) points at the same nodes by calling the same
 * function.  Each counts against the node budget and returns NULL when
 * the budget stopped it.
 *
 * The labels say what the model holds, read without changing anything:
 * dot_node_folio() and dot_item_folio() are ksm_get_folio() and
 * get_mergeable_page() without their side effects.  Also here: which
 * objects the focus and the address range keep.
 */
#include <stdio.h>
#include <string.h>

#include "report/dot_internal.h"

const char *dot_owner(const struct mm_struct *mm)
{
	return mm->owner;
}

struct folio *dot_node_folio(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	struct folio *f = pfn_folio(sim, n->kpfn);

	if (!f || (f->flags & FOLIO_FREE) || folio_stable_node(f) != n)
		return NULL;
	return f;
}

/* get_mergeable_page() of unstable_tree.c, which only reads. */
struct folio *dot_item_folio(struct ksm_sim *sim, struct ksm_rmap_item *it)
{
	uint64_t addr = it->address & KSM_PAGE_MASK;
	struct vm_area_struct *vma;
	struct folio *f;
	pte_t pte;

	if (mm_exiting(it->mm))
		return NULL;
	vma = vma_lookup(it->mm, addr);
	if (!vma || !(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma)
		return NULL;
	pte = pte_get(it->mm, addr);
	if (!pte_present(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	f = pfn_folio(sim, pte_pfn(pte));
	return f && folio_test_anon(f) ? f : NULL;
}

static bool rb_red_stable(struct ksm_stable_node *n)
{
	return RB_COLOR(n, node) == RB_RED;
}

/* The content of a chain: its first live dup's page. */
static struct folio *chain_folio(struct ksm_sim *sim, struct ksm_stable_node *chain)
{
	struct ksm_stable_node *dup;

	LIST_FOREACH(dup, &chain->dups, hlist_dup) {
		struct folio *f = dot_node_folio(sim, dup);

		if (f)
			return f;
	}
	return NULL;
}

Agnode_t *dot_stable_node(struct dot *d, Agraph_t *g, struct ksm_stable_node *n)
{
	struct dot_label *l = &d->lb;
	struct folio *f;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "stable_%llu", (unsigned long long)n->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_STABLE))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	if (n->kind == KSM_NODE_CHAIN) {
		struct ksm_stable_node *dup;
		unsigned dups = 0;

		LIST_FOREACH(dup, &n->dups, hlist_dup)
			dups++;
		f = chain_folio(d->sim, n);
		dl_line(l, "chain #%llu", (unsigned long long)n->id);
		if (f)
			dl_line(l, "content %llu", (unsigned long long)f->content);
		else
			dl_line(l, "no live dup");
		dl_line(l, "%u dup%s", dups, dups == 1 ? "" : "s");
		dot_set(d, node, DA_N_SHAPE, "hexagon");
		dot_set(d, node, DA_N_LABEL, l->s);
		dot_rb_colour(d, node, rb_red_stable(n));
		return node;
	} else {
		f = dot_node_folio(d->sim, n);
		if (n->kind == KSM_NODE_DUP)
			dl_line(l, "dup #%llu", (unsigned long long)n->id);
		else
			dl_line(l, "node #%llu", (unsigned long long)n->id);
		if (f)
			dl_line(l, "content %llu", (unsigned long long)f->content);
		else
			dl_line(l, "STALE: kpfn %llu", (unsigned long long)n->kpfn);
		dl_line(l, "kpfn %llu, %d item%s", (unsigned long long)n->kpfn,
			n->rmap_hlist_len, n->rmap_hlist_len == 1 ? "" : "s");
		dot_set(d, node, DA_N_SHAPE, "ellipse");
		dot_set(d, node, DA_N_LABEL, l->s);
		if (n->kind == KSM_NODE_DUP) {
			/* A dup is on its chain's list, not in the tree: its
			 * red-black entry means nothing. */
			dot_set(d, node, DA_N_STYLE, "filled");
			dot_set(d, node, DA_N_FILLCOLOR, "gray85");
		} else {
			dot_rb_colour(d, node, rb_red_stable(n));
		}
		/* Stale: the page at kpfn was freed (and maybe reused). */
		if (!f)
			dot_mark(d, node);
	}
	return node;
}

/* The flag bits of an item's address, in words. */
static void item_state_line(struct dot *d, struct dot_label *l,
			    struct ksm_rmap_item *it)
{
	struct ksm_state *ksm = d->sim->ksm;

	if (it->address & STABLE_FLAG) {
		dl_linel(l, "item #%llu  STABLE", (unsigned long long)it->id);
		if (ksm->kernel == KSM_KERNEL_LPI)
			dl_linel(l, "lpi 0x%llx  age %u  skips %u",
				 (unsigned long long)rmap_item_linear_page_index(ksm, it),
				 rmap_item_age(ksm, it), rmap_item_remaining_skips(ksm, it));
		else
			dl_linel(l, "age %u  skips %u", rmap_item_age(ksm, it),
				 rmap_item_remaining_skips(ksm, it));
		return;
	}
	if (it->address & UNSTABLE_FLAG)
		dl_linel(l, "item #%llu  UNSTABLE seqnr %llu", (unsigned long long)it->id,
			 (unsigned long long)(it->address & SEQNR_MASK));
	else
		dl_linel(l, "item #%llu  volatile", (unsigned long long)it->id);
	dl_linel(l, "age %u  skips %u", rmap_item_age(ksm, it),
		 rmap_item_remaining_skips(ksm, it));
}

Agnode_t *dot_rmap_item(struct dot *d, Agraph_t *g, struct ksm_rmap_item *it)
{
	struct dot_label *l = &d->lb;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "item_%llu", (unsigned long long)it->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_ITEM))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_linel(l, "%s 0x%llx%s", dot_owner(it->mm),
		 (unsigned long long)(it->address & KSM_PAGE_MASK),
		 mm_exiting(it->mm) ? " (exited)" : "");
	item_state_line(d, l, it);
	if (!(it->address & STABLE_FLAG)) {
		struct folio *f = dot_item_folio(d->sim, it);

		if (f)
			dl_linel(l, "maps content %llu now", (unsigned long long)f->content);
		else
			dl_linel(l, "maps no mergeable page now");
	}
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "box");
	dot_set(d, node, DA_N_STYLE, "rounded,filled");
	dot_set(d, node, DA_N_FILLCOLOR,
		it->address & STABLE_FLAG ? "lightyellow" : "lightcyan");
	return node;
}

struct vma_pages dot_vma_pages(struct ksm_sim *sim,
					struct vm_area_struct *vma)
{
	struct vma_pages c = { 0 };
	uint64_t a = vma->vm_start;

	while (pte_next_used(vma->vm_mm, &a, vma->vm_end)) {
		pte_t pte = pte_get(vma->vm_mm, a);

		if (pte_present(pte)) {
			c.present++;
			if (is_zero_pfn(pte_pfn(pte))) {
				c.ksm_zero += is_ksm_zero_pte(pte);
			} else {
				struct folio *f = pfn_folio(sim, pte_pfn(pte));

				c.ksm += f && folio_test_ksm(f);
				c.shared += f && f->mapcount > 1;
			}
		}
		a += KSM_PAGE_SIZE;
	}
	return c;
}

Agnode_t *dot_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma)
{
	struct dot_label *l = &d->lb;
	struct vma_pages c;
	uint64_t fl = vma->vm_flags;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "vma_%llu", (unsigned long long)vma->id);
	node = agnode(d->g, name, 0);
	if (!node)
		node = dot_alias_get(d, vma); /* drawn in a fold */
	if (node)
		return node;
	if (!dot_budget(d, DOTK_VMA))
		return NULL;
	node = dot_node(d, g, name);
	c = dot_vma_pages(d->sim, vma);
	dl_reset(l);
	dl_linel(l, "%s  vma #%llu", dot_owner(vma->vm_mm), (unsigned long long)vma->id);
	dl_linel(l, "[0x%llx, 0x%llx) %llu page%s",
		 (unsigned long long)vma->vm_start, (unsigned long long)vma->vm_end,
		 (unsigned long long)vma_pages(vma), vma_pages(vma) == 1 ? "" : "s");
	dl_linel(l, "pgoff 0x%llx  %c%c%s%s", (unsigned long long)vma->vm_pgoff,
		 fl & VM_READ ? 'r' : '-', fl & VM_WRITE ? 'w' : '-',
		 fl & VM_MERGEABLE ? " mergeable" : "",
		 fl & VM_ACCOUNT ? " account" : "");
	if (vma->anon_vma)
		dl_linel(l, "anon_vma #%llu", (unsigned long long)vma->anon_vma->id);
	else
		dl_linel(l, "no anon_vma");
	dl_printf(l, "present %llu  ksm %llu  shared %llu", (unsigned long long)c.present,
		  (unsigned long long)c.ksm, (unsigned long long)c.shared);
	if (c.ksm_zero)
		dl_printf(l, "  ksm_zero %llu", (unsigned long long)c.ksm_zero);
	dl_linel(l, "%s", "");
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "box");
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, "lightblue");
	return node;
}

Agraph_t *dot_vma_home(struct dot *d, Agraph_t *g, struct vm_area_struct *vma)
{
	char name[64], heading[64];
	Agraph_t *sub;

	if (!d->vma_parent)
		return g;
	snprintf(name, sizeof(name), "cluster_vmas_%llu",
		 (unsigned long long)vma->vm_mm->id);
	sub = agsubg(d->vma_parent, name, 0);
	if (sub)
		return sub;
	snprintf(heading, sizeof(heading), "process %s", dot_owner(vma->vm_mm));
	return dot_cluster(d, d->vma_parent, name + strlen("cluster_"), heading);
}

Agnode_t *dot_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av)
{
	struct dot_label *l = &d->lb;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "av_%llu", (unsigned long long)av->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_ANON_VMA))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_line(l, "anon_vma #%llu%s", (unsigned long long)av->id,
		av->root == av ? " (root)" : "");
	if (av->root != av)
		dl_line(l, "root #%llu  parent #%llu", (unsigned long long)av->root->id,
			(unsigned long long)av->parent->id);
	dl_line(l, "refcount %d  children %lu", av->refcount, av->num_children);
	dl_line(l, "active VMAs %lu  chains %zu", av->num_active_vmas, av->rb_root.count);
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "octagon");
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, "palegreen");
	return node;
}

Agnode_t *dot_avc(struct dot *d, Agraph_t *g, struct anon_vma_chain *avc)
{
	struct dot_label *l = &d->lb;
	char name[64];
	Agnode_t *node;

	snprintf(name, sizeof(name), "avc_%llu_%llu", (unsigned long long)avc->vma->id,
		 (unsigned long long)avc->anon_vma->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_AVC))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_line(l, "[0x%llx, 0x%llx]", (unsigned long long)avc->rb.start,
		(unsigned long long)avc->rb.last);
	dl_line(l, "subtree_last 0x%llx", (unsigned long long)avc->rb.subtree_last);
	dl_line(l, "vma #%llu (%s)", (unsigned long long)avc->vma->id,
		dot_owner(avc->vma->vm_mm));
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "box");
	dot_rb_colour(d, node, RB_COLOR(&avc->rb, rb) == RB_RED);
	return node;
}

bool dot_item_wanted(struct dot *d, struct ksm_rmap_item *it)
{
	uint64_t a = it->address & KSM_PAGE_MASK;

	if (d->range_hi && (a < d->range_lo || a >= d->range_hi))
		return false;
	return !d->focus_mm || it->mm == d->focus_mm;
}

bool dot_vma_in_range(struct dot *d, const struct vm_area_struct *vma)
{
	return !d->range_hi || (vma->vm_end > d->range_lo && vma->vm_start < d->range_hi);
}
