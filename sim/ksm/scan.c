// SPDX-License-Identifier: MIT
/*
 * DOC: The scanner (ksmd: ksm_do_scan(), scan_get_next_rmap_item())
 *
 * ksmd runs batches: up to pages_to_scan calls of cmp_and_merge_page(),
 * then it sleeps sleep_millisecs (the model's clock advances by that).
 * The cursor (slot, address, position in the slot's item list) survives
 * between batches.  A round visits every slot in list order:
 *
 *  - at its start (the cursor on the list head) the unstable tree is
 *    emptied — its items keep their flags and counts until visited — and
 *    the cursor moves to the first slot;
 *  - in each mm, every mergeable VMA with an anon_vma is walked in
 *    address order; each present anonymous page (not the zero page) gets
 *    its item — reused if the list has one for that address, else a new
 *    zeroed one — and items for addresses passed over are freed on the
 *    way (get_next_rmap_item());
 *  - smart scan may skip a page (no budget spent);
 *  - at the end of an mm the items left beyond the cursor are freed
 *    (remove_trailing_rmap_items()); an mm that is exiting, or in which a
 *    walk from address 0 met no mergeable VMA, loses its slot;
 *  - stepping from the last slot back to the head ends the round:
 *    full_scans (seqnr) grows, and the batch ends there even with budget
 *    left.
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

/*
 * get_next_rmap_item(): the item for @addr at *@pos, reusing one with
 * that address; items below @addr are stale (their page went away) and
 * are freed.  NULL only if a new item cannot be allocated.
 */
static struct ksm_rmap_item *get_next_rmap_item(struct ksm_sim *sim,
						struct ksm_mm_slot *slot,
						struct ksm_rmap_item **pos,
						uint64_t addr)
{
	struct ksm_rmap_item *item;

	while (*pos) {
		item = *pos;
		if ((item->address & KSM_PAGE_MASK) == addr)
			return item;
		if (item->address > addr)
			break;
		*pos = item->rmap_list;
		remove_rmap_item_from_tree(sim, item);
		free_rmap_item(sim, item);
	}
	item = alloc_rmap_item(sim);
	if (!item)
		return NULL;
	item->mm = slot->mm;
	item->mm->ksm_rmap_items++;
	item->address = addr;
	item->rmap_list = *pos;
	*pos = item;
	return item;
}

void remove_trailing_rmap_items(struct ksm_sim *sim, struct ksm_rmap_item **rmap_list)
{
	while (*rmap_list) {
		struct ksm_rmap_item *item = *rmap_list;

		*rmap_list = item->rmap_list;
		remove_rmap_item_from_tree(sim, item);
		free_rmap_item(sim, item);
	}
}

