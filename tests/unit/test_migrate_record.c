// SPDX-License-Identifier: MIT
/*
 * The migrate record (include/ksmsim/snapshot.h, docs/trace-format.md "The
 * migrate record"): the writer prints exactly the documented text, the
 * reader reads it back to an equal struct and rejects malformed records
 * at the right column, `expect migrate.*` reads its summary through the
 * one lookup both replayers use, and the stream comparison of `ksmsim
 * diff` compares two migrate records field by field, mapping by mapping.
 * Last, the simulator's record of the headline finding: in the window of
 * tests/findings/s86-fork-mremap-divergence.trace the lpi kernel leaves
 * the page where it is, the baseline moves it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_util.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/snapshot_diff.h"
#include "ksmsim/trace.h"

/* The lpi kernel's record in the window: nothing moved. */
static const char stayed[] =
	"{\"line\":28,\"label\":\"\",\"migrate\":{\"proc\":\"p\",\"addr\":\"0x100000000000\","
	"\"ksm\":true,\"moved\":false,\"target_node\":1,\"mappings\":["
	"{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":0},"
	"{\"proc\":\"p\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":0},"
	"{\"proc\":\"p\",\"addr\":\"0x100000001000\",\"frame\":\"old\",\"node\":0}]}}";

/* The baseline's: every mapping on the new frame, on node 1. */
static const char moved[] =
	"{\"line\":28,\"label\":\"\",\"migrate\":{\"proc\":\"p\",\"addr\":\"0x100000000000\","
	"\"ksm\":true,\"moved\":true,\"target_node\":1,\"mappings\":["
	"{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"new\",\"node\":1},"
	"{\"proc\":\"p\",\"addr\":\"0x100000000000\",\"frame\":\"new\",\"node\":1},"
	"{\"proc\":\"p\",\"addr\":\"0x100000001000\",\"frame\":\"new\",\"node\":1}]}}";

static void build_stayed(struct ksm_snapshot *s)
{
	static const char *const procs[] = { "p", "c", "p" };
	static const uint64_t addrs[] = { 0x100000001000, 0x100000000000, 0x100000000000 };
	struct ksm_migrate_rec *m = &s->migrate;

	memset(s, 0, sizeof(*s));
	s->kind = KSM_RECORD_MIGRATE;
	s->line = 28;
	s->label = strdup("");
	strcpy(m->proc, "p");
	m->addr = 0x100000000000;
	m->ksm = true;
	m->target_node = 1;
	m->nmappings = 3;
	m->mappings = calloc(3, sizeof(*m->mappings));
	/* out of order on purpose: ksm_migrate_sort() puts them in order */
	for (int i = 0; i < 3; i++) {
		strcpy(m->mappings[i].proc, procs[i]);
		m->mappings[i].addr = addrs[i];
		m->mappings[i].frame = KSM_FRAME_OLD;
		m->mappings[i].node = 0;
	}
	ksm_migrate_sort(m);
}

static char *write_to_string(const struct ksm_snapshot *s)
{
	struct test_capture cap;

	assert_int_equal(ksm_snapshot_write(test_capture_open(&cap), s), 0);
	return test_capture_close(&cap);
}

static void parse_ok(const char *text, struct ksm_snapshot *s)
{
	struct ksm_diag err;

	if (ksm_snapshot_parse("t.jsonl", 1, text, strlen(text), s, &err))
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
}

static void test_writer_exact_text(void **state)
{
	struct ksm_snapshot s;
	char want[sizeof(stayed) + 1];
	char *text;

	(void)state;
	build_stayed(&s);
	text = write_to_string(&s);
	snprintf(want, sizeof(want), "%s\n", stayed);
	assert_string_equal(text, want);
	free(text);

	/* the other frames, the empty node, an address with few digits */
	s.migrate.mappings[0].frame = KSM_FRAME_NONE;
	s.migrate.mappings[0].node = -1;
	s.migrate.mappings[1].frame = KSM_FRAME_OTHER;
	s.migrate.mappings[2].addr = 0x10000;
	text = write_to_string(&s);
	assert_non_null(strstr(text, "\"frame\":\"none\",\"node\":-1}"));
	assert_non_null(strstr(text, "\"frame\":\"other\",\"node\":0}"));
	assert_non_null(strstr(text, "\"addr\":\"0x10000\""));
	free(text);
	ksm_snapshot_free(&s);
	assert_null(s.migrate.mappings);
}

