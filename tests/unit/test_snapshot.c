// SPDX-License-Identifier: MIT
/*
 * Snapshot records (sim/report/snapshot.c): the writer prints exactly the
 * example record of docs/trace-format.md; the reader reads it back to an
 * equal struct and the writer reproduces the same bytes; the reader
 * rejects malformed records with the right message at the right column;
 * files are read line by line with line numbers in diagnostics.
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

#include "unit_util.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/snapshot_diff.h"

/* The example record of the format, on one line. */
static const char example[] =
	"{\"line\":12,\"label\":\"r2\",\"global\":{\"full_scans\":2,"
	"\"general_profit\":3991040,\"ksm_zero_pages\":0,\"pages_scanned\":2000,"
	"\"pages_shared\":10,\"pages_sharing\":990,\"pages_skipped\":0,"
	"\"pages_unshared\":0,\"pages_volatile\":0,\"stable_node_chains\":0,"
	"\"stable_node_dups\":0},\"knobs\":{\"run\":1,\"pages_to_scan\":10000,"
	"\"sleep_millisecs\":20,\"smart_scan\":1,\"max_page_sharing\":256,"
	"\"use_zero_pages\":0,\"stable_node_chains_prune_millisecs\":2000,"
	"\"merge_across_nodes\":1,\"advisor_mode\":\"none\","
	"\"advisor_target_scan_time\":200,\"advisor_min_pages_to_scan\":500,"
	"\"advisor_max_pages_to_scan\":30000,\"advisor_max_cpu\":70},"
	"\"procs\":{\"a\":{\"ksm_rmap_items\":1000,\"ksm_merging_pages\":1000,"
	"\"ksm_zero_pages\":0,\"ksm_process_profit\":4032000,"
	"\"ksm_merge_any\":false,\"ksm_mergeable\":true,\"vmas\":1,"
	"\"mapped\":1000,\"zero_pfn\":0}},\"sharing\":{\"mapped\":1000,"
	"\"zero_pfn\":0,\"ksm_pfns\":10,\"ksm_mapped\":1000,\"groups\":10,"
	"\"grouped\":1000,\"hash\":\"4797fd1ba0eca6c9\","
	"\"sizes\":[100,100,100,100,100,100,100,100,100,100]}}";

static void build_example(struct ksm_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->line = 12;
	s->label = strdup("r2");
	s->global.full_scans = 2;
	s->global.general_profit = 3991040;
	s->global.pages_scanned = 2000;
	s->global.pages_shared = 10;
	s->global.pages_sharing = 990;
	ksm_knobs_default(&s->knobs);
	s->knobs.pages_to_scan = 10000;
	s->nprocs = 1;
	s->procs = calloc(1, sizeof(*s->procs));
	strcpy(s->procs[0].name, "a");
	s->procs[0].stat.ksm_rmap_items = 1000;
	s->procs[0].stat.ksm_merging_pages = 1000;
	s->procs[0].stat.ksm_process_profit = 4032000;
	s->procs[0].stat.ksm_mergeable = true;
	s->procs[0].vmas = 1;
	s->procs[0].mapped = 1000;
	s->sharing.mapped = 1000;
	s->sharing.ksm_pfns = 10;
	s->sharing.ksm_mapped = 1000;
	s->sharing.groups = 10;
	s->sharing.grouped = 1000;
	s->sharing.hash = 0x4797fd1ba0eca6c9ULL;
	s->sharing.sizes = malloc(10 * sizeof(int64_t));
	for (int i = 0; i < 10; i++)
		s->sharing.sizes[i] = 100;
}

static char *write_to_string(const struct ksm_snapshot *s)
{
	struct test_capture cap;

	assert_int_equal(ksm_snapshot_write(test_capture_open(&cap), s), 0);
	return test_capture_close(&cap);
}

static void test_writer_exact_text(void **state)
{
	struct ksm_snapshot s;
	char *text;
	char want[sizeof(example) + 1];

	(void)state;
	build_example(&s);
	text = write_to_string(&s);
	snprintf(want, sizeof(want), "%s\n", example);
	assert_string_equal(text, want);
	free(text);
	ksm_snapshot_free(&s);
}

