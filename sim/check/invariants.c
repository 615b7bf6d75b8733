// SPDX-License-Identifier: MIT
/*
 * DOC: Invariants of the memory-management model
 *
 * sim_check_invariants() walks the whole machine and verifies what must
 * hold after every command, whatever the command was.  It only reads.
 *
 *  VMAs      ordered, disjoint, page aligned, inside the user address
 *            space, map_count right; a VMA has anon_vma chains iff it has
 *            an anon_vma, its own anon_vma is among them, all in one
 *            family (one root).
 *  chains    every chain of a VMA is in its anon_vma's interval tree with
 *            the VMA's current [pgoff, pgoff + pages - 1] and nowhere
 *            else; every tree node belongs to a live VMA's chain; each
 *            tree passes its red-black and subtree_last checks.
 *  anon_vma  num_active_vmas, num_children and refcount equal what the
 *            VMAs and anon_vmas that point at it account for.
 *  pages     every entry lies inside a VMA and maps an allocated page;
 *            mapcount and refcount equal the entries that map the page;
 *            no allocated page is unmapped; a writable entry maps an
 *            exclusive non-KSM page mapped once in a VM_WRITE VMA; an
 *            exclusive page is mapped once; a non-KSM anonymous page sits
 *            where its index says in a VMA of its anon_vma's family
 *            (page_address_in_vma() would find it) and its anon_vma is
 *            alive.
 *  KSM       per-mm and global ksm_zero_pages equal the KSM-placed zero
 *            entries; registered mms are on the slot list exactly once.
 */
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm_state.h"
#include "ksmsim/check.h"
#include "check/check_util.h"
#include "mm/internal.h"

/* Per-anon_vma tallies, indexed like the sorted pointer array. */
struct av_tally {
	unsigned long active;   /* VMAs whose ->anon_vma is it      */
	unsigned long children; /* live-tree anon_vmas it parents  */
	long pins;              /* non-root anon_vmas it is root of */
	long ksm_refs;          /* stable rmap_items holding it     */
};

struct checker {
	struct ksm_sim *sim;
	char *why;
	size_t whylen;
	uint32_t *maps;          /* entries seen per pfn              */
	struct anon_vma **avs;   /* every live anon_vma, by address   */
	struct av_tally *tally;
	size_t navs;
};

#define bad(c, ...) check_fail((c)->why, (c)->whylen, __VA_ARGS__)

/* Index of @av among the live anon_vmas, or -1 if it was freed. */
static long av_index(const struct checker *c, const struct anon_vma *av)
{
	struct anon_vma **hit = bsearch(&av, c->avs, c->navs, sizeof(*c->avs), check_ptr_cmp);

	return hit ? hit - c->avs : -1;
}

static bool anon_vma_is_live(const struct checker *c, const struct anon_vma *av)
{
	return av_index(c, av) >= 0;
}

static void collect_anon_vmas(struct checker *c)
{
	struct anon_vma *av;
	size_t n = 0;

	LIST_FOREACH(av, &c->sim->anon_vmas, all)
		n++;
	c->avs = xcalloc(n ? n : 1, sizeof(*c->avs));
	c->tally = xcalloc(n ? n : 1, sizeof(*c->tally));
	LIST_FOREACH(av, &c->sim->anon_vmas, all)
		c->avs[c->navs++] = av;
	qsort(c->avs, c->navs, sizeof(*c->avs), check_ptr_cmp);
}

static int check_vma_chains(struct checker *c, struct task *t,
			    struct vm_area_struct *vma, size_t *nchains)
{
	struct anon_vma_chain *avc;
	bool own = false;

