// SPDX-License-Identifier: MIT
/*
 * DOC: The stable tree (mm/ksm.c)
 *
 * A red-black tree of KSM pages ordered by content.  An entry is a
 * regular node (one KSM page) or a chain (one content whose mappings are
 * spread over several KSM pages, its dups, so that no page has more than
 * max_page_sharing mappings).  Because KSM pages are write protected the
 * order stays valid — except that pages die: a node whose page was freed
 * is stale, and is noticed only when something probes it
 * (ksm_get_folio()), which then removes it with all its items
 * (remove_node_from_stable_tree()).  Which stale nodes a walk probes
 * depends on the path, so the tree uses the kernel's red-black algorithm
 * (libbsd's implements the same textbook insert and erase) and inserts
 * at the leaf the walk found, as rb_link_node() + rb_insert_color() do.
 *
 * Chains: stable_node_dup() chooses the dup a walk continues with —
 * pruning stale dups at most every stable_node_chains_prune_millisecs of
 * simulated time, preferring the fullest dup that can still take a
 * mapping, collapsing a chain left with one dup back into a regular node
 * and freeing a chain left with none.
 *
 * The chain's memo: with many dups a walk of the chain costs a probe of
 * every dup at every tree level, and in a steady round nothing about the
 * chain changes.  Without pruning, stable_node_dup()'s choice and its
 * effects follow from the dups' order, their item counts, which of them
 * are stale, and max_page_sharing; so the chain remembers its last choice
 * with ksm->stable_gen (grown by every change of items on a node, of a
 * chain's dups or a page's node), mem.nr_ksm_freed (grown when any KSM
 * page is freed, which is how a dup goes stale) and max_page_sharing.
 * While all three stand, every dup probed last time is still live (no
 * probe would remove one), the same dup is chosen, and it is already
 * where the choice would move it: the memo's answer is what the walk
 * would return, with nothing else to do.  A pruning walk is always done
 * in full.
 */
#include "ksm/ksm_state.h"
#include "mm/internal.h"

