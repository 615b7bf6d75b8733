// SPDX-License-Identifier: MIT
/*
 * DOC: anon_vma and anon_vma_chain (mm/rmap.c)
 *
 * Every VMA that has anonymous pages has an anon_vma of its own and is
 * linked, through one anon_vma_chain each, into the interval tree of that
 * anon_vma and of every ancestor anon_vma of its fork history.  An rmap
 * walk that starts from a page's anon_vma therefore reaches every VMA of
 * every process that may map the page.
 *
 * Invariants kept here (checked by sim/check/invariants.c):
 *  - each chain of a VMA sits in its anon_vma's tree keyed by the VMA's
 *    current [vm_pgoff, vm_pgoff + pages - 1];
 *  - num_active_vmas counts the VMAs whose ->anon_vma points here;
 *  - num_children counts anon_vmas whose ->parent is this one, a root
 *    counting itself, until its tree empties;
 *  - refcount = 1 (self, until the tree empties) + children pinning a root
 *    + KSM rmap_items holding a reference.
 *
 * The order in which chains enter a tree matters: among equal start
 * offsets the interval tree yields them in insertion order, and that is
 * the order of an rmap walk.
 */
#include "mm/internal.h"

static struct anon_vma *anon_vma_alloc(struct ksm_sim *sim)
{
	struct anon_vma *av = ksm_zalloc(sim->alloc, KOBJ_ANON_VMA, sizeof(*av));

	av->refcount = 1;
	av->root = av;
	av->parent = av;
	itree_init(&av->rb_root);
	av->id = sim_next_id(sim);
	LIST_INSERT_HEAD(&sim->anon_vmas, av, all);
	return av;
}

static void anon_vma_free(struct ksm_sim *sim, struct anon_vma *av)
{
	LIST_REMOVE(av, all);
	ksm_free(sim->alloc, KOBJ_ANON_VMA, av, sizeof(*av));
}

void get_anon_vma(struct anon_vma *av)
{
	av->refcount++;
}

/*
 * put_anon_vma(): the last reference frees the anon_vma and drops the
 * reference it held on its root (__put_anon_vma).
 */
void put_anon_vma(struct ksm_sim *sim, struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	if (--av->refcount)
		return;
	anon_vma_free(sim, av);
	if (root != av && --root->refcount == 0)
		anon_vma_free(sim, root);
}

static void avc_tree_insert(struct anon_vma_chain *avc)
{
	struct vm_area_struct *vma = avc->vma;

	avc->rb.start = vma->vm_pgoff;
	avc->rb.last = vma->vm_pgoff + vma_pages(vma) - 1;
	itree_insert(&avc->anon_vma->rb_root, &avc->rb);
}

/* anon_vma_chain_link(): new chain at the head of the VMA's list. */
static void anon_vma_chain_link(struct ksm_sim *sim,
				struct vm_area_struct *vma,
				struct anon_vma *av)
{
	struct anon_vma_chain *avc = ksm_zalloc(sim->alloc, KOBJ_AVC, sizeof(*avc));

	avc->vma = vma;
	avc->anon_vma = av;
	TAILQ_INSERT_HEAD(&vma->anon_vma_chain, avc, same_vma);
	avc_tree_insert(avc);
}

void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	TAILQ_FOREACH(avc, &vma->anon_vma_chain, same_vma)
		itree_remove(&avc->anon_vma->rb_root, &avc->rb);
}

void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	TAILQ_FOREACH(avc, &vma->anon_vma_chain, same_vma)
		avc_tree_insert(avc);
}

/*
 * anon_vma_compatible(): @b directly follows @a, their flags differ at
 * most in access bits, and b's pgoff continues a's.  A VM_MERGEABLE
 * difference therefore prevents sharing an anon_vma.
 */
static bool anon_vma_compatible(const struct vm_area_struct *a,
				const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start &&
	       !((a->vm_flags ^ b->vm_flags) & ~VM_ACCESS_FLAGS) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> KSM_PAGE_SHIFT);
}

static bool avc_list_is_singular(const struct vm_area_struct *vma)
{
	const struct anon_vma_chain *first = TAILQ_FIRST(&vma->anon_vma_chain);

	return first && !TAILQ_NEXT(first, same_vma);
}

/*
 * reusable_anon_vma(): @old's anon_vma may be shared if the two VMAs are
 * compatible and @old has no fork ancestry (a single chain) — sharing an
 * anon_vma that other processes' VMAs hang off would let their rmap walks
 * see this VMA's pages for no reason.
 */
static struct anon_vma *reusable_anon_vma(struct vm_area_struct *old,
					  struct vm_area_struct *a,
					  struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b) && old->anon_vma &&
	    avc_list_is_singular(old))
		return old->anon_vma;
	return NULL;
}

/* find_mergeable_anon_vma(): the next VMA is tried first, then the previous. */
static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *next = vma_next(mm, vma), *prev;
	struct anon_vma *av = NULL;

	if (next)
		av = reusable_anon_vma(next, vma, next);
	if (av)
		return av;
	prev = vma_prev(mm, vma);
	if (prev)
		av = reusable_anon_vma(prev, prev, vma);
	return av;
}

