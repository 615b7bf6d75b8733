// SPDX-License-Identifier: MIT
/*
 * DOC: VMAs: lookup, split and merge (mm/vma.c)
 *
 * An mm keeps its VMAs in a red-black tree ordered by vm_start (the
 * kernel uses a maple tree; only the order matters here).
 *
 * Splitting and merging follow mm/vma.c of Linux 6.18, because they decide
 * which VMAs share an anon_vma, what vm_pgoff each piece has, and so
 * which chains an rmap walk meets:
 *
 *  - __split_vma() duplicates the VMA, gives the upper piece the pgoff of
 *    its first page, clones every anon_vma chain to the new piece, and
 *    re-keys the original's chains.
 *  - vma_merge_new_range() places a new range (mmap, mremap's copy_vma) by
 *    extending prev and/or next when flags match, pgoffs are contiguous
 *    and anon_vmas are compatible (is_mergeable_anon_vma()).
 *  - vma_merge_existing_range() merges a modified part of a VMA (mprotect,
 *    madvise) into prev and/or next, shrinking or deleting the middle.
 *
 * Every change of a VMA's range or pgoff takes its chains out of the
 * interval trees first and puts them back after (vma_prepare() /
 * vma_complete()), so a re-keyed chain goes behind its equal-key peers.
 */
#include <stdlib.h>

#include "mm/internal.h"

static int vma_cmp(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return a->vm_start < b->vm_start ? -1 : a->vm_start > b->vm_start;
}

RB_GENERATE_STATIC(vma_tree, vm_area_struct, vm_rb, vma_cmp)

struct vm_area_struct *vma_first(struct mm_struct *mm)
{
	return RB_MIN(vma_tree, &mm->mm_rb);
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma)
{
	(void)mm;
	return RB_NEXT(vma_tree, &mm->mm_rb, vma);
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma)
{
	(void)mm;
	return RB_PREV(vma_tree, &mm->mm_rb, vma);
}

/* find_vma(): the first VMA that ends above @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *n = RB_ROOT(&mm->mm_rb), *best = NULL;

	while (n) {
		if (n->vm_end > addr) {
			best = n;
			if (n->vm_start <= addr)
				break;
			n = RB_LEFT(n, vm_rb);
		} else {
			n = RB_RIGHT(n, vm_rb);
		}
	}
	return best;
}

/* vma_lookup(): the VMA containing @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

struct vm_area_struct *vma_prev_of_addr(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (!vma)
		return RB_MAX(vma_tree, &mm->mm_rb);
	if (vma->vm_start < addr)
		return vma; /* @addr is inside it; callers pass free addresses */
	return vma_prev(mm, vma);
}

struct vm_area_struct *vm_area_alloc(struct ksm_sim *sim, struct mm_struct *mm)
{
	struct vm_area_struct *vma = ksm_zalloc(sim->alloc, KOBJ_VMA, sizeof(*vma));

	vma->vm_mm = mm;
	TAILQ_INIT(&vma->anon_vma_chain);
	vma->id = sim_next_id(sim);
	return vma;
}

/* vm_area_dup(): same range, pgoff, flags and anon_vma; no chains yet. */
struct vm_area_struct *vm_area_dup(struct ksm_sim *sim, struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(sim, orig->vm_mm);

	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_flags = orig->vm_flags;
	vma->anon_vma = orig->anon_vma;
	return vma;
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *same_start;

	vma->vm_mm = mm;
	/* The tree is ordered by vm_start alone: two VMAs starting at one
	 * address is a bug in the caller. */
	same_start = RB_INSERT(vma_tree, &mm->mm_rb, vma);
	SIM_BUG_ON(same_start);
	mm->map_count++;
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	SIM_BUG_ON(vma->vm_mm != mm);
	RB_REMOVE(vma_tree, &mm->mm_rb, vma);
	mm->map_count--;
}

/* Drop the chains of a VMA already unlinked from its mm, and free it. */
static void free_detached_vma(struct ksm_sim *sim, struct vm_area_struct *vma)
{
	unlink_anon_vmas(sim, vma);
	ksm_free(sim->alloc, KOBJ_VMA, vma, sizeof(*vma));
}

void remove_vma(struct ksm_sim *sim, struct vm_area_struct *vma)
{
	vma_unlink(vma->vm_mm, vma);
	free_detached_vma(sim, vma);
}

/*
 * vma_set_range() between pre/post updates: the rb key (vm_start) may
 * change, but never past a neighbour, so the VMA keeps its tree position;
 * it is re-linked anyway to keep the tree's ordering argument honest.
 */
static void vma_adjust(struct mm_struct *mm, struct vm_area_struct *vma,
		       uint64_t start, uint64_t end, pgoff_t pgoff)
{
	anon_vma_interval_tree_pre_update_vma(vma);
	if (vma->vm_start != start) {
		vma_unlink(mm, vma);
		vma->vm_start = start;
		vma_link(mm, vma);
	}
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	anon_vma_interval_tree_post_update_vma(vma);
}