static void test_reader_round_trip(void **state)
{
	struct ksm_snapshot want, got;
	char *text;

	(void)state;
	build_stayed(&want);
	parse_ok(stayed, &got);
	assert_int_equal(got.kind, KSM_RECORD_MIGRATE);
	assert_int_equal(got.line, 28);
	assert_string_equal(got.label, "");
	assert_string_equal(got.migrate.proc, "p");
	assert_true(got.migrate.addr == 0x100000000000ULL);
	assert_true(got.migrate.ksm);
	assert_false(got.migrate.moved);
	assert_int_equal(got.migrate.target_node, 1);
	assert_int_equal(got.migrate.nmappings, 3);
	assert_memory_equal(got.migrate.mappings, want.migrate.mappings,
			    3 * sizeof(*got.migrate.mappings));
	assert_int_equal(got.nprocs, 0);
	assert_null(got.procs);
	text = write_to_string(&got);
	assert_memory_equal(text, stayed, strlen(stayed));
	free(text);
	ksm_snapshot_free(&got);

	/* members in another order, whitespace: the same record */
	parse_ok("{ \"migrate\" : {\"mappings\":[{\"node\":-1,\"frame\":\"none\","
		 "\"addr\":\"0x10000\",\"proc\":\"a\"}],\"target_node\":0,\"moved\":true,"
		 "\"ksm\":false,\"addr\":\"0x10000\",\"proc\":\"a\"}, \"label\":\"x\", \"line\":3 }",
		 &got);
	assert_int_equal(got.kind, KSM_RECORD_MIGRATE);
	assert_string_equal(got.label, "x");
	assert_int_equal(got.migrate.mappings[0].frame, KSM_FRAME_NONE);
	assert_int_equal(got.migrate.mappings[0].node, -1);
	ksm_snapshot_free(&got);
	ksm_snapshot_free(&want);
}

/*
 * Replace the first @from in @base by @to, parse, and check the message
 * and that the column is where @at (searched from @from's position) is.
 */
static void check_error(const char *base, const char *from, const char *to,
			const char *at, const char *msg)
{
	char text[4096], want[1024], got[1024];
	const char *p = strstr(base, from);
	struct ksm_snapshot s;
	struct ksm_diag err;
	const char *where;
	size_t pre;

	if (!p)
		fail_msg("'%s' not found", from);
	pre = (size_t)(p - base);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, base, to, p + strlen(from));
	where = strstr(text + pre, at);
	if (!where)
		fail_msg("marker '%s' not found", at);
	assert_int_not_equal(ksm_snapshot_parse("f.jsonl", 4, text, strlen(text), &s, &err), 0);
	snprintf(want, sizeof(want), "f.jsonl:4:%zu: %s", (size_t)(where - text) + 1, msg);
	snprintf(got, sizeof(got), "%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	assert_string_equal(got, want);
	assert_null(s.label);
	assert_null(s.migrate.mappings);
}

