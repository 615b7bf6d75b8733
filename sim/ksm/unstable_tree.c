// SPDX-License-Identifier: MIT
/*
 * DOC: The unstable tree (unstable_tree_search_insert() in mm/ksm.c)
 *
 * A red-black tree of rmap_items ordered by the content their address
 * maps *now*.  Pages in it are not write protected, so contents change
 * under it and the order can be violated; nothing breaks, but searches
 * may miss, which is why the kernel inserts only pages whose checksum did
 * not change since the previous visit and throws the tree away at every
 * round start.  The shape decides what a corrupted tree finds, so items
 * are linked at the leaf the walk reached and rebalanced with the
 * kernel's red-black algorithm.
 *
 * A search gives up (and inserts nothing) when a tree item on its path no
 * longer maps a mergeable page, or maps the very page being searched (a
 * page shared by fork is inserted once, through whichever item came
 * first).
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

static int item_cmp(struct ksm_rmap_item *a, struct ksm_rmap_item *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_GENERATE_STATIC(ksm_unstable_root, ksm_rmap_item, node, item_cmp)

void unstable_tree_erase(struct ksm_sim *sim, struct ksm_rmap_item *item)
{
	RB_REMOVE(ksm_unstable_root, &sim->ksm->root_unstable_tree, item);
}

/*
 * get_mergeable_page(): the anonymous page mapped at the item's address,
 * if the mm is alive and the VMA still mergeable with an anon_vma.
 */
static struct folio *get_mergeable_page(struct ksm_sim *sim,
					struct ksm_rmap_item *item)
{
	struct mm_struct *mm = item->mm;
	uint64_t addr = item->address & KSM_PAGE_MASK;
	struct vm_area_struct *vma;
	struct folio *folio;
	pte_t pte;

	if (mm_exiting(mm))
		return NULL;
	vma = vma_lookup(mm, addr);
	if (!vma || !(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma)
		return NULL;
	pte = pte_get(mm, addr);
	if (!pte_present(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	folio = pfn_folio(sim, pte_pfn(pte));
	return folio_test_anon(folio) ? folio : NULL;
}

struct ksm_rmap_item *unstable_tree_search_insert(struct ksm_sim *sim,
						  struct ksm_rmap_item *item,
						  struct folio *folio,
						  struct folio **tree_folio)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_rmap_item *n = RB_ROOT(&ksm->root_unstable_tree), *parent = NULL;
	bool left = false;

	while (n) {
		struct folio *tf = get_mergeable_page(sim, n);

		if (!tf || tf == folio)
			return NULL;
		parent = n;
		if (folio->content < tf->content) {
			left = true;
			n = RB_LEFT(n, node);
		} else if (folio->content > tf->content) {
			left = false;
			n = RB_RIGHT(n, node);
		} else {
			*tree_folio = tf;
			return n;
		}
	}

	item->address |= UNSTABLE_FLAG | (ksm->seqnr & SEQNR_MASK);
	RB_SET(item, parent, node);
	if (!parent)
		RB_ROOT(&ksm->root_unstable_tree) = item;
	else if (left)
		RB_LEFT(parent, node) = item;
	else
		RB_RIGHT(parent, node) = item;
	ksm_unstable_root_RB_INSERT_COLOR(&ksm->root_unstable_tree, item);
	ksm->ksm_pages_unshared++;
	return NULL;
}

/* In-order traversal of the unstable tree's items, for observers. */
struct ksm_rmap_item *ksm_unstable_first(struct ksm_state *ksm)
{
	return RB_MIN(ksm_unstable_root, &ksm->root_unstable_tree);
}

struct ksm_rmap_item *ksm_unstable_next(struct ksm_rmap_item *item)
{
	return RB_NEXT(ksm_unstable_root, NULL, item);
}