/* Trees are walked by hand; the comparison only has to be total. */
static int node_cmp(struct ksm_stable_node *a, struct ksm_stable_node *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_GENERATE_STATIC(ksm_stable_root, ksm_stable_node, node, node_cmp)

/* Something a chain's choice of dup depends on changed (see the DOC). */
static inline void stable_changed(struct ksm_sim *sim)
{
	sim->ksm->stable_gen++;
}

static struct ksm_stable_node *alloc_stable_node(struct ksm_sim *sim)
{
	struct ksm_stable_node *n;

	if (ksm_fault_hit(sim, KSM_FAULT_STABLE_NODE_ALLOC))
		return NULL;
	n = ksm_zalloc(sim->alloc, KOBJ_KSM, sizeof(*n));
	n->id = ++sim->ksm->next_id;
	LIST_INIT(&n->hlist);
	LIST_INIT(&n->dups);
	return n;
}

static void free_stable_node(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	ksm_free(sim->alloc, KOBJ_KSM, n, sizeof(*n));
}

/* rb_link_node() + rb_insert_color(): insert @n as the child of @parent. */
static void stable_link(struct ksm_state *ksm, struct ksm_stable_node *n,
			struct ksm_stable_node *parent, bool left)
{
	RB_SET(n, parent, node);
	if (!parent)
		RB_ROOT(&ksm->root_stable_tree) = n;
	else if (left)
		RB_LEFT(parent, node) = n;
	else
		RB_RIGHT(parent, node) = n;
	ksm_stable_root_RB_INSERT_COLOR(&ksm->root_stable_tree, n);
}

/* rb_replace_node(): @new takes @victim's place, colour and children. */
static void stable_replace(struct ksm_state *ksm, struct ksm_stable_node *victim,
			   struct ksm_stable_node *new)
{
	struct ksm_stable_node *parent = RB_PARENT(victim, node);

	new->node = victim->node;
	if (!parent)
		RB_ROOT(&ksm->root_stable_tree) = new;
	else if (RB_LEFT(parent, node) == victim)
		RB_LEFT(parent, node) = new;
	else
		RB_RIGHT(parent, node) = new;
	if (RB_LEFT(new, node))
		RB_PARENT(RB_LEFT(new, node), node) = new;
	if (RB_RIGHT(new, node))
		RB_PARENT(RB_RIGHT(new, node), node) = new;
}

/*
 * __is_page_sharing_candidate(): the node has at least one mapping (an
 * empty node's page is about to go) and room for @offset more.
 */
static bool __is_page_sharing_candidate(const struct ksm_sim *sim,
					const struct ksm_stable_node *n,
					int offset)
{
	return n->rmap_hlist_len &&
	       (unsigned long)(n->rmap_hlist_len + offset) <
	       sim->ksm->knobs.max_page_sharing;
}

bool is_page_sharing_candidate(const struct ksm_sim *sim,
			       const struct ksm_stable_node *node)
{
	return __is_page_sharing_candidate(sim, node, 0);
}

/* stable_node_dup_del(): a dup leaves its chain; a regular node the tree. */
static void stable_node_dup_del(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	stable_changed(sim);
	if (n->kind == KSM_NODE_DUP) {
		LIST_REMOVE(n, hlist_dup);
		sim->ksm->ksm_stable_node_dups--;
	} else {
		RB_REMOVE(ksm_stable_root, &sim->ksm->root_stable_tree, n);
	}
}

/*
 * remove_node_from_stable_tree(): every item of the node leaves it at once
 * (counters per item, flags cleared, anon_vma reference dropped; head is
 * left as it was), then the node leaves its chain or the tree and is
 * freed.  The items stay on their mms' lists as volatile items.
 */
void remove_node_from_stable_tree(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_rmap_item *item;

	stable_changed(sim);
	LIST_FOREACH(item, &n->hlist, hlist) {
		if (LIST_NEXT(item, hlist))
			ksm->ksm_pages_sharing--;
		else
			ksm->ksm_pages_shared--;
		item->mm->ksm_merging_pages--;
		n->rmap_hlist_len--;
		put_anon_vma(sim, item->anon_vma);
		item->address &= KSM_PAGE_MASK;
		item->head = NULL;
		if (ksm->kernel == KSM_KERNEL_LPI)
			rmap_item_set_linear_page_index(ksm, item, 0);
	}
	stable_node_dup_del(sim, n);
	free_stable_node(sim, n);
}

/*
 * ksm_get_folio(): the node's page if the page still says it belongs to
 * this node; otherwise the node is stale and is removed on the spot.
 */
struct folio *ksm_get_folio(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	struct folio *folio = pfn_folio(sim, n->kpfn);

	if (folio && !(folio->flags & FOLIO_FREE) && folio_stable_node(folio) == n)
		return folio;
	remove_node_from_stable_tree(sim, n);
	return NULL;
}

/*
 * remove_rmap_item_from_tree(): take @item out of whatever tree it is in.
 * A stable item leaves its node (whose page is probed first: if the node
 * is stale, its removal takes this item too); an unstable item inserted
 * this round is erased from the live tree, one from last round only loses
 * its flag (the tree it was in was discarded at round start).
 */
void remove_rmap_item_from_tree(struct ksm_sim *sim, struct ksm_rmap_item *item)
{
	struct ksm_state *ksm = sim->ksm;

	if (item->address & STABLE_FLAG) {
		struct ksm_stable_node *n = item->head;

		if (!ksm_get_folio(sim, n))
			return;
		stable_changed(sim);
		LIST_REMOVE(item, hlist);
		if (!LIST_EMPTY(&n->hlist))
			ksm->ksm_pages_sharing--;
		else
			ksm->ksm_pages_shared--;
		item->mm->ksm_merging_pages--;
		n->rmap_hlist_len--;
		put_anon_vma(sim, item->anon_vma);
		item->head = NULL;
		item->address &= KSM_PAGE_MASK;
		if (ksm->kernel == KSM_KERNEL_LPI)
			rmap_item_set_linear_page_index(ksm, item, 0);
	} else if (item->address & UNSTABLE_FLAG) {
		unsigned char age = (unsigned char)(ksm->seqnr - item->address);

		/* Only this round's and last round's insertions exist. */
		SIM_BUG_ON(age > 1);
		if (!age)
			unstable_tree_erase(sim, item);
		ksm->ksm_pages_unshared--;
		item->address &= KSM_PAGE_MASK;
	}
}

/* free_stable_node_chain(): an empty chain leaves the tree. */
static void free_stable_node_chain(struct ksm_sim *sim, struct ksm_stable_node *chain)
{
	stable_changed(sim);
	RB_REMOVE(ksm_stable_root, &sim->ksm->root_stable_tree, chain);
	free_stable_node(sim, chain);
	sim->ksm->ksm_stable_node_chains--;
}

/*
 * Whether @chain's memo still holds (see the DOC).  The page check covers
 * a migration that moved the dup's node to a new page while something
 * still pins the old one.
 */
static bool chain_memo_current(const struct ksm_sim *sim,
			       const struct ksm_stable_node *chain)
{
	const struct ksm_state *ksm = sim->ksm;

	return chain->memo_dup && chain->memo_tree_gen == ksm->stable_gen &&
	       chain->memo_ksm_freed == sim->mem.nr_ksm_freed &&
	       chain->memo_max_page_sharing == ksm->knobs.max_page_sharing &&
	       chain->memo_dup->kpfn < sim->mem.nr_pfns &&
	       chain->memo_folio == pfn_folio((struct ksm_sim *)sim, chain->memo_dup->kpfn);
}

/* The node's page if the node is not stale; unlike ksm_get_folio() it
 * removes nothing. */
static struct folio *node_folio_if_live(const struct ksm_sim *sim,
					const struct ksm_stable_node *n)
{
	struct folio *f = pfn_folio((struct ksm_sim *)sim, n->kpfn);

	return f && !(f->flags & FOLIO_FREE) && folio_stable_node(f) == n ? f : NULL;
}

bool stable_node_chain_memo_ok(const struct ksm_sim *sim,
			       const struct ksm_stable_node *chain)
{
	const struct ksm_stable_node *dup, *found = NULL;

	if (!chain_memo_current(sim, chain))
		return true; /* not used as it is */
	/* The walk without pruning, without its side effects. */
	LIST_FOREACH(dup, &chain->dups, hlist_dup) {
		if (!node_folio_if_live(sim, dup))
			return false; /* the walk would remove it */
		if (!found || (is_page_sharing_candidate(sim, dup) &&
			       (!is_page_sharing_candidate(sim, found) ||
				dup->rmap_hlist_len > found->rmap_hlist_len))) {
			found = dup;
			if (is_page_sharing_candidate(sim, found))
				break;
		}
	}
	if (found != chain->memo_dup || node_folio_if_live(sim, found) != chain->memo_folio)
		return false;
	/* The choice would move it to the front; it must be there already. */
	return LIST_FIRST(&chain->dups) == found ||
	       !__is_page_sharing_candidate(sim, found, 1);
}

/*
 * stable_node_dup(): choose the dup of @*chain_p to continue with.
 * Returns its folio and sets *dup_p, or returns NULL (*dup_p NULL) when
 * no dup was alive — then the chain was freed.  A chain left with a
 * single dup is collapsed: the dup takes its place as a regular node and
 * *chain_p is updated to it.
 */
static struct folio *stable_node_dup(struct ksm_sim *sim,
				     struct ksm_stable_node **dup_p,
				     struct ksm_stable_node **chain_p,
				     bool prune)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_stable_node *chain = *chain_p, *dup, *tmp, *found = NULL;
	struct folio *folio, *tree_folio = NULL;
	int found_len = 0;

	if (!prune || ksm->clock_ms < chain->chain_prune_time +
				      ksm->knobs.stable_node_chains_prune_millisecs)
		prune = false;
	else
		chain->chain_prune_time = ksm->clock_ms;

	if (!prune && chain_memo_current(sim, chain)) {
		/* what the walk below would choose, with nothing to change */
		*dup_p = chain->memo_dup;
		return chain->memo_folio;
	}

	LIST_FOREACH_SAFE(dup, &chain->dups, hlist_dup, tmp) {
		folio = ksm_get_folio(sim, dup);
		if (!folio)
			continue;
		if (!found || (is_page_sharing_candidate(sim, dup) &&
			       (!is_page_sharing_candidate(sim, found) ||
				dup->rmap_hlist_len > found_len))) {
			found = dup;
			found_len = dup->rmap_hlist_len;
			tree_folio = folio;
			/* Without pruning, the first candidate will do. */
			if (!prune && is_page_sharing_candidate(sim, found))
				break;
		}
	}

	if (!found) {
		free_stable_node_chain(sim, chain);
		*dup_p = NULL;
		return NULL;
	}
	if (LIST_FIRST(&chain->dups) == found && !LIST_NEXT(found, hlist_dup)) {
		/* One dup left: it becomes a regular node in the chain's place. */
		stable_changed(sim);
		stable_replace(ksm, chain, found);
		found->kind = KSM_NODE_REGULAR;
		found->chain = NULL;
		free_stable_node(sim, chain);
		ksm->ksm_stable_node_chains--;
		ksm->ksm_stable_node_dups--;
		*chain_p = found;
	} else if (LIST_FIRST(&chain->dups) != found &&
		   __is_page_sharing_candidate(sim, found, 1)) {
		/* Room for one more after the merge under way: to the front. */
		stable_changed(sim);
		LIST_REMOVE(found, hlist_dup);
		LIST_INSERT_HEAD(&chain->dups, found, hlist_dup);
	}
	if (*chain_p == chain && !prune) {
		/* A pruning walk chooses differently: only a plain one is kept. */
		chain->memo_dup = found;
		chain->memo_folio = tree_folio;
		chain->memo_tree_gen = ksm->stable_gen;
		chain->memo_ksm_freed = sim->mem.nr_ksm_freed;
		chain->memo_max_page_sharing = ksm->knobs.max_page_sharing;
	}
	*dup_p = found;
	return tree_folio;
}

