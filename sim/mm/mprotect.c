// SPDX-License-Identifier: MIT
/*
 * DOC: mprotect (mm/mprotect.c)
 *
 * For each VMA of the range (mprotect_fixup()): the new flags are the new
 * protection plus the VMA's other flags, with VM_ACCOUNT added when a
 * private mapping first becomes writable and dropped when it stops being
 * writable before it ever had an anon_vma.  Equal flags change nothing
 * (no split, no merge).  Otherwise vma_modify_flags() merges or splits,
 * and change_protection() rewrites the entries: removing write
 * protects every entry; adding write makes writable only the entries of
 * exclusive anonymous pages (can_change_pte_writable()) — KSM pages,
 * pages still shared after fork and the zero page stay read-only and
 * fault on the next write.
 *
 * A hole in the range is an error (ENOMEM).  The kernel would have
 * changed the VMAs before the hole; the simulator checks first and
 * changes nothing, since a trace stops at its first error anyway.
 */
#include "mm/internal.h"

static uint64_t mprotect_new_flags(const struct vm_area_struct *vma,
				   enum sim_prot prot)
{
	uint64_t old = vma->vm_flags;
	uint64_t flags = (old & ~VM_ACCESS_FLAGS) | prot_to_vm_flags(prot);

	if (flags & VM_WRITE) {
		if (!(old & (VM_ACCOUNT | VM_WRITE)))
			flags |= VM_ACCOUNT;
	} else if ((flags & VM_ACCOUNT) && !vma->anon_vma) {
		flags &= ~VM_ACCOUNT;
	}
	return flags;
}

static void change_protection(struct ksm_sim *sim, struct vm_area_struct *vma,
			      uint64_t start, uint64_t end)
{
	struct mm_struct *mm = vma->vm_mm;
	uint64_t addr = start;

	while (pte_next_used(mm, &addr, end)) {
		pte_t pte = pte_get(mm, addr), new = pte & ~PTE_WRITE;

		if ((vma->vm_flags & VM_WRITE) && !is_zero_pfn(pte_pfn(pte))) {
			struct folio *folio = pfn_folio(sim, pte_pfn(pte));

			if (folio_test_anon(folio) && !folio_test_ksm(folio) &&
			    (folio->flags & FOLIO_ANON_EXCLUSIVE))
				new |= PTE_WRITE;
		}
		if (new != pte)
			pte_set(sim, mm, addr, new);
		addr += KSM_PAGE_SIZE;
	}
}

int sim_mprotect(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
		 uint64_t npages, enum sim_prot prot, struct sim_error *err)
{
	uint64_t end = addr + (npages << KSM_PAGE_SHIFT), hole, nstart;

	if (!range_fully_mapped(mm, addr, end, &hole))
		return sim_fail(err, SIM_ARG_ADDR,
				"mprotect range has no mapping at 0x%llx (ENOMEM)",
				(unsigned long long)hole);
	for (nstart = addr; nstart < end;) {
		struct vm_area_struct *vma = find_vma(mm, nstart);
		uint64_t tmp = vma->vm_end < end ? vma->vm_end : end;
		uint64_t flags = mprotect_new_flags(vma, prot);

		if (flags != vma->vm_flags) {
			vma = vma_modify_flags(sim, vma, nstart, tmp, flags);
			change_protection(sim, vma, nstart, tmp);
		}
		nstart = tmp;
	}
	return 0;
}
