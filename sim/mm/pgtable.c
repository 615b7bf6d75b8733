// SPDX-License-Identifier: MIT
/*
 * DOC: Sparse page tables
 *
 * Four levels of 512 entries, as x86-64 with 4-level paging: bits 47..39
 * pick the PGD entry, 38..30 the PUD, 29..21 the PMD, 20..12 the PTE.
 * A table exists only while some entry below it is used, so a process
 * with a few scattered pages costs a few tables, and a walk over a range
 * skips absent tables whole — which is what lets the scanner visit
 * millions of pages quickly.  Each table counts its used entries and is
 * freed when the count reaches zero.  (The kernel keeps empty tables until
 * free_pgtables(); the difference is invisible to everything modelled.)
 *
 * A table's count is kept in its parent (used[] next to slot[]), so a
 * leaf is exactly 512 entries, 4 KiB: with the count inside, every leaf
 * was 4,104 bytes and the allocator's next size, 5 KiB — 10 bytes a page
 * instead of 8.  The top level's children are counted nowhere: it lives
 * as long as the mm.
 */
#include <string.h>

#include "mm/internal.h"

#define PT_BITS 9
#define PT_ENTRIES (1u << PT_BITS)
#define PT_LEVELS 4

struct pt_dir {
	void *slot[PT_ENTRIES]; /* next level: pt_dir, or pt_leaf at level 3 */
	uint16_t used[PT_ENTRIES]; /* used entries of slot[i]'s table      */
};

struct pt_leaf {
	pte_t pte[PT_ENTRIES];
};

_Static_assert(sizeof(struct pt_leaf) == 4096, "a leaf is one page");

struct pgtable {
	struct pt_dir *pgd;
};

static unsigned pt_index(uint64_t addr, int level)
{
	/* level 0 = PGD ... level 3 = PTE */
	return (addr >> (KSM_PAGE_SHIFT + PT_BITS * (PT_LEVELS - 1 - level))) &
	       (PT_ENTRIES - 1);
}

/* Bytes covered by one entry at @level. */
static uint64_t pt_span(int level)
{
	return 1ULL << (KSM_PAGE_SHIFT + PT_BITS * (PT_LEVELS - 1 - level));
}

struct pgtable *pgtable_alloc(struct ksm_sim *sim)
{
	struct pgtable *pgd = ksm_zalloc(sim->alloc, KOBJ_PGTABLE, sizeof(*pgd));

	pgd->pgd = ksm_zalloc(sim->alloc, KOBJ_PGTABLE, sizeof(struct pt_dir));
	return pgd;
}

void pgtable_free(struct ksm_sim *sim, struct pgtable *pgd)
{
	/* Entries are cleared before teardown, and empty tables are freed
	 * as they empty, so only the top level is left. */
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		SIM_BUG_ON(pgd->pgd->slot[i]);
	ksm_free(sim->alloc, KOBJ_PGTABLE, pgd->pgd, sizeof(struct pt_dir));
	ksm_free(sim->alloc, KOBJ_PGTABLE, pgd, sizeof(*pgd));
}

pte_t pte_get(const struct mm_struct *mm, uint64_t addr)
{
	struct pt_dir *dir = mm->pgd->pgd;

	for (int level = 0; level < PT_LEVELS - 1; level++) {
		dir = dir->slot[pt_index(addr, level)];
		if (!dir)
			return 0;
	}
	return ((struct pt_leaf *)dir)->pte[pt_index(addr, PT_LEVELS - 1)];
}