static void test_writer_empty_and_escapes(void **state)
{
	struct ksm_snapshot s;
	char *text;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.line = 3;
	s.label = strdup("q\"\\\n\x01");
	ksm_knobs_default(&s.knobs);
	s.knobs.advisor_mode = KSM_ADVISOR_SCAN_TIME;
	s.global.general_profit = -128;
	s.sharing.hash = KSM_FNV1A64_INIT;
	text = write_to_string(&s);
	assert_non_null(strstr(text, "\"label\":\"q\\\"\\\\\\n\\u0001\""));
	assert_non_null(strstr(text, "\"general_profit\":-128,"));
	assert_non_null(strstr(text, "\"advisor_mode\":\"scan-time\""));
	assert_non_null(strstr(text, "\"procs\":{},"));
	assert_non_null(strstr(text, "\"hash\":\"cbf29ce484222325\",\"sizes\":[]}}\n"));

	/* and back */
	{
		struct ksm_snapshot r;
		struct ksm_diag err;

		assert_int_equal(ksm_snapshot_parse("t", 1, text, strlen(text) - 1, &r, &err), 0);
		assert_string_equal(r.label, s.label);
		assert_int_equal(r.global.general_profit, -128);
		assert_int_equal(r.knobs.advisor_mode, KSM_ADVISOR_SCAN_TIME);
		assert_int_equal(r.nprocs, 0);
		assert_null(r.sharing.sizes);
		ksm_snapshot_free(&r);
	}
	free(text);
	ksm_snapshot_free(&s);
}

static void test_reader_round_trip(void **state)
{
	struct ksm_snapshot want, got;
	struct ksm_diag err;
	char *text;

	(void)state;
	build_example(&want);
	assert_int_equal(ksm_snapshot_parse("x.jsonl", 7, example, strlen(example), &got, &err), 0);
	assert_int_equal(got.src_line, 7);
	assert_int_equal(got.line, want.line);
	assert_string_equal(got.label, want.label);
	assert_memory_equal(&got.global, &want.global, sizeof(want.global));
	assert_memory_equal(&got.knobs, &want.knobs, sizeof(want.knobs));
	assert_int_equal(got.nprocs, 1);
	assert_memory_equal(&got.procs[0], &want.procs[0], sizeof(want.procs[0]));
	assert_true(got.sharing.hash == want.sharing.hash);
	assert_int_equal(got.sharing.groups, 10);
	assert_memory_equal(got.sharing.sizes, want.sharing.sizes, 10 * sizeof(int64_t));
	text = write_to_string(&got);
	assert_memory_equal(text, example, strlen(example));
	free(text);
	ksm_snapshot_free(&got);
	ksm_snapshot_free(&want);
}

