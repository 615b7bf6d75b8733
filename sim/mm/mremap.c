// SPDX-License-Identifier: MIT
/*
 * DOC: mremap (mm/mremap.c, copy_vma() in mm/vma.c)
 *
 * The trace's mremap is mremap(2) with MREMAP_MAYMOVE|MREMAP_FIXED when
 * the new address differs, and a plain in-place resize when it does not.
 *
 * A move (move_vma()) keeps the pages and their page offsets:
 *  1. with MREMAP_FIXED the destination is unmapped first, and a shrink
 *     unmaps the source's tail (mremap_to());
 *  2. prep_move_vma() unshares every KSM page of the source range through
 *     ksm_madvise(MADV_UNMERGEABLE) on a throw-away copy of the flags, so
 *     the VMA keeps VM_MERGEABLE and ksmd may merge the pages again at
 *     their new address;
 *  3. copy_vma() makes the destination VMA with the source's page offset
 *     (vm_pgoff stays what it was, no longer address >> PAGE_SHIFT) —
 *     unless the source never had an anon_vma, when the offset restarts at
 *     new_addr >> PAGE_SHIFT — merging into a destination neighbour when
 *     vma_merge_new_range() allows (the 6.18.y rule: the merged VMA
 *     inherits the source's anon_vma; see docs/kernel-reading-mm.md M1.9);
 *  4. the page-table entries move (move_page_tables());
 *  5. the source range is unmapped (do_munmap()).
 *
 * A move of the same size may span several VMAs (remap_move(), 6.17+):
 * each piece moves on its own, gaps between them kept.  A resize or a
 * size-changing move must stay inside one VMA (EFAULT).  In place, a
 * shrink unmaps the tail — what it keeps may span VMAs and holes, only
 * the start must be mapped — and a growth extends the VMA over free space
 * (vma_merge_extend(), which may also swallow a compatible next VMA);
 * neither breaks KSM pages.
 */
#include "mm/internal.h"
#include "mm/ksm_hooks.h"

/* copy_vma(): the destination VMA for a move of part of @vma. */
static struct vm_area_struct *copy_vma(struct ksm_sim *sim,
				       struct vm_area_struct *vma,
				       uint64_t old_addr, uint64_t new_addr,
				       uint64_t new_len)
{
	struct mm_struct *mm = vma->vm_mm;
	pgoff_t pgoff = vma->vm_pgoff + ((old_addr - vma->vm_start) >> KSM_PAGE_SHIFT);
	struct vm_area_struct *new;

	/* An unfaulted VMA restarts its offset to improve its merge chances. */
	if (!vma->anon_vma)
		pgoff = new_addr >> KSM_PAGE_SHIFT;
	new = vma_merge_new_range(sim, mm, new_addr, new_addr + new_len, pgoff,
				  vma->vm_flags, vma->anon_vma, vma);
	if (new)
		return new;
	new = vm_area_dup(sim, vma);
	new->vm_start = new_addr;
	new->vm_end = new_addr + new_len;
	new->vm_pgoff = pgoff;
	anon_vma_clone(sim, new, vma);
	vma_link(mm, new);
	return new;
}

/* move_vma(): move [old_addr, +old_len) of one VMA to new_addr (new_len). */
static void move_vma(struct ksm_sim *sim, struct mm_struct *mm,
		     uint64_t old_addr, uint64_t old_len, uint64_t new_addr,
		     uint64_t new_len)
{
	struct vm_area_struct *vma = vma_lookup(mm, old_addr);
	uint64_t dummy = vma->vm_flags;

	ksm_madvise(sim, vma, old_addr, old_addr + old_len,
		    SIM_MADV_UNMERGEABLE, &dummy);
	copy_vma(sim, vma, old_addr, new_addr, new_len);
	move_page_tables(sim, mm, old_addr, new_addr, old_len);
	do_munmap(sim, mm, old_addr, old_addr + old_len);
}

/* mremap_to(): move with an explicit destination (MREMAP_FIXED). */
static void mremap_to(struct ksm_sim *sim, struct mm_struct *mm,
		      uint64_t old_addr, uint64_t old_len, uint64_t new_addr,
		      uint64_t new_len)
{
	do_munmap(sim, mm, new_addr, new_addr + new_len);
	if (new_len < old_len) {
		do_munmap(sim, mm, old_addr + new_len, old_addr + old_len);
		old_len = new_len;
	}
	move_vma(sim, mm, old_addr, old_len, new_addr, new_len);
}

