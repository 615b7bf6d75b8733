// SPDX-License-Identifier: MIT
/*
 * DOC: Invariants of the KSM engine
 *
 * What must hold between any two commands (ksm-model.md §13):
 *
 *  items     each slot's items are its mm's, in strictly ascending page
 *            order; per-mm and global item counts match; no item is both
 *            stable and unstable; an unstable item is this round's (and
 *            then in the live unstable tree) or last round's (and then
 *            not); pages_unshared counts the unstable items.
 *  stable    every stable item is on its head node's list, which is a
 *            live regular node or dup; a node's rmap_hlist_len is its list
 *            length and every item on it is stable with that head;
 *            pages_shared / pages_sharing / ksm_merging_pages follow from
 *            the lists; chain and dup counts are the real ones; a dup
 *            belongs to the chain it is listed on; a KSM page's node is
 *            live and (if not stale) points back at the page.
 *  lpi       a stable item whose address still maps its node's page holds
 *            linear_page_index() of that address in its overlay.
 */
#include <stdlib.h>

#include "core/array.h"
#include "ksm/ksm_state.h"
#include "check/check_util.h"
#include "mm/internal.h"

struct kchk {
	struct ksm_sim *sim;
	char *why;
	size_t whylen;
	struct ksm_stable_node **nodes; /* live regular nodes and dups, sorted */
	size_t nnodes, cap;
};

#define kbad(c, ...) check_fail((c)->why, (c)->whylen, __VA_ARGS__)

static bool node_is_live(const struct kchk *c, const struct ksm_stable_node *n)
{
	return c->nnodes && bsearch(&n, c->nodes, c->nnodes, sizeof(*c->nodes), check_ptr_cmp) != NULL;
}

static void add_node(struct kchk *c, struct ksm_stable_node *n)
{
	ARRAY_GROW(c->nodes, c->cap, c->nnodes + 1, 64);
	c->nodes[c->nnodes++] = n;
}

/* One regular node or dup: its list, its counts, its page. */
static int check_node(struct kchk *c, struct ksm_stable_node *n, long *shared,
		      long *sharing)
{
	struct ksm_rmap_item *it;
	struct folio *f;
	int len = 0;

	LIST_FOREACH(it, &n->hlist, hlist) {
		len++;
		if (!rmap_item_on_node(it, n))
			return kbad(c, "item %s:0x%llx is on node #%llu's list but not stable on it",
				    it->mm->owner, (unsigned long long)(it->address & KSM_PAGE_MASK),
				    (unsigned long long)n->id);
	}
	if (len != n->rmap_hlist_len)
		return kbad(c, "node #%llu: rmap_hlist_len %d, list holds %d",
			    (unsigned long long)n->id, n->rmap_hlist_len, len);
	if (len) {
		(*shared)++;
		*sharing += len - 1;
	}
	f = pfn_folio(c->sim, n->kpfn);
	if (!f)
		return kbad(c, "node #%llu points beyond the folio array", (unsigned long long)n->id);
	return 0;
}