/* Whitespace between tokens and any member order are accepted; procs sorted. */
static void test_reader_lenient_where_json_is(void **state)
{
	const char *text =
		"{ \"label\" : \"\", \"line\" : 1,\n"
		"  \"procs\": {\"zz\": {\"zero_pfn\":0,\"mapped\":0,\"vmas\":0,"
		"\"ksm_mergeable\":false,\"ksm_merge_any\":true,\"ksm_process_profit\":-64,"
		"\"ksm_zero_pages\":0,\"ksm_merging_pages\":0,\"ksm_rmap_items\":1},"
		"\"a\": {\"ksm_rmap_items\":0,\"ksm_merging_pages\":0,\"ksm_zero_pages\":0,"
		"\"ksm_process_profit\":0,\"ksm_merge_any\":false,\"ksm_mergeable\":false,"
		"\"vmas\":0,\"mapped\":0,\"zero_pfn\":0}},"
		"\"sharing\":{\"sizes\":[],\"hash\":\"cbf29ce484222325\",\"grouped\":0,"
		"\"groups\":0,\"ksm_mapped\":0,\"ksm_pfns\":0,\"zero_pfn\":0,\"mapped\":0},"
		"\"knobs\":{\"run\":1,\"pages_to_scan\":100,\"sleep_millisecs\":20,\"smart_scan\":1,"
		"\"max_page_sharing\":256,\"use_zero_pages\":0,"
		"\"stable_node_chains_prune_millisecs\":2000,\"merge_across_nodes\":1,"
		"\"advisor_mode\":\"none\",\"advisor_target_scan_time\":200,"
		"\"advisor_min_pages_to_scan\":500,\"advisor_max_pages_to_scan\":30000,"
		"\"advisor_max_cpu\":70},"
		"\"global\":{\"full_scans\":0,\"general_profit\":0,\"ksm_zero_pages\":0,"
		"\"pages_scanned\":0,\"pages_shared\":0,\"pages_sharing\":0,\"pages_skipped\":0,"
		"\"pages_unshared\":0,\"pages_volatile\":0,\"stable_node_chains\":0,"
		"\"stable_node_dups\":0} }  ";
	struct ksm_snapshot s;
	struct ksm_diag err;

	(void)state;
	if (ksm_snapshot_parse("t", 1, text, strlen(text), &s, &err))
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	assert_int_equal(s.nprocs, 2);
	assert_string_equal(s.procs[0].name, "a");
	assert_string_equal(s.procs[1].name, "zz");
	assert_true(s.procs[1].stat.ksm_merge_any);
	assert_int_equal(s.procs[1].stat.ksm_process_profit, -64);
	ksm_snapshot_free(&s);
}

/*
 * Replace the first @from in the example by @to, parse, and check the
 * message and that the column is where @at (searched in the modified
 * text, from @from's position) starts.
 */
static void check_error(const char *from, const char *to, const char *at,
			const char *msg)
{
	char text[4096], want[1024], got[1024];
	const char *p = strstr(example, from);
	size_t pre;
	struct ksm_snapshot s;
	struct ksm_diag err;
	const char *where;

	assert_non_null(p);
	pre = (size_t)(p - example);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, example, to, p + strlen(from));
	where = strstr(text + pre, at);
	if (!where)
		fail_msg("marker '%s' not found", at);
	assert_int_not_equal(ksm_snapshot_parse("f.jsonl", 4, text, strlen(text), &s, &err), 0);
	snprintf(want, sizeof(want), "f.jsonl:4:%zu: %s", (size_t)(where - text) + 1, msg);
	snprintf(got, sizeof(got), "%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	assert_string_equal(got, want);
	assert_null(s.label);
	assert_null(s.procs);
}

static void test_reader_errors(void **state)
{
	(void)state;
	check_error("\"full_scans\":2,", "\"full_scans\":2.5,", "2.5",
		    "expected an integer for global.full_scans, found a fraction or exponent");
	check_error("\"full_scans\":2,", "\"full_scans\":1e3,", "1e3",
		    "expected an integer for global.full_scans, found a fraction or exponent");
	check_error("\"full_scans\":2,", "\"full_scans\":02,", "02",
		    "leading zero in an integer for global.full_scans");
	check_error("\"full_scans\":2,", "\"full_scans\":\"2\",", "\"2\"",
		    "expected an integer for global.full_scans, found a string");
	check_error("\"pages_shared\":10,", "\"pages_shared\":99999999999999999999,",
		    "9999", "integer out of range for global.pages_shared");
	check_error("\"pages_shared\":10,", "\"pages_shared\":-1,", "-1",
		    "negative value for global.pages_shared");
	check_error("\"stable_node_dups\":0}", "\"stable_node_dups\":0,\"bogus\":1}",
		    "\"bogus\"", "unknown key \"bogus\" in global");
	check_error(",\"zero_pfn\":0}}", "}}", "}}",
		    "missing key \"zero_pfn\" in procs.a");
	check_error("\"label\":\"r2\",", "\"label\":\"r2\",\"label\":\"x\",", "\"label\":\"x\"",
		    "duplicate key \"label\" in the record");
	check_error("\"ksm_merge_any\":false", "\"ksm_merge_any\":0", "0,",
		    "expected true or false for procs.a.ksm_merge_any, found a number");
	check_error("\"hash\":\"4797fd1ba0eca6c9\"", "\"hash\":\"4797FD1BA0ECA6C9\"", "FD1",
		    "sharing.hash must be 16 lower-case hex digits");
	check_error("\"hash\":\"4797fd1ba0eca6c9\"", "\"hash\":\"4797\"", "\"4797\"",
		    "sharing.hash must be 16 lower-case hex digits");
	check_error("\"groups\":10,", "\"groups\":9,", "[100",
		    "sharing.sizes has 10 entries but sharing.groups is 9");
	check_error("\"advisor_mode\":\"none\"", "\"advisor_mode\":\"auto\"", "\"auto\"",
		    "knobs.advisor_mode must be \"none\" or \"scan-time\", not \"auto\"");
	check_error("\"procs\":{\"a\":", "\"procs\":{\"1a\":", "\"1a\"",
		    "invalid process name \"1a\" in procs");
	check_error("\"label\":\"r2\"", "\"label\":\"r\\q\"", "\\q",
		    "invalid escape '\\q'");
	check_error("\"label\":\"r2\"", "\"label\":r2", "r2",
		    "expected a string for label, found an unexpected character");
	check_error("\"line\":12,", "\"line\":12 ", "\"label\"",
		    "expected ',' or '}' in the record, found a string");
	check_error("\"line\":12,", "\"lines\":12,", "\"lines\"",
		    "unknown key \"lines\" in the record");
	check_error("\"global\":{", "\"global\":[", "[",
		    "expected an object for global, found an array");
	check_error("[100,100,100,100,100,100,100,100,100,100]",
		    "[100,100,100,100,100,100,100,100,100,1]", "1]",
		    "group size 1 in sharing.sizes (groups have two or more pairs)");
}

