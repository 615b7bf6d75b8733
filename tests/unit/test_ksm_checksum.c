// SPDX-License-Identifier: MIT
/*
 * Page checksums (sim/ksm/checksum.c): the page-free XXH64 and its
 * batches equal XXH64 of the page image, and the checksum memo of a folio
 * is forgotten when the page's content changes.
 */
#include <xxhash.h>

#include "ksm_fixture.h"

static uint64_t image_xxh64(uint64_t token)
{
	unsigned char page[4096];

	for (unsigned i = 0; i < 4096; i += 8)
		for (unsigned b = 0; b < 8; b++)
			page[i + b] = (unsigned char)(token >> (56 - 8 * b));
	return XXH64(page, sizeof(page), 0);
}

static uint64_t next_token(uint64_t *x)
{
	/* splitmix64: every bit pattern, not only small tokens */
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void test_xxh64_page_equals_image(void **state)
{
	static const uint64_t edges[] = { 0, 1, 7, 0x8000000000000000ULL, ~0ULL,
					  0x0102030405060708ULL };
	uint64_t x = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		assert_int_equal(xxh64_page(edges[i]), image_xxh64(edges[i]));
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t t = next_token(&x);

		assert_int_equal(xxh64_page(t), image_xxh64(t));
	}
	assert_int_equal(ksm_layout_checksum(KSM_LAYOUT_LP64, 7), (uint32_t)image_xxh64(7));
}

/* Every batch size, across the 32-page vector groups and the scalar tail. */
static void test_xxh64_batches(void **state)
{
	uint64_t tokens[70], x = 7;
	uint32_t sums[70];

	(void)state;
	for (unsigned n = 1; n <= 70; n++) {
		for (unsigned i = 0; i < n; i++)
			tokens[i] = next_token(&x);
		memset(sums, 0, sizeof(sums));
		xxh64_pages(tokens, n, sums);
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(sums[i], (uint32_t)image_xxh64(tokens[i]));
	}
}

/*
 * A page written in place after ksmd checksummed it: the next visit must
 * see the new content's checksum (the page is volatile again), not the
 * memoised one of the old content.
 */
static void test_memo_forgotten_on_write(void **state)
{
	struct ksm_sim *sim;
	struct ksm_rmap_item *it;
	struct folio *f;

	(void)state;
	sim = run("set pages_to_scan=10000 smart_scan=0\n"
		  "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		  "madvise a 0x100000000000 2 mergeable\nscan rounds=1\n");
	it = item_at(sim, "a", A);
	f = pfn_folio(sim, pte_pfn(pte_get(it->mm, A)));
	assert_int_equal(rmap_item_oldchecksum(sim->ksm, it), calc_checksum(sim->ksm, 7));
	/* written in place: the same folio, a new content */
	run_on(sim, "write a 0x100000000000 1 token=8\nscan rounds=1\n");
	assert_ptr_equal(pfn_folio(sim, pte_pfn(pte_get(it->mm, A))), f);
	assert_int_equal(rmap_item_oldchecksum(sim->ksm, it), calc_checksum(sim->ksm, 8));
	assert_int_equal(counters(sim).pages_volatile, 1);
	/* unchanged since: the memo answers, and the page goes on */
	run_on(sim, "scan rounds=1\n");
	assert_int_equal(counters(sim).pages_volatile, 0);
	done(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xxh64_page_equals_image),
		cmocka_unit_test(test_xxh64_batches),
		cmocka_unit_test(test_memo_forgotten_on_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
