/* SPDX-License-Identifier: MIT */
/*
 * DOC: Interval tree (augmented red-black tree)
 *
 * The anon_vma interval tree of Linux (mm/interval_tree.c, generated from
 * include/linux/interval_tree_generic.h) holds one anon_vma_chain per VMA
 * linked to the anon_vma, keyed by the closed interval
 * [vm_pgoff, vm_pgoff + vma_pages - 1].  Nodes are ordered by start; a node
 * whose start equals an existing node's goes to its right, so equal starts
 * keep insertion order.  Each node caches the largest `last` in its
 * subtree ("subtree_last"), which lets a stabbing query skip subtrees that
 * end before the query begins.
 *
 * This is the same structure built on libbsd's <sys/tree.h>.  Two
 * differences from the BSD macros needed care:
 *  - RB_INSERT refuses equal keys, so the comparison breaks ties with a
 *    per-tree insertion sequence number: a later insert compares greater,
 *    which places it exactly where Linux's "equal goes right" rule would.
 *  - RB_AUGMENT is applied only to the nodes a rotation touches and to one
 *    parent on insert and on most removals, so itree_insert() and
 *    itree_remove() refresh subtree_last on the whole path to the root
 *    themselves.
 *
 * Queries yield every node whose [start, last] intersects [first, last],
 * in ascending (start, insertion) order — the order in which
 * anon_vma_interval_tree_foreach() visits chains.
 *
 * Canonical loop:
 *
 *	for (n = itree_iter_first(t, first, last); n;
 *	     n = itree_iter_next(n, first, last))
 *		...
 *
 * The tree does not own its nodes; they are embedded in the caller's
 * objects (struct anon_vma_chain embeds one).
 */
#ifndef KSMSIM_INTERVAL_TREE_H
#define KSMSIM_INTERVAL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/bsd_tree.h"

struct itree_node {
	RB_ENTRY(itree_node) rb;
	uint64_t start;        /* first key of the closed interval       */
	uint64_t last;         /* last key of the closed interval        */
	uint64_t subtree_last; /* max(last) over this node's subtree     */
	uint64_t seq;          /* insertion order, breaks ties on start  */
};

RB_HEAD(itree_rb, itree_node);

struct itree {
	struct itree_rb root;
	uint64_t next_seq; /* sequence number the next insert receives */
	size_t count;      /* nodes in the tree                         */
};

void itree_init(struct itree *t);
static inline bool itree_empty(const struct itree *t)
{
	return t->count == 0;
}

/*
 * itree_insert() - link @n, whose start and last the caller has set
 * (start <= last), after every node with the same start.
 */
void itree_insert(struct itree *t, struct itree_node *n);

/* itree_remove() - unlink @n, which must be in @t. */
void itree_remove(struct itree *t, struct itree_node *n);

/* First / next node intersecting [first, last], or NULL. */
struct itree_node *itree_iter_first(struct itree *t, uint64_t first,
				    uint64_t last);
struct itree_node *itree_iter_next(struct itree_node *n, uint64_t first,
				   uint64_t last);

/* In-order (start, insertion) traversal of every node. */
struct itree_node *itree_first(struct itree *t);
struct itree_node *itree_next(struct itree_node *n);

/*
 * itree_check() - validate red-black shape, order, parent links,
 * subtree_last of every node and the count.  On failure returns false and
 * writes the first problem found into @why.
 */
bool itree_check(struct itree *t, char *why, size_t whylen);

#endif /* KSMSIM_INTERVAL_TREE_H */
