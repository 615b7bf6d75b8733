// SPDX-License-Identifier: MIT
/*
 * The command table (include/ksmsim/trace_cmds.h) against everything that
 * must agree with it, one loop over every command:
 *  - the row itself: its kind, word, usage, argument counts, example;
 *  - the parser accepts the example, and its "takes USAGE" diagnostics
 *    for too few and too many arguments use the row's usage and counts;
 *  - the writer writes the example back byte for byte, and that parses to
 *    the same command;
 *  - the fuzz dictionary (tests/fuzz/trace.dict) has the command word;
 *  - docs/trace-format.md's command table has a row for it;
 *  - the simulator's replayer applies the example after a fixed prologue;
 *    an observer (TCF_OBSERVER) changes no field of the snapshot record;
 *    a command flagged TCF_PROCESS fails at P when P is not alive.
 * The kernel replayer cannot run here (it needs the live KSM): its
 * dispatch reads the same flags and a _Static_assert on the number of
 * commands stops a new one from building before it has been given a case.
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

#include "ksmsim/replay.h"
#include "ksmsim/sim_snapshot.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/trace.h"
#include "ksmsim/trace_cmds.h"

/* What every example runs after: one process with 16 mergeable pages. */
static const char prologue[] =
	"spawn a\n"
	"mmap a 0x100000000000 16\n"
	"write a 0x100000000000 16 mod=4,100\n"
	"madvise a 0x100000000000 16 mergeable\n";

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		fail_msg("cannot read %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = realloc(buf, len + n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[len] = '\0';
	return buf;
}

/* Parse "ksmtrace 1\n@line\n": 0 with @t set, or -1 with @err set. */
static int parse_line(const char *line, struct trace *t, struct ksm_diag *err)
{
	char text[512];

	snprintf(text, sizeof(text), "ksmtrace 1\n%s\n", line);
	return trace_parse_string("t", text, strlen(text), t, err);
}

static void test_every_kind_has_a_row(void **state)
{
	(void)state;
	for (int k = 0; k < TC__COUNT; k++) {
		const struct trace_cmd_info *d = trace_cmd_info((enum trace_cmd_kind)k);
		size_t len;

		assert_non_null(d);
		assert_int_equal(d->kind, k);
		assert_non_null(d->name);
		assert_non_null(d->usage);
		assert_non_null(d->example);
		assert_true(d->min_args <= d->max_args);
		assert_true(d->nargs <= TRACE_CMD_ARGS_MAX);
		assert_true(d->max_args == SIZE_MAX || d->max_args == d->nargs);
		/* The replayers look P up for TCF_PROCESS, and only then. */
		assert_int_equal(!!(d->flags & TCF_PROCESS),
				 d->nargs && d->args[0].kind == TARG_PROC);
		/* The kernel replayer's worker acts on P's address space. */
		if (d->flags & TCF_ADDRESS_SPACE)
			assert_true(d->flags & TCF_PROCESS);
		len = strlen(d->name);
		assert_int_equal(trace_cmd_lookup(d->name, len), k);
		assert_string_equal(trace_cmd_name((enum trace_cmd_kind)k), d->name);
		assert_memory_equal(d->example, d->name, len);
		assert_true(d->example[len] == ' ' || d->example[len] == '\0');
	}
	assert_null(trace_cmd_info(TC__COUNT));
	assert_null(trace_cmd_name(TC__COUNT));
	assert_int_equal(trace_cmd_flags(TC__COUNT), 0);
	assert_int_equal(trace_cmd_lookup("mig", 3), -1);
	assert_int_equal(trace_cmd_lookup("migrates", 8), -1);
	assert_int_equal(trace_cmd_lookup("ksmtrace", 8), -1);
}

static void test_examples_parse_and_write_back(void **state)
{
	(void)state;
	for (int k = 0; k < TC__COUNT; k++) {
		const struct trace_cmd_info *d = trace_cmd_info((enum trace_cmd_kind)k);
		struct trace t = { 0 }, again = { 0 };
		struct ksm_diag err = { 0 };
		char *out = NULL;
		size_t len = 0;
		FILE *f;

		if (parse_line(d->example, &t, &err))
			fail_msg("%s: '%s' does not parse: %u:%u: %s", d->name, d->example,
				 err.line, err.col, err.msg);
		assert_int_equal(t.ncmds, 1);
		assert_int_equal(t.cmds[0].kind, k);
		assert_true(t.cmds[0].nargs - 1 >= d->min_args);
		assert_true(t.cmds[0].nargs - 1 <= d->max_args);
		f = open_memstream(&out, &len);
		assert_int_equal(trace_write_cmd(f, &t.cmds[0]), 0);
		fclose(f);
		assert_string_equal(out, d->example);
		assert_int_equal(parse_line(out, &again, &err), 0);
		assert_true(trace_equal(&t, &again));
		free(out);
		trace_free(&t);
		trace_free(&again);
	}
}

