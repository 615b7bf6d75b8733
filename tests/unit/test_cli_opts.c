// SPDX-License-Identifier: MIT
/*
 * The subcommands' option parser (sim/cli/opts.c; the ksmsim program, not
 * the library, so it is compiled in here): whole words only, values from
 * the next word (or "=VALUE" where an option says so), "-" positional
 * only where asked, "--" ending the options only where asked, strict counts.
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

enum { K_IGNORE, K_INV, K_FLAG };
static const struct cli_option eq_options[] = {
	{ "--ignore", NULL, CLI_VAL_EITHER, K_IGNORE, "a FIELD" },
	{ "--check-invariants", NULL, CLI_VAL_EQ, K_INV, NULL },
	{ "--x", NULL, CLI_VAL_NONE, K_FLAG, NULL },
	{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
};

static void test_eq_and_dashdash(void **state)
{
	char *argv[] = { "diff", "--ignore=knobs", "--ignore", "a", "--check-invariants=each",
			 "--check-invariants", "--x=1", "--", "--x", "--", "-", "--ignore", NULL };
	struct cli_args a = { 12, argv, 1, false, true, false, NULL };
	const char *val;

	(void)state;
	assert_int_equal(cli_next_opt(&a, eq_options, &val), K_IGNORE);
	assert_string_equal(val, "knobs");
	assert_int_equal(cli_next_opt(&a, eq_options, &val), K_IGNORE);
	assert_string_equal(val, "a");
	assert_int_equal(cli_next_opt(&a, eq_options, &val), K_INV);
	assert_string_equal(val, "each");
	/* Only "=VALUE" for it: alone it is no option, as before. */
	assert_int_equal(cli_next_opt(&a, eq_options, &val), CLI_OPT_UNKNOWN);
	assert_int_equal(cli_next_opt(&a, eq_options, &val), CLI_OPT_UNKNOWN);
	assert_string_equal(val, "--x=1");
	/* After "--", every word is positional, a second "--" too. */
	for (int i = 8; i < 12; i++) {
		assert_int_equal(cli_next_opt(&a, eq_options, &val), CLI_OPT_ARG);
		assert_string_equal(val, argv[i]);
	}
	assert_int_equal(cli_next_opt(&a, eq_options, &val), CLI_OPT_END);
}

static void test_missing_what(void **state)
{
	char *argv[] = { "diff", "--ignore", NULL };
	struct cli_args a = { 2, argv, 1, false, false, false, NULL };
	const char *val;

	(void)state;
	assert_int_equal(cli_next_opt(&a, eq_options, &val), CLI_OPT_NO_VALUE);
	assert_string_equal(val, "--ignore");
	assert_string_equal(a.missing_what, "a FIELD");
	a = (struct cli_args){ 2, argv, 1, false, false, false, NULL };
	assert_int_equal(cli_next_opt(&a, options, &val), CLI_OPT_UNKNOWN);
}

static void test_counts(void **state)
{
	unsigned long n;
	unsigned long long v;

	(void)state;
	assert_int_equal(cli_parse_count("c", "--max", "0x10", 1, &n), 0);
	assert_int_equal(n, 16);
	assert_int_equal(cli_parse_count("c", "--max", "0", 1, &n), -1);
	assert_int_equal(cli_parse_count("c", "--max", " 5", 1, &n), -1);
	assert_int_equal(cli_parse_count("c", "--max", "+5", 1, &n), -1);
	assert_int_equal(cli_parse_count("c", "--max", "5x", 1, &n), -1);
	assert_int_equal(cli_parse_count("c", "--max", "0x", 1, &n), -1);
	assert_int_equal(cli_parse_count("c", "--max", "99999999999999999999", 1, &n), -1);
	assert_int_equal(cli_parse_bounded("c", "--fold", "1000000", 1, 1000000, &v), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(cli_parse_bounded("c", "--fold", "1000001", 1, 1000000, &v), -1);
	assert_int_equal(cli_parse_bounded("c", "--fold", "", 1, 1000000, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_dash),
		cmocka_unit_test(test_eq_and_dashdash),
		cmocka_unit_test(test_missing_what),
		cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