/*
 * __split_vma(): split @vma at @addr.  With @new_below the new VMA is the
 * lower piece [vm_start, addr), otherwise the upper piece [addr, vm_end).
 * The new piece's chains are cloned (inserted first); the original's are
 * re-keyed after.  Returns the new VMA.
 */
struct vm_area_struct *split_vma(struct ksm_sim *sim, struct vm_area_struct *vma,
				 uint64_t addr, bool new_below)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new = vm_area_dup(sim, vma);

	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> KSM_PAGE_SHIFT;
	}
	anon_vma_clone(sim, new, vma);
	if (new_below)
		vma_adjust(mm, vma, addr, vma->vm_end,
			   vma->vm_pgoff + ((addr - new->vm_start) >> KSM_PAGE_SHIFT));
	else
		vma_adjust(mm, vma, vma->vm_start, addr, vma->vm_pgoff);
	vma_link(mm, new);
	return new;
}

/* A VMA whose anon_vma has fork ancestry (more than one chain). */
static bool vma_had_uncowed_parents(const struct vm_area_struct *vma)
{
	const struct anon_vma_chain *first;

	if (!vma || !vma->anon_vma)
		return false;
	first = TAILQ_FIRST(&vma->anon_vma_chain);
	return first && TAILQ_NEXT(first, same_vma);
}

/*
 * is_mergeable_anon_vma(): may @tgt absorb a range whose anon_vma is
 * @src_anon (belonging to @src, the VMA being modified, or NULL for a
 * new range; @copied_from is mremap's source)?  Three cases:
 *  - only the range has one: it will be duplicated into tgt, which is
 *    wrong if it comes with fork ancestry;
 *  - only tgt has one: the range will use it, unless tgt has ancestry;
 *  - both: they must be the same.
 */
static bool is_mergeable_anon_vma(const struct vm_area_struct *tgt,
				  const struct vm_area_struct *src,
				  struct anon_vma *src_anon,
				  const struct vm_area_struct *copied_from)
{
	struct anon_vma *tgt_anon = tgt->anon_vma;

	if (!tgt_anon && src_anon)
		return !vma_had_uncowed_parents(src) &&
		       !vma_had_uncowed_parents(copied_from);
	if (tgt_anon && !src_anon)
		return !vma_had_uncowed_parents(tgt);
	return src_anon == tgt_anon;
}

