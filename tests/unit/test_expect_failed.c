// SPDX-License-Identifier: MIT
/*
 * The expect_failed record (include/ksmsim/snapshot.h, docs/trace-format.md
 * "The expect_failed record"): a replay that stops at a failed `expect`
 * keeps the records written before it and ends the stream with one
 * record per failed pair; the writer prints the documented text, the
 * reader reads it back and refuses a record of two kinds, and the stream
 * comparison of `ksmsim diff` compares it field by field or leaves it out
 * (--ignore expect_failed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/snapshot_diff.h"
#include "ksmsim/trace.h"
#include "unit_util.h"

static const char record[] =
	"{\"line\":5,\"label\":\"\",\"expect_failed\":"
	"{\"field\":\"a.vmas\",\"want\":\"2\",\"got\":\"1\"}}\n";

/* Replay @text with its snapshot stream in memory; the stream's text. */
static char *replay_text(const char *text, bool keep_going, enum replay_status *st,
			 struct replay_result *res)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_EACH, .keep_going = keep_going };
	struct ksm_diag err;
	struct trace t;
	struct ksm_sim *sim;
	struct test_capture c;
	char *out;

	assert_int_equal(trace_parse_string("e.trace", text, strlen(text), &t, &err), 0);
	opts.snapshots = test_capture_open(&c);
	sim = ksm_sim_create();
	*st = replay_trace(sim, &t, &opts, res, &err);
	out = test_capture_close(&c);
	assert_int_equal(ksm_sim_destroy(sim, NULL, 0), 0);
	trace_free(&t);
	return out;
}

static const char trace[] =
	"ksmtrace 1\n"
	"spawn a\n"
	"mmap a 0x100000000000 2\n"
	"snapshot before\n"
	"expect a.vmas=2 a.mapped=0 pages_shared=3\n"
	"snapshot after\n";

