/* SPDX-License-Identifier: MIT */
/*
 * DOC: Reverse-map walks and their ground truth
 *
 * rmap_walk_ksm() finds the mappings of a KSM page the way Linux does
 * (mm/ksm.c): for each rmap_item on the page's stable node, walk the
 * interval tree of the item's anon_vma and, for each VMA yielded that
 * covers the item's address, check the entry there.  Pass 0 takes only the
 * item's own mm, pass 1 only other mms (forked children whose items are
 * not on the node yet).  Three strategies differ only in the range asked of
 * the interval tree:
 *
 *   full     [0, ULONG_MAX] — Linux 6.18
 *   indexed  [index, index], index = the item's linear_page_index — the
 *            2026 series (v8); needs a machine with sim.kernel=lpi
 *   naive    [address >> PAGE_SHIFT, same] — the withdrawn v1–v3,
 *            wrong after mremap; kept as a negative control
 *
 * rmap_walk_anon() is the walk of an ordinary anonymous page: its
 * anon_vma's tree at the page's index, each VMA at the address that index
 * has in it.
 *
 * The ground truth is every page-table entry that maps the page, found by
 * reading every page table.  Walks and ground truth only read the machine.
 */
#ifndef KSMSIM_RMAP_H
#define KSMSIM_RMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ksmsim/ksm.h" /* enum rmap_strategy */
#include "ksmsim/sim.h"

/* One mapping: which process, which VMA, which address. */
struct rmap_mapping {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	uint64_t addr;
};

/* What one walk saw, per pass (0: own mm, 1: other mms). */
struct rmap_pass_stats {
	uint64_t iterations;  /* chains the interval-tree queries yielded  */
	uint64_t skip_addr;   /* VMA does not cover the item's address      */
	uint64_t skip_mm;     /* VMA of the wrong mm for the pass           */
	uint64_t rmap_one;    /* candidates checked                         */
	uint64_t found;       /* candidates whose entry maps the page       */
	uint64_t max_item_iterations; /* longest single item's query        */
};

/*
 * The outcome of a walk: statistics, and the mappings found in the order
 * found.  Owned by the caller; rmap_result_free() releases it.
 */
struct rmap_result {
	enum rmap_strategy strategy;
	struct rmap_pass_stats pass[2];
	struct rmap_mapping *found;
	size_t nfound, cap;
	unsigned items;        /* rmap_items on the node                   */
	bool no_node;          /* a KSM page without a stable node         */
};

void rmap_result_free(struct rmap_result *r);

struct ksm_rmap_item;
struct anon_vma_chain;

/* What became of one chain an interval-tree query yielded. */
enum rmap_outcome {
	RMAP_SKIP_ADDR, /* its VMA does not cover the item's address        */
	RMAP_SKIP_MM,   /* its VMA is of the wrong mm for the pass          */
	RMAP_MISS,      /* rmap_one: the entry there does not map the page  */
	RMAP_FOUND,     /* rmap_one: a mapping                              */
};

/* Called for every chain a walk is given, in walk order (observers). */
typedef void (*rmap_visit_fn)(void *ctx, int pass, const struct ksm_rmap_item *item,
			      const struct anon_vma_chain *avc, enum rmap_outcome outcome);

/*
 * rmap_walk_ksm() - walk the KSM page @folio with @strategy, without
 * stopping early (every candidate is checked).  The indexed strategy on a
 * machine that does not record the index (sim.kernel=baseline) fails
 * with -1; otherwise 0.
 */
int rmap_walk_ksm(struct ksm_sim *sim, struct folio *folio,
		  enum rmap_strategy strategy, struct rmap_result *out);
/* The same walk, telling @visit about each chain it is given. */
int rmap_walk_ksm_visit(struct ksm_sim *sim, struct folio *folio,
			enum rmap_strategy strategy, struct rmap_result *out,
			rmap_visit_fn visit, void *ctx);

/* One rmap_item on a KSM page's stable node, as the walks use it. */
struct rmap_item_view {
	const char *owner;  /* the process of the item's mm             */
	uint64_t addr;      /* the page address the item stands for     */
	bool has_index;     /* the machine stores linear_page_index      */
	uint64_t index;     /* ... and this is it (lpi kernel only)     */
};
/*
 * rmap_ksm_items() - the rmap_items on @folio's stable node in the walks'
 * order (newest first): the first @max of them into @out.  Returns how
 * many there are (0 for a page without a stable node).
 */
size_t rmap_ksm_items(struct ksm_sim *sim, struct folio *folio,
		      struct rmap_item_view *out, size_t max);

/* rmap_walk_anon() - walk an ordinary anonymous page. */
void rmap_walk_anon(struct ksm_sim *sim, struct folio *folio,
		    struct rmap_result *out);

/*
 * Ground truth for every page at once: every present entry of every live
 * process, sorted by pfn, then process name, then address.  One pass over
 * all page tables.
 */
struct rmap_truth_entry {
	uint64_t pfn;
	struct task *task;
	struct vm_area_struct *vma;
	uint64_t addr;
};

struct rmap_truth {
	struct rmap_truth_entry *e;
	size_t n;
};

void rmap_truth_build(struct ksm_sim *sim, struct rmap_truth *gt);
void rmap_truth_free(struct rmap_truth *gt);
/* The entries of @pfn: [*first, *first + *count). */
void rmap_truth_of(const struct rmap_truth *gt, uint64_t pfn, size_t *first,
		   size_t *count);

/* The page mapped at @addr in @task's mm, or NULL (none, or the zero page). */
struct folio *rmap_folio_at(struct ksm_sim *sim, struct task *task, uint64_t addr);

#endif /* KSMSIM_RMAP_H */