static void test_reader_errors_whole_line(void **state)
{
	struct ksm_snapshot s;
	struct ksm_diag err;
	char text[4096];

	(void)state;
	/* trailing characters */
	snprintf(text, sizeof(text), "%s x", example);
	assert_int_not_equal(ksm_snapshot_parse("f", 2, text, strlen(text), &s, &err), 0);
	assert_int_equal(err.col, strlen(example) + 2);
	assert_string_equal(err.msg, "unexpected characters after the record");

	/* truncated after a comma */
	{
		size_t cut = (size_t)(strstr(example, "\"general_profit\"") - example);

		assert_int_not_equal(ksm_snapshot_parse("f", 2, example, cut, &s, &err), 0);
		assert_int_equal(err.col, cut + 1);
		assert_string_equal(err.msg, "expected a key in global, found the end of the line");
	}

	/* unterminated string: reported where it starts */
	assert_int_not_equal(ksm_snapshot_parse("f", 1, "{\"line\":1,\"label\":\"ab", 21,
						&s, &err), 0);
	assert_int_equal(err.col, 19);
	assert_string_equal(err.msg, "unterminated string");

	/* missing top-level key, reported at the closing brace */
	assert_int_not_equal(ksm_snapshot_parse("f", 1, "{\"line\":1}", 10, &s, &err), 0);
	assert_int_equal(err.col, 10);
	assert_string_equal(err.msg, "missing key \"label\" in the record");

	/* invalid UTF-8 */
	assert_int_not_equal(ksm_snapshot_parse("f", 1, "{\"label\":\"\xc0\xaf\"}", 14,
						&s, &err), 0);
	assert_int_equal(err.col, 11);
	assert_string_equal(err.msg, "invalid UTF-8 in a string");

	/* not an object */
	assert_int_not_equal(ksm_snapshot_parse("f", 1, "[]", 2, &s, &err), 0);
	assert_int_equal(err.col, 1);
	assert_string_equal(err.msg, "expected an object for the record, found an array");
}

