// SPDX-License-Identifier: MIT
/*
 * The field tables of knobs, counters and per-process stats
 * (include/ksmsim/ksm_fields.h), row by row: every knob's default is what
 * a new machine has and reports, every knob takes its bounds and refuses
 * what lies outside them with the simulator's messages, values survive a
 * write, a snapshot record and a read back, the record reader's sign rule
 * follows KSM_F_SIGNED, and the names, order and value kinds agree with
 * the trace format's own tables (which the tables are to replace).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ksm_fixture.h"
#include "ksmsim/ksm_fields.h"
#include "ksmsim/sim_snapshot.h"
#include "ksmsim/snapshot.h"

static size_t rows(const struct ksm_snap_field *tab)
{
	size_t n = 0;

	while (tab[n].name)
		n++;
	return n;
}

static uint64_t knob_now(struct ksm_sim *sim, const struct ksm_snap_field *f)
{
	return ksm_field_u64(f, ksm_knobs(sim));
}

/* @v as `set` writes it. */
static void knob_text(const struct ksm_snap_field *f, uint64_t v, char *buf, size_t n)
{
	if (f->type == KSM_SNAP_ADVISOR)
		snprintf(buf, n, "%s", ksm_advisor_mode_name((enum ksm_advisor_mode)v));
	else
		snprintf(buf, n, "%" PRIu64, v);
}

/* The record of @sim's machine, written and read back. */
static void record_round_trip(struct ksm_sim *sim, struct ksm_snapshot *back)
{
	struct ksm_snapshot s;
	struct ksm_diag err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sim_snapshot_take(sim, 1, "", true, &s), 0);
	assert_int_equal(ksm_snapshot_write(f, &s), 0);
	fclose(f);
	ksm_snapshot_free(&s);
	if (ksm_snapshot_parse("rt", 1, buf, len - 1, back, &err))
		fail_msg("%s in %s", err.msg, buf);
	free(buf);
}

static void test_defaults_are_a_new_machine(void **state)
{
	struct ksm_sim *sim = ksm_sim_create();
	struct ksm_knobs d;
	struct ksm_snapshot back;

	(void)state;
	ksm_knobs_default(&d);
	record_round_trip(sim, &back);
	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		assert_int_equal(ksm_field_u64(f, &d), f->def);
		if (knob_now(sim, f) != f->def)
			fail_msg("%s is %" PRIu64 " on a new machine, the table says %" PRIu64,
				 f->name, knob_now(sim, f), f->def);
		assert_int_equal(ksm_field_u64(f, &back.knobs), f->def);
	}
	/* Linux 6.18's values, which the table must not lose. */
	assert_int_equal(d.run, 1);
	assert_int_equal(d.pages_to_scan, 100);
	assert_int_equal(d.sleep_millisecs, 20);
	assert_int_equal(d.max_page_sharing, 256);
	assert_int_equal(d.advisor_mode, KSM_ADVISOR_NONE);
	assert_int_equal(d.advisor_max_cpu, 70);
	/* The kernel's bounds (mm/ksm.c *_store()), which the table must keep. */
	{
		static const struct { const char *name; uint64_t min, max; } kb[] = {
			{ "run", 0, 2 },
			{ "pages_to_scan", 0, UINT32_MAX },
			{ "sleep_millisecs", 0, UINT32_MAX },
			{ "smart_scan", 0, 1 },
			{ "max_page_sharing", 2, INT32_MAX },
			{ "use_zero_pages", 0, 1 },
			{ "stable_node_chains_prune_millisecs", 0, UINT32_MAX },
			{ "merge_across_nodes", 0, 1 },
			{ "advisor_target_scan_time", 1, UINT64_MAX },
			{ "advisor_min_pages_to_scan", 0, UINT64_MAX },
			{ "advisor_max_pages_to_scan", 0, UINT64_MAX },
			{ "advisor_max_cpu", 0, UINT64_MAX },
		};

		assert_int_equal(rows(ksm_snap_knob_fields), 13);
		for (size_t i = 0; i < sizeof(kb) / sizeof(kb[0]); i++) {
			const struct ksm_snap_field *f = ksm_field_find(ksm_snap_knob_fields,
									kb[i].name);

			assert_non_null(f);
			assert_int_equal(f->min, kb[i].min);
			assert_int_equal(f->max, kb[i].max);
		}
	}
	/* A new machine's counters are all 0, its record has no process. */
	for (const struct ksm_snap_field *f = ksm_snap_global_fields; f->name; f++)
		assert_int_equal(ksm_field_u64(f, &back.global), 0);
	assert_int_equal(back.nprocs, 0);
	ksm_snapshot_free(&back);
	ksm_sim_destroy(sim, NULL, 0);
}

