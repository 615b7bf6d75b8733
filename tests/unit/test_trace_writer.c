// SPDX-License-Identifier: MIT
/*
 * DOC: Unit tests of the ksmtrace v1 writer
 *
 * The writer's contract is twofold: its output is the canonical text
 * (checked byte for byte on a trace that uses every command and form),
 * and parsing its output gives back the same commands (checked on every
 * trace of this file, on the fuzz seed corpus, and on traces that differ
 * only in how they were written).  trace_cmd_equal() is tested too, since
 * the round-trip checks are only as good as it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_util.h"
#include "ksmsim/trace.h"

static void parse_or_fail(const char *text, size_t len, struct trace *t)
{
	struct ksm_diag d;

	if (trace_parse_string("w.trace", text, len, t, &d))
		fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
}

/* trace_write() of @t into a fresh string (free it). */
static char *write_to_string(const struct trace *t)
{
	struct test_capture cap;

	assert_int_equal(trace_write(test_capture_open(&cap), t), 0);
	return test_capture_close(&cap);
}

/*
 * parse(write(parse(text))) == parse(text), and the canonical text is a
 * fixed point: writing the re-parsed trace gives the same text again.
 */
static void check_roundtrip(const char *what, const char *text, size_t len)
{
	struct trace t1, t2;
	char *out1, *out2;

	parse_or_fail(text, len, &t1);
	out1 = write_to_string(&t1);
	parse_or_fail(out1, strlen(out1), &t2);
	if (!trace_equal(&t1, &t2))
		fail_msg("%s: round trip changed the trace; written:\n%s",
			 what, out1);
	out2 = write_to_string(&t2);
	assert_string_equal(out1, out2);
	free(out1);
	free(out2);
	trace_free(&t1);
	trace_free(&t2);
}

#define ROUNDTRIP(text) check_roundtrip(#text, text, sizeof(text) - 1)

/* Every command and form, written untidily. */
static const char untidy[] =
	"\xef\xbb\xbf# a comment before the header\r\n"
	"  ksmtrace\t0x1 # header\r\n"
	"set run=1\tpages_to_scan=0x2710 advisor_mode=scan-time sim.kernel=6.18 sim.x=a=b\n"
	"spawn a\n"
	"fork   a b\n"
	"mmap a 1099511627776 0x3e8\n"
	"mmap a 0x200000000000 4 rw\n"
	"mmap a 0x300000000000 4 r\n"
	"mmap a 0x400000000000 4 none\n"
	"munmap a 0x200000000000 1\n"
	"mprotect a 0x300000000000 2 rw\n"
	"mremap a 0x300000000000 2 0x500000000000 0x10\n"
	"madvise a 0x100000000000 1000 mergeable\n"
	"madvise a 0x100000000000 1 unmergeable\n"
	"madvise a 0x100000000000 1 dontneed\n"
	"prctl b merge_any=0x1\n"
	"prctl b merge_any=00\n"
	"write a 0x100000000000 1000 mod=10,0x1\n"
	"write a 0x100000000000 3 token=0xDEADBEEF\n"
	"write a 0x100000000000 3 seq=007\n"
	"write a 0x100000000000 3 list=0x10,2,0\n"
	"write a 0x100000000000 3 zero\n"
	"read b 0x100000000000 0x2\n"
	"scan rounds=2\n"
	"scan batches=0x10\n"
	"expect pages_shared=0xa general_profit=-4096 b.ksm_merge_any=yes a.ksm_mergeable=0 sharing.hash=CBF29CE484222325\n"
	"snapshot\n"
	"snapshot after-fork\n"
	"check\n"
	"rmap a 0x100000001000\n"
	"dot stable s.dot\n"
	"dot unstable u.dot\n"
	"dot all all.dot\n"
	"dot mm a mm.dot\n"
	"dot anon_vma a 0x100000000000 av.dot\n"
	"dot rmap b 0x100000000000 r.dot\n"
	"exit b\n";

