// SPDX-License-Identifier: MIT
/*
 * Sparse page tables (sim/mm/pgtable.c): pte_next_used() with its
 * used-entry fast path, and pte_next_used_batch(), give what a walk of
 * every address would give, over random entries spread across leaf and
 * directory boundaries; tables are freed as they empty (no leak at
 * teardown).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/internal.h"

#define BASE 0x7f0000000000ULL
#define SPAN (3ULL << 30) /* crosses PUD entries: 3 GiB */

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_next_used_matches_every_address(void **state)
{
	struct ksm_sim *sim = ksm_sim_create();
	struct mm_struct mm = { 0 };
	uint64_t set[600], x = 88172645463325252ULL;
	unsigned nset = 0;

	(void)state;
	mm.pgd = pgtable_alloc(sim);
	/* runs of neighbours at leaf ends, and scattered pages */
	for (unsigned i = 0; i < 300; i++) {
		uint64_t a = BASE + (rnd(&x) % (SPAN >> 12)) * 4096;

		set[nset++] = a;
		if (i % 3 == 0)
			set[nset++] = ((a | 0x1fffff) + 1) - 4096; /* last of its leaf */
	}
	for (unsigned i = 0; i < nset; i++)
		pte_set(sim, &mm, set[i], pfn_pte(1000 + i, 0));
	/* from many starting points, both functions against the truth */
	for (unsigned k = 0; k < 200; k++) {
		uint64_t from = BASE + (rnd(&x) % (SPAN >> 12)) * 4096, end = from + (rnd(&x) % (SPAN / 4));
		uint64_t addrs[40], a = from, want = 0;
		pte_t ptes[40];
		unsigned n = pte_next_used_batch(&mm, from, end, addrs, ptes, 40), seen = 0;

		for (unsigned i = 0; i < nset; i++)
			if (set[i] >= from && set[i] < end && (!want || set[i] < want))
				want = set[i];
		if (pte_next_used(&mm, &a, end))
			assert_int_equal(a, want);
		else
			assert_int_equal(want, 0);
		/* the batch: the used entries in address order, no more than asked */
		for (uint64_t b = from; seen < n && pte_next_used(&mm, &b, end); b += 4096) {
			assert_int_equal(addrs[seen], b);
			assert_int_equal(ptes[seen], pte_get(&mm, b));
			seen++;
		}
		assert_int_equal(seen, n);
		if (n < 40) {
			uint64_t b = n ? addrs[n - 1] + 4096 : from;

			assert_false(pte_next_used(&mm, &b, end));
		}
	}
	for (unsigned i = 0; i < nset; i++)
		pte_set(sim, &mm, set[i], 0);
	pgtable_free(sim, mm.pgd);
	assert_int_equal(ksm_sim_destroy(sim, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_used_matches_every_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