static void test_reader_errors(void **state)
{
	(void)state;
	/* a record is one kind or the other */
	check_error(stayed, "\"label\":\"\",", "\"label\":\"\",\"procs\":{},", "\"migrate\"",
		    "key \"migrate\" in a record that has \"procs\" "
		    "(a record is a snapshot, a migrate or an expect_failed record)");
	check_error(stayed, "]}}", "]},\"procs\":{}}", "\"procs\"",
		    "key \"procs\" in a record that has \"migrate\" "
		    "(a record is a snapshot, a migrate or an expect_failed record)");
	check_error(stayed, ",\"migrate\":", ",\"migrat\":", "\"migrat\"",
		    "unknown key \"migrat\" in the record");
	/* the object's members */
	check_error(stayed, "\"ksm\":true,", "", "}}",
		    "missing key \"ksm\" in migrate");
	check_error(stayed, "\"ksm\":true,", "\"ksm\":true,\"pfn\":7,", "\"pfn\"",
		    "unknown key \"pfn\" in migrate");
	check_error(stayed, "\"proc\":\"p\",\"addr\"", "\"proc\":\"9p\",\"addr\"", "\"9p\"",
		    "invalid process name \"9p\" in migrate.proc");
	check_error(stayed, "\"addr\":\"0x100000000000\",\"ksm\"",
		    "\"addr\":\"0x0100000000000\",\"ksm\"", "\"0x01",
		    "migrate.addr must be \"0x\" and lower-case hex digits without leading zeros");
	check_error(stayed, "\"addr\":\"0x100000000000\",\"ksm\"",
		    "\"addr\":\"0X100000000000\",\"ksm\"", "\"0X",
		    "migrate.addr must be \"0x\" and lower-case hex digits without leading zeros");
	check_error(stayed, "\"addr\":\"0x100000000000\",\"ksm\"",
		    "\"addr\":\"0x10000000000A\",\"ksm\"", "\"0x1",
		    "migrate.addr must be \"0x\" and lower-case hex digits without leading zeros");
	check_error(stayed, "\"addr\":\"0x100000000000\",\"ksm\"",
		    "\"addr\":17592186044416,\"ksm\"", "1759",
		    "expected a string for migrate.addr, found a number");
	check_error(stayed, "\"target_node\":1", "\"target_node\":-1", "-1",
		    "negative value for migrate.target_node");
	check_error(stayed, "\"moved\":false", "\"moved\":0", "0,",
		    "expected true or false for migrate.moved, found a number");
	/* the mappings */
	check_error(stayed, "\"frame\":\"old\",\"node\":0},{\"proc\":\"p\"",
		    "\"frame\":\"moved\",\"node\":0},{\"proc\":\"p\"", "\"moved\"",
		    "migrate.mappings[0].frame must be \"old\", \"new\", \"other\" or \"none\", not \"moved\"");
	check_error(stayed, "\"node\":0},{\"proc\":\"p\"", "\"node\":-2},{\"proc\":\"p\"", "-2",
		    "migrate.mappings[0].node must be a node (0 or more), or -1 for none");
	check_error(stayed, "{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":0}",
		    "{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"none\",\"node\":0}",
		    "{\"proc\":\"c\"",
		    "migrate.mappings[0].node must be -1 when frame is \"none\"");
	check_error(stayed, "{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":0}",
		    "{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":-1}",
		    "{\"proc\":\"c\"",
		    "migrate.mappings[0].node must be a node (0 or more) when frame is \"old\"");
	check_error(stayed, "{\"proc\":\"c\",", "{\"proc\":\"q\",", "{\"proc\":\"p\"",
		    "migrate.mappings[1] (p:0x100000000000) is not after q:0x100000000000 "
		    "(mappings are sorted by proc, then addr, each once)");
	check_error(stayed, "{\"proc\":\"p\",\"addr\":\"0x100000001000\"",
		    "{\"proc\":\"p\",\"addr\":\"0x100000000000\"",
		    "{\"proc\":\"p\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":0}]",
		    "migrate.mappings[2] (p:0x100000000000) is not after p:0x100000000000 "
		    "(mappings are sorted by proc, then addr, each once)");
	check_error(stayed, "{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"old\",\"node\":0},",
		    "{\"proc\":\"c\",\"addr\":\"0x100000000000\",\"frame\":\"old\"},", "},{\"proc\":\"p\"",
		    "missing key \"node\" in migrate.mappings[0]");
	check_error(stayed, "]}}", "}}", "}}",
		    "expected ',' or ']' in migrate.mappings, found an unexpected character");
	/* the migrated page's own mapping is one of them (column: the object) */
	check_error(stayed, "\"migrate\":{\"proc\":\"p\",\"addr\":\"0x100000000000\"",
		    "\"migrate\":{\"proc\":\"p\",\"addr\":\"0x100000002000\"",
		    "{\"proc\":\"p\",\"addr\":\"0x100000002000\"",
		    "migrate.mappings lacks p:0x100000002000, the mapping the page was migrated through");
	/* a migrate record without "migrate" is a snapshot record missing keys */
	check_error(stayed, ",\"migrate\":", ",\"x\":0,\"migrate\":", "\"x\"",
		    "unknown key \"x\" in the record");
}