/*
 * Each knob at its bounds (and the int64 limit of the record, for the
 * knobs that go beyond it) and in between: ksm_set_knob() takes the text
 * and the record carries the value out and back.
 */
static void test_values_round_trip(void **state)
{
	(void)state;
	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		uint64_t top = f->max > INT64_MAX ? INT64_MAX : f->max;
		uint64_t vals[] = { f->min, top, f->min + (top - f->min) / 2, f->def };

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			struct ksm_sim *sim = ksm_sim_create();
			struct ksm_snapshot back;
			struct sim_error e;
			char text[32];

			knob_text(f, vals[i], text, sizeof(text));
			if (ksm_set_knob(sim, f->name, text, &e))
				fail_msg("set %s=%s: %s", f->name, text, e.msg);
			assert_int_equal(knob_now(sim, f), vals[i]);
			record_round_trip(sim, &back);
			assert_int_equal(ksm_field_u64(f, &back.knobs), vals[i]);
			ksm_snapshot_free(&back);
			ksm_sim_destroy(sim, NULL, 0);
		}
	}
}

/* ksm_set_knob(@name=@text) fails with @want and leaves the knob alone. */
static void refused(struct ksm_sim *sim, const struct ksm_snap_field *f,
		    const char *text, const char *want)
{
	uint64_t before = knob_now(sim, f);
	struct sim_error e;

	if (!ksm_set_knob(sim, f->name, text, &e))
		fail_msg("set %s=%s was accepted", f->name, text);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.arg, SIM_ARG_KNOB_VALUE);
	assert_int_equal(knob_now(sim, f), before);
}

static void test_bounds_enforced(void **state)
{
	struct ksm_sim *sim = ksm_sim_create();
	char text[32], want[256];

	(void)state;
	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		if (f->type == KSM_SNAP_ADVISOR) {
			snprintf(want, sizeof(want),
				 "advisor_mode must be none or scan-time, got 'auto' (EINVAL)");
			refused(sim, f, "auto", want);
			continue;
		}
		snprintf(want, sizeof(want), "%s needs a number, got '-1' (EINVAL)", f->name);
		refused(sim, f, "-1", want);
		snprintf(want, sizeof(want), "%s needs a number, got '1x' (EINVAL)", f->name);
		refused(sim, f, "1x", want);
		if (f->max < UINT64_MAX) {
			snprintf(text, sizeof(text), "%" PRIu64, f->max + 1);
			snprintf(want, sizeof(want),
				 "%s=%s is out of range (at most %" PRIu64 "; EINVAL)", f->name,
				 text, f->max);
			refused(sim, f, text, want);
		} else {
			snprintf(want, sizeof(want),
				 "%s needs a number, got '18446744073709551616' (EINVAL)", f->name);
			refused(sim, f, "18446744073709551616", want);
		}
		if (f->min) {
			snprintf(text, sizeof(text), "%" PRIu64, f->min - 1);
			snprintf(want, sizeof(want), "%s must be at least %" PRIu64 " (EINVAL)",
				 f->name, f->min);
			refused(sim, f, text, want);
		}
	}
	ksm_sim_destroy(sim, NULL, 0);
}

