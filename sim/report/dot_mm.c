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

void dot_draw_mm(struct dot *d, Agraph_t *g, struct task *task)
{
	struct mm_struct *mm = task->mm;
	Agnode_t *prev = mm_node(d, g, task);

	for (struct vm_area_struct *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		Agnode_t *vn = dot_vma(d, g, vma);

		if (!vn)
			continue; /* counted by the budget */
		dot_edge(d, g, prev, vn, NULL, NULL, "gray40");
		prev = vn;
	}
}
