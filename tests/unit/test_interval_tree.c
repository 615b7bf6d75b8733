// SPDX-License-Identifier: MIT
/*
 * Interval tree against a brute-force model: random inserts and removes,
 * the red-black and augmentation invariants checked after every change,
 * and random stabbing queries compared with a linear scan, including the
 * order in which nodes are yielded ((start, insertion) ascending).
 *
 * The seed is printed first; KSMSIM_SEED=N replays one run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rng.h"
#include "ksmsim/interval_tree.h"
#include "unit_util.h"

#define POOL 512

struct model_node {
	struct itree_node n;
	int in_tree;
	uint64_t order; /* model's insertion counter */
};

static void assert_tree_ok(struct itree *t)
{
	char why[256];

	if (!itree_check(t, why, sizeof(why)))
		fail_msg("interval tree invariant: %s", why);
}

/* Brute force: every in-tree node intersecting [a, b], in (start, order). */
static size_t brute_query(struct model_node *pool, uint64_t a, uint64_t b,
			  struct model_node **out)
{
	size_t k = 0;

	for (size_t i = 0; i < POOL; i++)
		if (pool[i].in_tree && pool[i].n.start <= b && pool[i].n.last >= a)
			out[k++] = &pool[i];
	/* insertion sort by (start, order): k is small */
	for (size_t i = 1; i < k; i++) {
		struct model_node *x = out[i];
		size_t j = i;

		while (j > 0 && (out[j - 1]->n.start > x->n.start ||
				 (out[j - 1]->n.start == x->n.start &&
				  out[j - 1]->order > x->order))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	return k;
}

static void check_query(struct itree *t, struct model_node *pool, uint64_t a,
			uint64_t b)
{
	struct model_node *want[POOL];
	size_t k = brute_query(pool, a, b, want), i = 0;

	for (struct itree_node *n = itree_iter_first(t, a, b); n;
	     n = itree_iter_next(n, a, b), i++) {
		assert_true(i < k);
		assert_ptr_equal(n, &want[i]->n);
	}
	assert_int_equal(i, k);
}

static void random_ops(uint64_t key_space, unsigned ops)
{
	static struct model_node pool[POOL];
	struct ksm_rng rng;
	struct itree t;
	uint64_t order = 0;

	ksm_rng_seed(&rng, test_seed("interval tree", 0x5eed1234ULL) ^ key_space);
	memset(pool, 0, sizeof(pool));
	itree_init(&t);
	for (unsigned op = 0; op < ops; op++) {
		struct model_node *m = &pool[ksm_rng_below(&rng, POOL)];

		if (m->in_tree) {
			itree_remove(&t, &m->n);
			m->in_tree = 0;
		} else {
			uint64_t s = ksm_rng_below(&rng, key_space);
			uint64_t len = ksm_rng_below(&rng, key_space / 8 + 1);

			m->n.start = s;
			m->n.last = s + len;
			m->order = order++;
			itree_insert(&t, &m->n);
			m->in_tree = 1;
		}
		if (op % 7 == 0)
			assert_tree_ok(&t);
		{
			uint64_t a = ksm_rng_below(&rng, key_space + key_space / 4);
			uint64_t b = a + ksm_rng_below(&rng, key_space / 4 + 1);

			check_query(&t, pool, a, b);
		}
	}
	assert_tree_ok(&t);
	/* The full range yields everything, in order. */
	check_query(&t, pool, 0, UINT64_MAX);
	for (size_t i = 0; i < POOL; i++)
		if (pool[i].in_tree)
			itree_remove(&t, &pool[i].n);
	assert_true(itree_empty(&t));
	assert_tree_ok(&t);
}

/* Few distinct keys: many equal starts, insertion order must hold. */
static void test_equal_starts(void **state)
{
	(void)state;
	random_ops(16, 100000);
}

static void test_wide_keys(void **state)
{
	(void)state;
	random_ops(1u << 20, 200000);
}

static void test_single_point_queries(void **state)
{
	struct model_node nodes[4];
	struct itree t;

	(void)state;
	itree_init(&t);
	/* [5,5] [3,9] [5,7] [10,12]: query [5,5] yields [3,9],[5,5],[5,7]. */
	uint64_t ranges[4][2] = { { 5, 5 }, { 3, 9 }, { 5, 7 }, { 10, 12 } };

	for (int i = 0; i < 4; i++) {
		nodes[i].n.start = ranges[i][0];
		nodes[i].n.last = ranges[i][1];
		itree_insert(&t, &nodes[i].n);
	}
	struct itree_node *n = itree_iter_first(&t, 5, 5);
	assert_ptr_equal(n, &nodes[1].n);
	n = itree_iter_next(n, 5, 5);
	assert_ptr_equal(n, &nodes[0].n);
	n = itree_iter_next(n, 5, 5);
	assert_ptr_equal(n, &nodes[2].n);
	assert_null(itree_iter_next(n, 5, 5));
	assert_null(itree_iter_first(&t, 13, 100));
	assert_ptr_equal(itree_iter_first(&t, 12, 100), &nodes[3].n);
	assert_tree_ok(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_point_queries),
		cmocka_unit_test(test_equal_starts),
		cmocka_unit_test(test_wide_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