void pte_set(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	     pte_t pte)
{
	struct pt_dir *path[PT_LEVELS - 1];
	unsigned at[PT_LEVELS - 1];
	struct pt_dir *dir = mm->pgd->pgd;
	struct pt_leaf *leaf;
	pte_t old;
	unsigned idx;

	/* Four levels map 48 bits; pt_index() would fold a higher address
	 * onto a lower one. */
	SIM_BUG_ON(addr >> (KSM_PAGE_SHIFT + PT_BITS * PT_LEVELS));
	for (int level = 0; level < PT_LEVELS - 1; level++) {
		void **slot = &dir->slot[pt_index(addr, level)];

		path[level] = dir;
		at[level] = pt_index(addr, level);
		if (!*slot) {
			if (pte_none(pte))
				return; /* clearing an entry that was never set */
			*slot = ksm_zalloc(sim->alloc, KOBJ_PGTABLE,
					   level == PT_LEVELS - 2 ?
					   sizeof(struct pt_leaf) : sizeof(struct pt_dir));
			/* @dir has one more table below it */
			if (level > 0)
				path[level - 1]->used[at[level - 1]]++;
		}
		dir = *slot;
	}
	leaf = (struct pt_leaf *)dir;
	idx = pt_index(addr, PT_LEVELS - 1);
	old = leaf->pte[idx];
	leaf->pte[idx] = pte;
	if (pte_none(old) && !pte_none(pte)) {
		path[PT_LEVELS - 2]->used[at[PT_LEVELS - 2]]++;
		return;
	}
	if (pte_none(old) || !pte_none(pte) || --path[PT_LEVELS - 2]->used[at[PT_LEVELS - 2]])
		return;
	/* The leaf emptied: free it, and every directory that empties. */
	ksm_free(sim->alloc, KOBJ_PGTABLE, leaf, sizeof(*leaf));
	path[PT_LEVELS - 2]->slot[at[PT_LEVELS - 2]] = NULL;
	/* The top level lives as long as the mm. */
	for (int level = PT_LEVELS - 2; level > 0; level--) {
		if (--path[level - 1]->used[at[level - 1]])
			break;
		ksm_free(sim->alloc, KOBJ_PGTABLE, path[level], sizeof(struct pt_dir));
		path[level - 1]->slot[at[level - 1]] = NULL;
	}
}

static bool next_used_in(const void *table, int level, uint64_t base,
			 uint64_t *addr, uint64_t end)
{
	uint64_t span = pt_span(level);

	for (unsigned i = pt_index(*addr, level); i < PT_ENTRIES; i++) {
		uint64_t start = base + (uint64_t)i * span;

		if (start >= end)
			return false;
		if (level == PT_LEVELS - 1) {
			if (!pte_none(((const struct pt_leaf *)table)->pte[i])) {
				*addr = start;
				return true;
			}
			continue;
		}
		const void *child = ((const struct pt_dir *)table)->slot[i];

		if (child) {
			uint64_t a = *addr > start ? *addr : start;

			if (next_used_in(child, level + 1, start, &a, end)) {
				*addr = a;
				return true;
			}
		}
		/* The next entry starts at its own beginning. */
		*addr = start + span;
	}
	return false;
}

/* The leaf table holding @addr's entry, or NULL. */
static const struct pt_leaf *leaf_of(const struct mm_struct *mm, uint64_t addr)
{
	const struct pt_dir *dir = mm->pgd->pgd;

	for (int level = 0; level < PT_LEVELS - 1 && dir; level++)
		dir = dir->slot[pt_index(addr, level)];
	return (const struct pt_leaf *)dir;
}

unsigned pte_next_used_batch(const struct mm_struct *mm, uint64_t addr, uint64_t end,
			     uint64_t *addrs, pte_t *ptes, unsigned max)
{
	unsigned n = 0;

	while (n < max && pte_next_used(mm, &addr, end)) {
		/* the rest of this leaf without walking down again */
		const struct pt_leaf *leaf = leaf_of(mm, addr);
		uint64_t leaf_end = (addr | (pt_span(PT_LEVELS - 2) - 1)) + 1;

		for (unsigned i = pt_index(addr, PT_LEVELS - 1);
		     i < PT_ENTRIES && addr < end && n < max; i++, addr += KSM_PAGE_SIZE)
			if (!pte_none(leaf->pte[i])) {
				addrs[n] = addr;
				ptes[n++] = leaf->pte[i];
			}
		if (addr < leaf_end)
			break;
	}
	return n;
}

bool pte_next_used(const struct mm_struct *mm, uint64_t *addr, uint64_t end)
{
	uint64_t a = *addr;
	const struct pt_leaf *leaf;

	if (a >= end)
		return false;
	/* The common case, the scanner's next page: its entry is used. */
	leaf = leaf_of(mm, a);
	if (leaf && !pte_none(leaf->pte[pt_index(a, PT_LEVELS - 1)]))
		return true;
	if (!next_used_in(mm->pgd->pgd, 0, 0, &a, end) || a >= end)
		return false;
	*addr = a;
	return true;
}

static uint64_t count_tables(const struct pt_dir *dir, int level)
{
	uint64_t n = 1;

	if (level == PT_LEVELS - 1)
		return 1;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (dir->slot[i])
			n += level == PT_LEVELS - 2 ? 1 :
			     count_tables(dir->slot[i], level + 1);
	return n;
}

uint64_t pgtable_pages(const struct mm_struct *mm)
{
	return count_tables(mm->pgd->pgd, 0);
}