static void test_reader_missing_keys(void **state)
{
	struct ksm_snapshot s;
	struct ksm_diag err;
	const char *t1 = "{\"line\":1,\"migrate\":{}}";

	(void)state;
	/* the first key that is missing, at the record's closing brace */
	assert_int_not_equal(ksm_snapshot_parse("f", 1, t1, strlen(t1), &s, &err), 0);
	assert_string_equal(err.msg, "missing key \"proc\" in migrate");
	t1 = "{\"line\":1,\"migrate\":{\"proc\":\"a\",\"addr\":\"0x10000\",\"ksm\":false,"
	     "\"moved\":false,\"target_node\":1,\"mappings\":[{\"proc\":\"a\","
	     "\"addr\":\"0x10000\",\"frame\":\"old\",\"node\":0}]}}";
	assert_int_not_equal(ksm_snapshot_parse("f", 1, t1, strlen(t1), &s, &err), 0);
	assert_int_equal(err.col, strlen(t1));
	assert_string_equal(err.msg, "missing key \"label\" in the record");
}

static void test_summary_and_expect(void **state)
{
	struct ksm_snapshot rec, snap;
	struct ksm_migrate_summary sum;
	const struct ksm_snap_field *f;
	struct ksm_diag err;
	struct trace t;
	uint64_t v;
	char buf[32];

	(void)state;
	parse_ok(moved, &rec);
	rec.migrate.mappings[2].frame = KSM_FRAME_OTHER;
	ksm_migrate_summarize(&rec.migrate, &sum);
	assert_true(sum.moved);
	assert_true(sum.ksm);
	assert_int_equal(sum.mappings, 3);
	assert_int_equal(sum.on_old, 0);
	assert_int_equal(sum.on_new, 2);
	assert_int_equal(sum.target_node, 1);
	ksm_snapshot_free(&rec);

	/* expect's names find the summary's fields, in the parser's order */
	{
		const char *text = "ksmtrace 1\nexpect migrate.moved=1 migrate.ksm=yes "
				   "migrate.mappings=3 migrate.on_old=0 migrate.on_new=2 "
				   "migrate.target_node=1 pages_shared=0\n";

		if (trace_parse_string("e.trace", text, strlen(text), &t, &err))
			fail_msg("%s", err.msg);
	}
	memset(&snap, 0, sizeof(snap));
	for (size_t i = 0; i < 6; i++) {
		const struct trace_kv *kv = &t.cmds[0].kvs[i];

		assert_int_equal(ksm_snapshot_lookup(&snap, &sum, kv, &v, &f), 0);
		assert_string_equal(f->name, trace_migrate_field_names[kv->index]);
		assert_true(v == kv->num);
		/* before any migrate there is nothing to look at */
		assert_int_equal(ksm_snapshot_lookup(&snap, NULL, kv, &v, &f), -3);
	}
	/* a snapshot field still reads the snapshot */
	assert_int_equal(ksm_snapshot_lookup(&snap, NULL, &t.cmds[0].kvs[6], &v, &f), 0);
	assert_int_equal(ksm_snapshot_lookup(&snap, &sum, &t.cmds[0].kvs[0], &v, &f), 0);
	ksm_snapshot_format_value(f, v, buf, sizeof(buf));
	assert_string_equal(buf, "true");
	trace_free(&t);
}