	if (!vma->anon_vma != !TAILQ_FIRST(&vma->anon_vma_chain))
		return bad(c, "%s: VMA [0x%llx,0x%llx) has %s anon_vma but %s chains",
			   t->name, (unsigned long long)vma->vm_start,
			   (unsigned long long)vma->vm_end,
			   vma->anon_vma ? "an" : "no",
			   TAILQ_FIRST(&vma->anon_vma_chain) ? "some" : "no");
	TAILQ_FOREACH(avc, &vma->anon_vma_chain, same_vma) {
		struct itree_node *n;
		bool found = false;

		(*nchains)++;
		if (avc->vma != vma)
			return bad(c, "%s: chain of VMA 0x%llx points at another VMA",
				   t->name, (unsigned long long)vma->vm_start);
		if (!anon_vma_is_live(c, avc->anon_vma))
			return bad(c, "%s: VMA 0x%llx is chained to a freed anon_vma",
				   t->name, (unsigned long long)vma->vm_start);
		if (avc->anon_vma->root != vma->anon_vma->root)
			return bad(c, "%s: VMA 0x%llx is chained into two anon_vma families",
				   t->name, (unsigned long long)vma->vm_start);
		if (avc->anon_vma == vma->anon_vma)
			own = true;
		if (avc->rb.start != vma->vm_pgoff ||
		    avc->rb.last != vma->vm_pgoff + vma_pages(vma) - 1)
			return bad(c, "%s: chain of VMA 0x%llx keyed [%llu,%llu], VMA is [%llu,%llu]",
				   t->name, (unsigned long long)vma->vm_start,
				   (unsigned long long)avc->rb.start,
				   (unsigned long long)avc->rb.last,
				   (unsigned long long)vma->vm_pgoff,
				   (unsigned long long)(vma->vm_pgoff + vma_pages(vma) - 1));
		for (n = itree_iter_first(&avc->anon_vma->rb_root, avc->rb.start,
					  avc->rb.start);
		     n && !found; n = itree_iter_next(n, avc->rb.start, avc->rb.start))
			found = n == &avc->rb;
		if (!found)
			return bad(c, "%s: chain of VMA 0x%llx is missing from anon_vma #%llu's tree",
				   t->name, (unsigned long long)vma->vm_start,
				   (unsigned long long)avc->anon_vma->id);
	}
	if (vma->anon_vma && !own)
		return bad(c, "%s: VMA 0x%llx is not chained to its own anon_vma",
			   t->name, (unsigned long long)vma->vm_start);
	return 0;
}

static int check_vmas(struct checker *c, struct task *t, size_t *nchains)
{
	struct mm_struct *mm = t->mm;
	uint64_t prev_end = 0;
	unsigned long count = 0;

	for (struct vm_area_struct *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		count++;
		if (vma->vm_mm != mm)
			return bad(c, "%s: VMA 0x%llx belongs to another mm", t->name,
				   (unsigned long long)vma->vm_start);
		if (vma->vm_start >= vma->vm_end || vma->vm_start < prev_end ||
		    (vma->vm_start | vma->vm_end) & ~KSM_PAGE_MASK ||
		    vma->vm_end > KSM_TASK_SIZE)
			return bad(c, "%s: VMA [0x%llx,0x%llx) is empty, unaligned, out of range or overlaps its predecessor",
				   t->name, (unsigned long long)vma->vm_start,
				   (unsigned long long)vma->vm_end);
		prev_end = vma->vm_end;
		if (vma->anon_vma && anon_vma_is_live(c, vma->anon_vma))
			c->tally[av_index(c, vma->anon_vma)].active++;
		if (check_vma_chains(c, t, vma, nchains))
			return -1;
	}
	if (count != mm->map_count)
		return bad(c, "%s: map_count is %lu, the mm has %lu VMAs", t->name,
			   mm->map_count, count);
	return 0;
}

