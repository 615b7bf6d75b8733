// SPDX-License-Identifier: MIT
/*
 * DOC: Augmented interval tree on libbsd's red-black tree
 *
 * See include/ksmsim/interval_tree.h for the structure and its contract.
 * The query follows the same pruning idea as Linux's interval tree: a
 * subtree can hold an intersecting node only if its subtree_last reaches
 * the query's first key, and nodes to the right of a node whose start lies
 * beyond the query's last key cannot intersect.
 */
#include "ksmsim/interval_tree.h"

#include <stdio.h>

static uint64_t itree_compute_last(struct itree_node *n)
{
	uint64_t max = n->last;
	struct itree_node *c;

	c = RB_LEFT(n, rb);
	if (c && c->subtree_last > max)
		max = c->subtree_last;
	c = RB_RIGHT(n, rb);
	if (c && c->subtree_last > max)
		max = c->subtree_last;
	return max;
}

/* Called by the BSD rotation and removal code on the nodes it touches. */
#undef RB_AUGMENT
#define RB_AUGMENT(x) ((x)->subtree_last = itree_compute_last(x))

static int itree_cmp(struct itree_node *a, struct itree_node *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

RB_GENERATE_STATIC(itree_rb, itree_node, rb, itree_cmp)

/* Refresh subtree_last from @n up to the root. */
static void itree_propagate(struct itree_node *n)
{
	for (; n; n = RB_PARENT(n, rb))
		n->subtree_last = itree_compute_last(n);
}

void itree_init(struct itree *t)
{
	RB_INIT(&t->root);
	t->next_seq = 0;
	t->count = 0;
}

void itree_insert(struct itree *t, struct itree_node *n)
{
	struct itree_node *dup;

	n->seq = t->next_seq++;
	n->subtree_last = n->last;
	dup = itree_rb_RB_INSERT(&t->root, n);
	(void)dup; /* seq is unique, so insertion never finds an equal key */
	/*
	 * The insert augmented only the new node's parent; rotations fixed
	 * the nodes they moved.  Walking up from the new node covers every
	 * ancestor whose subtree gained it.
	 */
	itree_propagate(n);
	t->count++;
}

void itree_remove(struct itree *t, struct itree_node *n)
{
	struct itree_node *from;

	/*
	 * Where the structure changes: with two children the in-order
	 * successor is spliced out from below its parent, otherwise @n's
	 * own parent loses a child.  Rotations while recolouring happen on
	 * that path, so refreshing from there to the root is enough.
	 */
	if (RB_LEFT(n, rb) && RB_RIGHT(n, rb)) {
		struct itree_node *succ = RB_RIGHT(n, rb);

		while (RB_LEFT(succ, rb))
			succ = RB_LEFT(succ, rb);
		from = RB_PARENT(succ, rb) == n ? succ : RB_PARENT(succ, rb);
	} else {
		from = RB_PARENT(n, rb);
	}
	itree_rb_RB_REMOVE(&t->root, n);
	itree_propagate(from);
	t->count--;
}

/*
 * Leftmost node of the subtree at @n that intersects [first, last], or
 * NULL.  Precondition: n->subtree_last >= first.
 */
static struct itree_node *itree_subtree_search(struct itree_node *n,
					       uint64_t first, uint64_t last)
{
	for (;;) {
		struct itree_node *left = RB_LEFT(n, rb);

		if (left && left->subtree_last >= first) {
			/* Some node on the left ends late enough; the
			 * leftmost match, if any, is there or at n. */
			n = left;
			continue;
		}
		if (n->start <= last) {
			if (n->last >= first)
				return n;
			n = RB_RIGHT(n, rb);
			if (n && n->subtree_last >= first)
				continue;
		}
		return NULL;
	}
}

struct itree_node *itree_iter_first(struct itree *t, uint64_t first,
				    uint64_t last)
{
	struct itree_node *root = RB_ROOT(&t->root);

	if (!root || root->subtree_last < first)
		return NULL;
	return itree_subtree_search(root, first, last);
}

struct itree_node *itree_iter_next(struct itree_node *n, uint64_t first,
				   uint64_t last)
{
	struct itree_node *right = RB_RIGHT(n, rb), *prev;

	for (;;) {
		/* Anything in the right subtree comes next in order. */
		if (right && right->subtree_last >= first)
			return itree_subtree_search(right, first, last);
		/* Climb until we arrive from a left child: that parent is
		 * the next node in order. */
		do {
			prev = n;
			n = RB_PARENT(n, rb);
			if (!n)
				return NULL;
		} while (RB_RIGHT(n, rb) == prev);
		/* Every later node starts at or after n->start. */
		if (n->start > last)
			return NULL;
		if (n->last >= first)
			return n;
		right = RB_RIGHT(n, rb);
	}
}

struct itree_node *itree_first(struct itree *t)
{
	return RB_MIN(itree_rb, &t->root);
}

struct itree_node *itree_next(struct itree_node *n)
{
	return RB_NEXT(itree_rb, NULL, n);
}

/* Returns the black height of the subtree, or -1 after filling @why. */
static int itree_check_node(struct itree_node *n, struct itree_node *parent,
			    size_t *count, char *why, size_t whylen)
{
	int lh, rh;

	if (!n)
		return 1;
	if (RB_PARENT(n, rb) != parent) {
		snprintf(why, whylen, "node [%llu,%llu] has a wrong parent link",
			 (unsigned long long)n->start, (unsigned long long)n->last);
		return -1;
	}
	if (n->start > n->last) {
		snprintf(why, whylen, "node [%llu,%llu] has start > last",
			 (unsigned long long)n->start, (unsigned long long)n->last);
		return -1;
	}
	if (RB_COLOR(n, rb) == RB_RED && parent &&
	    RB_COLOR(parent, rb) == RB_RED) {
		snprintf(why, whylen, "red node [%llu,%llu] has a red parent",
			 (unsigned long long)n->start, (unsigned long long)n->last);
		return -1;
	}
	if (RB_LEFT(n, rb) && itree_cmp(RB_LEFT(n, rb), n) >= 0) {
		snprintf(why, whylen, "left child of [%llu,%llu] is not smaller",
			 (unsigned long long)n->start, (unsigned long long)n->last);
		return -1;
	}
	if (RB_RIGHT(n, rb) && itree_cmp(RB_RIGHT(n, rb), n) <= 0) {
		snprintf(why, whylen, "right child of [%llu,%llu] is not larger",
			 (unsigned long long)n->start, (unsigned long long)n->last);
		return -1;
	}
	lh = itree_check_node(RB_LEFT(n, rb), n, count, why, whylen);
	if (lh < 0)
		return -1;
	rh = itree_check_node(RB_RIGHT(n, rb), n, count, why, whylen);
	if (rh < 0)
		return -1;
	if (lh != rh) {
		snprintf(why, whylen, "black heights differ below [%llu,%llu]",
			 (unsigned long long)n->start, (unsigned long long)n->last);
		return -1;
	}
	if (n->subtree_last != itree_compute_last(n)) {
		snprintf(why, whylen,
			 "subtree_last of [%llu,%llu] is %llu, should be %llu",
			 (unsigned long long)n->start, (unsigned long long)n->last,
			 (unsigned long long)n->subtree_last,
			 (unsigned long long)itree_compute_last(n));
		return -1;
	}
	(*count)++;
	return lh + (RB_COLOR(n, rb) == RB_BLACK);
}

bool itree_check(struct itree *t, char *why, size_t whylen)
{
	struct itree_node *root = RB_ROOT(&t->root);
	size_t count = 0;

	if (root && RB_COLOR(root, rb) != RB_BLACK) {
		snprintf(why, whylen, "root is not black");
		return false;
	}
	if (itree_check_node(root, NULL, &count, why, whylen) < 0)
		return false;
	if (count != t->count) {
		snprintf(why, whylen, "tree holds %zu nodes, count says %zu",
			 count, t->count);
		return false;
	}
	return true;
}