/* __stable_node_chain(): a regular node is its own "dup". */
static struct folio *stable_node_chain(struct ksm_sim *sim,
				       struct ksm_stable_node **dup_p,
				       struct ksm_stable_node **node_p, bool prune)
{
	if ((*node_p)->kind != KSM_NODE_CHAIN) {
		*dup_p = *node_p;
		return ksm_get_folio(sim, *node_p);
	}
	return stable_node_dup(sim, dup_p, node_p, prune);
}

static int memcmp_pages(const struct folio *a, const struct folio *b)
{
	/* Big-endian token bytes compare like the tokens. */
	return a->content < b->content ? -1 : a->content > b->content;
}

/*
 * stable_tree_search(): a KSM page with @folio's content that can take
 * one more mapping, or NULL.  A KSM page with a node is its own answer
 * ("KSM page forked").  An equal entry that is full (or empty) ends the
 * search with NULL: the page has to pair up in the unstable tree and
 * become another dup.  Probing a stale node restarts from the root.
 */
struct folio *stable_tree_search(struct ksm_sim *sim, struct folio *folio)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_stable_node *n, *dup;

	if (folio_stable_node(folio))
		return folio;
again:
	n = RB_ROOT(&ksm->root_stable_tree);
	while (n) {
		struct folio *tree_folio = stable_node_chain(sim, &dup, &n, true);
		int ret;

		if (!tree_folio)
			goto again;
		ret = memcmp_pages(folio, tree_folio);
		if (ret < 0) {
			n = RB_LEFT(n, node);
		} else if (ret > 0) {
			n = RB_RIGHT(n, node);
		} else {
			if (!is_page_sharing_candidate(sim, dup))
				return NULL;
			/* Lock the page: it may have gone stale meanwhile. */
			tree_folio = ksm_get_folio(sim, dup);
			if (!tree_folio)
				goto again;
			return tree_folio;
		}
	}
	return NULL;
}