/*
 * anon_vma_prepare() (__anon_vma_prepare): give @vma an anon_vma at its
 * first anonymous fault, reusing a neighbour's when allowed, otherwise a
 * new root (whose num_children starts at 1 for its own self-parent link).
 */
int anon_vma_prepare(struct ksm_sim *sim, struct vm_area_struct *vma)
{
	struct anon_vma *av;

	if (vma->anon_vma)
		return 0;
	av = find_mergeable_anon_vma(vma);
	if (!av) {
		av = anon_vma_alloc(sim);
		av->num_children++;
	}
	vma->anon_vma = av;
	anon_vma_chain_link(sim, vma, av);
	av->num_active_vmas++;
	return 0;
}

/*
 * anon_vma_clone(): link @dst into every anon_vma @src is linked into,
 * oldest (the root) first, so dst's list ends up in the same
 * newest-first order as src's.  While cloning for fork (dst has no
 * anon_vma yet), an anon_vma with no active VMA and fewer than two
 * children is adopted as dst's own instead of allocating another level:
 * this keeps long fork chains from growing without bound.
 */
void anon_vma_clone(struct ksm_sim *sim, struct vm_area_struct *dst,
		    struct vm_area_struct *src)
{
	struct anon_vma_chain *pavc;

	TAILQ_FOREACH_REVERSE(pavc, &src->anon_vma_chain, avc_list, same_vma) {
		struct anon_vma *av = pavc->anon_vma;

		anon_vma_chain_link(sim, dst, av);
		if (!dst->anon_vma && src->anon_vma && av->num_children < 2 &&
		    av->num_active_vmas == 0)
			dst->anon_vma = av;
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
}

/*
 * anon_vma_fork(): the child VMA joins every anon_vma of the parent VMA
 * and, unless it adopted one while cloning, gets a new anon_vma whose
 * parent is the parent VMA's and whose root is the family root (pinned).
 */
void anon_vma_fork(struct ksm_sim *sim, struct vm_area_struct *vma,
		   struct vm_area_struct *pvma)
{
	struct anon_vma *av;

	if (!pvma->anon_vma)
		return;
	vma->anon_vma = NULL;
	anon_vma_clone(sim, vma, pvma);
	if (vma->anon_vma)
		return;
	av = anon_vma_alloc(sim);
	av->num_active_vmas++;
	av->root = pvma->anon_vma->root;
	av->parent = pvma->anon_vma;
	get_anon_vma(av->root);
	vma->anon_vma = av;
	anon_vma_chain_link(sim, vma, av);
	av->parent->num_children++;
}

/*
 * unlink_anon_vmas(): take every chain of @vma out of its tree.  An
 * anon_vma whose tree empties stops counting as its parent's child and
 * loses its self reference (it survives while KSM rmap_items or children
 * still hold it).
 */
void unlink_anon_vmas(struct ksm_sim *sim, struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *tmp;
	struct avc_list emptied = TAILQ_HEAD_INITIALIZER(emptied);

	TAILQ_FOREACH_SAFE(avc, &vma->anon_vma_chain, same_vma, tmp) {
		struct anon_vma *av = avc->anon_vma;

		itree_remove(&av->rb_root, &avc->rb);
		TAILQ_REMOVE(&vma->anon_vma_chain, avc, same_vma);
		if (itree_empty(&av->rb_root)) {
			av->parent->num_children--;
			TAILQ_INSERT_TAIL(&emptied, avc, same_vma);
			continue;
		}
		ksm_free(sim->alloc, KOBJ_AVC, avc, sizeof(*avc));
	}
	if (vma->anon_vma) {
		vma->anon_vma->num_active_vmas--;
		vma->anon_vma = NULL;
	}
	/* Dropped after the walk, as the kernel does outside the root lock. */
	TAILQ_FOREACH_SAFE(avc, &emptied, same_vma, tmp) {
		put_anon_vma(sim, avc->anon_vma);
		ksm_free(sim->alloc, KOBJ_AVC, avc, sizeof(*avc));
	}
}

/*
 * __folio_set_anon(): a new exclusive anonymous folio belongs to the
 * faulting VMA's anon_vma at the page offset the address has in it.
 */
void folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		    uint64_t addr)
{
	folio->flags |= FOLIO_ANON | FOLIO_ANON_EXCLUSIVE;
	folio->anon_vma = vma->anon_vma;
	folio->index = linear_page_index(vma, addr);
}

/*
 * page_address_in_vma() for an anonymous folio: the folio can be mapped
 * in @vma only if both belong to one anon_vma family, and then only at the
 * address its index has there.
 */
bool folio_address_in_vma(const struct folio *folio,
			  const struct vm_area_struct *vma, uint64_t *addr)
{
	uint64_t a;

	/* folio_anon_vma() of a KSM folio is NULL: its mapping is a node. */
	if (folio->flags & FOLIO_KSM)
		return false;
	if (!vma->anon_vma || !folio->anon_vma ||
	    vma->anon_vma->root != folio->anon_vma->root)
		return false;
	/* Unsigned: an index below vm_pgoff wraps and fails the test too. */
	if (folio->index - vma->vm_pgoff >= vma_pages(vma))
		return false;
	a = vma->vm_start + ((folio->index - vma->vm_pgoff) << KSM_PAGE_SHIFT);
	*addr = a;
	return true;
}
