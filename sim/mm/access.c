// SPDX-License-Identifier: MIT
/*
 * DOC: Loads and stores of the trace (write, read)
 *
 * A trace `write` is a store to every page of the range, and `read` a
 * load: each page goes through the fault path a real access would take
 * (sim/mm/memory.c).  An access the hardware would refuse — an address
 * with no VMA, a store without VM_WRITE, a load from PROT_NONE — is the
 * SIGSEGV the process would get: an error, checked for the whole range
 * before any page is touched.
 */
#include "mm/internal.h"

static int check_access(struct mm_struct *mm, uint64_t addr, uint64_t end,
			uint64_t need, const char *what, struct sim_error *err)
{
	for (uint64_t a = addr; a < end;) {
		struct vm_area_struct *vma = vma_lookup(mm, a);

		if (!vma)
			return sim_fail(err, SIM_ARG_ADDR,
					"%s of unmapped page 0x%llx (SIGSEGV)", what,
					(unsigned long long)a);
		if ((vma->vm_flags & need) != need)
			return sim_fail(err, SIM_ARG_ADDR,
					"%s of page 0x%llx without %s permission (SIGSEGV)",
					what, (unsigned long long)a,
					need & VM_WRITE ? "write" : "read");
		a = vma->vm_end;
	}
	return 0;
}

int sim_write(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	      uint64_t npages, sim_token_fn token_of, const void *ctx,
	      struct sim_error *err)
{
	uint64_t end = addr + (npages << KSM_PAGE_SHIFT);
	struct vm_area_struct *vma = NULL;

	if (check_access(mm, addr, end, VM_WRITE, "write", err))
		return -1;
	for (uint64_t i = 0, a = addr; a < end; i++, a += KSM_PAGE_SIZE) {
		if (!vma || a >= vma->vm_end)
			vma = vma_lookup(mm, a);
		handle_write_fault(sim, vma, a, token_of(ctx, i));
	}
	return 0;
}

int sim_read(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	     uint64_t npages, struct sim_error *err)
{
	uint64_t end = addr + (npages << KSM_PAGE_SHIFT);
	struct vm_area_struct *vma = NULL;

	if (check_access(mm, addr, end, VM_READ, "read", err))
		return -1;
	for (uint64_t a = addr; a < end; a += KSM_PAGE_SIZE) {
		if (!vma || a >= vma->vm_end)
			vma = vma_lookup(mm, a);
		handle_read_fault(sim, vma, a);
	}
	return 0;
}
