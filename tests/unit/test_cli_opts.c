// SPDX-License-Identifier: MIT
/*
 * The subcommands' option parser (sim/cli/opts.c; the ksmsim program, not
 * the library, so it is compiled in here): whole words only, values from
 * the next word, and "-" positional only where asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli/opts.c"

enum { K_HELP, K_MAX, K_JSON };
static const struct cli_option options[] = {
	{ "--help", "-h", false, K_HELP },
	{ "--max", NULL, true, K_MAX },
	{ "--json", NULL, false, K_JSON },
	{ NULL, NULL, false, 0 },
};

static void test_words(void **state)
{
	char *argv[] = { "compare", "-h", "--max", "--json", "file", "--json", "--help", NULL };
	struct cli_args a = { 7, argv, 1, false };
	const char *val;

	(void)state;
	assert_int_equal(cli_next_opt(&a, options, &val), K_HELP);
	/* A value is the next word, whatever it looks like. */
	assert_int_equal(cli_next_opt(&a, options, &val), K_MAX);
	assert_string_equal(val, "--json");
	assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_ARG);
	assert_string_equal(val, "file");
	assert_int_equal(cli_next_opt(&a, options, &val), K_JSON);
	assert_int_equal(cli_next_opt(&a, options, &val), K_HELP);
	assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_END);
}

static void test_refused(void **state)
{
	/* What getopt_long() would take but the subcommands never did. */
	char *argv[] = { "x", "--ma", "--max=5", "-hj", "--", "-", "--max", NULL };
	struct cli_args a = { 7, argv, 1, false };
	const char *val;

	(void)state;
	for (int i = 1; i < 6; i++) {
		assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_UNKNOWN);
		assert_string_equal(val, argv[i]);
	}
	/* An option that needs a value but is last. */
	assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_NO_VALUE);
	assert_string_equal(val, "--max");
	assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_END);
}

static void test_dash(void **state)
{
	char *argv[] = { "window", "-", NULL };
	struct cli_args a = { 2, argv, 1, true };
	const char *val;

	(void)state;
	assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_ARG);
	assert_string_equal(val, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_dash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