static int collect_and_check_nodes(struct kchk *c, long *shared, long *sharing)
{
	struct ksm_state *ksm = c->sim->ksm;
	long chains = 0, dups = 0;

	for (struct ksm_stable_node *n = ksm_stable_first(ksm); n; n = ksm_stable_next(n)) {
		struct ksm_stable_node *d;

		if (n->kind == KSM_NODE_DUP)
			return kbad(c, "dup #%llu sits in the tree", (unsigned long long)n->id);
		if (n->kind == KSM_NODE_REGULAR) {
			add_node(c, n);
			if (check_node(c, n, shared, sharing))
				return -1;
			continue;
		}
		chains++;
		if (n->rmap_hlist_len != STABLE_NODE_CHAIN)
			return kbad(c, "chain #%llu lacks the chain marker", (unsigned long long)n->id);
		if (!stable_node_chain_memo_ok(c->sim, n))
			return kbad(c, "chain #%llu remembers a dup its walk would not choose now",
				    (unsigned long long)n->id);
		LIST_FOREACH(d, &n->dups, hlist_dup) {
			dups++;
			if (d->kind != KSM_NODE_DUP || d->chain != n)
				return kbad(c, "node #%llu on chain #%llu's list is not its dup",
					    (unsigned long long)d->id, (unsigned long long)n->id);
			add_node(c, d);
			if (check_node(c, d, shared, sharing))
				return -1;
		}
	}
	if (chains != ksm->ksm_stable_node_chains || dups != ksm->ksm_stable_node_dups)
		return kbad(c, "stable_node_chains %ld dups %ld, the tree has %ld and %ld",
			    ksm->ksm_stable_node_chains, ksm->ksm_stable_node_dups, chains, dups);
	if (c->nnodes)
		qsort(c->nodes, c->nnodes, sizeof(*c->nodes), check_ptr_cmp);
	return 0;
}

/* lpi: a stable item still mapping its page records that page's offset. */
static int check_lpi_item(struct kchk *c, struct ksm_rmap_item *it)
{
	struct ksm_state *ksm = c->sim->ksm;
	uint64_t addr = it->address & KSM_PAGE_MASK;
	struct vm_area_struct *vma;
	pte_t pte;

	if (mm_exiting(it->mm))
		return 0;
	vma = vma_lookup(it->mm, addr);
	pte = pte_get(it->mm, addr);
	/* The node's page: the frame it names, if that is still its page
	 * (a freed frame is soon reused by another page). */
	if (!vma || !pte_present(pte) || pte_pfn(pte) != it->head->kpfn ||
	    folio_stable_node(pfn_folio(c->sim, it->head->kpfn)) != it->head)
		return 0;
	if (rmap_item_linear_page_index(ksm, it) != linear_page_index(vma, addr))
		return kbad(c, "item %s:0x%llx records linear_page_index %llu, the page's is %llu",
			    it->mm->owner, (unsigned long long)addr,
			    (unsigned long long)rmap_item_linear_page_index(ksm, it),
			    (unsigned long long)linear_page_index(vma, addr));
	return 0;
}