static int check_ptes(struct checker *c, struct task *t, long *ksm_zero)
{
	struct mm_struct *mm = t->mm;
	long zero_here = 0;

	for (struct vm_area_struct *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		uint64_t addr = vma->vm_start;

		while (pte_next_used(mm, &addr, vma->vm_end)) {
			pte_t pte = pte_get(mm, addr);
			struct folio *f = pfn_folio(c->sim, pte_pfn(pte));
			uint64_t where;

			if (!pte_present(pte) || !f || (f->flags & FOLIO_FREE))
				return bad(c, "%s: entry at 0x%llx maps no allocated page",
					   t->name, (unsigned long long)addr);
			if (is_zero_pfn(pte_pfn(pte))) {
				if (pte_write(pte))
					return bad(c, "%s: zero page writable at 0x%llx",
						   t->name, (unsigned long long)addr);
				zero_here += is_ksm_zero_pte(pte);
				addr += KSM_PAGE_SIZE;
				continue;
			}
			c->maps[f->pfn]++;
			if (!folio_test_anon(f))
				return bad(c, "%s: page at 0x%llx is not anonymous",
					   t->name, (unsigned long long)addr);
			if (pte_write(pte) &&
			    (!(vma->vm_flags & VM_WRITE) || folio_test_ksm(f) ||
			     !(f->flags & FOLIO_ANON_EXCLUSIVE)))
				return bad(c, "%s: writable entry at 0x%llx maps a page that must be read-only",
					   t->name, (unsigned long long)addr);
			if (!folio_test_ksm(f)) {
				if (!anon_vma_is_live(c, f->anon_vma))
					return bad(c, "%s: page at 0x%llx points at a freed anon_vma",
						   t->name, (unsigned long long)addr);
				if (!folio_address_in_vma(f, vma, &where) || where != addr)
					return bad(c, "%s: page at 0x%llx (index %llu) is not where its index puts it in VMA [0x%llx,0x%llx) pgoff %llu",
						   t->name, (unsigned long long)addr,
						   (unsigned long long)f->index,
						   (unsigned long long)vma->vm_start,
						   (unsigned long long)vma->vm_end,
						   (unsigned long long)vma->vm_pgoff);
			}
			addr += KSM_PAGE_SIZE;
		}
	}
	/* Entries outside every VMA. */
	{
		uint64_t addr = 0;

		while (pte_next_used(mm, &addr, KSM_TASK_SIZE)) {
			if (!vma_lookup(mm, addr))
				return bad(c, "%s: entry at 0x%llx lies outside every VMA",
					   t->name, (unsigned long long)addr);
			addr += KSM_PAGE_SIZE;
		}
	}
	if (zero_here != mm->ksm_zero_pages)
		return bad(c, "%s: ksm_zero_pages is %ld, the page tables hold %ld KSM zero entries",
			   t->name, mm->ksm_zero_pages, zero_here);
	*ksm_zero += zero_here;
	return 0;
}

static int check_folios(struct checker *c)
{
	struct mem_map *mem = &c->sim->mem;
	uint64_t used = 0;

	for (uint32_t pfn = 1; pfn < mem->nr_pfns; pfn++) {
		struct folio *f = pfn_folio(c->sim, pfn);

		if (f->flags & FOLIO_FREE)
			continue;
		used++;
		if (f->mapcount != c->maps[pfn])
			return bad(c, "page pfn %u has mapcount %u but %u entries map it",
				   pfn, f->mapcount, c->maps[pfn]);
		if (f->refcount != f->mapcount)
			return bad(c, "page pfn %u has refcount %u, mapcount %u",
				   pfn, f->refcount, f->mapcount);
		if (!f->mapcount)
			return bad(c, "page pfn %u is allocated but mapped nowhere", pfn);
		if ((f->flags & FOLIO_ANON_EXCLUSIVE) && f->mapcount != 1)
			return bad(c, "page pfn %u is exclusive but mapped %u times",
				   pfn, f->mapcount);
	}
	if (used != mem->nr_used)
		return bad(c, "%llu pages allocated, the folio array says %llu",
			   (unsigned long long)used, (unsigned long long)mem->nr_used);
	return 0;
}

