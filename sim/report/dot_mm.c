// SPDX-License-Identifier: MIT
/*
 * DOC: Picture of a process's address space (dot mm P)
 *
 * The process (its mm's KSM state: registered, merge_any, the per-mm
 * counters of /proc/PID/ksm_stat) and below it its VMAs in address
 * order, each with [vm_start, vm_end), vm_pgoff, its flags (r, w,
 * mergeable, account), its own anon_vma, and what its page tables hold:
 * present entries, how many map KSM pages, how many map a page mapped
 * more than once (mapcount > 1: shared by fork or by KSM), and KSM
 * zero-page entries when there are any.
 *
 * vm_pgoff is what the anon_vma interval trees key on and what the
 * linear_page_index of an address is computed from, so a VMA moved by
 * mremap shows a pgoff that no longer matches its address.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

static Agnode_t *mm_node(struct dot *d, Agraph_t *g, struct task *task)
{
	struct mm_struct *mm = task->mm;
	struct dot_label *l = &d->lb;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "mm_%llu", (unsigned long long)mm->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_MM))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_line(l, "process %s  mm #%llu", task->name, (unsigned long long)mm->id);
	if (mm->flags & MMF_VM_MERGEABLE)
		dl_line(l, "KSM: registered%s",
			mm->flags & MMF_VM_MERGE_ANY ? ", merge_any" : "");
	else
		dl_line(l, "KSM: not registered%s",
			mm->flags & MMF_VM_MERGE_ANY ? ", merge_any" : "");
	dl_line(l, "rmap_items %ld  merging %ld  zero %ld", mm->ksm_rmap_items,
		mm->ksm_merging_pages, mm->ksm_zero_pages);
	dl_line(l, "%lu VMA%s", mm->map_count, mm->map_count == 1 ? "" : "s");
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "tab");
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, "wheat");
	return node;
}

struct vma_run_ctx {
	struct dot *d;
	struct vm_area_struct **v;
	struct vma_pages *c;
};

/* Where a VMA's pgoff is relative to its address: 0 for a VMA never
 * moved from where its pages' offsets say. */
static uint64_t pgoff_shift(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff - vma->vm_start / KSM_PAGE_SIZE;
}

/* Alike VMAs: the same shape, flags, anon_vma and page counts, so that
 * one label tells the truth about each of them. */
static bool vma_same(void *ctx, size_t i, size_t j)
{
	struct vma_run_ctx *x = ctx;
	const struct vm_area_struct *a = x->v[i], *b = x->v[j];

	if (a == x->d->pin_vma || b == x->d->pin_vma)
		return false;
	/* A fork child's VMAs each have an anon_vma of their own: alike
	 * when they are of the same family. */
	if (!a->anon_vma != !b->anon_vma ||
	    (a->anon_vma && a->anon_vma->root != b->anon_vma->root))
		return false;
	return vma_pages(a) == vma_pages(b) && a->vm_flags == b->vm_flags &&
	       pgoff_shift(a) == pgoff_shift(b) &&
	       !memcmp(&x->c[i], &x->c[j], sizeof(x->c[i]));
}