static void test_read_file(void **state)
{
	char path[] = "/tmp/test_snapshot_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct ksm_snapshot *recs;
	size_t n;
	struct ksm_diag err;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	/* two records, no final newline */
	fprintf(f, "%s\n%s", example, example);
	fclose(f);
	assert_int_equal(ksm_snapshot_read_file(path, &recs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(recs[1].src_line, 2);
	ksm_snapshot_array_free(recs, n);

	/* an empty line is an error, with its line number */
	f = fopen(path, "w");
	fprintf(f, "%s\n\n%s\n", example, example);
	fclose(f);
	assert_int_not_equal(ksm_snapshot_read_file(path, &recs, &n, &err), 0);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
	assert_string_equal(err.msg, "empty line (expected a snapshot record)");

	/* an error on line 3 names line 3 */
	f = fopen(path, "w");
	fprintf(f, "%s\n%s\n{\"line\":x}\n", example, example);
	fclose(f);
	assert_int_not_equal(ksm_snapshot_read_file(path, &recs, &n, &err), 0);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 9);

	/* an empty file holds no records */
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(ksm_snapshot_read_file(path, &recs, &n, &err), 0);
	assert_int_equal(n, 0);
	ksm_snapshot_array_free(recs, n);

	unlink(path);
	assert_int_not_equal(ksm_snapshot_read_file(path, &recs, &n, &err), 0);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "cannot read: "));
}

/* What the differ reported, one "FIELD: A != B" per line. */
struct diff_text {
	char buf[1024];
	size_t n;
};

static void collect_diff(void *ctx, const struct ksm_snapshot *a,
			 const struct ksm_snapshot *b, const char *field,
			 const char *va, const char *vb)
{
	struct diff_text *d = ctx;

	(void)a;
	(void)b;
	d->n += (size_t)snprintf(d->buf + d->n, sizeof(d->buf) - d->n, "%s: %s != %s\n",
				 field, va, vb);
}

/*
 * One differ for `diff` and `compare`: the record's own spelling of the
 * values by default, `expect`'s with expect_values (compare's), and the
 * migrate summaries through ksm_snapdiff_fields().
 */
static void test_differ_value_styles(void **state)
{
	static const char *const sizes[] = { "sharing.sizes" };
	struct ksm_snapshot a, b;
	struct diff_text d = { .n = 0 };
	struct ksm_snapdiff_opts o = { .on_diff = collect_diff, .ctx = &d };
	struct ksm_migrate_summary ma = { .moved = true, .mappings = 3 }, mb = ma;

	(void)state;
	build_example(&a);
	build_example(&b);
	b.knobs.advisor_mode = KSM_ADVISOR_SCAN_TIME;
	b.sharing.hash = 0x1ULL;
	b.sharing.sizes[0] = 3;
	b.procs[0].stat.ksm_mergeable = false;
	assert_int_equal(ksm_snapdiff_compare(&a, 1, &b, 1, &o), 4);
	assert_string_equal(d.buf,
			    "knobs.advisor_mode: \"none\" != \"scan-time\"\n"
			    "procs.a.ksm_mergeable: true != false\n"
			    "sharing.hash: \"4797fd1ba0eca6c9\" != \"0000000000000001\"\n"
			    "sharing.sizes: [100,100,100,100,100,100,100,100,100,100] != "
			    "[3,100,100,100,100,100,100,100,100,100]\n");
	d.n = 0;
	o.expect_values = true;
	o.ignore = sizes;
	o.nignore = 1;
	assert_int_equal(ksm_snapdiff_compare(&a, 1, &b, 1, &o), 3);
	assert_string_equal(d.buf,
			    "knobs.advisor_mode: 0 != 1\n"
			    "procs.a.ksm_mergeable: true != false\n"
			    "sharing.hash: 4797fd1ba0eca6c9 != 0000000000000001\n");
	d.n = 0;
	mb.moved = false;
	mb.on_old = 2;
	assert_int_equal(ksm_snapdiff_fields("migrate", ksm_snap_migrate_summary_fields,
					     &ma, &mb, &o), 2);
	assert_string_equal(d.buf, "migrate.moved: true != false\nmigrate.on_old: 0 != 2\n");
	ksm_snapshot_free(&a);
	ksm_snapshot_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_exact_text),
		cmocka_unit_test(test_writer_empty_and_escapes),
		cmocka_unit_test(test_reader_round_trip),
		cmocka_unit_test(test_reader_lenient_where_json_is),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_errors_whole_line),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_differ_value_styles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
