// SPDX-License-Identifier: MIT
/*
 * DOC: mmap and munmap (mm/mmap.c, mm/vma.c)
 *
 * mmap places a private anonymous range at a fixed free address
 * (MAP_FIXED_NOREPLACE): vm_pgoff = addr >> PAGE_SHIFT (do_mmap()),
 * VM_ACCOUNT for writable private mappings (accountable_mapping()),
 * VM_MERGEABLE at creation in a merge-any mm (ksm_vma_flags()), and then
 * either an adjacent VMA grows over it (vma_merge_new_range()) or a new
 * VMA is linked.
 *
 * munmap (do_vmi_munmap()) splits the VMAs at the range bounds — the
 * pieces that stay are the new VMAs, the originals are the ones removed —
 * then zaps every entry of the range, then unlinks the removed VMAs'
 * anon_vma chains in ascending order (free_pgtables()).
 */
#include "mm/internal.h"
#include "mm/ksm_hooks.h"

uint64_t prot_to_vm_flags(enum sim_prot prot)
{
	switch (prot) {
	case SIM_PROT_R:
		return VM_READ;
	case SIM_PROT_RW:
		return VM_READ | VM_WRITE;
	case SIM_PROT_NONE:
		break;
	}
	return VM_NONE;
}

int sim_mmap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	     uint64_t npages, enum sim_prot prot, struct sim_error *err)
{
	uint64_t end = addr + (npages << KSM_PAGE_SHIFT);
	struct vm_area_struct *vma = find_vma(mm, addr);
	uint64_t flags = prot_to_vm_flags(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (end > sim_task_size(sim))
		return sim_fail(err, SIM_ARG_ADDR,
				"mmap of [0x%llx, 0x%llx) goes beyond the user address space of the modelled kernel (which ends at 0x%llx)",
				(unsigned long long)addr, (unsigned long long)end,
				(unsigned long long)sim_task_size(sim));
	if (vma && vma->vm_start < end)
		return sim_fail(err, SIM_ARG_ADDR,
				"mmap of [0x%llx, 0x%llx) overlaps the mapping [0x%llx, 0x%llx) (MAP_FIXED_NOREPLACE: EEXIST)",
				(unsigned long long)addr, (unsigned long long)end,
				(unsigned long long)vma->vm_start,
				(unsigned long long)vma->vm_end);
	if (flags & VM_WRITE)
		flags |= VM_ACCOUNT;
	flags = ksm_vma_flags(sim, mm, flags);
	if (vma_merge_new_range(sim, mm, addr, end, addr >> KSM_PAGE_SHIFT,
				flags, NULL, NULL))
		return 0;
	vma = vm_area_alloc(sim, mm);
	vma->vm_start = addr;
	vma->vm_end = end;
	vma->vm_pgoff = addr >> KSM_PAGE_SHIFT;
	vma->vm_flags = flags;
	vma_link(mm, vma);
	return 0;
}

void do_munmap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t start,
	       uint64_t end)
{
	struct vm_area_struct *vma = find_vma(mm, start), *next;
	struct vm_area_struct *first;

	if (!vma || vma->vm_start >= end)
		return;
	if (vma->vm_start < start)
		split_vma(sim, vma, start, true);
	first = vma;
	for (; vma && vma->vm_start < end; vma = vma_next(mm, vma))
		if (vma->vm_end > end)
			split_vma(sim, vma, end, false);
	/* Zap every entry of the range first, then tear down the VMAs. */
	for (vma = first; vma && vma->vm_start < end; vma = vma_next(mm, vma))
		zap_page_range(sim, vma, vma->vm_start, vma->vm_end);
	for (vma = first; vma && vma->vm_start < end; vma = next) {
		next = vma_next(mm, vma);
		remove_vma(sim, vma);
	}
}

int sim_munmap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	       uint64_t npages, struct sim_error *err)
{
	(void)err; /* unmapping a hole is not an error */
	do_munmap(sim, mm, addr, addr + (npages << KSM_PAGE_SHIFT));
	return 0;
}
