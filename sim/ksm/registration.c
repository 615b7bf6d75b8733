// SPDX-License-Identifier: MIT
/*
 * DOC: Registration of address spaces with KSM (mm/ksm.c, include/linux/ksm.h)
 *
 * An mm joins the scan list when it first gets a VM_MERGEABLE VMA
 * (__ksm_enter), by MADV_MERGEABLE, by PR_SET_MEMORY_MERGE, by mmap in a
 * merge-any mm, or at fork from a registered parent (ksm_fork).  Where the
 * slot goes decides when ksmd first scans it:
 *
 *  - normally immediately before the slot under the scan cursor ("behind
 *    the cursor"), so a process registered mid-round waits for the next
 *    round; with the cursor on the list head that is the tail;
 *  - while run=2 is unmerging, at the tail.
 *
 * At exit (__ksm_exit) a slot the cursor is not on is freed at once if it
 * has no rmap_items; otherwise it is moved right after the cursor so that
 * ksmd reaps it soon.  The slot under the cursor is left for ksmd.
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

void __ksm_enter(struct ksm_sim *sim, struct mm_struct *mm)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_mm_slot *slot = ksm_zalloc(sim->alloc, KOBJ_KSM, sizeof(*slot));

	slot->mm = mm;
	mm->ksm_slot = slot;
	mm->mm_count++; /* mmgrab(): the slot outlives the process's exit */
	mm->flags |= MMF_VM_MERGEABLE;
	if (ksm->knobs.run == 2 || !ksm->scan_slot)
		TAILQ_INSERT_TAIL(&ksm->ksm_mm_head, slot, mm_node);
	else
		TAILQ_INSERT_BEFORE(ksm->scan_slot, slot, mm_node);
}

void ksm_free_slot(struct ksm_sim *sim, struct ksm_mm_slot *slot)
{
	struct mm_struct *mm = slot->mm;

	mm->ksm_slot = NULL;
	mm->flags &= ~(MMF_VM_MERGE_ANY | MMF_VM_MERGEABLE);
	ksm_free(sim->alloc, KOBJ_KSM, slot, sizeof(*slot));
	mmdrop(sim, mm);
}

/*
 * ksmd's reaping (the end of scan_get_next_rmap_item() for an mm with no
 * mergeable VMA): since the 2025 fix "mm/ksm: fix exec/fork inheritance
 * support for prctl" it keeps MMF_VM_MERGE_ANY, so that a merge-any
 * process registers again at its next mmap; before, it cleared it.
 */
void ksm_reap_slot(struct ksm_sim *sim, struct ksm_mm_slot *slot)
{
	struct mm_struct *mm = slot->mm;

	mm->ksm_slot = NULL;
	mm->flags &= ~MMF_VM_MERGEABLE;
	if (sim->ksm->reap_clears_merge_any)
		mm->flags &= ~MMF_VM_MERGE_ANY;
	ksm_free(sim->alloc, KOBJ_KSM, slot, sizeof(*slot));
	mmdrop(sim, mm);
}

void __ksm_exit(struct ksm_sim *sim, struct mm_struct *mm)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_mm_slot *slot = mm->ksm_slot;

	if (!slot || slot == ksm->scan_slot)
		return;
	TAILQ_REMOVE(&ksm->ksm_mm_head, slot, mm_node);
	if (!slot->rmap_list) {
		ksm_free_slot(sim, slot);
		return;
	}
	/* list_move() to just after the cursor (the head: to the front). */
	if (ksm->scan_slot)
		TAILQ_INSERT_AFTER(&ksm->ksm_mm_head, ksm->scan_slot, slot, mm_node);
	else
		TAILQ_INSERT_HEAD(&ksm->ksm_mm_head, slot, mm_node);
}

/*
 * ksm_fork(): the child's mm struct is a copy of the parent's, so its
 * per-mm counters start as the parent's.  A child of a registered parent
 * has no rmap_items of its own yet, and its KSM zero-page entries (copied
 * page tables) count globally too.
 */
