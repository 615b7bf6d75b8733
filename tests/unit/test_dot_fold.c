// SPDX-License-Identifier: MIT
/*
 * dot_runs() (sim/report/dot_fold.c): runs of alike objects with a period
 * of 1 to DOT_FOLD_PERIOD are found greedily, each phase holding at least
 * the minimum; anything else stays alone; a minimum of 0 folds nothing.
 * These runs are what the pictures fold into "N VMAs like this" nodes.
 */
#include <string.h>

#include "ksm_fixture.h"
#include "report/dot_internal.h"

/* Objects are the letters of a string; alike means the same letter. */
static bool same_char(void *ctx, size_t i, size_t j)
{
	const char *s = ctx;

	return s[i] == s[j];
}

/* The runs of @s as "start+len/period" words, for one assertion. */
static void runs_of(const char *s, size_t min_each, char *out, size_t len)
{
	struct dot_run runs[128];
	size_t n = dot_runs(strlen(s), min_each, same_char, (void *)s, runs), used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%zu+%zu/%u", i ? " " : "",
					 runs[i].start, runs[i].len, runs[i].period);
}

static void test_periods(void **state)
{
	char out[512];

	(void)state;
	/* All alike: one run of period 1 (not 2, though it repeats with 2). */
	runs_of("aaaaaaaa", 4, out, sizeof(out));
	assert_string_equal(out, "0+8/1");
	/* mprotect on every other page: two kinds in turn, period 2. */
	runs_of("abababababab", 4, out, sizeof(out));
	assert_string_equal(out, "0+12/2");
	/* A fork family's chains in turn: period 3, each phase of 4. */
	runs_of("abcabcabcabc", 4, out, sizeof(out));
	assert_string_equal(out, "0+12/3");
	/* Too short a phase: each object alone. */
	runs_of("abcabcabc", 4, out, sizeof(out));
	assert_string_equal(out, "0+1/1 1+1/1 2+1/1 3+1/1 4+1/1 5+1/1 6+1/1 7+1/1 8+1/1");
	/* A run inside other objects; what breaks it stays alone. */
	runs_of("xaaaaayaaaa", 4, out, sizeof(out));
	assert_string_equal(out, "0+1/1 1+5/1 6+1/1 7+4/1");
	/* Period 5 is longer than looked for. */
	runs_of("abcdeabcdeabcdeabcde", 4, out, sizeof(out));
	assert_int_equal(strlen(out) > 20, 1);
	assert_non_null(strstr(out, "0+1/1 1+1/1"));
}

static void test_never(void **state)
{
	char out[128];

	(void)state;
	runs_of("aaaaaaaa", 0, out, sizeof(out));
	assert_string_equal(out, "0+1/1 1+1/1 2+1/1 3+1/1 4+1/1 5+1/1 6+1/1 7+1/1");
	runs_of("", 4, out, sizeof(out));
	assert_string_equal(out, "");
	runs_of("a", 1, out, sizeof(out));
	assert_string_equal(out, "0+1/1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_never),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