/* expect migrate.* in a replay: holds, fails, or has nothing to look at. */
static void test_expect_in_replay(void **state)
{
	static const char window[] =
		"ksmtrace 1\n"
		"set pages_to_scan=2 smart_scan=0 sim.kernel=lpi\n"
		"spawn p\n"
		"mmap p 0x100000000000 2\n"
		"write p 0x100000000000 2 token=9\n"
		"madvise p 0x100000000000 2 mergeable\n"
		"fork p c\n"
		"mremap c 0x100000001000 1 0x100000000000 1\n"
		"scan rounds=1\n"
		"scan batches=1\n";
	static const struct {
		const char *tail;
		enum replay_status st;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		{ "migrate p 0x100000000000\n"
		  "expect migrate.moved=0 migrate.ksm=1 migrate.mappings=3 migrate.on_old=3 "
		  "migrate.on_new=0 migrate.target_node=1\n", REPLAY_OK, 0, 0, NULL },
		{ "migrate p 0x100000000000\nexpect migrate.mappings=3 migrate.moved=1\n",
		  REPLAY_EXPECT_FAILED, 12, 27,
		  "expect migrate.moved=true failed: the value is false" },
		{ "migrate p 0x100000000000\nexpect migrate.on_old=2\n",
		  REPLAY_EXPECT_FAILED, 12, 8, "expect migrate.on_old=2 failed: the value is 3" },
		{ "migrate p 0x100000000000\nexpect migrate.on_new=3\n",
		  REPLAY_EXPECT_FAILED, 12, 8, "expect migrate.on_new=3 failed: the value is 0" },
		{ "expect pages_shared=1 migrate.target_node=1\nmigrate p 0x100000000000\n",
		  REPLAY_ERROR, 11, 23,
		  "expect: migrate.target_node has no value: no migrate has run yet" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct replay_opts opts = { .invariants = REPLAY_CHECK_EACH };
		struct replay_result res;
		struct ksm_diag err = { 0 };
		struct ksm_sim *sim = ksm_sim_create();
		struct trace t;
		char text[1024];

		snprintf(text, sizeof(text), "%s%s", window, cases[i].tail);
		if (trace_parse_string("w.trace", text, strlen(text), &t, &err))
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(replay_trace(sim, &t, &opts, &res, &err), cases[i].st);
		if (cases[i].msg) {
			assert_int_equal(err.line, cases[i].line);
			assert_int_equal(err.col, cases[i].col);
			assert_string_equal(err.msg, cases[i].msg);
		}
		trace_free(&t);
		ksm_sim_destroy(sim, NULL, 0);
	}
}

/* ---- the comparison ---- */

struct diffs {
	char lines[16][256];
	size_t n;
	size_t na, nb, unmatched;
};

static void on_diff(void *ctx, const struct ksm_snapshot *a, const struct ksm_snapshot *b,
		    const char *field, const char *va, const char *vb)
{
	struct diffs *d = ctx;

	(void)a;
	(void)b;
	if (d->n < 16)
		snprintf(d->lines[d->n], sizeof(d->lines[0]), "%s: %s != %s", field, va, vb);
	d->n++;
}

static void on_count(void *ctx, size_t na, size_t nb)
{
	struct diffs *d = ctx;

	d->na = na;
	d->nb = nb;
}

static void on_unmatched(void *ctx, bool in_b, const struct ksm_snapshot *r)
{
	struct diffs *d = ctx;

	(void)in_b;
	(void)r;
	d->unmatched++;
}

static unsigned long compare(const struct ksm_snapshot *a, size_t na,
			     const struct ksm_snapshot *b, size_t nb,
			     const char *const *ignore, size_t nignore, struct diffs *d)
{
	struct ksm_snapdiff_opts o = {
		.ignore = ignore, .nignore = nignore, .on_diff = on_diff,
		.on_count = on_count, .on_unmatched = on_unmatched, .ctx = d,
	};

	memset(d, 0, sizeof(*d));
	return ksm_snapdiff_compare(a, na, b, nb, &o);
}

static void test_diff(void **state)
{
	struct ksm_snapshot a, b, snap[2];
	struct diffs d;
	const char *ign[2];

	(void)state;
	parse_ok(stayed, &a);
	parse_ok(moved, &b);
	assert_int_equal(compare(&a, 1, &a, 1, NULL, 0, &d), 0);
	assert_int_equal(compare(&a, 1, &b, 1, NULL, 0, &d), 7);
	assert_string_equal(d.lines[0], "migrate.moved: false != true");
	assert_string_equal(d.lines[1], "migrate.mappings[c:0x100000000000].frame: \"old\" != \"new\"");
	assert_string_equal(d.lines[2], "migrate.mappings[c:0x100000000000].node: 0 != 1");
	assert_string_equal(d.lines[6], "migrate.mappings[p:0x100000001000].node: 0 != 1");

	/* ignoring a key of every mapping, or one mapping */
	ign[0] = "migrate.mappings[*].node";
	ign[1] = "migrate.mappings[p:0x100000000000]";
	assert_int_equal(compare(&a, 1, &b, 1, ign, 2, &d), 3);
	assert_string_equal(d.lines[1], "migrate.mappings[c:0x100000000000].frame: \"old\" != \"new\"");
	assert_string_equal(d.lines[2], "migrate.mappings[p:0x100000001000].frame: \"old\" != \"new\"");

	/* a mapping only one side has is one line; the others still match */
	b.migrate.nmappings = 2; /* drops p:0x100000001000 */
	b.migrate.mappings[0] = a.migrate.mappings[0];
	b.migrate.mappings[1] = a.migrate.mappings[1];
	b.migrate.moved = false;
	b.migrate.proc[0] = 'q';
	assert_int_equal(compare(&a, 1, &b, 1, NULL, 0, &d), 2);
	assert_string_equal(d.lines[0], "migrate.proc: \"p\" != \"q\"");
	assert_string_equal(d.lines[1], "migrate.mappings[p:0x100000001000]: present != absent");
	assert_int_equal(compare(&b, 1, &a, 1, NULL, 0, &d), 2);
	assert_string_equal(d.lines[1], "migrate.mappings[p:0x100000001000]: absent != present");
	ign[0] = "migrate.mappings";
	ign[1] = "migrate.proc";
	assert_int_equal(compare(&a, 1, &b, 1, ign, 2, &d), 0);

	/* a migrate record against a snapshot record: one line, nothing more */
	memset(&snap[0], 0, sizeof(snap[0]));
	snap[0].label = strdup("");
	snap[1] = a;
	assert_int_equal(compare(&snap[0], 1, &a, 1, NULL, 0, &d), 1);
	assert_string_equal(d.lines[0], "record kind: snapshot != migrate");
	assert_int_equal(compare(&a, 1, &snap[0], 1, NULL, 0, &d), 1);
	assert_string_equal(d.lines[0], "record kind: migrate != snapshot");

	/* --ignore migrate: the migrate records drop out of both streams */
	ign[0] = "migrate";
	assert_int_equal(compare(snap, 2, snap, 1, NULL, 0, &d), 2);
	assert_int_equal(d.na, 2);
	assert_int_equal(d.nb, 1);
	assert_int_equal(d.unmatched, 1);
	assert_int_equal(compare(snap, 2, snap, 1, ign, 1, &d), 0);
	assert_int_equal(compare(&snap[1], 1, snap, 1, ign, 1, &d), 2);
	assert_int_equal(d.na, 0);
	assert_int_equal(d.nb, 1);

	/* patterns */
	assert_true(ksm_snapdiff_pattern_valid("migrate"));
	assert_true(ksm_snapdiff_pattern_valid("migrate.moved"));
	assert_true(ksm_snapdiff_pattern_valid("migrate.*"));
	assert_true(ksm_snapdiff_pattern_valid("migrate.mappings[*]"));
	assert_true(ksm_snapdiff_pattern_valid("migrate.mappings[c:0x10000].frame"));
	assert_true(ksm_snapdiff_pattern_valid("procs.*.vmas"));
	assert_false(ksm_snapdiff_pattern_valid("migrate.mappings.frame"));
	assert_false(ksm_snapdiff_pattern_valid("migrate.mappings[*].pfn"));
	assert_false(ksm_snapdiff_pattern_valid("migrate.moved[x]"));
	assert_false(ksm_snapdiff_pattern_valid("migrate.mappings[]"));
	assert_false(ksm_snapdiff_pattern_valid("migrate.mappings[a][b]"));
	assert_false(ksm_snapdiff_pattern_valid("migrate.pfn"));
	assert_false(ksm_snapdiff_pattern_valid("procs[a]"));

	ksm_snapshot_free(&snap[0]);
	ksm_snapshot_free(&a);
	ksm_snapshot_free(&b);
}

/* ---- the simulator's record ---- */

/*
 * Replay @path (with sim.kernel=@kernel) and return its migrate record
 * number @which (0 the first).
 */
static void sim_record(const char *path, const char *kernel, unsigned which,
		       struct ksm_snapshot *out)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_EACH };
	struct replay_result res;
	struct ksm_snapshot *recs;
	struct ksm_diag err;
	struct trace t;
	struct ksm_sim *sim;
	char *buf = NULL;
	size_t len = 0, n, i;

	if (trace_parse_file(path, &t, &err))
		fail_msg("%s: %s", path, err.msg);
	/* The trace's own `set sim.kernel=lpi`, as this test wants it. */
	for (i = 0; i < t.ncmds; i++)
		for (size_t k = 0; k < t.cmds[i].nkvs; k++)
			if (!strcmp(t.cmds[i].kvs[k].name, "sim.kernel")) {
				free(t.cmds[i].kvs[k].text);
				t.cmds[i].kvs[k].text = strdup(kernel);
			}
	opts.snapshots = open_memstream(&buf, &len);
	sim = ksm_sim_create();
	/* 1 for the lpi machine: its `check` finds the divergence */
	assert_true(replay_trace(sim, &t, &opts, &res, &err) <= REPLAY_EXPECT_FAILED);
	fclose(opts.snapshots);
	assert_int_equal(ksm_sim_destroy(sim, NULL, 0), 0);
	assert_int_equal(ksm_snapshot_read_buffer("sim", buf, len, &recs, &n, &err), 0);
	for (i = 0; i < n; i++)
		if (recs[i].kind == KSM_RECORD_MIGRATE && !which--)
			break;
	assert_true(i < n);
	*out = recs[i];
	memset(&recs[i], 0, sizeof(recs[i]));
	ksm_snapshot_array_free(recs, n);
	assert_true(res.has_migrate);
	free(buf);
	trace_free(&t);
}