void ksm_fork(struct ksm_sim *sim, struct mm_struct *child,
	      struct mm_struct *parent)
{
	child->ksm_rmap_items = parent->ksm_rmap_items;
	child->ksm_merging_pages = parent->ksm_merging_pages;
	child->ksm_zero_pages = parent->ksm_zero_pages;
	if (!(parent->flags & MMF_VM_MERGEABLE))
		return;
	child->ksm_merging_pages = 0;
	child->ksm_rmap_items = 0;
	sim->ksm->ksm_zero_pages += child->ksm_zero_pages;
	__ksm_enter(sim, child);
}

/*
 * vma_ksm_compatible(): shared, special, hugetlb and DAX mappings cannot
 * merge; every mapping a trace can make is private anonymous, so all are
 * compatible.  Kept as a function so the rule has one home.
 */
static bool vma_ksm_compatible(uint64_t vm_flags)
{
	(void)vm_flags;
	return true;
}

void ksm_madvise(struct ksm_sim *sim, struct vm_area_struct *vma,
		 uint64_t start, uint64_t end, enum sim_advice advice,
		 uint64_t *vm_flags)
{
	struct mm_struct *mm = vma->vm_mm;

	if (advice == SIM_MADV_MERGEABLE) {
		if (vma->vm_flags & VM_MERGEABLE)
			return;
		if (!vma_ksm_compatible(vma->vm_flags))
			return;
		if (!(mm->flags & MMF_VM_MERGEABLE))
			__ksm_enter(sim, mm);
		*vm_flags |= VM_MERGEABLE;
		return;
	}
	if (!(*vm_flags & VM_MERGEABLE))
		return;
	if (vma->anon_vma)
		unmerge_ksm_pages(sim, vma, start, end);
	*vm_flags &= ~VM_MERGEABLE;
}

uint64_t ksm_vma_flags(struct ksm_sim *sim, struct mm_struct *mm,
		       uint64_t vm_flags)
{
	if (!(mm->flags & MMF_VM_MERGE_ANY) || !vma_ksm_compatible(vm_flags) ||
	    (vm_flags & VM_MERGEABLE))
		return vm_flags;
	/* A merge-any mm whose slot ksmd reaped registers again. */
	if (!(mm->flags & MMF_VM_MERGEABLE))
		__ksm_enter(sim, mm);
	return vm_flags | VM_MERGEABLE;
}

/*
 * PR_SET_MEMORY_MERGE 1: every compatible VMA becomes mergeable in place,
 * without splitting or merging VMAs (ksm_add_vmas()).
 */