static void stable_node_chain_add_dup(struct ksm_sim *sim,
				      struct ksm_stable_node *dup,
				      struct ksm_stable_node *chain)
{
	stable_changed(sim);
	dup->kind = KSM_NODE_DUP;
	dup->chain = chain;
	LIST_INSERT_HEAD(&chain->dups, dup, hlist_dup);
	sim->ksm->ksm_stable_node_dups++;
}

/* alloc_stable_node_chain(): a chain takes @dup's place; @dup is its first dup. */
static struct ksm_stable_node *alloc_stable_node_chain(struct ksm_sim *sim,
						       struct ksm_stable_node *dup)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_stable_node *chain = alloc_stable_node(sim);

	if (!chain)
		return NULL;
	chain->kind = KSM_NODE_CHAIN;
	chain->rmap_hlist_len = STABLE_NODE_CHAIN;
	chain->chain_prune_time = ksm->clock_ms;
	stable_replace(ksm, dup, chain);
	stable_node_chain_add_dup(sim, dup, chain);
	ksm->ksm_stable_node_chains++;
	return chain;
}

/*
 * stable_tree_insert(): a node for the new KSM page @kfolio: at a leaf,
 * or, when an entry of equal content exists, as a dup of its chain
 * (turning a regular entry into a chain first).  NULL if allocation
 * fails; the caller then breaks both mappings.
 */