/* The flags' rules: the advisor owns some knobs, others need an empty tree. */
static void test_flag_rules(void **state)
{
	struct ksm_sim *sim = run("spawn a\nspawn b\nmmap a 0x100000000000 1\n"
				  "mmap b 0x100000000000 1\n"
				  "write a 0x100000000000 1 token=7\nwrite b 0x100000000000 1 token=7\n"
				  "madvise a 0x100000000000 1 mergeable\n"
				  "madvise b 0x100000000000 1 mergeable\nscan rounds=3\n"
				  "expect pages_shared=1\n");
	unsigned n_tree = 0, n_advisor = 0;
	struct sim_error e;
	char want[256];

	(void)state;
	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		char text[32];

		if (!(f->flags & KSM_F_EMPTY_TREE))
			continue;
		n_tree++;
		/* Another value within the bounds. */
		knob_text(f, f->def == f->min ? f->def + 1 : f->min, text, sizeof(text));
		snprintf(want, sizeof(want),
			 "%s cannot change while KSM pages are shared (pages_shared=1; EBUSY)",
			 f->name);
		refused(sim, f, text, want);
		/* The value it has is no change, so no conflict. */
		knob_text(f, knob_now(sim, f), text, sizeof(text));
		assert_int_equal(ksm_set_knob(sim, f->name, text, &e), 0);
	}
	assert_int_equal(ksm_set_knob(sim, "advisor_mode", "scan-time", &e), 0);
	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		if (!(f->flags & KSM_F_ADVISOR_OWNED))
			continue;
		n_advisor++;
		snprintf(want, sizeof(want),
			 "%s cannot be written while advisor_mode=scan-time (EINVAL)", f->name);
		refused(sim, f, "5", want);
	}
	assert_int_equal(n_tree, 2);    /* max_page_sharing, merge_across_nodes */
	assert_int_equal(n_advisor, 1); /* pages_to_scan */
	/* Back to none: pages_to_scan returns to its default. */
	assert_int_equal(ksm_set_knob(sim, "advisor_mode", "none", &e), 0);
	assert_int_equal(ksm_knobs(sim)->pages_to_scan,
			 ksm_field_find(ksm_snap_knob_fields, "pages_to_scan")->def);
	ksm_sim_destroy(sim, NULL, 0);
}

/* A counter set to -1 in a record: refused unless the row is KSM_F_SIGNED. */
static void test_sign_rule(void **state)
{
	const struct ksm_snap_field *tabs[] = { ksm_snap_global_fields, ksm_snap_proc_fields };
	struct ksm_sim *sim = run("spawn a\n");
	struct ksm_snapshot s;
	unsigned signed_rows = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(sim_snapshot_take(sim, 1, "", true, &s), 0);
	assert_int_equal(ksm_snapshot_write(f, &s), 0);
	fclose(f);
	for (size_t t = 0; t < 2; t++)
		for (const struct ksm_snap_field *r = tabs[t]; r->name; r++) {
			struct ksm_snapshot back;
			struct ksm_diag err = { 0 };
			char key[64], *at, *line;
			int ok;

			if (r->type != KSM_SNAP_INT)
				continue;
			/* The key within its object ("procs":{"a":{ for procs). */
			snprintf(key, sizeof(key), "\"%s\":0", r->name);
			line = malloc(len + 2); /* one byte longer: "-1" for "0" */
			assert_non_null(line);
			memcpy(line, buf, len + 1);
			at = strstr(strstr(line, t ? "\"procs\"" : "\"global\""), key);
			assert_non_null(at);
			memmove(at + strlen(key) + 1, at + strlen(key), strlen(at + strlen(key)) + 1);
			memcpy(at + strlen(key) - 1, "-1", 2);
			ok = !ksm_snapshot_parse("neg", 1, line, strlen(line) - 1, &back, &err);
			if (ok != !!(r->flags & KSM_F_SIGNED))
				fail_msg("%s=-1 %s: %s", r->name, ok ? "accepted" : "refused", line);
			signed_rows += ok;
			if (ok)
				assert_int_equal((int64_t)ksm_field_u64(r, t ? (void *)&back.procs[0] :
									(void *)&back.global), -1);
			ksm_snapshot_free(&back);
			free(line);
		}
	assert_int_equal(signed_rows, 2); /* general_profit, ksm_process_profit */
	free(buf);
	ksm_snapshot_free(&s);
	ksm_sim_destroy(sim, NULL, 0);
}