static Agnode_t *vma_fold(struct dot *d, Agraph_t *g, struct vma_run_ctx *x,
			  const struct dot_run *r, unsigned phase)
{
	size_t first = r->start + phase, count = (r->len - phase + r->period - 1) / r->period;
	size_t last = first + (count - 1) * r->period;
	struct vm_area_struct *v0 = x->v[first], *vl = x->v[last];
	uint64_t fl = v0->vm_flags, step = x->v[first + r->period]->vm_start - v0->vm_start;
	bool regular = true;
	struct dot_label l = { 0 };
	Agnode_t *n = dot_fold_node(d, g, DOTK_VMA, count);

	if (!n)
		return NULL;
	d->uses |= DOT_USES_FOLD;
	for (size_t i = first + r->period; i <= last; i += r->period)
		regular &= x->v[i]->vm_start - x->v[i - r->period]->vm_start == step;
	dl_reset(&l);
	dl_linel(&l, "%zu VMAs like this (%s)", count, dot_owner(v0->vm_mm));
	dl_linel(&l, "first vma #%llu [0x%llx, 0x%llx)", (unsigned long long)v0->id,
		 (unsigned long long)v0->vm_start, (unsigned long long)v0->vm_end);
	dl_linel(&l, "last  vma #%llu [0x%llx, 0x%llx)", (unsigned long long)vl->id,
		 (unsigned long long)vl->vm_start, (unsigned long long)vl->vm_end);
	if (regular)
		dl_linel(&l, "one every 0x%llx", (unsigned long long)step);
	else
		dl_linel(&l, "irregularly spaced");
	dl_linel(&l, "%llu page%s each, pgoff %s", (unsigned long long)vma_pages(v0),
		 vma_pages(v0) == 1 ? "" : "s",
		 pgoff_shift(v0) ? "moved from the address" : "= address / page");
	dl_linel(&l, "%c%c%s%s", fl & VM_READ ? 'r' : '-', fl & VM_WRITE ? 'w' : '-',
		 fl & VM_MERGEABLE ? " mergeable" : "", fl & VM_ACCOUNT ? " account" : "");
	if (v0->anon_vma && v0->anon_vma == vl->anon_vma)
		dl_linel(&l, "anon_vma #%llu", (unsigned long long)v0->anon_vma->id);
	else if (v0->anon_vma)
		dl_linel(&l, "anon_vmas #%llu ... #%llu, root #%llu",
			 (unsigned long long)v0->anon_vma->id,
			 (unsigned long long)vl->anon_vma->id,
			 (unsigned long long)v0->anon_vma->root->id);
	else
		dl_linel(&l, "no anon_vma");
	dl_printf(&l, "each: present %llu  ksm %llu  shared %llu",
		  (unsigned long long)x->c[first].present, (unsigned long long)x->c[first].ksm,
		  (unsigned long long)x->c[first].shared);
	if (x->c[first].ksm_zero)
		dl_printf(&l, "  ksm_zero %llu", (unsigned long long)x->c[first].ksm_zero);
	dl_linel(&l, "%s", "");
	dot_set(d, n, DA_N_LABEL, l.s);
	dot_set(d, n, DA_N_SHAPE, "box");
	dot_set(d, n, DA_N_STYLE, "filled");
	dot_set(d, n, DA_N_FILLCOLOR, "lightblue");
	dl_free(&l);
	for (size_t i = first; i <= last; i += r->period)
		dot_alias_set(d, x->v[i], n);
	return n;
}

Agnode_t *dot_draw_vmas(struct dot *d, Agraph_t *g, struct mm_struct *mm, Agnode_t *prev)
{
	struct vma_run_ctx x = { .d = d };
	struct dot_run *runs;
	size_t n = 0, nruns;

	x.v = xmalloc(sizeof(*x.v) * (mm->map_count + 1));
	for (struct vm_area_struct *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		if (dot_vma_in_range(d, vma))
			x.v[n++] = vma;
	x.c = xmalloc(sizeof(*x.c) * (n + 1));
	for (size_t i = 0; i < n; i++)
		x.c[i] = dot_vma_pages(d->sim, x.v[i]);
	runs = xmalloc(sizeof(*runs) * (n + 1));
	nruns = dot_runs(n, d->fold, vma_same, &x, runs);
	for (size_t r = 0; r < nruns; r++) {
		for (unsigned p = 0; p < runs[r].period; p++) {
			Agnode_t *vn = runs[r].len == 1 ? dot_vma(d, g, x.v[runs[r].start]) :
				       vma_fold(d, g, &x, &runs[r], p);

			if (!vn)
				continue; /* counted by the budget */
			dot_edge(d, g, prev, vn, NULL, NULL, "gray40");
			prev = vn;
		}
	}
	free(runs);
	free(x.c);
	free(x.v);
	return prev;
}

void dot_draw_mm(struct dot *d, Agraph_t *g, struct task *task)
{
	dot_draw_vmas(d, g, task->mm, mm_node(d, g, task));
}