/* are_anon_vmas_compatible(): prev and next may meet in one VMA. */
static bool are_anon_vmas_compatible(const struct vm_area_struct *a,
				     const struct vm_area_struct *b)
{
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* What a merge is about: the range, its pgoff, flags and anon_vma. */
struct vma_merge_req {
	uint64_t start, end;
	pgoff_t pgoff;
	uint64_t flags;
	struct vm_area_struct *middle;      /* VMA being modified, or NULL */
	struct anon_vma *anon_vma;          /* the range's anon_vma        */
	struct vm_area_struct *copied_from; /* mremap source, or NULL      */
};

/* can_vma_merge_after(): the range may be appended to @prev. */
static bool can_vma_merge_after(const struct vma_merge_req *r,
				const struct vm_area_struct *prev)
{
	return prev->vm_flags == r->flags &&
	       is_mergeable_anon_vma(prev, r->middle, r->anon_vma, r->copied_from) &&
	       prev->vm_pgoff + vma_pages(prev) == r->pgoff;
}

/* can_vma_merge_before(): the range may be prepended to @next. */
static bool can_vma_merge_before(const struct vma_merge_req *r,
				 const struct vm_area_struct *next)
{
	return next->vm_flags == r->flags &&
	       is_mergeable_anon_vma(next, r->middle, r->anon_vma, r->copied_from) &&
	       next->vm_pgoff == r->pgoff + ((r->end - r->start) >> KSM_PAGE_SHIFT);
}

/*
 * dup_anon_vma(): when @dst absorbs @src and has no anon_vma of its own,
 * it takes src's, with a clone of src's chains.
 */
static void dup_anon_vma(struct ksm_sim *sim, struct vm_area_struct *dst,
			 struct vm_area_struct *src)
{
	if (src->anon_vma && !dst->anon_vma) {
		dst->anon_vma = src->anon_vma;
		anon_vma_clone(sim, dst, src);
	}
}

struct vm_area_struct *vma_merge_new_range(struct ksm_sim *sim,
					   struct mm_struct *mm,
					   uint64_t start, uint64_t end,
					   pgoff_t pgoff, uint64_t flags,
					   struct anon_vma *anon_vma,
					   struct vm_area_struct *copied_from)
{
	struct vma_merge_req r = {
		.start = start, .end = end, .pgoff = pgoff, .flags = flags,
		.anon_vma = anon_vma, .copied_from = copied_from,
	};
	struct vm_area_struct *prev = vma_prev_of_addr(mm, start);
	struct vm_area_struct *next = find_vma(mm, end);
	struct vm_area_struct *target = NULL;
	bool merge_left, merge_right;
	uint64_t vstart = start, vend = end;
	pgoff_t vpgoff = pgoff;

	merge_left = prev && prev->vm_end == start && can_vma_merge_after(&r, prev);
	merge_right = next && next->vm_start == end && can_vma_merge_before(&r, next) &&
		      (!merge_left || are_anon_vmas_compatible(prev, next));

	if (merge_right) {
		vend = next->vm_end;
		target = next;
	}
	if (merge_left) {
		vstart = prev->vm_start;
		vpgoff = prev->vm_pgoff;
		target = prev;
	}
	if (!target)
		return NULL;

	/* vma_expand(): grow the target over the range (and over next). */
	if (merge_left && merge_right)
		dup_anon_vma(sim, target, next);
	if (copied_from)
		dup_anon_vma(sim, target, copied_from);
	vma_adjust(mm, target, vstart, vend, vpgoff);
	if (merge_left && merge_right)
		remove_vma(sim, next);
	return target;
}

/*
 * vma_merge_existing_range(): the part [start, end) of @middle is to get
 * @flags.  Merge it into prev and/or next when the kernel would.  Returns
 * the VMA that now holds the range, or NULL (nothing changed).
 */
static struct vm_area_struct *
vma_merge_existing_range(struct ksm_sim *sim, struct vm_area_struct *middle,
			 uint64_t start, uint64_t end, uint64_t flags)
{
	struct mm_struct *mm = middle->vm_mm;
	struct vma_merge_req r = {
		.start = start, .end = end, .flags = flags, .middle = middle,
		.anon_vma = middle->anon_vma,
		.pgoff = middle->vm_pgoff + ((start - middle->vm_start) >> KSM_PAGE_SHIFT),
	};
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	struct vm_area_struct *prev = vma_prev(mm, middle);
	struct vm_area_struct *next = vma_next(mm, middle);
	bool merge_left = false, merge_right = false;
	pgoff_t pglen = (end - start) >> KSM_PAGE_SHIFT;

	if (!left_side && !right_side)
		return NULL;
	if (left_side)
		merge_left = prev && prev->vm_end == start && can_vma_merge_after(&r, prev);
	if (right_side)
		merge_right = next && next->vm_start == end &&
			      can_vma_merge_before(&r, next) &&
			      (!merge_left || are_anon_vmas_compatible(prev, next));
	if (!merge_left && !merge_right)
		return NULL;

	if (merge_left && merge_right) {
		/* prev grows over middle and next; both go. */
		dup_anon_vma(sim, prev, next->anon_vma ? next : middle);
		vma_adjust(mm, prev, prev->vm_start, next->vm_end, prev->vm_pgoff);
		remove_vma(sim, middle);
		remove_vma(sim, next);
		return prev;
	}
	if (merge_left) {
		dup_anon_vma(sim, prev, middle);
		vma_adjust(mm, prev, prev->vm_start, end, prev->vm_pgoff);
		if (right_side)
			remove_vma(sim, middle);
		else
			vma_adjust(mm, middle, end, middle->vm_end,
				   middle->vm_pgoff + ((end - middle->vm_start) >> KSM_PAGE_SHIFT));
		return prev;
	}
	/* merge_right */
	dup_anon_vma(sim, next, middle);
	if (left_side) {
		/* middle leaves the address tree first: next takes its start */
		vma_unlink(mm, middle);
		vma_adjust(mm, next, start, next->vm_end, next->vm_pgoff - pglen);
		free_detached_vma(sim, middle);
	} else {
		/* middle shrinks first so next can grow into the gap */
		vma_adjust(mm, middle, middle->vm_start, start, middle->vm_pgoff);
		vma_adjust(mm, next, start, next->vm_end, next->vm_pgoff - pglen);
	}
	return next;
}

struct vm_area_struct *vma_modify_flags(struct ksm_sim *sim,
					struct vm_area_struct *vma,
					uint64_t start, uint64_t end,
					uint64_t new_flags)
{
	struct vm_area_struct *merged;

	merged = vma_merge_existing_range(sim, vma, start, end, new_flags);
	if (merged)
		return merged;
	if (vma->vm_start < start)
		split_vma(sim, vma, start, true);
	if (vma->vm_end > end)
		split_vma(sim, vma, end, false);
	vma->vm_flags = new_flags;
	return vma;
}

bool range_fully_mapped(struct mm_struct *mm, uint64_t start, uint64_t end,
			uint64_t *hole)
{
	uint64_t addr = start;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start > addr) {
			if (hole)
				*hole = addr;
			return false;
		}
		addr = vma->vm_end;
	}
	return true;
}