/* Every mapping of @r on frame @frame and node @node. */
static void check_all(const struct ksm_snapshot *r, unsigned line, bool is_moved,
		      int64_t target, enum ksm_migrate_frame frame, int64_t node)
{
	assert_int_equal(r->line, line);
	assert_int_equal(r->migrate.moved, is_moved);
	assert_int_equal(r->migrate.target_node, target);
	assert_int_equal(r->migrate.nmappings, 3);
	for (size_t i = 0; i < r->migrate.nmappings; i++) {
		assert_int_equal(r->migrate.mappings[i].frame, frame);
		assert_int_equal(r->migrate.mappings[i].node, node);
	}
}

static void test_sim_finding(void **state)
{
	const char *trace = KSMSIM_SOURCE_DIR "/tests/findings/s86-fork-mremap-divergence.trace";
	const char *closes = KSMSIM_SOURCE_DIR "/tests/findings/s86-window-closes.trace";
	struct ksm_snapshot got, want;

	(void)state;
	/* the window closes: the full walk moves it to node 1, then (window
	 * closed) the lpi kernel's own indexed walk moves it back to node 0 */
	sim_record(closes, "lpi", 0, &got);
	check_all(&got, 17, true, 1, KSM_FRAME_NEW, 1);
	ksm_snapshot_free(&got);
	sim_record(closes, "lpi", 1, &got);
	check_all(&got, 22, true, 0, KSM_FRAME_NEW, 0);
	ksm_snapshot_free(&got);

	/* the window: the lpi kernel's record, then the baseline's, exactly */
	sim_record(trace, "lpi", 0, &got);
	parse_ok(stayed, &want);
	{
		struct diffs d;

		if (compare(&want, 1, &got, 1, NULL, 0, &d))
			fail_msg("lpi: %s", d.lines[0]);
	}
	ksm_snapshot_free(&got);
	ksm_snapshot_free(&want);

	sim_record(trace, "baseline", 0, &got);
	parse_ok(moved, &want);
	{
		struct diffs d;

		if (compare(&want, 1, &got, 1, NULL, 0, &d))
			fail_msg("baseline: %s", d.lines[0]);
	}
	ksm_snapshot_free(&got);
	ksm_snapshot_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_exact_text),
		cmocka_unit_test(test_reader_round_trip),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_missing_keys),
		cmocka_unit_test(test_summary_and_expect),
		cmocka_unit_test(test_expect_in_replay),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_sim_finding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
