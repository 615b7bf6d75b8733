// SPDX-License-Identifier: MIT
/*
 * DOC: madvise and prctl(PR_SET_MEMORY_MERGE) (mm/madvise.c, mm/ksm.c)
 *
 * MADV_DONTNEED zaps the entries of the range and changes no VMA.
 * MADV_MERGEABLE / MADV_UNMERGEABLE compute each VMA's new flags through
 * ksm_madvise() — which registers the mm, or unshares the KSM pages of
 * the range first — and, when the flags change, apply them with
 * vma_modify_flags() (merge, else split), as madvise_update_vma() does.
 *
 * A hole in the range is an error (the kernel's ENOMEM); nothing is
 * changed when the range is not fully mapped.
 */
#include "mm/internal.h"
#include "mm/ksm_hooks.h"

int sim_madvise(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
		uint64_t npages, enum sim_advice advice, struct sim_error *err)
{
	uint64_t end = addr + (npages << KSM_PAGE_SHIFT), hole, nstart;

	if (!range_fully_mapped(mm, addr, end, &hole))
		return sim_fail(err, SIM_ARG_ADDR,
				"madvise range has no mapping at 0x%llx (ENOMEM)",
				(unsigned long long)hole);
	for (nstart = addr; nstart < end;) {
		struct vm_area_struct *vma = find_vma(mm, nstart);
		uint64_t tmp = vma->vm_end < end ? vma->vm_end : end;
		uint64_t flags = vma->vm_flags;

		if (advice == SIM_MADV_DONTNEED) {
			zap_page_range(sim, vma, nstart, tmp);
		} else {
			ksm_madvise(sim, vma, nstart, tmp, advice, &flags);
			if (flags != vma->vm_flags)
				vma_modify_flags(sim, vma, nstart, tmp, flags);
		}
		nstart = tmp;
	}
	return 0;
}

int sim_prctl_merge_any(struct ksm_sim *sim, struct mm_struct *mm, bool on,
			struct sim_error *err)
{
	(void)err;
	if (on)
		ksm_enable_merge_any(sim, mm);
	else
		ksm_disable_merge_any(sim, mm);
	return 0;
}
