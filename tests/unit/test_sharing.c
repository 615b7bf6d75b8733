// SPDX-License-Identifier: MIT
/*
 * The sharing partition (sim/report/sharing.c): hand-computed cases from
 * docs/trace-format.md — the empty partition, the two-group example, the
 * ten-group record of the format's example (hash 4797fd1ba0eca6c9) — then
 * the counting rules (singletons dropped, KSM pages mapped once still
 * counted, the zero page one physical page), canonical ordering, a random
 * comparison against a quadratic reference, and a scale run of two
 * million pairs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ksmsim/snapshot.h"
#include "unit_util.h"

#define A 0x100000000000ULL

static char *canonical_text(struct ksm_page_ref *refs, size_t n)
{
	struct test_capture c;

	assert_int_equal(ksm_sharing_write_text(test_capture_open(&c), refs, n), 0);
	return test_capture_close(&c);
}

static void test_empty(void **state)
{
	struct ksm_sharing s;

	(void)state;
	assert_int_equal(ksm_sharing_compute(NULL, 0, &s), 0);
	assert_true(s.hash == 0xcbf29ce484222325ULL);
	assert_int_equal(s.groups, 0);
	assert_int_equal(s.grouped, 0);
	assert_int_equal(s.mapped, 0);
	assert_null(s.sizes);
	ksm_sharing_free(&s);
}

static void test_fnv_known_values(void **state)
{
	(void)state;
	/* FNV-1a 64 reference values. */
	assert_true(ksm_fnv1a64(KSM_FNV1A64_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(ksm_fnv1a64(KSM_FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(ksm_fnv1a64(KSM_FNV1A64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
}

/* The format's example: two groups read "a:1000,b:1000;a:2000,b:2000;". */
static void test_two_groups_example(void **state)
{
	/* Given out of order on purpose: phys order is not name order. */
	struct ksm_page_ref refs[] = {
		{ "b", 0x2000, 7, false, true },
		{ "a", 0x1000, 9, false, true },
		{ "a", 0x2000, 7, false, true },
		{ "b", 0x1000, 9, false, true },
	};
	struct ksm_sharing s;
	char *text;

	(void)state;
	text = canonical_text(refs, 4);
	assert_string_equal(text, "a:1000,b:1000;a:2000,b:2000;");
	free(text);

	assert_int_equal(ksm_sharing_compute(refs, 4, &s), 0);
	assert_true(s.hash == 0x339a72fa5dd8f37bULL);
	assert_int_equal(s.groups, 2);
	assert_int_equal(s.grouped, 4);
	assert_int_equal(s.mapped, 4);
	assert_int_equal(s.ksm_pfns, 2);
	assert_int_equal(s.ksm_mapped, 4);
	assert_int_equal(s.zero_pfn, 0);
	assert_int_equal(s.sizes[0], 2);
	assert_int_equal(s.sizes[1], 2);
	ksm_sharing_free(&s);
}

/* The record of the format's example: 1000 pages, tokens mod=10,1. */
static void test_format_example_record(void **state)
{
	struct ksm_page_ref *refs = calloc(1000, sizeof(*refs));
	struct ksm_sharing s;

	(void)state;
	assert_non_null(refs);
	for (unsigned i = 0; i < 1000; i++) {
		refs[i].name = "a";
		refs[i].addr = A + (uint64_t)i * 0x1000;
		refs[i].phys = 5000 + (i % 10) * 13; /* ten KSM pages */
		refs[i].ksm = true;
	}
	assert_int_equal(ksm_sharing_compute(refs, 1000, &s), 0);
	assert_true(s.hash == 0x4797fd1ba0eca6c9ULL);
	assert_int_equal(s.groups, 10);
	assert_int_equal(s.grouped, 1000);
	assert_int_equal(s.ksm_pfns, 10);
	assert_int_equal(s.ksm_mapped, 1000);
	for (int i = 0; i < 10; i++)
		assert_int_equal(s.sizes[i], 100);
	ksm_sharing_free(&s);
	free(refs);
}

/*
 * Singletons dropped; a KSM page mapped once still counts in ksm_pfns;
 * the zero page is one physical page; address 0 prints as "0"; groups
 * ordered by their first pair, not by physical page; sizes ascending.
 */
static void test_counting_and_order(void **state)
{
	struct ksm_page_ref refs[] = {
		{ "c", 0xffff000, 1, false, false },   /* group X: b:1000, c:ffff000 */
		{ "b", 0x1000, 1, false, false },
		{ "a", 0x1000, 2, true, false },       /* zero page: a:0, a:1000, b:2000 */
		{ "b", 0x2000, 2, true, false },
		{ "a", 0x0, 2, true, false },
		{ "a", 0x5000, 3, false, true },       /* KSM page mapped once */
		{ "d", 0x9000, 4, false, false },      /* plain private page */
	};
	struct ksm_sharing s;
	char *text;

	(void)state;
	text = canonical_text(refs, 7);
	assert_string_equal(text, "a:0,a:1000,b:2000;b:1000,c:ffff000;");
	free(text);
	assert_int_equal(ksm_sharing_compute(refs, 7, &s), 0);
	assert_true(s.hash == 0x8bce317bb110c842ULL);
	assert_int_equal(s.mapped, 7);
	assert_int_equal(s.zero_pfn, 3);
	assert_int_equal(s.ksm_pfns, 1);
	assert_int_equal(s.ksm_mapped, 1);
	assert_int_equal(s.groups, 2);
	assert_int_equal(s.grouped, 5);
	assert_int_equal(s.sizes[0], 2);
	assert_int_equal(s.sizes[1], 3);
	ksm_sharing_free(&s);
}

/* Fork-shared pages (not KSM) form groups too. */
static void test_fork_shared_group(void **state)
{
	struct ksm_page_ref refs[] = {
		{ "c", 0x1000, 42, false, false },
		{ "b", 0x1000, 42, false, false },
		{ "a", 0x1000, 42, false, false },
	};
	struct ksm_sharing s;

	(void)state;
	assert_int_equal(ksm_sharing_compute(refs, 3, &s), 0);
	assert_true(s.hash == 0xb07d0848d5ab8181ULL);
	assert_int_equal(s.groups, 1);
	assert_int_equal(s.grouped, 3);
	assert_int_equal(s.ksm_pfns, 0);
	ksm_sharing_free(&s);
}

/* ---- random comparison with a quadratic reference ---- */

static const char *const names[] = { "a", "b", "ab", "B", "_x", "p10", "p9" };

struct ref_group {
	size_t idx[64];
	size_t n;
};

static int pair_less(const struct ksm_page_ref *x, const struct ksm_page_ref *y)
{
	int c = strcmp(x->name, y->name);

	return c < 0 || (c == 0 && x->addr < y->addr);
}

/* Build the canonical text the slow, obvious way. */
static char *reference_text(const struct ksm_page_ref *r, size_t n)
{
	struct ref_group *g = calloc(n, sizeof(*g));
	size_t ng = 0;
	struct test_capture c;
	FILE *f = test_capture_open(&c);

	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < ng; k++)
			if (r[g[k].idx[0]].phys == r[i].phys)
				break;
		if (k == ng)
			ng++;
		g[k].idx[g[k].n++] = i;
	}
	/* selection sort within groups, then of groups */
	for (size_t k = 0; k < ng; k++)
		for (size_t x = 0; x < g[k].n; x++)
			for (size_t y = x + 1; y < g[k].n; y++)
				if (pair_less(&r[g[k].idx[y]], &r[g[k].idx[x]])) {
					size_t t = g[k].idx[x];

					g[k].idx[x] = g[k].idx[y];
					g[k].idx[y] = t;
				}
	for (size_t x = 0; x < ng; x++)
		for (size_t y = x + 1; y < ng; y++)
			if (pair_less(&r[g[y].idx[0]], &r[g[x].idx[0]])) {
				struct ref_group t = g[x];

				g[x] = g[y];
				g[y] = t;
			}
	for (size_t k = 0; k < ng; k++) {
		if (g[k].n < 2)
			continue;
		for (size_t x = 0; x < g[k].n; x++)
			fprintf(f, "%s:%llx%c", r[g[k].idx[x]].name,
				(unsigned long long)r[g[k].idx[x]].addr,
				x + 1 < g[k].n ? ',' : ';');
	}
	free(g);
	return test_capture_close(&c);
}

static void test_random_against_reference(void **state)
{
	uint64_t seed = test_seed("sharing", 0x5eedULL);

	(void)state;
	for (int round = 0; round < 50; round++) {
		size_t n = 1 + (size_t)(seed % 400);
		struct ksm_page_ref *r = calloc(n, sizeof(*r));
		struct ksm_page_ref *copy = calloc(n, sizeof(*r));
		struct ksm_sharing s;
		char *want, *got;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			r[i].name = names[(seed >> 33) % 7];
			/* unique (name, addr): address from i */
			r[i].addr = A + (uint64_t)i * 0x1000;
			r[i].phys = (seed >> 40) % (n / 3 + 1);
		}
		memcpy(copy, r, n * sizeof(*r));
		want = reference_text(r, n);
		got = canonical_text(copy, n);
		assert_string_equal(got, want);
		memcpy(copy, r, n * sizeof(*r));
		assert_int_equal(ksm_sharing_compute(copy, n, &s), 0);
		assert_true(s.hash == ksm_fnv1a64(KSM_FNV1A64_INIT, want, strlen(want)));
		for (int64_t i = 1; i < s.groups; i++)
			assert_true(s.sizes[i - 1] <= s.sizes[i]);
		ksm_sharing_free(&s);
		free(want);
		free(got);
		free(r);
		free(copy);
	}
}

/* Two million pairs must take well under a few seconds (sorting, not n^2). */
static void test_scale(void **state)
{
	size_t n = 2000000;
	struct ksm_page_ref *r = malloc(n * sizeof(*r));
	struct ksm_sharing s;
	clock_t t0;
	double secs;

	(void)state;
	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		r[i].name = names[i % 4];
		r[i].addr = A + (uint64_t)(i / 4) * 0x1000;
		r[i].phys = (i * 2654435761u) % (n / 2); /* ~2 pairs per page */
		r[i].zero = false;
		r[i].ksm = (i % 3) == 0;
	}
	t0 = clock();
	assert_int_equal(ksm_sharing_compute(r, n, &s), 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("# 2M pairs: %.2f s, %lld groups\n", secs, (long long)s.groups);
	assert_true(secs < 20.0);
	assert_int_equal(s.mapped, (int64_t)n);
	assert_int_equal(s.grouped, (int64_t)n); /* every page mapped twice */
	ksm_sharing_free(&s);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_fnv_known_values),
		cmocka_unit_test(test_two_groups_example),
		cmocka_unit_test(test_format_example_record),
		cmocka_unit_test(test_counting_and_order),
		cmocka_unit_test(test_fork_shared_group),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