/* Stopped at the failed expect: the record before it, then one per pair. */
static void test_replay_keeps_records_before(void **state)
{
	struct replay_result res;
	enum replay_status st;
	char *out = replay_text(trace, false, &st, &res);
	struct ksm_snapshot *recs;
	struct ksm_diag err;
	size_t n;

	(void)state;
	assert_int_equal(st, REPLAY_EXPECT_FAILED);
	assert_int_equal(res.failed_expects, 2);
	assert_int_equal(ksm_snapshot_read_buffer("s", out, strlen(out), &recs, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(recs[0].kind, KSM_RECORD_SNAPSHOT);
	assert_string_equal(recs[0].label, "before");
	assert_int_equal(recs[1].kind, KSM_RECORD_EXPECT_FAILED);
	assert_int_equal(recs[1].line, 5);
	assert_string_equal(recs[1].expect_failed.field, "a.vmas");
	assert_string_equal(recs[1].expect_failed.want, "2");
	assert_string_equal(recs[1].expect_failed.got, "1");
	assert_int_equal(recs[2].kind, KSM_RECORD_EXPECT_FAILED);
	assert_string_equal(recs[2].expect_failed.field, "pages_shared");
	assert_string_equal(recs[2].expect_failed.got, "0");
	/* The writer's exact text, the record the docs show. */
	assert_memory_equal(strstr(out, "{\"line\":5"), record, strlen(record));
	ksm_snapshot_array_free(recs, n);
	free(out);
}

/* With keep_going the replay goes on past the records of the failure. */
static void test_replay_keep_going(void **state)
{
	struct replay_result res;
	enum replay_status st;
	char *out = replay_text(trace, true, &st, &res);
	struct ksm_snapshot *recs;
	struct ksm_diag err;
	size_t n;

	(void)state;
	assert_int_equal(st, REPLAY_EXPECT_FAILED);
	assert_int_equal(ksm_snapshot_read_buffer("s", out, strlen(out), &recs, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(recs[3].kind, KSM_RECORD_SNAPSHOT);
	assert_string_equal(recs[3].label, "after");
	ksm_snapshot_array_free(recs, n);
	free(out);
}

static void parse_fails(const char *text, const char *msg)
{
	struct ksm_snapshot s;
	struct ksm_diag err;

	assert_int_not_equal(ksm_snapshot_parse("f", 1, text, strlen(text), &s, &err), 0);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' lacks '%s'", err.msg, msg);
}

/* One record line read and written again (NULL if it does not parse). */
static char *record_rewrite(const char *text, size_t len)
{
	struct ksm_snapshot s;
	struct ksm_diag err;
	struct test_capture c;

	/* The reader is given a line without its end; the writer adds it. */
	if (ksm_snapshot_parse("f", 1, text, len && text[len - 1] == '\n' ? len - 1 : len,
			       &s, &err))
		return NULL;
	assert_int_equal(ksm_snapshot_write(test_capture_open(&c), &s), 0);
	ksm_snapshot_free(&s);
	return test_capture_close(&c);
}

static void test_reader(void **state)
{
	char text[512];

	(void)state;
	/* Round trip: the same bytes again. */
	test_round_trip("expect_failed record", record, strlen(record), record_rewrite);
	/* One kind per record. */
	parse_fails("{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":\"x\",\"want\":\"1\","
		    "\"got\":\"2\"},\"migrate\":{}}",
		    "key \"migrate\" in a record that has \"expect_failed\" "
		    "(a record is a snapshot, a migrate or an expect_failed record)");
	parse_fails("{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":\"x\",\"want\":\"1\","
		    "\"got\":\"2\"},\"global\":{}}",
		    "key \"global\" in a record that has \"expect_failed\"");
	/* Every key of the object, and nothing else. */
	parse_fails("{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":\"x\",\"want\":\"1\"}}",
		    "missing key \"got\" in expect_failed");
	parse_fails("{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":\"x\",\"want\":\"1\","
		    "\"got\":\"2\",\"why\":\"\"}}",
		    "unknown key \"why\" in expect_failed");
	parse_fails("{\"line\":5,\"expect_failed\":{\"field\":\"x\",\"want\":\"1\",\"got\":\"2\"}}",
		    "missing key \"label\" in the record");
	parse_fails("{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":1,\"want\":\"1\","
		    "\"got\":\"2\"}}", "expect_failed.field");
	snprintf(text, sizeof(text), "{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":\"%0*d\","
		 "\"want\":\"1\",\"got\":\"2\"}}", KSM_SNAP_TEXT_MAX + 1, 0);
	parse_fails(text, "expect_failed.field is longer than 80 bytes");
}

struct count {
	unsigned diffs, unmatched;
	char last[256];
};

static void on_diff(void *ctx, const struct ksm_snapshot *a, const struct ksm_snapshot *b,
		    const char *field, const char *va, const char *vb)
{
	struct count *c = ctx;

	(void)a;
	(void)b;
	c->diffs++;
	snprintf(c->last, sizeof(c->last), "%s: %s != %s", field, va, vb);
}

static void on_unmatched(void *ctx, bool in_b, const struct ksm_snapshot *r)
{
	struct count *c = ctx;

	(void)in_b;
	(void)r;
	c->unmatched++;
}

static void test_diff(void **state)
{
	struct ksm_snapshot a[2] = { { 0 } }, b[2] = { { 0 } };
	const char *ignore[] = { "expect_failed" };
	struct count c = { 0 };
	struct ksm_snapdiff_opts o = { .on_diff = on_diff, .on_unmatched = on_unmatched, .ctx = &c };
	struct ksm_diag err;

	(void)state;
	assert_int_equal(ksm_snapshot_parse("a", 1, record, strlen(record) - 1, &a[0], &err), 0);
	assert_int_equal(ksm_snapshot_parse("b", 1, record, strlen(record) - 1, &b[0], &err), 0);
	assert_int_equal(ksm_snapdiff_compare(a, 1, b, 1, &o), 0);
	strcpy(b[0].expect_failed.got, "3");
	assert_int_equal(ksm_snapdiff_compare(a, 1, b, 1, &o), 1);
	assert_string_equal(c.last, "expect_failed.got: \"1\" != \"3\"");
	/* A stream that failed an expect against one that did not. */
	o.ignore = ignore;
	o.nignore = 1;
	c.diffs = c.unmatched = 0;
	assert_int_equal(ksm_snapdiff_compare(a, 1, b, 0, &o), 0);
	o.nignore = 0;
	assert_int_not_equal(ksm_snapdiff_compare(a, 1, b, 0, &o), 0);
	assert_int_equal(c.unmatched, 1);
	assert_true(ksm_snapdiff_pattern_valid("expect_failed"));
	assert_true(ksm_snapdiff_pattern_valid("expect_failed.got"));
	assert_false(ksm_snapdiff_pattern_valid("expect_failed.gotten"));
	ksm_snapshot_free(&a[0]);
	ksm_snapshot_free(&b[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_keeps_records_before),
		cmocka_unit_test(test_replay_keep_going),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