void ksm_enable_merge_any(struct ksm_sim *sim, struct mm_struct *mm)
{
	if (mm->flags & MMF_VM_MERGE_ANY)
		return;
	if (!(mm->flags & MMF_VM_MERGEABLE))
		__ksm_enter(sim, mm);
	mm->flags |= MMF_VM_MERGE_ANY;
	for (struct vm_area_struct *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		if (vma_ksm_compatible(vma->vm_flags))
			vma->vm_flags |= VM_MERGEABLE;
}

/*
 * PR_SET_MEMORY_MERGE 0: every VM_MERGEABLE VMA — madvised ones too —
 * has its KSM pages unshared and the flag cleared in place
 * (ksm_del_vmas()).  The slot stays until ksmd finds nothing to scan.
 */
void ksm_disable_merge_any(struct ksm_sim *sim, struct mm_struct *mm)
{
	if (!(mm->flags & MMF_VM_MERGE_ANY))
		return;
	for (struct vm_area_struct *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		if (!(vma->vm_flags & VM_MERGEABLE))
			continue;
		if (vma->anon_vma)
			unmerge_ksm_pages(sim, vma, vma->vm_start, vma->vm_end);
		vma->vm_flags &= ~VM_MERGEABLE;
	}
	mm->flags &= ~MMF_VM_MERGE_ANY;
}

/*
 * unmerge_ksm_pages(): break_ksm() every page of the range: a KSM page or
 * a KSM-placed zero page is replaced by an exclusive copy through an
 * unshare fault.  rmap_items and stable nodes are left for ksmd.
 */
void unmerge_ksm_pages(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t start, uint64_t end)
{
	uint64_t addr = start;

	while (pte_next_used(vma->vm_mm, &addr, end)) {
		break_ksm(sim, vma, addr);
		addr += KSM_PAGE_SIZE;
	}
}

struct ksm_state *ksm_state_create(struct ksm_sim *sim)
{
	struct ksm_state *ksm = ksm_zalloc(sim->alloc, KOBJ_KSM, sizeof(*ksm));

	TAILQ_INIT(&ksm->ksm_mm_head);
	RB_INIT(&ksm->root_stable_tree);
	RB_INIT(&ksm->root_unstable_tree);
	/* Linux 6.18 defaults; the trace contract starts with run=1. */
	ksm_knobs_default(&ksm->knobs);
	ksm->kernel = KSM_KERNEL_BASELINE;
	ksm->layout = KSM_LAYOUT_LP64;
	ksm->zero_checksum = ksm_layout_checksum(ksm->layout, 0);
	ksm->page_cost_ns = 1000;
	ksm->walk = -1;
	ksm_rng_seed(&ksm->rng, 0);
	return ksm;
}

/*
 * Teardown: every process has exited, so every KSM page is gone and
 * every stable node is stale; dropping the items (which probes their
 * nodes) and then the remaining nodes releases everything.
 */
void ksm_state_destroy(struct ksm_sim *sim, struct ksm_state *ksm)
{
	struct ksm_mm_slot *slot, *tmp;

	ksm->scan_slot = NULL;
	TAILQ_FOREACH_SAFE(slot, &ksm->ksm_mm_head, mm_node, tmp) {
		remove_trailing_rmap_items(sim, &slot->rmap_list);
		TAILQ_REMOVE(&ksm->ksm_mm_head, slot, mm_node);
		ksm_free_slot(sim, slot);
	}
	remove_all_stable_nodes(sim);
	rmap_item_cache_destroy(sim);
	ksm_free(sim->alloc, KOBJ_KSM, ksm, sizeof(*ksm));
}

/*
 * unmerge_and_remove_all_rmap_items() (run=2): walk the slots in order
 * with the cursor on each, unshare every KSM page of every mergeable VMA
 * with an anon_vma, drop the slot's rmap_items, free the slots of exiting
 * mms; then the round counter restarts at 0 and the cursor rests on the
 * list head.
 */
void unmerge_and_remove_all_rmap_items(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_mm_slot *slot, *next;

	for (slot = TAILQ_FIRST(&ksm->ksm_mm_head); slot; slot = next) {
		struct mm_struct *mm = slot->mm;

		ksm->scan_slot = slot;
		if (!mm_exiting(mm))
			for (struct vm_area_struct *vma = vma_first(mm); vma;
			     vma = vma_next(mm, vma))
				if ((vma->vm_flags & VM_MERGEABLE) && vma->anon_vma)
					unmerge_ksm_pages(sim, vma, vma->vm_start,
							  vma->vm_end);
		remove_trailing_rmap_items(sim, &slot->rmap_list);
		next = TAILQ_NEXT(slot, mm_node);
		if (mm_exiting(mm)) {
			TAILQ_REMOVE(&ksm->ksm_mm_head, slot, mm_node);
			ksm_free_slot(sim, slot);
		}
	}
	ksm->scan_slot = NULL;
	ksm->scan_rmap_list = NULL;
	RB_INIT(&ksm->root_unstable_tree); /* every item is gone */
	/* Nodes whose pages are still mapped elsewhere stay (busy). */
	remove_all_stable_nodes(sim);
	ksm->seqnr = 0;
}