/* remap_move(): a same-size move over possibly several VMAs. */
static int remap_move(struct ksm_sim *sim, struct mm_struct *mm,
		      uint64_t old_addr, uint64_t len, uint64_t new_addr,
		      struct sim_error *err)
{
	uint64_t end = old_addr + len, addr = old_addr;

	if (!vma_lookup(mm, old_addr))
		return sim_fail(err, SIM_ARG_ADDR,
				"mremap source 0x%llx is not mapped (EFAULT)",
				(unsigned long long)old_addr);
	/*
	 * Pieces are found by address each time: moving one piece may split
	 * a VMA the next piece lies in (its destination unmap), never the
	 * piece itself, since source and destination do not overlap.
	 */
	for (;;) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		uint64_t s, e;

		if (!vma || vma->vm_start >= end)
			break;
		s = vma->vm_start > addr ? vma->vm_start : addr;
		e = vma->vm_end < end ? vma->vm_end : end;
		mremap_to(sim, mm, s, e - s, new_addr + (s - old_addr), e - s);
		addr = e;
	}
	return 0;
}

static int mremap_in_place(struct ksm_sim *sim, struct mm_struct *mm,
			   struct vm_area_struct *vma, uint64_t addr,
			   uint64_t old_len, uint64_t new_len,
			   struct sim_error *err)
{
	struct vm_area_struct *next;
	uint64_t delta;

	if (new_len == old_len)
		return 0;
	if (new_len < old_len) {
		do_munmap(sim, mm, addr + new_len, addr + old_len);
		return 0;
	}
	delta = new_len - old_len;
	next = vma_next(mm, vma);
	if (addr + old_len != vma->vm_end ||
	    (next && next->vm_start < vma->vm_end + delta) ||
	    vma->vm_end + delta > KSM_TASK_SIZE)
		return sim_fail(err, SIM_ARG_NEW_NPAGES,
				"mremap cannot grow [0x%llx, 0x%llx) in place: the pages after it are not free (ENOMEM)",
				(unsigned long long)addr,
				(unsigned long long)(addr + old_len));
	/* vma_merge_extend(): the VMA itself is the left neighbour. */
	vma_merge_new_range(sim, mm, vma->vm_end, vma->vm_end + delta,
			    vma->vm_pgoff + vma_pages(vma), vma->vm_flags,
			    vma->anon_vma, NULL);
	return 0;
}

int sim_mremap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t old_addr,
	       uint64_t old_npages, uint64_t new_addr, uint64_t new_npages,
	       struct sim_error *err)
{
	uint64_t old_len = old_npages << KSM_PAGE_SHIFT;
	uint64_t new_len = new_npages << KSM_PAGE_SHIFT;
	struct vm_area_struct *vma;

	if (new_addr + new_len > sim_task_size(sim))
		return sim_fail(err, new_addr == old_addr ? SIM_ARG_NEW_NPAGES : SIM_ARG_NEW_ADDR,
				"mremap to [0x%llx, 0x%llx) goes beyond the user address space of the modelled kernel (which ends at 0x%llx)",
				(unsigned long long)new_addr,
				(unsigned long long)(new_addr + new_len),
				(unsigned long long)sim_task_size(sim));
	if (new_addr != old_addr && new_addr < old_addr + old_len &&
	    old_addr < new_addr + new_len)
		return sim_fail(err, SIM_ARG_NEW_ADDR,
				"mremap destination [0x%llx, 0x%llx) overlaps the source (EINVAL)",
				(unsigned long long)new_addr,
				(unsigned long long)(new_addr + new_len));
	if (new_addr != old_addr && old_len == new_len)
		return remap_move(sim, mm, old_addr, old_len, new_addr, err);
	/*
	 * The start must be mapped.  An in-place shrink only unmaps the tail,
	 * so what it keeps may span VMAs and holes; anything else must lie in
	 * one VMA: all of the old range, or what a shrinking move keeps.
	 */
	vma = vma_lookup(mm, old_addr);
	if (vma && new_addr == old_addr && new_len <= old_len)
		return mremap_in_place(sim, mm, vma, old_addr, old_len, new_len, err);
	if (!vma || vma->vm_end < old_addr + (new_len < old_len ? new_len : old_len))
		return sim_fail(err, SIM_ARG_ADDR,
				"mremap source [0x%llx, 0x%llx) is not inside one mapping (EFAULT)",
				(unsigned long long)old_addr,
				(unsigned long long)(old_addr + old_len));
	if (new_addr == old_addr)
		return mremap_in_place(sim, mm, vma, old_addr, old_len, new_len, err);
	mremap_to(sim, mm, old_addr, old_len, new_addr, new_len);
	return 0;
}