static const char canonical[] =
	"ksmtrace 1\n"
	"set run=1 pages_to_scan=0x2710 advisor_mode=scan-time sim.kernel=6.18 sim.x=a=b\n"
	"spawn a\n"
	"fork a b\n"
	"mmap a 0x10000000000 1000\n"
	"mmap a 0x200000000000 4\n"
	"mmap a 0x300000000000 4 r\n"
	"mmap a 0x400000000000 4 none\n"
	"munmap a 0x200000000000 1\n"
	"mprotect a 0x300000000000 2 rw\n"
	"mremap a 0x300000000000 2 0x500000000000 16\n"
	"madvise a 0x100000000000 1000 mergeable\n"
	"madvise a 0x100000000000 1 unmergeable\n"
	"madvise a 0x100000000000 1 dontneed\n"
	"prctl b merge_any=1\n"
	"prctl b merge_any=0\n"
	"write a 0x100000000000 1000 mod=10,1\n"
	"write a 0x100000000000 3 token=3735928559\n"
	"write a 0x100000000000 3 seq=7\n"
	"write a 0x100000000000 3 list=16,2,0\n"
	"write a 0x100000000000 3 zero\n"
	"read b 0x100000000000 2\n"
	"scan rounds=2\n"
	"scan batches=16\n"
	"expect pages_shared=0xa general_profit=-4096 b.ksm_merge_any=yes a.ksm_mergeable=0 sharing.hash=CBF29CE484222325\n"
	"snapshot\n"
	"snapshot after-fork\n"
	"check\n"
	"rmap a 0x100000001000\n"
	"dot stable s.dot\n"
	"dot unstable u.dot\n"
	"dot all all.dot\n"
	"dot mm a mm.dot\n"
	"dot anon_vma a 0x100000000000 av.dot\n"
	"dot rmap b 0x100000000000 r.dot\n"
	"exit b\n";

static void test_canonical_form(void **state)
{
	struct trace t;
	char *out;

	(void)state;
	parse_or_fail(untidy, sizeof(untidy) - 1, &t);
	out = write_to_string(&t);
	assert_string_equal(out, canonical);
	free(out);
	trace_free(&t);
	ROUNDTRIP(untidy);
	ROUNDTRIP(canonical);
}

static void test_roundtrip_traces(void **state)
{
	(void)state;
	ROUNDTRIP("ksmtrace 1\n");
	ROUNDTRIP("# nothing\nksmtrace 1 # but the header\n\n");
	ROUNDTRIP("ksmtrace 1\n"
		  "set pages_to_scan=10000 smart_scan=1\n"
		  "spawn a\n"
		  "mmap a 0x100000000000 1000\n"
		  "write a 0x100000000000 1000 mod=10,1\n"
		  "madvise a 0x100000000000 1000 mergeable\n"
		  "scan rounds=2\n"
		  "expect pages_shared=10 pages_sharing=990\n"
		  "fork a b\n"
		  "write b 0x100000000000 1 token=77      # COW-breaks one KSM mapping in b\n"
		  "scan rounds=2\n"
		  "snapshot after-fork\n"
		  "check\n");
	/* Extremes of every number. */
	ROUNDTRIP("ksmtrace 1\n"
		  "mmap a 0x10000 34359738352\n"
		  "mmap a 0x7ffffffff000 1 none\n"
		  "write a 0x10000 1 token=18446744073709551615\n"
		  "write a 0x10000 1 seq=0xffffffffffffffff\n"
		  "write a 0x10000 3 mod=18446744073709551615,0\n"
		  "write a 0x10000 3 list=18446744073709551615,0\n"
		  "scan batches=18446744073709551615\n"
		  "set max_page_sharing=18446744073709551615 sim.big=99999999999999999999999\n"
		  "expect general_profit=-9223372036854775808 z.ksm_process_profit=9223372036854775807\n");
	/* Names at their limits; free text with non-ASCII characters. */
	ROUNDTRIP("ksmtrace 1\n"
		  "spawn abcdefghijklmnopqrstuvwxyz_ABCDE\n"
		  "set sim.note=\xc3\xa9t\xc3\xa9 sim.\xe2\x82\xac=1\n"
		  "dot all \xc3\xa9.dot\n"
		  "snapshot A:b.c-d_9\n"
		  "expect _.vmas=0 sharing.groups=0 x.ksm_merge_any=false\n");
	/* CRLF and tabs. */
	ROUNDTRIP("ksmtrace 1\r\n\tspawn\ta\r\nmmap a 0x10000 1\t \r\n");
}

