// SPDX-License-Identifier: MIT
/*
 * The exploration engine's stopping, recording and estimating
 * (sim/explore/explore.c, explore_exhaustive.c), without timing: the stop
 * flag is raised from the progress callback at a chosen count, as a
 * signal handler would raise it at any moment.
 *
 *   - a raised flag stops a random search at the very next command and an
 *     exhaustive one at the very next sequence, marked interrupted, with
 *     the figures up to there;
 *   - raised while a failure is shrunk, the trace is still recorded and
 *     written, shrunk as far as it got;
 *   - a flag raised before the start explores nothing;
 *   - a trace that cannot be written keeps its commands and says why;
 *   - --keep-going numbers the second and later traces;
 *   - the size estimate is deterministic and close to the true count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ksmsim/explore.h"

static volatile sig_atomic_t stop;

struct stop_at {
	unsigned long commands, sequences; /* raise the flag when reached */
};

static void raise_at(void *arg, const struct explore_report *rep)
{
	const struct stop_at *at = arg;

	if ((at->commands && rep->commands == at->commands) ||
	    (at->sequences && rep->traces == at->sequences))
		stop = SIGINT;
}

static char outdir[] = "/tmp/ksmsim-test-explore-XXXXXX";

static struct explore_opts random_opts(struct stop_at *at)
{
	struct explore_opts o = { .seed = 7, .traces = 100, .steps = 200, .out_dir = outdir,
				  .stop = &stop, .progress = raise_at, .progress_arg = at };

	stop = 0;
	return o;
}

static void test_random_stops_at_next_command(void **state)
{
	struct stop_at at = { .commands = 500 };
	struct explore_opts o = random_opts(&at);
	struct explore_report rep;

	(void)state;
	assert_int_equal(explore_random(&o, &rep), 0);
	assert_int_equal(rep.interrupted, SIGINT);
	assert_int_equal(rep.commands, 500);
	assert_int_equal(rep.traces, 2); /* the third, cut short, is not counted */
	assert_int_equal(rep.failures, 0);
	explore_report_free(&rep);
}

static void test_exhaustive_stops_at_next_sequence(void **state)
{
	struct stop_at at = { .sequences = 1000 };
	struct explore_opts o = random_opts(&at);
	struct explore_report rep;

	(void)state;
	o.depth = 5;
	assert_int_equal(explore_exhaustive(&o, &rep), 0);
	assert_int_equal(rep.interrupted, SIGINT);
	assert_int_equal(rep.traces, 1000);
	explore_report_free(&rep);
}

static void test_stop_before_start(void **state)
{
	struct explore_opts o = random_opts(NULL);
	struct explore_report rep;

	(void)state;
	o.progress = NULL;
	stop = SIGTERM;
	assert_int_equal(explore_random(&o, &rep), 0);
	assert_int_equal(rep.interrupted, SIGTERM);
	assert_int_equal(rep.commands, 0);
	explore_report_free(&rep);
	o.depth = 3;
	assert_int_equal(explore_exhaustive(&o, &rep), 0);
	assert_int_equal(rep.interrupted, SIGTERM);
	assert_int_equal(rep.traces, 0);
	assert_true(explore_estimate(&o) == 0);
	explore_report_free(&rep);
}

/* Seed 1 with target naive fails on its 3390th command (trace 16). */
static void test_stop_while_shrinking_keeps_the_failure(void **state)
{
	struct stop_at at = { .commands = 3390 };
	struct explore_opts o = random_opts(&at);
	struct explore_report rep;
	const struct explore_failure *f;
	char path[256];
	FILE *file;

	(void)state;
	o.seed = 1;
	o.target = EXPLORE_TARGET_NAIVE;
	assert_int_equal(explore_random(&o, &rep), 1);
	assert_int_equal(rep.interrupted, SIGINT);
	assert_int_equal(rep.failures, 1);
	f = &rep.failure[0];
	assert_true(f->shrink_interrupted);
	assert_int_equal(f->shrunk_from, 77);
	assert_in_range(f->shrunk_to, 16, 77); /* complete shrinking gives 15 */
	assert_int_equal(f->nlines, f->shrunk_to);
	assert_string_equal(f->kind, "naive-miss");
	assert_string_equal(f->why, "naive walk misses a mapping");
	snprintf(path, sizeof(path), "%s/explore-1-naive-miss.trace", outdir);
	assert_string_equal(f->path, path);
	file = fopen(path, "r");
	assert_non_null(file);
	fclose(file);
	unlink(path);
	explore_report_free(&rep);
}

static void test_unwritable_trace_keeps_its_commands(void **state)
{
	struct explore_opts o = random_opts(NULL);
	struct explore_report rep;
	const struct explore_failure *f;

	(void)state;
	o.progress = NULL;
	o.seed = 1;
	o.target = EXPLORE_TARGET_NAIVE;
	o.out_dir = "/nonexistent-ksmsim-dir";
	assert_int_equal(explore_random(&o, &rep), 1);
	f = &rep.failure[0];
	assert_string_equal(f->path, "");
	assert_non_null(strstr(f->error, "/nonexistent-ksmsim-dir/explore-1-naive-miss.trace: cannot write"));
	assert_int_equal(f->nlines, 15);
	assert_string_equal(f->lines[0], "spawn p0");
	explore_report_free(&rep);
}

static void test_keep_going_numbers_traces(void **state)
{
	struct explore_opts o = random_opts(NULL);
	struct explore_report rep;
	char path[256];

	(void)state;
	o.progress = NULL;
	o.seed = 1;
	o.traces = 40;
	o.target = EXPLORE_TARGET_NAIVE;
	o.keep_going = true;
	assert_int_equal(explore_random(&o, &rep), 1);
	assert_int_equal(rep.interrupted, 0);
	assert_int_equal(rep.traces, 40);
	assert_true(rep.failures >= 2);
	snprintf(path, sizeof(path), "%s/explore-1-naive-miss.trace", outdir);
	assert_string_equal(rep.failure[0].path, path);
	snprintf(path, sizeof(path), "%s/explore-1-naive-miss-2.trace", outdir);
	assert_string_equal(rep.failure[1].path, path);
	for (size_t i = 0; i < rep.failures; i++)
		unlink(rep.failure[i].path);
	explore_report_free(&rep);
}

/* Depth 4 has 6,797 sequences (ksmsim explore --exhaustive --depth 4). */
static void test_estimate(void **state)
{
	struct explore_opts o = random_opts(NULL);
	double a, b;

	(void)state;
	o.depth = 4;
	a = explore_estimate(&o);
	b = explore_estimate(&o);
	assert_true(a == b);
	assert_true(a > 6797 * 0.8 && a < 6797 * 1.2);
	o.depth = 1;
	assert_true(explore_estimate(&o) == 9); /* the first level is walked whole */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_stops_at_next_command),
		cmocka_unit_test(test_exhaustive_stops_at_next_sequence),
		cmocka_unit_test(test_stop_before_start),
		cmocka_unit_test(test_stop_while_shrinking_keeps_the_failure),
		cmocka_unit_test(test_unwritable_trace_keeps_its_commands),
		cmocka_unit_test(test_keep_going_numbers_traces),
		cmocka_unit_test(test_estimate),
	};
	int ret;

	if (!mkdtemp(outdir))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(outdir);
	return ret;
}