/* The trace format's error for `set NAME=TEXT`. */
static const char *set_error(const char *name, const char *text, char *buf, size_t n)
{
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	char line[256];

	snprintf(line, sizeof(line), "ksmtrace 1\nset %s=%s\n", name, text);
	if (!trace_parse_string("k", line, strlen(line), &t, &err)) {
		trace_free(&t);
		return NULL;
	}
	trace_free(&t);
	snprintf(buf, n, "%s", err.msg);
	return buf;
}

/*
 * The parser's tables (sim/trace/parser.c) are the same names in the same
 * order, and its knob types are the table's: a knob with choices takes
 * exactly 0..max at parse time, advisor_mode its names, the rest any
 * 64-bit number (the simulator checks their bounds).
 */
static void test_parser_tables_agree(void **state)
{
	size_t i, k = 0;
	char msg[KSM_DIAG_MSG_MAX], want[KSM_DIAG_MSG_MAX];

	(void)state;
	for (i = 0; ksm_snap_knob_fields[i].name; i++)
		assert_string_equal(trace_knob_names[i], ksm_snap_knob_fields[i].name);
	assert_null(trace_knob_names[i]);
	for (i = 0; ksm_snap_global_fields[i].name; i++)
		assert_string_equal(trace_global_counter_names[i], ksm_snap_global_fields[i].name);
	assert_null(trace_global_counter_names[i]);
	for (i = 0; ksm_snap_proc_fields[i].name; i++)
		assert_string_equal(trace_proc_field_names[i], ksm_snap_proc_fields[i].name);
	assert_null(trace_proc_field_names[i]);
	for (i = 0; ksm_snap_proc_fields[i].name; i++)
		if ((ksm_snap_proc_fields[i].flags & KSM_F_PROCFS) &&
		    ksm_snap_proc_fields[i].type == KSM_SNAP_INT)
			assert_string_equal(trace_proc_counter_names[k++],
					    ksm_snap_proc_fields[i].name);
	assert_null(trace_proc_counter_names[k]);
	assert_int_equal(rows(ksm_snap_proc_fields), 9);

	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		const char *choices = ksm_knob_choices(f);
		char text[32];

		if (f->type == KSM_SNAP_ADVISOR) {
			assert_null(choices);
			assert_null(set_error(f->name, "scan-time", msg, sizeof(msg)));
			assert_string_equal(set_error(f->name, "0", msg, sizeof(msg)),
					    "advisor_mode must be none or scan-time, got '0'");
			continue;
		}
		snprintf(text, sizeof(text), "%" PRIu64, f->max);
		assert_null(set_error(f->name, text, msg, sizeof(msg)));
		snprintf(text, sizeof(text), "%" PRIu64, f->max + 1);
		if (!choices) {
			/* Beyond the simulator's bound is still a valid trace. */
			if (f->max < UINT64_MAX)
				assert_null(set_error(f->name, text, msg, sizeof(msg)));
			continue;
		}
		snprintf(want, sizeof(want), "%s must be %s, got '%s'", f->name, choices, text);
		assert_string_equal(set_error(f->name, text, msg, sizeof(msg)), want);
	}
	assert_string_equal(ksm_knob_choices(ksm_field_find(ksm_snap_knob_fields, "run")),
			    "0, 1 or 2");
	assert_string_equal(ksm_knob_choices(ksm_field_find(ksm_snap_knob_fields,
							    "smart_scan")), "0 or 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_a_new_machine),
		cmocka_unit_test(test_values_round_trip),
		cmocka_unit_test(test_bounds_enforced),
		cmocka_unit_test(test_flag_rules),
		cmocka_unit_test(test_sign_rule),
		cmocka_unit_test(test_parser_tables_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
