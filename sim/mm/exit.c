// SPDX-License-Identifier: MIT
/*
 * DOC: process exit (kernel/fork.c __mmput(), mm/mmap.c exit_mmap())
 *
 * KSM hears of the exit first (ksm_exit()): the slot is freed at once or
 * moved near the scan cursor.  Then every entry of every VMA is zapped,
 * and only after that the VMAs' anon_vma chains are unlinked in address
 * order (free_pgtables()) and the VMAs freed.  The mm struct itself lives
 * on while KSM's slot holds a reference (mm_users is 0: "exiting").
 */
#include "mm/internal.h"
#include "mm/ksm_hooks.h"

static void exit_mmap(struct ksm_sim *sim, struct mm_struct *mm)
{
	struct vm_area_struct *vma, *next;

	for (vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		zap_page_range(sim, vma, vma->vm_start, vma->vm_end);
	for (vma = vma_first(mm); vma; vma = next) {
		next = vma_next(mm, vma);
		remove_vma(sim, vma);
	}
}

/* mmput(): the last user of @mm is gone. */
static void mmput(struct ksm_sim *sim, struct mm_struct *mm)
{
	if (--mm->mm_users)
		return;
	if (mm->flags & MMF_VM_MERGEABLE)
		__ksm_exit(sim, mm);
	exit_mmap(sim, mm);
	mmdrop(sim, mm);
}

int sim_exit(struct ksm_sim *sim, struct task *task, struct sim_error *err)
{
	(void)err;
	struct mm_struct *mm = task->mm;

	task_free(sim, task);
	mmput(sim, mm);
	return 0;
}