/* The folio_walk of the scanner: a present anonymous page, not the zero page. */
static struct folio *scannable_folio(struct ksm_sim *sim, struct mm_struct *mm,
				     uint64_t addr)
{
	pte_t pte = pte_get(mm, addr);
	struct folio *folio;

	if (!pte_present(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	folio = pfn_folio(sim, pte_pfn(pte));
	return folio_test_anon(folio) ? folio : NULL;
}

/* Round start: discard the unstable tree, put the cursor on the first slot. */
static bool scan_round_start(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;

	advisor_start_scan(sim);
	RB_INIT(&ksm->root_unstable_tree);
	ksm->scan_slot = TAILQ_FIRST(&ksm->ksm_mm_head);
	if (!ksm->scan_slot)
		return false;
	ksm->scan_address = 0;
	ksm->scan_rmap_list = &ksm->scan_slot->rmap_list;
	return true;
}

/*
 * Walk the cursor's mm from the cursor on.  Returns the next item to
 * compare (and its page in *@folio), or NULL with *@alloc_failed set
 * when an item could not be allocated, or NULL when the mm is done.
 */
static struct ksm_rmap_item *scan_mm(struct ksm_sim *sim, struct folio **folio,
				     bool *alloc_failed)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_mm_slot *slot = ksm->scan_slot;
	struct mm_struct *mm = slot->mm;
	struct vm_area_struct *vma;

	if (mm_exiting(mm))
		return NULL;
	for (vma = find_vma(mm, ksm->scan_address); vma; vma = vma_next(mm, vma)) {
		if (!(vma->vm_flags & VM_MERGEABLE))
			continue;
		if (ksm->scan_address < vma->vm_start)
			ksm->scan_address = vma->vm_start;
		if (!vma->anon_vma)
			ksm->scan_address = vma->vm_end;
		while (ksm->scan_address < vma->vm_end) {
			uint64_t addr = ksm->scan_address;
			struct ksm_rmap_item *item;
			struct folio *f;

			/* Jump over empty page tables to the next entry. */
			if (!pte_next_used(mm, &addr, vma->vm_end)) {
				ksm->scan_address = vma->vm_end;
				break;
			}
			ksm->scan_address = addr;
			f = scannable_folio(sim, mm, addr);
			if (!f) {
				ksm->scan_address += KSM_PAGE_SIZE;
				continue;
			}
			item = get_next_rmap_item(sim, slot, ksm->scan_rmap_list, addr);
			if (!item) {
				*alloc_failed = true;
				return NULL;
			}
			ksm->scan_rmap_list = &item->rmap_list;
			ksm->scan_address += KSM_PAGE_SIZE;
			if (should_skip_rmap_item(sim, f, item))
				continue;
			*folio = f;
			return item;
		}
	}
	return NULL;
}

struct ksm_rmap_item *scan_get_next_rmap_item(struct ksm_sim *sim, struct folio **folio)
{
	struct ksm_state *ksm = sim->ksm;

	if (TAILQ_EMPTY(&ksm->ksm_mm_head))
		return NULL;
	if (!ksm->scan_slot && !scan_round_start(sim))
		return NULL;
	for (;;) {
		struct ksm_mm_slot *slot = ksm->scan_slot, *next;
		struct mm_struct *mm = slot->mm;
		bool alloc_failed = false;
		struct ksm_rmap_item *item = scan_mm(sim, folio, &alloc_failed);

		if (item)
			return item;
		if (alloc_failed)
			return NULL; /* no progress: the next batch retries */
		if (mm_exiting(mm)) {
			ksm->scan_address = 0;
			ksm->scan_rmap_list = &slot->rmap_list;
		}
		/* Items beyond the last page seen have no page any more. */
		remove_trailing_rmap_items(sim, ksm->scan_rmap_list);
		next = TAILQ_NEXT(slot, mm_node);
		if (ksm->scan_address == 0) {
			/* No mergeable VMA met from address 0: drop the slot. */
			TAILQ_REMOVE(&ksm->ksm_mm_head, slot, mm_node);
			ksm_reap_slot(sim, slot);
		}
		ksm->scan_slot = next;
		if (next) {
			ksm->scan_address = 0;
			ksm->scan_rmap_list = &next->rmap_list;
			continue;
		}
		advisor_stop_scan(sim);
		ksm->seqnr++;
		/*
		 * The kernel resets the unstable root at the next round start;
		 * nothing walks it in between, and this round's items are now
		 * last round's (never erased), so resetting here is the same —
		 * and leaves no root pointing at items freed meanwhile.
		 */
		RB_INIT(&ksm->root_unstable_tree);
		ksm->scan_rmap_list = NULL;
		return NULL;
	}
}

void ksm_do_scan(struct ksm_sim *sim, unsigned long scan_npages)
{
	struct ksm_state *ksm = sim->ksm;

	while (scan_npages--) {
		struct folio *folio = NULL;
		struct ksm_rmap_item *item = scan_get_next_rmap_item(sim, &folio);

		if (!item)
			return;
		cmp_and_merge_page(sim, folio, item);
		ksm->pages_scanned++;
		ksm->cpu_ns += ksm->page_cost_ns;
	}
}
