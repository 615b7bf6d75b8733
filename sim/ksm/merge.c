// SPDX-License-Identifier: MIT
/*
 * DOC: Merging (cmp_and_merge_page() and everything under it, mm/ksm.c)
 *
 * For each page the scanner returns, cmp_and_merge_page() decides:
 *
 *  1. A KSM page already on the item's node: nothing to do.  A KSM page
 *     the item is not on yet (a forked child's first visit): append the
 *     item, bypassing max_page_sharing if the node is full.
 *  2. Otherwise the item leaves any tree, and the page must show the same
 *     checksum as at the previous visit — a fresh item's is 0, so every
 *     page needs two visits — else the new checksum is stored and that's
 *     it (the page is volatile).
 *  3. use_zero_pages: a page with the zero page's checksum is replaced by
 *     a KSM-placed zero-page entry.
 *  4. The stable tree: an equal KSM page with room takes the mapping.
 *  5. The unstable tree: an equal page found there and this page become
 *     one new KSM page (try_to_merge_two_pages()) that gets a stable node
 *     with both items; not found, the item is inserted.
 *
 * Every failure after the first half of a merge undoes it with
 * break_cow(), which unshares the page again through an unshare fault.
 *
 * The lpi kernel (the linear_page_index series) records the page offset
 * of every item that becomes stable and resets it wherever an item stops
 * being stable or a prepared merge is undone.
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

/* find_mergeable_vma(): the VMA at @addr, if KSM may work on it. */
static struct vm_area_struct *find_mergeable_vma(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma;

	if (mm_exiting(mm))
		return NULL;
	vma = vma_lookup(mm, addr);
	if (!vma || !(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma)
		return NULL;
	return vma;
}

/*
 * write_protect_page(): find the entry mapping @folio in @vma (at the
 * address its index gives there) and make it read-only, clean and not
 * exclusive.  Fails if the folio is not there, or — fault injection — has
 * an unexpected extra reference.  An entry that is already read-only,
 * clean and shared (after fork) is left as it is.
 */
static int write_protect_page(struct ksm_sim *sim, struct vm_area_struct *vma,
			      struct folio *folio, uint64_t *addr_out)
{
	struct mm_struct *mm = vma->vm_mm;
	uint64_t addr;
	pte_t pte;

	if (!folio_address_in_vma(folio, vma, &addr))
		return -1;
	pte = pte_get(mm, addr);
	if (!pte_present(pte) || pte_pfn(pte) != folio->pfn)
		return -1;
	if (pte_write(pte) || pte_dirty(pte) || (folio->flags & FOLIO_ANON_EXCLUSIVE)) {
		/* mapcount + 1 (ours) must equal the refcount + 1 we hold. */
		if (folio->refcount != folio->mapcount)
			return -1;
		folio->flags &= ~FOLIO_ANON_EXCLUSIVE;
		pte_set(sim, mm, addr, pte & ~(PTE_WRITE | PTE_DIRTY));
	}
	*addr_out = addr;
	return 0;
}

/*
 * replace_page(): map @kfolio (a KSM page, or the zero page) where
 * @folio was mapped at @addr, read-only; a zero page is mapped dirty,
 * which marks it KSM-placed.  @folio loses the mapping.
 */
static void replace_page(struct ksm_sim *sim, struct vm_area_struct *vma,
			 struct folio *folio, struct folio *kfolio, uint64_t addr)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!(kfolio->flags & FOLIO_ZERO)) {
		folio_add_rmap(kfolio);
		pte_set(sim, mm, addr, pfn_pte(kfolio->pfn, 0));
	} else {
		pte_set(sim, mm, addr, pfn_pte(ZERO_PFN, PTE_DIRTY));
		sim->ksm->ksm_zero_pages++;
		mm->ksm_zero_pages++;
	}
	folio_remove_rmap(sim, folio);
}

/*
 * ksm_might_unmap_zero_page(): the hook mm calls when it clears or
 * replaces an entry; the counters replace_page() raised drop at once.
 */
void ksm_might_unmap_zero_page(struct ksm_sim *sim, struct mm_struct *mm,
			       pte_t pte)
{
	if (is_ksm_zero_pte(pte)) {
		sim->ksm->ksm_zero_pages--;
		mm->ksm_zero_pages--;
	}
}

/*
 * try_to_merge_one_page(): make @folio (mapped in @vma) share @kfolio:
 * with @kfolio NULL, @folio itself becomes a KSM page (with no stable
 * node yet); with @kfolio == @folio (a KSM page mapped by fork) there is
 * nothing to do.
 */
static int try_to_merge_one_page(struct ksm_sim *sim, struct vm_area_struct *vma,
				 struct folio *folio, struct folio *kfolio)
{
	uint64_t addr;

	if (folio == kfolio)
		return 0;
	if (!folio_test_anon(folio))
		return -1;
	/* Page changed under us or held by someone else (injected). */
	if (ksm_fault_hit(sim, KSM_FAULT_MERGE_ONE_PAGE))
		return -1;
	if (write_protect_page(sim, vma, folio, &addr))
		return -1;
	if (!kfolio) {
		/* folio_set_stable_node(folio, NULL): KSM, node to come. */
		folio->flags |= FOLIO_KSM;
		folio->stable_node = NULL;
		return 0;
	}
	if (folio->content != kfolio->content)
		return -1;
	replace_page(sim, vma, folio, kfolio, addr);
	return 0;
}