static void test_argument_counts_use_the_usage(void **state)
{
	(void)state;
	for (int k = 0; k < TC__COUNT; k++) {
		const struct trace_cmd_info *d = trace_cmd_info((enum trace_cmd_kind)k);
		struct trace t = { 0 };
		struct ksm_diag err = { 0 };
		char want[256], line[512];

		if (d->min_args > 0) {
			assert_int_equal(parse_line(d->name, &t, &err), -1);
			snprintf(want, sizeof(want), "%s takes %s, got 0 arguments", d->name,
				 d->usage);
			assert_string_equal(err.msg, want);
			assert_int_equal(err.col, 1);
		}
		if (d->max_args == SIZE_MAX)
			continue;
		/* The example has at most max_args: pad it to max_args + 1. */
		snprintf(line, sizeof(line), "%s", d->example);
		for (size_t n = 0; n < d->max_args + 1; n++)
			strcat(line, " x");
		assert_int_equal(parse_line(line, &t, &err), -1);
		assert_non_null(strstr(err.msg, " argument"));
		snprintf(want, sizeof(want), "%s takes %s, got ", d->name, d->usage);
		assert_memory_equal(err.msg, want, strlen(want));
	}
}

static void test_fuzz_dictionary_has_every_command(void **state)
{
	char *dict = read_whole(KSMSIM_SOURCE_DIR "/tests/fuzz/trace.dict");

	(void)state;
	for (int k = 0; k < TC__COUNT; k++) {
		const char *name = trace_cmd_name((enum trace_cmd_kind)k);
		char alone[64], before_arg[64];

		snprintf(alone, sizeof(alone), "\n\"%s\"\n", name);
		snprintf(before_arg, sizeof(before_arg), "\n\"%s \"\n", name);
		if (!strstr(dict, alone) && !strstr(dict, before_arg))
			fail_msg("tests/fuzz/trace.dict lacks the command '%s'", name);
	}
	free(dict);
}

static void test_docs_list_every_command(void **state)
{
	char *doc = read_whole(KSMSIM_SOURCE_DIR "/docs/trace-format.md");

	(void)state;
	for (int k = 0; k < TC__COUNT; k++) {
		const struct trace_cmd_info *d = trace_cmd_info((enum trace_cmd_kind)k);
		char row[64];

		snprintf(row, sizeof(row), "\n| `%s` | ", d->name);
		if (!strstr(doc, row))
			fail_msg("docs/trace-format.md's command table has no row for '%s'",
				 d->name);
	}
	free(doc);
}

/* The snapshot record of @sim as text (sharing included). */
static char *record_of(struct ksm_sim *sim)
{
	struct ksm_snapshot s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(sim_snapshot_take(sim, 0, "", true, &s), 0);
	assert_int_equal(ksm_snapshot_write(f, &s), 0);
	ksm_snapshot_free(&s);
	fclose(f);
	return buf;
}

static enum replay_status replay_text(struct ksm_sim *sim, const char *text,
				      struct ksm_diag *err)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_EACH };
	struct replay_result res = { 0 };
	struct trace t = { 0 };
	enum replay_status st = REPLAY_OK;

	if (trace_parse_string("t", text, strlen(text), &t, err))
		fail_msg("parse: %u:%u: %s", err->line, err->col, err->msg);
	for (size_t i = 0; i < t.ncmds && st == REPLAY_OK; i++)
		st = replay_command(sim, &t, i, &opts, &res, err);
	trace_free(&t);
	return st;
}

static void test_replayer_applies_every_example(void **state)
{
	char dir[] = "/tmp/ksmsim-test-trace-cmds-XXXXXX", cwd[4096];

	(void)state;
	/* `dot` writes its FILE in the current directory. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	for (int k = 0; k < TC__COUNT; k++) {
		const struct trace_cmd_info *d = trace_cmd_info((enum trace_cmd_kind)k);
		struct ksm_sim *sim = ksm_sim_create();
		struct ksm_diag err = { 0 };
		char text[1024], *before, *after;

		snprintf(text, sizeof(text), "ksmtrace 1\n%s", prologue);
		assert_int_equal(replay_text(sim, text, &err), REPLAY_OK);
		before = record_of(sim);
		snprintf(text, sizeof(text), "ksmtrace 1\n%s\n", d->example);
		if (replay_text(sim, text, &err) != REPLAY_OK)
			fail_msg("%s: '%s': %u:%u: %s", d->name, d->example, err.line, err.col,
				 err.msg);
		after = record_of(sim);
		if (d->flags & TCF_OBSERVER)
			assert_string_equal(before, after);
		free(before);
		free(after);
		assert_int_equal(ksm_sim_destroy(sim, NULL, 0), 0);
	}
	assert_int_equal(unlink("a-vmas.dot"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_process_commands_need_a_live_process(void **state)
{
	(void)state;
	for (int k = 0; k < TC__COUNT; k++) {
		const struct trace_cmd_info *d = trace_cmd_info((enum trace_cmd_kind)k);
		struct ksm_sim *sim;
		struct ksm_diag err = { 0 };
		char text[512];

		if (!(d->flags & TCF_PROCESS))
			continue;
		assert_int_equal(d->args[0].kind, TARG_PROC);
		sim = ksm_sim_create();
		snprintf(text, sizeof(text), "ksmtrace 1\n%s\n", d->example);
		assert_int_equal(replay_text(sim, text, &err), REPLAY_ERROR);
		assert_string_equal(err.msg, "no live process named 'a'");
		assert_int_equal(err.line, 2);
		assert_int_equal(err.col, strlen(d->name) + 2);
		ksm_sim_destroy(sim, NULL, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_has_a_row),
		cmocka_unit_test(test_examples_parse_and_write_back),
		cmocka_unit_test(test_argument_counts_use_the_usage),
		cmocka_unit_test(test_fuzz_dictionary_has_every_command),
		cmocka_unit_test(test_docs_list_every_command),
		cmocka_unit_test(test_replayer_applies_every_example),
		cmocka_unit_test(test_process_commands_need_a_live_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