struct ksm_stable_node *stable_tree_insert(struct ksm_sim *sim, struct folio *kfolio)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_stable_node *n, *dup, *parent, *new;
	bool need_chain = false, left = false;

again:
	parent = NULL;
	n = RB_ROOT(&ksm->root_stable_tree);
	while (n) {
		struct folio *tree_folio = stable_node_chain(sim, &dup, &n, false);
		int ret;

		if (!tree_folio)
			goto again;
		ret = memcmp_pages(kfolio, tree_folio);
		parent = n;
		if (ret < 0) {
			left = true;
			n = RB_LEFT(n, node);
		} else if (ret > 0) {
			left = false;
			n = RB_RIGHT(n, node);
		} else {
			need_chain = true;
			break;
		}
	}

	new = alloc_stable_node(sim);
	if (!new)
		return NULL;
	new->kind = KSM_NODE_REGULAR;
	new->kpfn = kfolio->pfn;
	if (!need_chain) {
		stable_link(ksm, new, parent, left);
	} else {
		if (n->kind != KSM_NODE_CHAIN) {
			struct ksm_stable_node *orig = n;

			n = alloc_stable_node_chain(sim, orig);
			if (!n) {
				free_stable_node(sim, new);
				return NULL;
			}
		}
		stable_node_chain_add_dup(sim, new, n);
	}
	kfolio->stable_node = new;
	stable_changed(sim);
	return new;
}

/*
 * stable_tree_append(): @item joins @node's list at the head; the first
 * item makes the page "shared", every further one "sharing".
 */
void stable_tree_append(struct ksm_sim *sim, struct ksm_rmap_item *item,
			struct ksm_stable_node *node, bool bypass)
{
	struct ksm_state *ksm = sim->ksm;

	(void)bypass; /* only silences the kernel's over-limit warning */
	/* Items hang off regular nodes and dups, never off a chain. */
	SIM_BUG_ON(node->kind == KSM_NODE_CHAIN);
	stable_changed(sim);
	node->rmap_hlist_len++;
	item->head = node;
	item->address |= STABLE_FLAG;
	LIST_INSERT_HEAD(&node->hlist, item, hlist);
	if (LIST_NEXT(item, hlist))
		ksm->ksm_pages_sharing++;
	else
		ksm->ksm_pages_shared++;
	item->mm->ksm_merging_pages++;
}

/*
 * remove_stable_node(): remove a node whose page is stale or no longer
 * mapped; a mapped page is busy.  With pages freed at mapcount 0 a probed
 * page is always mapped, so this either finds the node stale or busy.
 */
static bool remove_stable_node(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	struct folio *folio = ksm_get_folio(sim, n);

	if (!folio)
		return true;
	if (folio->mapcount)
		return false;
	stable_changed(sim);
	folio->stable_node = NULL;
	remove_node_from_stable_tree(sim, n);
	return true;
}

/*
 * remove_all_stable_nodes(): repeatedly take the root: a chain dup by
 * dup, then the chain; stop at the first busy node.
 */
bool remove_all_stable_nodes(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_stable_node *n, *dup, *tmp;

	while ((n = RB_ROOT(&ksm->root_stable_tree))) {
		if (n->kind != KSM_NODE_CHAIN) {
			if (!remove_stable_node(sim, n))
				return false;
			continue;
		}
		LIST_FOREACH_SAFE(dup, &n->dups, hlist_dup, tmp)
			if (!remove_stable_node(sim, dup))
				return false;
		free_stable_node_chain(sim, n);
	}
	return true;
}

/* In-order traversal of the stable tree's entries, for observers. */
struct ksm_stable_node *ksm_stable_first(struct ksm_state *ksm)
{
	return RB_MIN(ksm_stable_root, &ksm->root_stable_tree);
}

struct ksm_stable_node *ksm_stable_next(struct ksm_stable_node *n)
{
	return RB_NEXT(ksm_stable_root, NULL, n);
}