/* Traces that differ only in spelling parse to equal commands. */
static void test_spellings_equal(void **state)
{
	static const char *const pairs[][2] = {
		{ "mmap a 0x10000 1", "mmap  a 65536 0x1 rw # x" },
		{ "write a 0x10000 2 token=255", "write a 0x10000 2 token=0xFF" },
		{ "scan rounds=1", "scan rounds=0x01" },
		{ "prctl a merge_any=1", "prctl a merge_any=0x1" },
		{ "dot mm a f", "dot\tmm\ta\tf" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char b1[256], b2[256];
		struct trace t1, t2;

		snprintf(b1, sizeof(b1), "ksmtrace 1\n%s\n", pairs[i][0]);
		snprintf(b2, sizeof(b2), "ksmtrace 1\n%s\n", pairs[i][1]);
		parse_or_fail(b1, strlen(b1), &t1);
		parse_or_fail(b2, strlen(b2), &t2);
		if (!trace_equal(&t1, &t2))
			fail_msg("'%s' and '%s' differ", pairs[i][0],
				 pairs[i][1]);
		trace_free(&t1);
		trace_free(&t2);
	}
}

/* Each field matters to trace_cmd_equal(). */
static void test_cmd_equal(void **state)
{
	static const char base[] =
		"ksmtrace 1\n"
		"write a 0x10000 2 list=1,2\n"
		"set run=1\n"
		"snapshot x\n"
		"dot rmap a 0x10000 f\n"
		"mremap a 0x10000 1 0x20000 2\n";
	static const char *const variants[][2] = {
		/* { line to change, replacement } */
		{ "write a 0x10000 2 list=1,2", "write b 0x10000 2 list=1,2" },
		{ "write a 0x10000 2 list=1,2", "write a 0x11000 2 list=1,2" },
		{ "write a 0x10000 2 list=1,2", "write a 0x10000 3 list=1,2" },
		{ "write a 0x10000 2 list=1,2", "write a 0x10000 2 list=1,3" },
		{ "write a 0x10000 2 list=1,2", "write a 0x10000 2 list=1,2,2" },
		{ "write a 0x10000 2 list=1,2", "write a 0x10000 2 mod=1,2" },
		{ "write a 0x10000 2 list=1,2", "read a 0x10000 2" },
		{ "set run=1", "set run=2" },
		{ "set run=1", "set run=0x1" },
		{ "set run=1", "set sim.run=1" },
		{ "set run=1", "set run=1 run=1" },
		{ "snapshot x", "snapshot y" },
		{ "snapshot x", "snapshot" },
		{ "dot rmap a 0x10000 f", "dot rmap a 0x10000 g" },
		{ "dot rmap a 0x10000 f", "dot anon_vma a 0x10000 f" },
		{ "mremap a 0x10000 1 0x20000 2", "mremap a 0x10000 1 0x30000 2" },
		{ "mremap a 0x10000 1 0x20000 2", "mremap a 0x10000 1 0x20000 3" },
	};
	struct trace t0;
	size_t i;

	(void)state;
	parse_or_fail(base, sizeof(base) - 1, &t0);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char buf[512], *at;
		size_t pre;
		struct trace t1;

		at = strstr(base, variants[i][0]);
		assert_non_null(at);
		pre = (size_t)(at - base);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, base,
			 variants[i][1], at + strlen(variants[i][0]));
		parse_or_fail(buf, strlen(buf), &t1);
		if (trace_equal(&t0, &t1))
			fail_msg("variant %zu ('%s') compares equal", i,
				 variants[i][1]);
		trace_free(&t1);
	}
	trace_free(&t0);

	/* Positions do not matter; the file name does not either. */
	{
		struct trace a, b;
		struct ksm_diag d;
		static const char x[] = "ksmtrace 1\nspawn a\n";
		static const char y[] = "\n\nksmtrace 1\n\n   spawn    a\n";

		assert_int_equal(trace_parse_string("x", x, sizeof(x) - 1, &a, &d), 0);
		assert_int_equal(trace_parse_string("y", y, sizeof(y) - 1, &b, &d), 0);
		assert_true(trace_equal(&a, &b));
		trace_free(&a);
		trace_free(&b);
	}
}