/*
 * try_to_merge_with_ksm_page(): merge the page at @item's address into
 * @kfolio (NULL: make it a KSM page).  On success the item leaves any
 * tree and is prepared for the stable tree: it holds a reference on the
 * VMA's anon_vma and, in the lpi kernel, the page offset of its address.
 */
static int try_to_merge_with_ksm_page(struct ksm_sim *sim, struct ksm_rmap_item *item,
				      struct folio *folio, struct folio *kfolio)
{
	struct vm_area_struct *vma = find_mergeable_vma(item->mm, item->address);

	if (!vma)
		return -1;
	if (try_to_merge_one_page(sim, vma, folio, kfolio))
		return -1;
	/* The unstable nid shares storage with anon_vma: leave the tree first. */
	remove_rmap_item_from_tree(sim, item);
	item->anon_vma = vma->anon_vma;
	get_anon_vma(vma->anon_vma);
	if (sim->ksm->kernel == KSM_KERNEL_LPI)
		rmap_item_set_linear_page_index(sim->ksm, item,
			linear_page_index(vma, item->address & KSM_PAGE_MASK));
	return 0;
}

/*
 * break_ksm(): unshare the KSM page (or KSM zero page) mapped at @addr,
 * as an unshare fault would.
 */
void break_ksm(struct ksm_sim *sim, struct vm_area_struct *vma, uint64_t addr)
{
	do_unshare_fault(sim, vma, addr);
}

/*
 * break_cow(): undo a prepared merge of @item: drop the anon_vma
 * reference (lpi: and the recorded index) and unshare the page again.
 * The item was never appended, so its flags are already clear.
 */
static void break_cow(struct ksm_sim *sim, struct ksm_rmap_item *item)
{
	uint64_t addr = item->address & KSM_PAGE_MASK;
	struct vm_area_struct *vma;

	put_anon_vma(sim, item->anon_vma);
	if (sim->ksm->kernel == KSM_KERNEL_LPI)
		rmap_item_set_linear_page_index(sim->ksm, item, 0);
	vma = find_mergeable_vma(item->mm, addr);
	if (vma)
		break_ksm(sim, vma, addr);
}

/*
 * try_to_merge_two_pages(): @folio becomes a KSM page, then the tree
 * item's page is merged into it.  If the second half fails, the first is
 * undone.  Returns the new KSM page or NULL.
 */
static struct folio *try_to_merge_two_pages(struct ksm_sim *sim,
					    struct ksm_rmap_item *item,
					    struct folio *folio,
					    struct ksm_rmap_item *tree_item,
					    struct folio *tree_folio)
{
	if (try_to_merge_with_ksm_page(sim, item, folio, NULL))
		return NULL;
	if (ksm_fault_hit(sim, KSM_FAULT_MERGE_TWO_SECOND) ||
	    try_to_merge_with_ksm_page(sim, tree_item, tree_folio, folio)) {
		break_cow(sim, item);
		return NULL;
	}
	return folio;
}

/*
 * try_to_merge_with_zero_page(): with use_zero_pages, a page whose
 * checksum is the zero page's is replaced by a KSM-placed zero page.
 * Returns 0 when the page is done with (merged, or its VMA is gone).
 */
static int try_to_merge_with_zero_page(struct ksm_sim *sim,
				       struct ksm_rmap_item *item,
				       struct folio *folio)
{
	struct ksm_state *ksm = sim->ksm;
	struct vm_area_struct *vma;

	if (!ksm->knobs.use_zero_pages ||
	    rmap_item_oldchecksum(ksm, item) != ksm->zero_checksum)
		return -1;
	vma = find_mergeable_vma(item->mm, item->address);
	if (!vma)
		return 0;
	return try_to_merge_one_page(sim, vma, folio, zero_folio(sim));
}

void cmp_and_merge_page(struct ksm_sim *sim, struct folio *folio,
			struct ksm_rmap_item *item)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_stable_node *stable_node = folio_stable_node(folio);
	struct ksm_rmap_item *tree_item;
	struct folio *kfolio, *tree_folio = NULL;
	bool bypass = false;

	if (stable_node) {
		if (rmap_item_on_node(item, stable_node))
			return;
		/* A KSM page mapped by fork may exceed the sharing limit. */
		if (!is_page_sharing_candidate(sim, stable_node))
			bypass = true;
	} else {
		uint32_t checksum;

		remove_rmap_item_from_tree(sim, item);
		checksum = page_checksum(sim, folio, item->mm, item->address & KSM_PAGE_MASK);
		if (rmap_item_oldchecksum(ksm, item) != checksum) {
			rmap_item_set_oldchecksum(ksm, item, checksum);
			return;
		}
		if (!try_to_merge_with_zero_page(sim, item, folio))
			return;
	}

	kfolio = stable_tree_search(sim, folio);
	if (kfolio == folio && stable_node && rmap_item_on_node(item, stable_node))
		return;
	remove_rmap_item_from_tree(sim, item);
	if (kfolio) {
		if (!try_to_merge_with_ksm_page(sim, item, folio, kfolio))
			stable_tree_append(sim, item, folio_stable_node(kfolio), bypass);
		return;
	}

	tree_item = unstable_tree_search_insert(sim, item, folio, &tree_folio);
	if (!tree_item)
		return;
	kfolio = try_to_merge_two_pages(sim, item, folio, tree_item, tree_folio);
	if (!kfolio)
		return;
	stable_node = stable_tree_insert(sim, kfolio);
	if (stable_node) {
		stable_tree_append(sim, tree_item, stable_node, false);
		stable_tree_append(sim, item, stable_node, false);
	} else {
		break_cow(sim, tree_item);
		break_cow(sim, item);
	}
}
