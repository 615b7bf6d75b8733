// SPDX-License-Identifier: MIT
/*
 * DOC: fork (kernel/fork.c dup_mm(), mm/mmap.c dup_mmap())
 *
 * The child's mm copies the parent's flags that survive fork
 * (MMF_INIT_MASK: MMF_VM_MERGE_ANY, but not MMF_VM_MERGEABLE, which only
 * registration sets).  The parent's VMAs are duplicated in address
 * order; each child VMA joins the parent VMA's anon_vmas through
 * anon_vma_fork(), and the page tables of VMAs that have an anon_vma are
 * copied (vma_needs_copy()), sharing every page copy-on-write.  KSM
 * learns of the child after the copy (ksm_fork(), since Linux 6.8).
 */
#include "mm/internal.h"
#include "mm/ksm_hooks.h"

int sim_fork(struct ksm_sim *sim, struct task *parent, const char *child_name,
	     struct sim_error *err)
{
	struct mm_struct *oldmm = parent->mm, *mm;
	struct task *child;

	if (sim_find_task(sim, child_name))
		return sim_fail(err, SIM_ARG_CHILD,
				"a process named '%s' already exists",
				child_name);
	if (sim_spawn(sim, child_name, err))
		return -1;
	child = sim_find_task(sim, child_name);
	mm = child->mm;
	mm->flags = oldmm->flags & MMF_VM_MERGE_ANY;
	for (struct vm_area_struct *mpnt = vma_first(oldmm); mpnt;
	     mpnt = vma_next(oldmm, mpnt)) {
		struct vm_area_struct *tmp = vm_area_dup(sim, mpnt);

		tmp->vm_mm = mm;
		anon_vma_fork(sim, tmp, mpnt);
		vma_link(mm, tmp);
		if (mpnt->anon_vma)
			copy_page_range(sim, tmp, mpnt);
	}
	ksm_fork(sim, mm, oldmm);
	return 0;
}