static int check_anon_vmas(struct checker *c, size_t nchains)
{
	struct ksm_mm_slot *slot;
	size_t in_trees = 0;

	TAILQ_FOREACH(slot, &c->sim->ksm->ksm_mm_head, mm_node)
		for (struct ksm_rmap_item *it = slot->rmap_list; it; it = it->rmap_list) {
			long i;

			if (!(it->address & STABLE_FLAG))
				continue;
			i = av_index(c, it->anon_vma);
			if (i < 0)
				return bad(c, "stable rmap_item %s:0x%llx holds a freed anon_vma",
					   it->mm->owner,
					   (unsigned long long)(it->address & KSM_PAGE_MASK));
			c->tally[i].ksm_refs++;
		}

	for (size_t i = 0; i < c->navs; i++) {
		struct anon_vma *x = c->avs[i];
		long p = av_index(c, x->parent), r = av_index(c, x->root);

		/*
		 * The root is pinned by every member of its family.  The
		 * parent is not: an anon_vma kept alive only by KSM rmap_items
		 * (its tree empty) may outlive it, as in the kernel, where
		 * ->parent is then never used again.
		 */
		if (r < 0)
			return bad(c, "anon_vma #%llu: its root was freed",
				   (unsigned long long)x->id);
		if (!itree_empty(&x->rb_root)) {
			if (p < 0)
				return bad(c, "anon_vma #%llu: its parent was freed",
					   (unsigned long long)x->id);
			c->tally[p].children++;
		}
		if (x->root != x)
			c->tally[r].pins++;
	}
	for (size_t i = 0; i < c->navs; i++) {
		struct anon_vma *av = c->avs[i];
		struct av_tally *t = &c->tally[i];
		/*
		 * References: its own while its tree is non-empty, one per
		 * anon_vma of its family pinning it as root, one per stable
		 * rmap_item that recorded it.
		 */
		long refs = !itree_empty(&av->rb_root) + t->pins + t->ksm_refs;

		if (!itree_check(&av->rb_root, c->why, c->whylen))
			return -1;
		in_trees += av->rb_root.count;
		if (t->active != av->num_active_vmas)
			return bad(c, "anon_vma #%llu: num_active_vmas %lu, %lu VMAs use it",
				   (unsigned long long)av->id, av->num_active_vmas, t->active);
		if (t->children != av->num_children)
			return bad(c, "anon_vma #%llu: num_children %lu, counted %lu",
				   (unsigned long long)av->id, av->num_children, t->children);
		if (av->refcount != refs)
			return bad(c, "anon_vma #%llu: refcount %d, accounted for %ld",
				   (unsigned long long)av->id, av->refcount, refs);
	}
	if (in_trees != nchains)
		return bad(c, "the anon_vma trees hold %zu chains, the VMAs have %zu",
			   in_trees, nchains);
	return 0;
}

static int check_slots(struct checker *c)
{
	struct ksm_state *ksm = c->sim->ksm;
	struct ksm_mm_slot *slot;
	struct mm_struct *mm;
	size_t on_list = 0, registered = 0;

	TAILQ_FOREACH(slot, &ksm->ksm_mm_head, mm_node) {
		on_list++;
		if (slot->mm->ksm_slot != slot)
			return bad(c, "slot of %s is not its mm's slot", slot->mm->owner);
	}
	TAILQ_FOREACH(mm, &c->sim->mms, all) {
		if (!!mm->ksm_slot != !!(mm->flags & MMF_VM_MERGEABLE))
			return bad(c, "%s: MMF_VM_MERGEABLE disagrees with its slot", mm->owner);
		registered += mm->ksm_slot != NULL;
	}
	if (on_list != registered)
		return bad(c, "%zu slots on the scan list, %zu mms registered",
			   on_list, registered);
	return 0;
}

int sim_check_invariants(struct ksm_sim *sim, char *why, size_t whylen)
{
	struct checker c = { .sim = sim, .why = why, .whylen = whylen };
	size_t nchains = 0;
	long ksm_zero = 0;
	int ret = -1;

	c.maps = xcalloc(sim->mem.nr_pfns ? sim->mem.nr_pfns : 1, sizeof(*c.maps));
	collect_anon_vmas(&c);
	for (struct task *t = sim_first_task(sim); t; t = sim_next_task(sim, t))
		if (check_vmas(&c, t, &nchains) || check_ptes(&c, t, &ksm_zero))
			goto out;
	if (check_folios(&c) || check_anon_vmas(&c, nchains) || check_slots(&c) ||
	    ksm_check_invariants(sim, why, whylen))
		goto out;
	if (ksm_zero != sim->ksm->ksm_zero_pages) {
		bad(&c, "ksm_zero_pages is %ld, the page tables hold %ld KSM zero entries",
		    sim->ksm->ksm_zero_pages, ksm_zero);
		goto out;
	}
	ret = 0;
out:
	free(c.maps);
	free(c.avs);
	free(c.tally);
	return ret;
}