static int check_items(struct kchk *c)
{
	struct ksm_state *ksm = c->sim->ksm;
	struct ksm_mm_slot *slot;
	long items = 0, unstable = 0, in_tree = 0, stable_total = 0;

	/*
	 * Between rounds (cursor on the list head) the tree still holds the
	 * finished round's items, some perhaps freed since: it is dead until
	 * the next round start resets it, and nobody may walk it.
	 */
	if (ksm->scan_slot) {
		for (struct ksm_rmap_item *it = ksm_unstable_first(ksm); it;
		     it = ksm_unstable_next(it)) {
			in_tree++;
			if (!(it->address & UNSTABLE_FLAG) ||
			    (unsigned char)(ksm->seqnr - it->address) != 0)
				return kbad(c, "item %s:0x%llx is in the unstable tree without being this round's unstable item (flags 0x%llx, seqnr %lu)",
					    it->mm->owner,
					    (unsigned long long)(it->address & KSM_PAGE_MASK),
					    (unsigned long long)(it->address & ~KSM_PAGE_MASK),
					    ksm->seqnr);
		}
	}
	TAILQ_FOREACH(slot, &ksm->ksm_mm_head, mm_node) {
		struct mm_struct *mm = slot->mm;
		uint64_t prev = 0;
		long mine = 0, merging = 0;

		for (struct ksm_rmap_item *it = slot->rmap_list; it; it = it->rmap_list) {
			uint64_t addr = it->address & KSM_PAGE_MASK;

			items++;
			mine++;
			if (it->mm != mm || (mine > 1 && addr <= prev))
				return kbad(c, "%s: rmap_list out of order or foreign at 0x%llx",
					    mm->owner, (unsigned long long)addr);
			prev = addr;
			if ((it->address & STABLE_FLAG) && (it->address & UNSTABLE_FLAG))
				return kbad(c, "item %s:0x%llx is stable and unstable", mm->owner,
					    (unsigned long long)addr);
			if (it->address & UNSTABLE_FLAG) {
				unsigned char age = (unsigned char)(ksm->seqnr - it->address);

				unstable++;
				if (age > 1)
					return kbad(c, "unstable item %s:0x%llx has age %u",
						    mm->owner, (unsigned long long)addr, age);
				in_tree -= age == 0;
			}
			if (it->address & STABLE_FLAG) {
				merging++;
				stable_total++;
				if (!node_is_live(c, it->head))
					return kbad(c, "stable item %s:0x%llx has no live node",
						    mm->owner, (unsigned long long)addr);
				if (ksm->kernel == KSM_KERNEL_LPI && check_lpi_item(c, it))
					return -1;
			}
		}
		if (mine != mm->ksm_rmap_items)
			return kbad(c, "%s: ksm_rmap_items %ld, its list holds %ld", mm->owner,
				    mm->ksm_rmap_items, mine);
		if (merging != mm->ksm_merging_pages)
			return kbad(c, "%s: ksm_merging_pages %ld, it has %ld stable items",
				    mm->owner, mm->ksm_merging_pages, merging);
	}
	/* Every stable item is on exactly one node's list: the lists hold
	 * only stable items (check_node), so their total must match. */
	if (stable_total != ksm->ksm_pages_shared + ksm->ksm_pages_sharing)
		return kbad(c, "%ld stable rmap_items, the nodes' lists hold %ld",
			    stable_total, ksm->ksm_pages_shared + ksm->ksm_pages_sharing);
	if (items != ksm->ksm_rmap_items)
		return kbad(c, "ksm_rmap_items %ld, the slots hold %ld", ksm->ksm_rmap_items, items);
	if (unstable != ksm->ksm_pages_unshared)
		return kbad(c, "pages_unshared %ld, %ld items are unstable",
			    ksm->ksm_pages_unshared, unstable);
	if (in_tree != 0)
		return kbad(c, "the unstable tree and this round's unstable items differ by %ld",
			    in_tree);
	return 0;
}

/* Every KSM page with a node names a live node; a live node's page, if
 * still KSM and its own, is consistent (checked from both sides). */
static int check_ksm_pages(struct kchk *c)
{
	struct mem_map *mem = &c->sim->mem;

	for (uint32_t pfn = 1; pfn < mem->nr_pfns; pfn++) {
		struct folio *f = pfn_folio(c->sim, pfn);

		if ((f->flags & FOLIO_FREE) || !(f->flags & FOLIO_KSM) || !f->stable_node)
			continue;
		if (!node_is_live(c, f->stable_node))
			return kbad(c, "KSM page pfn %u names a freed stable node", pfn);
		if (f->stable_node->kpfn != pfn)
			return kbad(c, "KSM page pfn %u and its node #%llu disagree",
				    pfn, (unsigned long long)f->stable_node->id);
	}
	return 0;
}

int ksm_check_invariants(struct ksm_sim *sim, char *why, size_t whylen)
{
	struct kchk c = { .sim = sim, .why = why, .whylen = whylen };
	struct ksm_state *ksm = sim->ksm;
	long shared = 0, sharing = 0;
	int ret = -1;

	if (collect_and_check_nodes(&c, &shared, &sharing))
		goto out;
	if (shared != ksm->ksm_pages_shared || sharing != ksm->ksm_pages_sharing) {
		kbad(&c, "pages_shared %ld pages_sharing %ld, the nodes say %ld and %ld",
		     ksm->ksm_pages_shared, ksm->ksm_pages_sharing, shared, sharing);
		goto out;
	}
	if (check_items(&c) || check_ksm_pages(&c))
		goto out;
	ret = 0;
out:
	free(c.nodes);
	return ret;
}