/* Hand-built commands, as a generator would make them. */
static void test_write_cmd(void **state)
{
	struct trace_cmd c;
	struct trace_kv kv;
	uint64_t list[2] = { 5, 6 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);

	memset(&c, 0, sizeof(c));
	c.kind = TC_WRITE;
	strcpy(c.proc[0], "gen");
	c.addr = 0x7f0000000000ULL;
	c.npages = 2;
	c.content.kind = TCONT_LIST;
	c.content.list = list;
	c.content.nlist = 2;
	assert_int_equal(trace_write_cmd(f, &c), 0);
	fputc('|', f);

	/* A pair with only a number is written from the number. */
	memset(&c, 0, sizeof(c));
	memset(&kv, 0, sizeof(kv));
	kv.name = "pages_to_scan";
	kv.is_num = true;
	kv.num = 123;
	c.kind = TC_SET;
	c.kvs = &kv;
	c.nkvs = 1;
	assert_int_equal(trace_write_cmd(f, &c), 0);
	fputc('|', f);

	memset(&c, 0, sizeof(c));
	c.kind = TC_MMAP;	/* prot 0 is none, not the default rw */
	strcpy(c.proc[0], "p");
	c.addr = 0x10000;
	c.npages = 1;
	assert_int_equal(trace_write_cmd(f, &c), 0);
	fclose(f);
	assert_string_equal(buf,
			    "write gen 0x7f0000000000 2 list=5,6|"
			    "set pages_to_scan=123|"
			    "mmap p 0x10000 1 none");
	free(buf);

	/* An out-of-range kind is refused. */
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	memset(&c, 0, sizeof(c));
	c.kind = TC__COUNT;
	errno = 0;
	assert_int_equal(trace_write_cmd(f, &c), -1);
	assert_int_equal(errno, EINVAL);
	fclose(f);
}

static void test_write_failure(void **state)
{
	struct trace t;
	FILE *f;

	(void)state;
	parse_or_fail(canonical, sizeof(canonical) - 1, &t);
	/* A stream open for reading only: every write fails. */
	f = fopen("/dev/null", "r");
	assert_non_null(f);
	assert_int_equal(trace_write(f, &t), -1);
	fclose(f);
	trace_free(&t);
}

/* The fuzz seed corpus round-trips (tests/fuzz/corpus). */
static void test_roundtrip_fuzz_corpus(void **state)
{
	char src[4096], dir[4200];
	struct dirent *e;
	DIR *d;
	int n = 0;

	(void)state;
	snprintf(src, sizeof(src), "%s", __FILE__);
	snprintf(dir, sizeof(dir), "%s/../fuzz/corpus", dirname(src));
	d = opendir(dir);
	if (!d)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		char path[8192];
		struct trace t1, t2;
		struct ksm_diag diag;
		char *out;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (trace_parse_file(path, &t1, &diag))
			fail_msg("%s:%u:%u: %s", diag.file, diag.line, diag.col,
				 diag.msg);
		out = write_to_string(&t1);
		parse_or_fail(out, strlen(out), &t2);
		if (!trace_equal(&t1, &t2))
			fail_msg("%s: round trip changed the trace", path);
		assert_true(t1.ncmds > 0);
		free(out);
		trace_free(&t1);
		trace_free(&t2);
		n++;
	}
	closedir(d);
	assert_true(n >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_form),
		cmocka_unit_test(test_roundtrip_traces),
		cmocka_unit_test(test_spellings_equal),
		cmocka_unit_test(test_cmd_equal),
		cmocka_unit_test(test_write_cmd),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_roundtrip_fuzz_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
