// SPDX-License-Identifier: MIT
/*
 * DOC: Smart scan (should_skip_rmap_item() and skip_age(), Linux 6.7+)
 *
 * Each non-KSM visit of an item ages it (a saturating u8).  Young items
 * (age < 3) are always scanned; after that an item is skipped for a
 * number of rounds that grows with its age (1, 2, 4, then 8), scanned
 * once, and so on.  A skip takes the item out of its tree and counts in
 * pages_skipped; a skipped page costs no batch budget.  KSM pages are
 * never skipped.
 *
 * The baseline kernel ages and may skip an item that is still stable
 * while its address no longer maps a KSM page (the KSM page was
 * copied-on-write); a skip then removes it from the stable node.  The lpi
 * kernel keeps linear_page_index in those bytes while an item is stable,
 * so it returns "do not skip" for any item with STABLE_FLAG before
 * touching the ages (docs/model.md: the series' change).
 */
#include "ksm/ksm_state.h"

static unsigned skip_age(uint8_t age)
{
	if (age <= 3)
		return 1;
	if (age <= 5)
		return 2;
	if (age <= 8)
		return 4;
	return 8;
}

bool should_skip_rmap_item(struct ksm_sim *sim, struct folio *folio,
			   struct ksm_rmap_item *item)
{
	struct ksm_state *ksm = sim->ksm;
	uint8_t age, skips;

	if (!ksm->knobs.smart_scan)
		return false;
	if (folio->flags & FOLIO_KSM)
		return false;
	if (ksm->kernel == KSM_KERNEL_LPI && (item->address & STABLE_FLAG))
		return false;
	age = rmap_item_age(ksm, item);
	if (age != UINT8_MAX)
		rmap_item_set_age(ksm, item, age + 1);
	if (age < 3)
		return false;
	skips = rmap_item_remaining_skips(ksm, item);
	if (!skips) {
		rmap_item_set_remaining_skips(ksm, item, (uint8_t)skip_age(age));
		return false;
	}
	ksm->pages_skipped++;
	rmap_item_set_remaining_skips(ksm, item, skips - 1);
	remove_rmap_item_from_tree(sim, item);
	return true;
}
