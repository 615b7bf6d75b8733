// SPDX-License-Identifier: MIT
/*
 * DOC: Unit tests of the ksmtrace v1 lexer and parser
 *
 * Every diagnostic the parser can produce is provoked here at least once,
 * and the test asserts its exact line, column and text: the messages are
 * part of the interface (docs/trace-format.md lists them, and error
 * traces compare them byte for byte).  The positive tests check the
 * fields of the parsed commands, not just that parsing succeeded, and
 * every trace that parses is also pushed through the writer and parsed
 * again, which must give the same commands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit_util.h"
#include "ksmsim/trace.h"
#include "trace/lexer.h"

/* --- Helpers ------------------------------------------------------------ */

/* write(@t) must parse back to commands equal to @t's. */
static void roundtrip_at(const struct trace *t, const char *file, int at)
{
	struct test_capture cap;
	struct trace t2;
	struct ksm_diag d;
	char *buf;
	size_t len;

	assert_int_equal(trace_write(test_capture_open(&cap), t), 0);
	buf = test_capture_close(&cap);
	len = cap.len;
	if (trace_parse_string("rt", buf, len, &t2, &d)) {
		print_error("%s:%d: written trace does not parse: %u:%u: %s\n%s",
			    file, at, d.line, d.col, d.msg, buf);
		_fail(file, at);
	}
	if (!trace_equal(t, &t2)) {
		print_error("%s:%d: round trip changed the trace:\n%s", file,
			    at, buf);
		_fail(file, at);
	}
	trace_free(&t2);
	free(buf);
}

static void parse_ok_at(const char *text, size_t len, struct trace *t,
			const char *file, int at)
{
	struct ksm_diag d;

	memset(&d, 0, sizeof(d));
	if (trace_parse_string("t.trace", text, len, t, &d)) {
		print_error("%s:%d: unexpected error %s:%u:%u: %s\n", file, at,
			    d.file, d.line, d.col, d.msg);
		_fail(file, at);
	}
	roundtrip_at(t, file, at);
}

#define PARSE_OK(text, t) parse_ok_at(text, sizeof(text) - 1, t, __FILE__, __LINE__)

/* Parse "ksmtrace 1\n" @cmdline; it must give exactly one command. */
static const struct trace_cmd *one_at(const char *cmdline, struct trace *t,
				      const char *file, int at)
{
	size_t n = strlen(cmdline) + 12;
	char *buf = malloc(n + 1);

	assert_non_null(buf);
	snprintf(buf, n + 1, "ksmtrace 1\n%s\n", cmdline);
	parse_ok_at(buf, n, t, file, at);
	free(buf);
	if (t->ncmds != 1) {
		print_error("%s:%d: %zu commands\n", file, at, t->ncmds);
		_fail(file, at);
	}
	return &t->cmds[0];
}

#define ONE(cmdline, t) one_at(cmdline, t, __FILE__, __LINE__)

static void err_at(const char *text, size_t len, unsigned line, unsigned col,
		   const char *msg, const char *file, int at)
{
	struct trace t;
	struct ksm_diag d;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = trace_parse_string("t.trace", text, len, &t, &d);
	if (rc != -1 || d.line != line || d.col != col ||
	    strcmp(d.msg, msg) || strcmp(d.file, "t.trace")) {
		print_error("%s:%d:\n want: -1 t.trace:%u:%u: %s\n got:  %d %s:%u:%u: %s\n",
			    file, at, line, col, msg, rc, d.file, d.line,
			    d.col, d.msg);
		_fail(file, at);
	}
	/* A failed parse leaves nothing behind. */
	assert_int_equal(t.ncmds, 0);
	assert_null(t.cmds);
	assert_null(t.file);
}

/* Whole text (a literal, may hold NULs) must fail at LINE:COL with MSG. */
#define ERR(text, line, col, msg) \
	err_at(text, sizeof(text) - 1, line, col, msg, __FILE__, __LINE__)
/* One command line after the header must fail at 2:COL with MSG. */
#define CMD_ERR(cmdline, col, msg) \
	ERR("ksmtrace 1\n" cmdline "\n", 2, col, msg)

/* Command line built at run time (for long or generated inputs). */
static void cmd_err_dyn_at(const char *cmdline, unsigned col, const char *msg,
			   const char *file, int at)
{
	size_t n = strlen(cmdline);
	char *buf = malloc(n + 16);

	assert_non_null(buf);
	memcpy(buf, "ksmtrace 1\n", 11);
	memcpy(buf + 11, cmdline, n);
	err_at(buf, n + 11, 2, col, msg, file, at);
	free(buf);
}

#define CMD_ERR_DYN(cmdline, col, msg) \
	cmd_err_dyn_at(cmdline, col, msg, __FILE__, __LINE__)

/* --- Header ------------------------------------------------------------- */

static void test_header_ok(void **state)
{
	struct trace t;

	(void)state;
	PARSE_OK("ksmtrace 1\n", &t);
	assert_int_equal(t.ncmds, 0);
	assert_int_equal(t.header_line, 1);
	assert_string_equal(t.file, "t.trace");
	trace_free(&t);

	/* Blank lines, comments and whitespace before the header. */
	PARSE_OK("\n# a comment\n   \t \n  ksmtrace\t1   # v1\nspawn a", &t);
	assert_int_equal(t.header_line, 4);
	assert_int_equal(t.ncmds, 1);
	assert_int_equal(t.cmds[0].argpos[0].line, 5);
	trace_free(&t);

	/* Hex and leading zeros are still the number 1. */
	PARSE_OK("ksmtrace 0x1\n", &t);
	trace_free(&t);
	PARSE_OK("ksmtrace 001\n", &t);
	trace_free(&t);

	/* A UTF-8 byte order mark is skipped and takes no column. */
	PARSE_OK("\xef\xbb\xbfksmtrace 1\nspawn a\n", &t);
	assert_int_equal(t.header_line, 1);
	trace_free(&t);
	ERR("\xef\xbb\xbfksmtrace 2\n", 1, 10, "unsupported ksmtrace version 2");
}

static void test_header_errors(void **state)
{
	(void)state;
	ERR("", 1, 1, "expected header 'ksmtrace 1', found end of file");
	ERR("# only\n\n  # comments\n", 1, 1,
	    "expected header 'ksmtrace 1', found end of file");
	ERR("spawn a\n", 1, 1, "expected header 'ksmtrace 1'");
	ERR("\n# c\n   mmap a 0x10000 1\n", 3, 4,
	    "expected header 'ksmtrace 1'");
	ERR("KSMTRACE 1\n", 1, 1, "expected header 'ksmtrace 1'");
	ERR("ksmtrace 2\n", 1, 10, "unsupported ksmtrace version 2");
	ERR("ksmtrace 0\n", 1, 10, "unsupported ksmtrace version 0");
	ERR("ksmtrace 0x1ffffffffffffffffff\n", 1, 10,
	    "unsupported ksmtrace version 0x1ffffffffffffffffff");
	ERR("ksmtrace\n", 1, 9,
	    "missing version after 'ksmtrace' (expected 'ksmtrace 1')");
	ERR("  ksmtrace   # no version\n", 1, 11,
	    "missing version after 'ksmtrace' (expected 'ksmtrace 1')");
	ERR("ksmtrace v1\n", 1, 10,
	    "invalid ksmtrace version 'v1' (expected 'ksmtrace 1')");
	ERR("ksmtrace -1\n", 1, 10,
	    "invalid ksmtrace version '-1' (expected 'ksmtrace 1')");
	ERR("ksmtrace 1 extra\n", 1, 12,
	    "unexpected 'extra' after the header 'ksmtrace 1'");
	ERR("ksmtrace 1\nspawn a\nksmtrace 1\n", 3, 1,
	    "header 'ksmtrace' repeated (the header is line 1)");
}

/* --- Lexical rules ------------------------------------------------------ */

static void test_lex_bad_characters(void **state)
{
	(void)state;
	ERR("ksmtrace 1\nspawn a\0b\n", 2, 8,
	    "NUL character is not allowed in a trace");
	ERR("\0ksmtrace 1\n", 1, 1, "NUL character is not allowed in a trace");
	ERR("ksmtrace 1\nspawn \x01" "a\n", 2, 7,
	    "control character U+0001 is not allowed");
	ERR("ksmtrace 1\nspawn a\x7f\n", 2, 8,
	    "control character U+007F is not allowed");
	ERR("ksmtrace 1\nspawn a\x0b\n", 2, 8,
	    "control character U+000B is not allowed");
	/* Checked in comments too. */
	ERR("ksmtrace 1\nspawn a # x\x0c\n", 2, 12,
	    "control character U+000C is not allowed");
	/* CR is fine only right before LF. */
	ERR("ksmtrace 1\nspawn a\rb\n", 2, 8,
	    "carriage return is only allowed right before the end of a line");
	ERR("ksmtrace 1\nspawn a\r\r\n", 2, 8,
	    "carriage return is only allowed right before the end of a line");
	ERR("ksmtrace 1\nspawn a\r", 2, 8,
	    "carriage return is only allowed right before the end of a line");
	/* Characters are checked before words are read. */
	ERR("ksmtrace 1\nbogus a\x01\n", 2, 8,
	    "control character U+0001 is not allowed");
}

static void test_lex_utf8(void **state)
{
	struct trace t;

	(void)state;
	/* Valid UTF-8 in comments and free-text words is fine. */
	PARSE_OK("ksmtrace 1 # caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"
		 "set sim.note=\xc3\xa9t\xc3\xa9\n", &t);
	assert_string_equal(t.cmds[0].kvs[0].text, "\xc3\xa9t\xc3\xa9");
	trace_free(&t);

	ERR("ksmtrace 1\n# \xff\n", 2, 3, "invalid UTF-8 byte 0xff");
	ERR("ksmtrace 1\nspawn \x80\n", 2, 7, "invalid UTF-8 byte 0x80");
	/* Overlong '/', a surrogate, beyond U+10FFFF, truncated. */
	ERR("ksmtrace 1\n# \xc0\xaf\n", 2, 3, "invalid UTF-8 byte 0xc0");
	ERR("ksmtrace 1\n# \xe0\x80\xaf\n", 2, 3, "invalid UTF-8 byte 0xe0");
	ERR("ksmtrace 1\n# \xed\xa0\x80\n", 2, 3, "invalid UTF-8 byte 0xed");
	ERR("ksmtrace 1\n# \xf4\x90\x80\x80\n", 2, 3,
	    "invalid UTF-8 byte 0xf4");
	ERR("ksmtrace 1\n# \xf0\x80\x80\x80\n", 2, 3,
	    "invalid UTF-8 byte 0xf0");
	ERR("ksmtrace 1\n# ab\xe2\x82\n", 2, 5, "invalid UTF-8 byte 0xe2");
	ERR("ksmtrace 1\n# ab\xe2\x82", 2, 5, "invalid UTF-8 byte 0xe2");
	ERR("ksmtrace 1\n# \xc3" "A\n", 2, 3, "invalid UTF-8 byte 0xc3");
	/* C1 controls are control characters. */
	ERR("ksmtrace 1\n# \xc2\x85\n", 2, 3,
	    "control character U+0085 is not allowed");
	/* Columns count characters: the euro sign is one column. */
	ERR("ksmtrace 1\n# \xe2\x82\xac\x01\n", 2, 4,
	    "control character U+0001 is not allowed");
	CMD_ERR("set sim.\xc3\xa9=1 bogus", 13,
		"expected NAME=VALUE, got 'bogus'");
	CMD_ERR("dot all f\xc3\xa9 x", 12, "dot all takes FILE, got 2 arguments");
	CMD_ERR("dot all f\xc3\xa9\xc3\xa9 x y", 13,
		"dot all takes FILE, got 3 arguments");
	CMD_ERR("spawn \xc3\xa9", 7, "invalid process name '\xc3\xa9'");
	/* The value column of a pair after a multi-byte name. */
	CMD_ERR("set sim.\xc3\xa9\xc3\xa9=", 12, "missing value after 'sim.\xc3\xa9\xc3\xa9='");
}

static void test_lex_whitespace_comments(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("\t mmap\ta \t 0x10000\t\t3   r\t# trailing", &t);
	assert_int_equal(c->kind, TC_MMAP);
	assert_int_equal(c->nargs, 5);
	assert_int_equal(c->argpos[0].col, 3);
	assert_int_equal(c->argpos[1].col, 8);
	assert_int_equal(c->argpos[2].col, 12);
	assert_int_equal(c->argpos[3].col, 21);
	assert_int_equal(c->argpos[4].col, 25);
	assert_int_equal(c->argpos[0].line, 2);
	assert_int_equal(c->argpos[5].line, 0);
	assert_int_equal(c->argpos[5].col, 0);
	assert_int_equal(c->npages, 3);
	assert_int_equal(c->prot, TPROT_R);
	trace_free(&t);

	/* '#' inside a word starts a comment. */
	c = ONE("write a 0x10000 1 token=5#x y z", &t);
	assert_int_equal(c->content.kind, TCONT_TOKEN);
	assert_int_equal(c->content.a, 5);
	trace_free(&t);
	c = ONE("spawn a#b c", &t);
	assert_string_equal(c->proc[0], "a");
	assert_int_equal(c->nargs, 2);
	trace_free(&t);
	CMD_ERR("spawn#a", 1, "spawn takes P, got 0 arguments");
}

static void test_lex_crlf_and_lines(void **state)
{
	struct trace t;

	(void)state;
	PARSE_OK("ksmtrace 1\r\nspawn a\r\n\r\n# c\r\nfork a b\r\n", &t);
	assert_int_equal(t.ncmds, 2);
	assert_string_equal(t.cmds[0].proc[0], "a");
	assert_int_equal(t.cmds[1].argpos[0].line, 5);
	assert_string_equal(t.cmds[1].proc[1], "b");
	trace_free(&t);
	/* No newline at the end of the last line. */
	PARSE_OK("ksmtrace 1\nspawn a", &t);
	assert_int_equal(t.ncmds, 1);
	trace_free(&t);
	/* Line numbers count every line. */
	ERR("ksmtrace 1\r\n\r\n# x\r\n\r\nspawn 9\r\n", 5, 7,
	    "invalid process name '9'");
	ERR("ksmtrace 1\n\n\n\n\n\n\n\n\n\nbad\n", 11, 1,
	    "unknown command 'bad'");
}

/* --- Numbers ------------------------------------------------------------ */

static void test_numbers(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("write a 0x7F0000000000 000012 token=0xDeadBeef", &t);
	assert_int_equal(c->addr, 0x7f0000000000ULL);
	assert_int_equal(c->npages, 12);
	assert_int_equal(c->content.a, 0xdeadbeefULL);
	trace_free(&t);
	c = ONE("write a 65536 1 token=18446744073709551615", &t);
	assert_int_equal(c->addr, 0x10000);
	assert_true(c->content.a == UINT64_MAX);
	trace_free(&t);
	c = ONE("write a 0x00000000000000000000000010000 1 token=0xffffffffffffffff",
		&t);
	assert_int_equal(c->addr, 0x10000);
	assert_true(c->content.a == UINT64_MAX);
	trace_free(&t);

	CMD_ERR("mmap a x1000 1", 8, "expected a number for ADDR, got 'x1000'");
	CMD_ERR("mmap a 0x 1", 8, "expected a number for ADDR, got '0x'");
	CMD_ERR("mmap a 0X10000 1", 8, "expected a number for ADDR, got '0X10000'");
	CMD_ERR("mmap a 0x1g000 1", 8, "expected a number for ADDR, got '0x1g000'");
	CMD_ERR("mmap a 12abc 1", 8, "expected a number for ADDR, got '12abc'");
	CMD_ERR("mmap a 0x10000 1.5", 16, "expected a number for NPAGES, got '1.5'");
	CMD_ERR("mmap a -4096 1", 8,
		"ADDR must be a number without sign, got '-4096'");
	CMD_ERR("mmap a 0x10000 +1", 16,
		"NPAGES must be a number without sign, got '+1'");
	CMD_ERR("mmap a 0x10000 --1", 16,
		"expected a number for NPAGES, got '--1'");
	CMD_ERR("mmap a 0x10000 -", 16, "expected a number for NPAGES, got '-'");
	CMD_ERR("mmap a 0x1ffffffffffffffffff 1", 8,
		"number 0x1ffffffffffffffffff does not fit in 64 bits");
	CMD_ERR("write a 0x10000 1 token=18446744073709551616", 25,
		"number 18446744073709551616 does not fit in 64 bits");
	/* A bad digit is reported as such even after an overflow. */
	CMD_ERR("mmap a 999999999999999999999999x 1", 8,
		"expected a number for ADDR, got '999999999999999999999999x'");
}

static void test_quote_truncation(void **state)
{
	char line[256], want[256];

	(void)state;
	/* Long words are quoted with their first 40 bytes and "...". */
	memset(line, 'a', 100);
	line[100] = '\0';
	snprintf(want, sizeof(want), "unknown command '%.40s...'", line);
	CMD_ERR_DYN(line, 1, want);
	/* ... cut before a character that would straddle byte 40. */
	memset(line, 'b', 39);
	memcpy(line + 39, "\xc3\xa9zzzzzz", 9);
	snprintf(want, sizeof(want), "unknown command '%.39s...'", line);
	CMD_ERR_DYN(line, 1, want);
	/* Exactly 40 bytes: no ellipsis. */
	memset(line, 'c', 40);
	line[40] = '\0';
	snprintf(want, sizeof(want), "unknown command '%.40s'", line);
	CMD_ERR_DYN(line, 1, want);
}

/* --- Commands and argument counts --------------------------------------- */

static void test_unknown_command(void **state)
{
	(void)state;
	CMD_ERR("mmapp a 0x10000 1", 1, "unknown command 'mmapp'");
	CMD_ERR("  MMAP a 0x10000 1", 3, "unknown command 'MMAP'");
	CMD_ERR("a=1", 1, "unknown command 'a=1'");
}

static void test_arg_counts(void **state)
{
	(void)state;
	CMD_ERR("set", 1, "set takes NAME=VALUE [NAME=VALUE ...], got 0 arguments");
	CMD_ERR("spawn", 1, "spawn takes P, got 0 arguments");
	CMD_ERR("spawn a b", 9, "spawn takes P, got 2 arguments");
	CMD_ERR("fork a", 1, "fork takes PARENT CHILD, got 1 argument");
	CMD_ERR("fork a b c", 10, "fork takes PARENT CHILD, got 3 arguments");
	CMD_ERR("exit", 1, "exit takes P, got 0 arguments");
	CMD_ERR("mmap a 0x1001", 1,
		"mmap takes P ADDR NPAGES [PROT], got 2 arguments");
	CMD_ERR("mmap a 0x10000 1 rw x", 21,
		"mmap takes P ADDR NPAGES [PROT], got 5 arguments");
	CMD_ERR("munmap a 0x10000", 1, "munmap takes P ADDR NPAGES, got 2 arguments");
	CMD_ERR("mprotect a 0x10000 1", 1,
		"mprotect takes P ADDR NPAGES PROT, got 3 arguments");
	CMD_ERR("mremap a 0x10000 1 0x20000", 1,
		"mremap takes P OLD_ADDR OLD_NPAGES NEW_ADDR NEW_NPAGES, got 4 arguments");
	CMD_ERR("madvise a 0x10000 1", 1,
		"madvise takes P ADDR NPAGES ADVICE, got 3 arguments");
	CMD_ERR("prctl a", 1, "prctl takes P merge_any=0|1, got 1 argument");
	CMD_ERR("write a 0x10000 1", 1,
		"write takes P ADDR NPAGES CONTENT, got 3 arguments");
	CMD_ERR("write a 0x10000 1 token=1 token=2", 27,
		"write takes P ADDR NPAGES CONTENT, got 5 arguments");
	CMD_ERR("read a 0x10000 1 zero", 18,
		"read takes P ADDR NPAGES, got 4 arguments");
	CMD_ERR("scan", 1, "scan takes rounds=N or batches=N, got 0 arguments");
	CMD_ERR("scan rounds=1 batches=1", 15,
		"scan takes rounds=N or batches=N, got 2 arguments");
	CMD_ERR("expect", 1,
		"expect takes NAME=VALUE [NAME=VALUE ...], got 0 arguments");
	CMD_ERR("snapshot a b", 12, "snapshot takes [LABEL], got 2 arguments");
	CMD_ERR("check now", 7, "check takes no arguments, got 1 argument");
	CMD_ERR("rmap a", 1, "rmap takes P ADDR, got 1 argument");
	CMD_ERR("dot", 1, "dot takes WHAT [P [ADDR]] FILE, got 0 arguments");
}

/* --- Processes ---------------------------------------------------------- */

static void test_processes(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("spawn _Proc_9", &t);
	assert_int_equal(c->kind, TC_SPAWN);
	assert_string_equal(c->proc[0], "_Proc_9");
	assert_string_equal(c->proc[1], "");
	trace_free(&t);
	c = ONE("fork parent child", &t);
	assert_int_equal(c->kind, TC_FORK);
	assert_string_equal(c->proc[0], "parent");
	assert_string_equal(c->proc[1], "child");
	assert_int_equal(c->argpos[2].col, 13);
	trace_free(&t);
	c = ONE("exit abcdefghijklmnopqrstuvwxyz012345", &t);
	assert_int_equal(c->kind, TC_EXIT);
	assert_string_equal(c->proc[0], "abcdefghijklmnopqrstuvwxyz012345");
	trace_free(&t);

	CMD_ERR("spawn 9a", 7, "invalid process name '9a'");
	CMD_ERR("spawn a-b", 7, "invalid process name 'a-b'");
	CMD_ERR("spawn a.b", 7, "invalid process name 'a.b'");
	CMD_ERR("spawn abcdefghijklmnopqrstuvwxyz0123456", 7,
		"process name longer than 32 characters");
	CMD_ERR("fork a 1b", 8, "invalid process name '1b'");
	CMD_ERR("fork a a", 8, "CHILD 'a' is the same process as PARENT");
	CMD_ERR("exit $", 6, "invalid process name '$'");
	CMD_ERR("mmap 0 0x10000 1", 6, "invalid process name '0'");
}

/* --- Mappings ----------------------------------------------------------- */

static void test_mmap_ok(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("mmap a 0x100000000000 1000", &t);
	assert_int_equal(c->kind, TC_MMAP);
	assert_string_equal(c->proc[0], "a");
	assert_int_equal(c->addr, 0x100000000000ULL);
	assert_int_equal(c->npages, 1000);
	assert_int_equal(c->prot, TPROT_RW);
	assert_int_equal(c->nargs, 4);
	trace_free(&t);
	c = ONE("mmap a 0x10000 1 none", &t);
	assert_int_equal(c->prot, TPROT_NONE);
	assert_int_equal(c->addr, 0x10000);
	trace_free(&t);
	c = ONE("mmap a 0x10000 2 rw", &t);
	assert_int_equal(c->prot, TPROT_RW);
	assert_int_equal(c->nargs, 5);
	trace_free(&t);
	/* The last page of the user address space. */
	c = ONE("mmap a 0x7ffffffff000 1", &t);
	assert_int_equal(c->addr, 0x7ffffffff000ULL);
	trace_free(&t);
	/* All of it. */
	c = ONE("mmap a 0x10000 34359738352", &t);
	assert_int_equal(c->npages, (0x800000000000ULL - 0x10000) / 4096);
	trace_free(&t);
}

static void test_address_errors(void **state)
{
	(void)state;
	CMD_ERR("mmap a 0x1001 1", 8,
		"address 0x1001 is not page aligned (4096 bytes)");
	CMD_ERR("mmap a 69633 1", 8,
		"address 69633 is not page aligned (4096 bytes)");
	CMD_ERR("mmap a 0 1", 8,
		"address 0 is below the lowest mappable address 0x10000 (mmap_min_addr 65536)");
	CMD_ERR("munmap a 0xf000 1", 10,
		"address 0xf000 is below the lowest mappable address 0x10000 (mmap_min_addr 65536)");
	CMD_ERR("mmap a 0x800000000000 1", 8,
		"address 0x800000000000 is beyond the user address space (which ends at 0x800000000000)");
	CMD_ERR("read a 0xfffffffffffff000 1", 8,
		"address 0xfffffffffffff000 is beyond the user address space (which ends at 0x800000000000)");
	CMD_ERR("mmap a 0x7ffffffff000 2", 23,
		"range 0x7ffffffff000 + 2 pages goes beyond the user address space (which ends at 0x800000000000)");
	CMD_ERR("mmap a 65536 34359738353", 14,
		"range 0x10000 + 34359738353 pages goes beyond the user address space (which ends at 0x800000000000)");
	/* NPAGES * 4096 would overflow 64 bits: still a range error. */
	CMD_ERR("write a 0x10000 0xffffffffffffffff zero", 17,
		"range 0x10000 + 18446744073709551615 pages goes beyond the user address space (which ends at 0x800000000000)");
	CMD_ERR("mmap a 0x10000 0", 16, "NPAGES must be at least 1");
	CMD_ERR("read a 0x10000 0x0", 16, "NPAGES must be at least 1");
}

static void test_munmap_mprotect_read(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("munmap a 0x20000 5", &t);
	assert_int_equal(c->kind, TC_MUNMAP);
	assert_int_equal(c->addr, 0x20000);
	assert_int_equal(c->npages, 5);
	trace_free(&t);
	c = ONE("mprotect b 0x20000 5 r", &t);
	assert_int_equal(c->kind, TC_MPROTECT);
	assert_string_equal(c->proc[0], "b");
	assert_int_equal(c->prot, TPROT_R);
	trace_free(&t);
	c = ONE("mprotect b 0x20000 5 none", &t);
	assert_int_equal(c->prot, TPROT_NONE);
	trace_free(&t);
	c = ONE("read c 0x30000 7", &t);
	assert_int_equal(c->kind, TC_READ);
	assert_string_equal(c->proc[0], "c");
	assert_int_equal(c->addr, 0x30000);
	assert_int_equal(c->npages, 7);
	trace_free(&t);

	CMD_ERR("mmap a 0x10000 1 rwx", 18,
		"unknown PROT 'rwx' (expected rw, r or none)");
	CMD_ERR("mprotect a 0x10000 1 RW", 22,
		"unknown PROT 'RW' (expected rw, r or none)");
}

static void test_mremap(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("mremap a 0x10000 2 0x40000 8", &t);
	assert_int_equal(c->kind, TC_MREMAP);
	assert_int_equal(c->addr, 0x10000);
	assert_int_equal(c->npages, 2);
	assert_int_equal(c->addr2, 0x40000);
	assert_int_equal(c->npages2, 8);
	assert_int_equal(c->argpos[3].col, 18);
	assert_int_equal(c->argpos[5].col, 28);
	trace_free(&t);

	CMD_ERR("mremap a 0x10000 0 0x40000 8", 18,
		"OLD_NPAGES must be at least 1");
	CMD_ERR("mremap a 0x10000 1 0x40001 8", 20,
		"address 0x40001 is not page aligned (4096 bytes)");
	CMD_ERR("mremap a 0x10000 1 0x7ffffffff000 2", 35,
		"range 0x7ffffffff000 + 2 pages goes beyond the user address space (which ends at 0x800000000000)");
	CMD_ERR("mremap a 0x10000 1 0x20000 x", 28,
		"expected a number for NEW_NPAGES, got 'x'");
	CMD_ERR("mremap a y 1 0x20000 1", 10,
		"expected a number for OLD_ADDR, got 'y'");
	CMD_ERR("mremap a 0x10000 1 0x20000 0", 28,
		"NEW_NPAGES must be at least 1");
}

static void test_madvise_prctl(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("madvise a 0x10000 4 mergeable", &t);
	assert_int_equal(c->kind, TC_MADVISE);
	assert_int_equal(c->advice, TADV_MERGEABLE);
	assert_int_equal(c->npages, 4);
	trace_free(&t);
	c = ONE("madvise a 0x10000 4 unmergeable", &t);
	assert_int_equal(c->advice, TADV_UNMERGEABLE);
	trace_free(&t);
	c = ONE("madvise a 0x10000 4 dontneed", &t);
	assert_int_equal(c->advice, TADV_DONTNEED);
	trace_free(&t);
	c = ONE("prctl a merge_any=1", &t);
	assert_int_equal(c->kind, TC_PRCTL);
	assert_true(c->merge_any);
	assert_int_equal(c->nkvs, 0);
	trace_free(&t);
	c = ONE("prctl a merge_any=0", &t);
	assert_false(c->merge_any);
	trace_free(&t);

	CMD_ERR("madvise a 0x10000 1 MADV_MERGEABLE", 21,
		"unknown ADVICE 'MADV_MERGEABLE' (expected mergeable, unmergeable or dontneed)");
	CMD_ERR("prctl a merge_any=2", 19, "merge_any must be 0 or 1, got '2'");
	CMD_ERR("prctl a merge_any=yes", 19,
		"merge_any must be 0 or 1, got 'yes'");
	CMD_ERR("prctl a merge=1", 9,
		"unknown prctl setting 'merge' (expected merge_any=0|1)");
	CMD_ERR("prctl a 1", 9, "expected merge_any=0|1, got '1'");
	CMD_ERR("prctl a merge_any=", 19, "missing value after 'merge_any='");
	CMD_ERR("prctl a =1", 9, "missing name before '='");
	CMD_ERR("prctl 1a merge_any=1", 7, "invalid process name '1a'");
}

/* --- write and CONTENT -------------------------------------------------- */

static void test_content_forms(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("write a 0x100000000000 1000 token=77", &t);
	assert_int_equal(c->kind, TC_WRITE);
	assert_int_equal(c->addr, 0x100000000000ULL);
	assert_int_equal(c->npages, 1000);
	assert_int_equal(c->content.kind, TCONT_TOKEN);
	assert_int_equal(c->content.a, 77);
	trace_free(&t);
	c = ONE("write a 0x10000 3 seq=0x100", &t);
	assert_int_equal(c->content.kind, TCONT_SEQ);
	assert_int_equal(c->content.a, 0x100);
	trace_free(&t);
	c = ONE("write a 0x10000 1000 mod=10,1", &t);
	assert_int_equal(c->content.kind, TCONT_MOD);
	assert_int_equal(c->content.a, 10);
	assert_int_equal(c->content.b, 1);
	trace_free(&t);
	c = ONE("write a 0x10000 5 list=3,0x10,0", &t);
	assert_int_equal(c->content.kind, TCONT_LIST);
	assert_int_equal(c->content.nlist, 3);
	assert_int_equal(c->content.list[0], 3);
	assert_int_equal(c->content.list[1], 16);
	assert_int_equal(c->content.list[2], 0);
	trace_free(&t);
	c = ONE("write a 0x10000 5 list=42", &t);
	assert_int_equal(c->content.nlist, 1);
	assert_int_equal(c->content.list[0], 42);
	trace_free(&t);
	c = ONE("write a 0x10000 5 zero", &t);
	assert_int_equal(c->content.kind, TCONT_ZERO);
	assert_null(c->content.list);
	trace_free(&t);

	/* The largest tokens that do not wrap. */
	c = ONE("write a 0x10000 2 seq=18446744073709551614", &t);
	assert_true(c->content.a == UINT64_MAX - 1);
	trace_free(&t);
	c = ONE("write a 0x10000 1 seq=18446744073709551615", &t);
	trace_free(&t);
	c = ONE("write a 0x10000 9 mod=1,18446744073709551615", &t);
	trace_free(&t);
	c = ONE("write a 0x10000 1 mod=5,18446744073709551615", &t);
	trace_free(&t);
	c = ONE("write a 0x10000 9 mod=3,18446744073709551613", &t);
	trace_free(&t);
}

static void test_content_errors(void **state)
{
	(void)state;
	CMD_ERR("write a 0x10000 1 tok=1", 19,
		"unknown CONTENT 'tok=1' (expected token=N, seq=N, mod=K,BASE, list=A,B,... or zero)");
	CMD_ERR("write a 0x10000 1 token", 19,
		"unknown CONTENT 'token' (expected token=N, seq=N, mod=K,BASE, list=A,B,... or zero)");
	CMD_ERR("write a 0x10000 1 zero=0", 19,
		"unknown CONTENT 'zero=0' (expected token=N, seq=N, mod=K,BASE, list=A,B,... or zero)");
	CMD_ERR("write a 0x10000 1 77", 19,
		"unknown CONTENT '77' (expected token=N, seq=N, mod=K,BASE, list=A,B,... or zero)");
	CMD_ERR("write a 0x10000 1 token=", 25, "missing value after 'token='");
	CMD_ERR("write a 0x10000 1 token=x", 25,
		"expected a number for token, got 'x'");
	CMD_ERR("write a 0x10000 1 token=-1", 25,
		"token must be a number without sign, got '-1'");
	CMD_ERR("write a 0x10000 1 seq=q", 23, "expected a number for seq, got 'q'");
	CMD_ERR("write a 0x10000 2 seq=18446744073709551615", 19,
		"content 'seq=18446744073709551615' over 2 pages goes past the largest token 0xffffffffffffffff");
	CMD_ERR("write a 0x10000 0x100 seq=0xffffffffffffff01", 23,
		"content 'seq=0xffffffffffffff01' over 256 pages goes past the largest token 0xffffffffffffffff");
	CMD_ERR("write a 0x10000 2 mod=2,18446744073709551615", 19,
		"content 'mod=2,18446744073709551615' over 2 pages goes past the largest token 0xffffffffffffffff");
	CMD_ERR("write a 0x10000 9 mod=4,18446744073709551613", 19,
		"content 'mod=4,18446744073709551613' over 9 pages goes past the largest token 0xffffffffffffffff");
	CMD_ERR("write a 0x10000 1 mod=5", 23, "mod takes K,BASE, got '5'");
	CMD_ERR("write a 0x10000 1 mod=0,1", 23, "K must be at least 1");
	CMD_ERR("write a 0x10000 1 mod=,1", 23, "expected a number for K, got ''");
	CMD_ERR("write a 0x10000 1 mod=3,", 25, "expected a number for BASE, got ''");
	CMD_ERR("write a 0x10000 1 mod=3,x", 25,
		"expected a number for BASE, got 'x'");
	CMD_ERR("write a 0x10000 1 mod=3,1,2", 25,
		"expected a number for BASE, got '1,2'");
	CMD_ERR("write a 0x10000 1 mod=0x1ffffffffffffffffff,1", 23,
		"number 0x1ffffffffffffffffff does not fit in 64 bits");
	CMD_ERR("write a 0x10000 1 list=", 24, "missing value after 'list='");
	CMD_ERR("write a 0x10000 1 list=1,,2", 26, "empty entry in list");
	CMD_ERR("write a 0x10000 1 list=,1", 24, "empty entry in list");
	CMD_ERR("write a 0x10000 1 list=1,", 26, "empty entry in list");
	CMD_ERR("write a 0x10000 1 list=1,x", 26,
		"expected a number for list entry, got 'x'");
	CMD_ERR("write a 0x10000 1 list=1,-2", 26,
		"list entry must be a number without sign, got '-2'");
}

static void test_content_list_limit(void **state)
{
	const struct trace_cmd *c;
	struct trace t;
	char *line = malloc(64 + 5 * 4097);
	size_t n, i;

	(void)state;
	assert_non_null(line);
	n = (size_t)sprintf(line, "write a 0x10000 1 list=");
	for (i = 0; i < TRACE_LIST_MAX; i++)
		n += (size_t)sprintf(line + n, "%s%zu", i ? "," : "", i % 10);
	c = ONE(line, &t);
	assert_int_equal(c->content.nlist, TRACE_LIST_MAX);
	assert_int_equal(c->content.list[4095], 5);
	trace_free(&t);
	/* One more: pointed at the 4097th entry (col 24 + 2 * 4096). */
	sprintf(line + n, ",7");
	CMD_ERR_DYN(line, 24 + 2 * 4096, "list has more than 4096 entries");
	free(line);
}

static void test_content_token(void **state)
{
	struct trace_content c = { 0 };
	uint64_t list[3] = { 9, 8, 7 };

	(void)state;
	c.kind = TCONT_TOKEN;
	c.a = 77;
	assert_int_equal(trace_content_token(&c, 0), 77);
	assert_int_equal(trace_content_token(&c, 999), 77);

	c.kind = TCONT_SEQ;
	c.a = 100;
	assert_int_equal(trace_content_token(&c, 0), 100);
	assert_int_equal(trace_content_token(&c, 5), 105);
	/* Beyond what the parser allows, sums wrap modulo 2^64. */
	c.a = UINT64_MAX;
	assert_int_equal(trace_content_token(&c, 0), UINT64_MAX);
	assert_int_equal(trace_content_token(&c, 1), 0);
	assert_int_equal(trace_content_token(&c, 3), 2);

	c.kind = TCONT_MOD;
	c.a = 3;
	c.b = 10;
	assert_int_equal(trace_content_token(&c, 0), 10);
	assert_int_equal(trace_content_token(&c, 1), 11);
	assert_int_equal(trace_content_token(&c, 2), 12);
	assert_int_equal(trace_content_token(&c, 3), 10);
	assert_int_equal(trace_content_token(&c, 7), 11);
	c.b = UINT64_MAX;
	assert_int_equal(trace_content_token(&c, 1), 0);
	c.a = 0;	/* not something the parser produces */
	c.b = 5;
	assert_int_equal(trace_content_token(&c, 7), 5);

	c.kind = TCONT_LIST;
	c.list = list;
	c.nlist = 3;
	assert_int_equal(trace_content_token(&c, 0), 9);
	assert_int_equal(trace_content_token(&c, 2), 7);
	assert_int_equal(trace_content_token(&c, 3), 9);
	assert_int_equal(trace_content_token(&c, 3000000001ULL), 8);
	c.nlist = 0;
	assert_int_equal(trace_content_token(&c, 4), 0);

	c.kind = TCONT_ZERO;
	c.a = 5;
	assert_int_equal(trace_content_token(&c, 4), 0);

	/* The spec's example: mod=10,1 gives 10 contents 1..10. */
	c.kind = TCONT_MOD;
	c.a = 10;
	c.b = 1;
	assert_int_equal(trace_content_token(&c, 9), 10);
	assert_int_equal(trace_content_token(&c, 10), 1);
}

/* --- scan --------------------------------------------------------------- */

static void test_scan(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("scan rounds=2", &t);
	assert_int_equal(c->kind, TC_SCAN);
	assert_int_equal(c->scan_unit, TSCAN_ROUNDS);
	assert_int_equal(c->scan_count, 2);
	trace_free(&t);
	c = ONE("scan batches=0x10", &t);
	assert_int_equal(c->scan_unit, TSCAN_BATCHES);
	assert_int_equal(c->scan_count, 16);
	trace_free(&t);

	CMD_ERR("scan rounds=0", 13, "rounds must be at least 1");
	CMD_ERR("scan batches=0", 14, "batches must be at least 1");
	CMD_ERR("scan rounds=x", 13, "expected a number for rounds, got 'x'");
	CMD_ERR("scan round=1", 6,
		"unknown scan unit 'round' (expected rounds=N or batches=N)");
	CMD_ERR("scan 5", 6, "expected rounds=N or batches=N, got '5'");
	CMD_ERR("scan rounds=", 13, "missing value after 'rounds='");
}

/* --- set ---------------------------------------------------------------- */

static void test_set_ok(void **state)
{
	const struct trace_cmd *c;
	const struct trace_kv *kv;
	struct trace t;

	(void)state;
	c = ONE("set run=2 pages_to_scan=0x10 advisor_mode=scan-time "
		"sim.kernel=6.18 sim.n=5 pages_to_scan=7 sim.x=a=b", &t);
	assert_int_equal(c->kind, TC_SET);
	assert_int_equal(c->nkvs, 7);
	assert_int_equal(c->nargs, 8);
	kv = &c->kvs[0];
	assert_string_equal(kv->name, "run");
	assert_string_equal(kv->text, "2");
	assert_int_equal(kv->kind, TKV_KNOB);
	assert_int_equal(kv->index, 0);
	assert_true(kv->is_num);
	assert_int_equal(kv->num, 2);
	assert_int_equal(kv->name_pos.line, 2);
	assert_int_equal(kv->name_pos.col, 5);
	assert_int_equal(kv->value_pos.col, 9);
	kv = &c->kvs[1];
	assert_string_equal(kv->name, "pages_to_scan");
	assert_string_equal(kv->text, "0x10");
	assert_int_equal(kv->index, 1);
	assert_int_equal(kv->num, 16);
	assert_int_equal(kv->name_pos.col, 11);
	assert_int_equal(kv->value_pos.col, 25);
	kv = &c->kvs[2];
	assert_string_equal(kv->name, "advisor_mode");
	assert_string_equal(kv->text, "scan-time");
	assert_int_equal(kv->index, 8);
	assert_false(kv->is_num);
	kv = &c->kvs[3];
	assert_string_equal(kv->name, "sim.kernel");
	assert_string_equal(kv->text, "6.18");
	assert_int_equal(kv->kind, TKV_SIM);
	assert_false(kv->is_num);
	kv = &c->kvs[4];
	assert_int_equal(kv->kind, TKV_SIM);
	assert_true(kv->is_num);
	assert_int_equal(kv->num, 5);
	/* Repeated names are kept in order: applied in order, the last wins. */
	kv = &c->kvs[5];
	assert_string_equal(kv->name, "pages_to_scan");
	assert_int_equal(kv->num, 7);
	kv = &c->kvs[6];
	assert_string_equal(kv->name, "sim.x");
	assert_string_equal(kv->text, "a=b");
	trace_free(&t);

	/* Every knob of the contract. */
	c = ONE("set run=0 pages_to_scan=100 sleep_millisecs=20 smart_scan=1 "
		"max_page_sharing=256 use_zero_pages=0 "
		"stable_node_chains_prune_millisecs=2000 merge_across_nodes=1 "
		"advisor_mode=none advisor_target_scan_time=200 "
		"advisor_min_pages_to_scan=500 advisor_max_pages_to_scan=30000 "
		"advisor_max_cpu=70", &t);
	assert_int_equal(c->nkvs, 13);
	for (unsigned i = 0; i < 13; i++) {
		assert_int_equal(c->kvs[i].kind, TKV_KNOB);
		assert_int_equal(c->kvs[i].index, i);
		assert_string_equal(c->kvs[i].name, trace_knob_names[i]);
	}
	assert_null(trace_knob_names[13]);
	assert_int_equal(c->kvs[6].num, 2000);
	assert_int_equal(c->kvs[12].num, 70);
	trace_free(&t);
	c = ONE("set max_page_sharing=18446744073709551615 max_page_sharing=0", &t);
	assert_true(c->kvs[0].num == UINT64_MAX);
	assert_int_equal(c->kvs[1].num, 0);
	trace_free(&t);
}

static void test_set_errors(void **state)
{
	(void)state;
	CMD_ERR("set pages_to_scann=100", 5, "unknown knob 'pages_to_scann'");
	CMD_ERR("set run=1 Run=1", 11, "unknown knob 'Run'");
	CMD_ERR("set sim.=1", 5, "incomplete knob name 'sim.' (expected sim.NAME)");
	CMD_ERR("set sim=1", 5, "unknown knob 'sim'");
	CMD_ERR("set sim.x", 5, "expected NAME=VALUE, got 'sim.x'");
	CMD_ERR("set =1", 5, "missing name before '='");
	CMD_ERR("set pages_to_scan=", 19, "missing value after 'pages_to_scan='");
	CMD_ERR("set run=3", 9, "run must be 0, 1 or 2, got '3'");
	CMD_ERR("set run=on", 9, "run must be 0, 1 or 2, got 'on'");
	CMD_ERR("set smart_scan=2", 16, "smart_scan must be 0 or 1, got '2'");
	CMD_ERR("set use_zero_pages=true", 20,
		"use_zero_pages must be 0 or 1, got 'true'");
	CMD_ERR("set merge_across_nodes=-1", 24,
		"merge_across_nodes must be 0 or 1, got '-1'");
	CMD_ERR("set advisor_mode=scan_time", 18,
		"advisor_mode must be none or scan-time, got 'scan_time'");
	CMD_ERR("set advisor_mode=0", 18,
		"advisor_mode must be none or scan-time, got '0'");
	CMD_ERR("set pages_to_scan=lots", 19,
		"expected a number for pages_to_scan, got 'lots'");
	CMD_ERR("set sleep_millisecs=-20", 21,
		"sleep_millisecs must be a number without sign, got '-20'");
	CMD_ERR("set advisor_max_cpu=0x1ffffffffffffffffff", 21,
		"number 0x1ffffffffffffffffff does not fit in 64 bits");
	CMD_ERR("set run=1 smart_scan=1 pages_to_scan=x", 38,
		"expected a number for pages_to_scan, got 'x'");
}

/* --- expect ------------------------------------------------------------- */

static void test_expect_ok(void **state)
{
	const struct trace_cmd *c;
	const struct trace_kv *kv;
	struct trace t;

	(void)state;
	c = ONE("expect pages_shared=10 general_profit=-4096 "
		"a.ksm_process_profit=-1 a.ksm_merge_any=yes "
		"b.ksm_mergeable=false a.vmas=1 a.mapped=0x10 "
		"sharing.hash=4797FD1BA0ECA6C9 sharing.groups=3 "
		"a.ksm_rmap_items=1000 general_profit=4032000", &t);
	assert_int_equal(c->kind, TC_EXPECT);
	assert_int_equal(c->nkvs, 11);
	kv = &c->kvs[0];
	assert_int_equal(kv->kind, TKV_GLOBAL);
	assert_string_equal(trace_global_counter_names[kv->index],
			    "pages_shared");
	assert_true(kv->is_num);
	assert_int_equal(kv->num, 10);
	assert_int_equal(kv->name_pos.col, 8);
	assert_int_equal(kv->value_pos.col, 21);
	kv = &c->kvs[1];
	assert_string_equal(trace_global_counter_names[kv->index],
			    "general_profit");
	assert_true((int64_t)kv->num == -4096);
	assert_string_equal(kv->text, "-4096");
	kv = &c->kvs[2];
	assert_int_equal(kv->kind, TKV_PROC);
	assert_string_equal(kv->proc, "a");
	assert_string_equal(trace_proc_field_names[kv->index],
			    "ksm_process_profit");
	assert_true((int64_t)kv->num == -1);
	kv = &c->kvs[3];
	assert_string_equal(trace_proc_field_names[kv->index],
			    "ksm_merge_any");
	assert_int_equal(kv->num, 1);
	assert_string_equal(kv->text, "yes");
	kv = &c->kvs[4];
	assert_string_equal(kv->proc, "b");
	assert_string_equal(trace_proc_field_names[kv->index],
			    "ksm_mergeable");
	assert_int_equal(kv->num, 0);
	kv = &c->kvs[5];
	assert_string_equal(trace_proc_field_names[kv->index], "vmas");
	kv = &c->kvs[6];
	assert_string_equal(trace_proc_field_names[kv->index], "mapped");
	assert_int_equal(kv->num, 16);
	kv = &c->kvs[7];
	assert_int_equal(kv->kind, TKV_SHARING);
	assert_string_equal(trace_sharing_field_names[kv->index], "hash");
	assert_true(kv->num == 0x4797fd1ba0eca6c9ULL);
	assert_string_equal(kv->text, "4797FD1BA0ECA6C9");
	assert_string_equal(kv->proc, "");
	kv = &c->kvs[8];
	assert_string_equal(trace_sharing_field_names[kv->index], "groups");
	assert_int_equal(kv->num, 3);
	kv = &c->kvs[9];
	assert_int_equal(kv->index, 0);
	assert_int_equal(kv->num, 1000);
	kv = &c->kvs[10];
	assert_int_equal(kv->num, 4032000);
	trace_free(&t);

	/* Every name of every table. */
	c = ONE("expect full_scans=0 general_profit=0 ksm_zero_pages=0 "
		"pages_scanned=0 pages_shared=0 pages_sharing=0 "
		"pages_skipped=0 pages_unshared=0 pages_volatile=0 "
		"stable_node_chains=0 stable_node_dups=0", &t);
	for (unsigned i = 0; i < c->nkvs; i++) {
		assert_int_equal(c->kvs[i].kind, TKV_GLOBAL);
		assert_int_equal(c->kvs[i].index, i);
	}
	assert_int_equal(c->nkvs, 11);
	trace_free(&t);
	c = ONE("expect p.ksm_rmap_items=0 p.ksm_merging_pages=0 "
		"p.ksm_zero_pages=0 p.ksm_process_profit=0 "
		"p.ksm_merge_any=true p.ksm_mergeable=no p.vmas=0 p.mapped=0 "
		"p.zero_pfn=0", &t);
	for (unsigned i = 0; i < c->nkvs; i++) {
		assert_int_equal(c->kvs[i].kind, TKV_PROC);
		assert_int_equal(c->kvs[i].index, i);
	}
	assert_int_equal(c->nkvs, 9);
	assert_int_equal(c->kvs[4].num, 1);
	assert_int_equal(c->kvs[5].num, 0);
	trace_free(&t);
	c = ONE("expect sharing.mapped=1 sharing.zero_pfn=2 sharing.ksm_pfns=3 "
		"sharing.ksm_mapped=4 sharing.groups=5 sharing.grouped=6 "
		"sharing.hash=cbf29ce484222325", &t);
	for (unsigned i = 0; i < c->nkvs; i++) {
		assert_int_equal(c->kvs[i].kind, TKV_SHARING);
		assert_int_equal(c->kvs[i].index, i);
	}
	assert_int_equal(c->nkvs, 7);
	assert_int_equal(c->kvs[5].num, 6);
	trace_free(&t);
	/* migrate.* names the last migrate's outcome; two booleans. */
	c = ONE("expect migrate.moved=no migrate.ksm=true migrate.mappings=3 "
		"migrate.on_old=2 migrate.on_new=1 migrate.target_node=0x1", &t);
	for (unsigned i = 0; i < c->nkvs; i++) {
		assert_int_equal(c->kvs[i].kind, TKV_MIGRATE);
		assert_int_equal(c->kvs[i].index, i);
		assert_string_equal(c->kvs[i].proc, "");
	}
	assert_int_equal(c->nkvs, 6);
	assert_null(trace_migrate_field_names[6]);
	assert_int_equal(c->kvs[0].num, 0);
	assert_int_equal(c->kvs[1].num, 1);
	assert_int_equal(c->kvs[2].num, 3);
	assert_int_equal(c->kvs[5].num, 1);
	assert_string_equal(c->kvs[5].text, "0x1");
	trace_free(&t);
	/* The extremes of the signed counters; booleans as 1/0. */
	c = ONE("expect general_profit=-9223372036854775808 "
		"x.ksm_process_profit=9223372036854775807 "
		"x.ksm_merge_any=1 x.ksm_mergeable=0 general_profit=-0", &t);
	assert_true(c->kvs[0].num == 0x8000000000000000ULL);
	assert_true(c->kvs[1].num == 0x7fffffffffffffffULL);
	assert_int_equal(c->kvs[2].num, 1);
	assert_int_equal(c->kvs[3].num, 0);
	assert_int_equal(c->kvs[4].num, 0);
	trace_free(&t);
}

static void test_expect_errors(void **state)
{
	(void)state;
	CMD_ERR("expect pages_sharin=1", 8, "unknown counter 'pages_sharin'");
	CMD_ERR("expect pages_shared", 8,
		"expected NAME=VALUE, got 'pages_shared'");
	CMD_ERR("expect pages_to_scan=1", 8, "unknown counter 'pages_to_scan'");
	CMD_ERR("expect a.foo=1", 10, "unknown process counter 'foo'");
	CMD_ERR("expect a.pages_shared=1", 10,
		"unknown process counter 'pages_shared'");
	CMD_ERR("expect 9a.ksm_rmap_items=1", 8, "invalid process name '9a'");
	CMD_ERR("expect abcdefghijklmnopqrstuvwxyz0123456.vmas=1", 8,
		"process name longer than 32 characters");
	CMD_ERR("expect .vmas=1", 8, "missing process name before '.'");
	CMD_ERR("expect a.=1", 10, "missing counter name after 'a.'");
	CMD_ERR("expect a.b.c=1", 10, "unknown process counter 'b.c'");
	CMD_ERR("expect sharing.foo=1", 16, "unknown sharing counter 'foo'");
	CMD_ERR("expect migrate.frame=1", 16, "unknown migrate counter 'frame'");
	CMD_ERR("expect migrate.moved=2", 22,
		"migrate.moved must be true or false (or yes/no, 1/0), got '2'");
	CMD_ERR("expect migrate.target_node=-1", 28,
		"migrate.target_node must be a number without sign, got '-1'");
	CMD_ERR("expect sharing.sizes=1", 16, "unknown sharing counter 'sizes'");
	CMD_ERR("expect sharing.ksm_rmap_items=1", 16,
		"unknown sharing counter 'ksm_rmap_items'");
	CMD_ERR("expect pages_shared=x", 21,
		"expected a number for pages_shared, got 'x'");
	CMD_ERR("expect pages_shared=-1", 21,
		"pages_shared must be a number without sign, got '-1'");
	CMD_ERR("expect a.vmas=-1", 15,
		"a.vmas must be a number without sign, got '-1'");
	CMD_ERR("expect pages_shared=", 21, "missing value after 'pages_shared='");
	CMD_ERR("expect a.ksm_merge_any=maybe", 24,
		"a.ksm_merge_any must be true or false (or yes/no, 1/0), got 'maybe'");
	CMD_ERR("expect a.ksm_mergeable=2", 24,
		"a.ksm_mergeable must be true or false (or yes/no, 1/0), got '2'");
	CMD_ERR("expect general_profit=-x", 23,
		"expected a number for general_profit, got '-x'");
	CMD_ERR("expect general_profit=+5", 23,
		"expected a number for general_profit, got '+5'");
	CMD_ERR("expect general_profit=--5", 23,
		"expected a number for general_profit, got '--5'");
	CMD_ERR("expect general_profit=-", 23,
		"expected a number for general_profit, got '-'");
	CMD_ERR("expect general_profit=9223372036854775808", 23,
		"9223372036854775808 does not fit in a signed 64-bit number");
	CMD_ERR("expect a.ksm_process_profit=-9223372036854775809", 29,
		"-9223372036854775809 does not fit in a signed 64-bit number");
	CMD_ERR("expect general_profit=-0x1ffffffffffffffffff", 23,
		"number -0x1ffffffffffffffffff does not fit in 64 bits");
	CMD_ERR("expect sharing.hash=123", 21,
		"sharing.hash must be 16 hex digits, got '123'");
	CMD_ERR("expect sharing.hash=0x4797fd1ba0eca6", 21,
		"sharing.hash must be 16 hex digits, got '0x4797fd1ba0eca6'");
	CMD_ERR("expect sharing.hash=4797fd1ba0eca6c9a", 21,
		"sharing.hash must be 16 hex digits, got '4797fd1ba0eca6c9a'");
	CMD_ERR("expect sharing.hash=4797fd1ba0eca6cg", 21,
		"sharing.hash must be 16 hex digits, got '4797fd1ba0eca6cg'");
	CMD_ERR("expect pages_shared=1 pages_sharing=2 bogus=3", 39,
		"unknown counter 'bogus'");
}

/* --- Observation commands ----------------------------------------------- */

static void test_snapshot_check_rmap(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("snapshot", &t);
	assert_int_equal(c->kind, TC_SNAPSHOT);
	assert_null(c->label);
	trace_free(&t);
	c = ONE("snapshot after-fork_2:x.y", &t);
	assert_string_equal(c->label, "after-fork_2:x.y");
	trace_free(&t);
	c = ONE("check", &t);
	assert_int_equal(c->kind, TC_CHECK);
	assert_int_equal(c->nargs, 1);
	trace_free(&t);
	c = ONE("rmap a 0x100000002000", &t);
	assert_int_equal(c->kind, TC_RMAP);
	assert_string_equal(c->proc[0], "a");
	assert_int_equal(c->addr, 0x100000002000ULL);
	trace_free(&t);

	CMD_ERR("snapshot a/b", 10,
		"invalid snapshot label 'a/b' (allowed: letters, digits, '_', '.', ':', '-')");
	CMD_ERR("snapshot \"x\"", 10,
		"invalid snapshot label '\"x\"' (allowed: letters, digits, '_', '.', ':', '-')");
	CMD_ERR("snapshot \xc3\xa9", 10,
		"invalid snapshot label '\xc3\xa9' (allowed: letters, digits, '_', '.', ':', '-')");
	CMD_ERR("rmap a 0x1001", 8, "address 0x1001 is not page aligned (4096 bytes)");
	CMD_ERR("rmap a 0x800000000000", 8,
		"address 0x800000000000 is beyond the user address space (which ends at 0x800000000000)");
	CMD_ERR("rmap 7 0x10000", 6, "invalid process name '7'");
}

static void test_dot(void **state)
{
	const struct trace_cmd *c;
	struct trace t;

	(void)state;
	c = ONE("dot stable s.dot", &t);
	assert_int_equal(c->kind, TC_DOT);
	assert_int_equal(c->dot_what, TDOT_STABLE);
	assert_string_equal(c->dot_file, "s.dot");
	trace_free(&t);
	c = ONE("dot unstable out/u.dot", &t);
	assert_int_equal(c->dot_what, TDOT_UNSTABLE);
	assert_string_equal(c->dot_file, "out/u.dot");
	trace_free(&t);
	c = ONE("dot all a=b.dot", &t);
	assert_int_equal(c->dot_what, TDOT_ALL);
	assert_string_equal(c->dot_file, "a=b.dot");
	trace_free(&t);
	c = ONE("dot mm a mm.dot", &t);
	assert_int_equal(c->dot_what, TDOT_MM);
	assert_string_equal(c->proc[0], "a");
	assert_string_equal(c->dot_file, "mm.dot");
	assert_int_equal(c->argpos[3].col, 10);
	trace_free(&t);
	c = ONE("dot anon_vma gg 0x100000000000 av.dot", &t);
	assert_int_equal(c->dot_what, TDOT_ANON_VMA);
	assert_string_equal(c->proc[0], "gg");
	assert_int_equal(c->addr, 0x100000000000ULL);
	assert_string_equal(c->dot_file, "av.dot");
	trace_free(&t);
	c = ONE("dot rmap b 0x20000 r.dot", &t);
	assert_int_equal(c->dot_what, TDOT_RMAP);
	assert_string_equal(c->proc[0], "b");
	assert_int_equal(c->addr, 0x20000);
	assert_string_equal(c->dot_file, "r.dot");
	trace_free(&t);

	CMD_ERR("dot tree f", 5,
		"unknown dot target 'tree' (expected stable, unstable, all, mm, anon_vma or rmap)");
	CMD_ERR("dot stable", 5, "dot stable takes FILE, got 0 arguments");
	CMD_ERR("dot unstable a b", 16, "dot unstable takes FILE, got 2 arguments");
	CMD_ERR("dot mm a", 5, "dot mm takes P FILE, got 1 argument");
	CMD_ERR("dot mm a f g", 12, "dot mm takes P FILE, got 3 arguments");
	CMD_ERR("dot anon_vma a 0x10000", 5,
		"dot anon_vma takes P ADDR FILE, got 2 arguments");
	CMD_ERR("dot rmap a 0x10000 f g", 22,
		"dot rmap takes P ADDR FILE, got 4 arguments");
	CMD_ERR("dot mm 9a f", 8, "invalid process name '9a'");
	CMD_ERR("dot rmap a 0x10001 f", 12,
		"address 0x10001 is not page aligned (4096 bytes)");
	CMD_ERR("dot anon_vma a 0 f", 16,
		"address 0 is below the lowest mappable address 0x10000 (mmap_min_addr 65536)");
}

/* --- Whole traces ------------------------------------------------------- */

static const char spec_example[] =
	"ksmtrace 1\n"
	"# two processes holding 10 distinct contents, 100 copies each\n"
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
	"check\n";

static void test_spec_example(void **state)
{
	static const enum trace_cmd_kind kinds[] = {
		TC_SET, TC_SPAWN, TC_MMAP, TC_WRITE, TC_MADVISE, TC_SCAN,
		TC_EXPECT, TC_FORK, TC_WRITE, TC_SCAN, TC_SNAPSHOT, TC_CHECK,
	};
	struct trace t;
	size_t i;

	(void)state;
	PARSE_OK(spec_example, &t);
	assert_int_equal(t.ncmds, 12);
	for (i = 0; i < t.ncmds; i++) {
		assert_int_equal(t.cmds[i].kind, kinds[i]);
		assert_int_equal(t.cmds[i].argpos[0].line, i + 3);
	}
	assert_int_equal(t.cmds[8].content.a, 77);
	assert_string_equal(t.cmds[10].label, "after-fork");
	trace_free(&t);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(trace_cmd_name(TC_SET), "set");
	assert_string_equal(trace_cmd_name(TC_MREMAP), "mremap");
	assert_string_equal(trace_cmd_name(TC_DOT), "dot");
	assert_null(trace_cmd_name(TC__COUNT));
	assert_null(trace_cmd_name((enum trace_cmd_kind)-1));
	assert_string_equal(trace_prot_name(TPROT_RW), "rw");
	assert_string_equal(trace_advice_name(TADV_DONTNEED), "dontneed");
	assert_string_equal(trace_scan_unit_name(TSCAN_BATCHES), "batches");
	assert_string_equal(trace_dot_what_name(TDOT_ANON_VMA), "anon_vma");
	assert_null(trace_dot_what_name((enum trace_dot_what)6));
	assert_string_equal(trace_proc_counter_names[3], "ksm_process_profit");
	assert_null(trace_proc_counter_names[4]);
	assert_null(trace_proc_field_names[9]);
	assert_null(trace_sharing_field_names[7]);
	assert_null(trace_global_counter_names[11]);
	/* The first four per-process fields are the ksm_stat counters. */
	for (int i = 0; i < 4; i++)
		assert_string_equal(trace_proc_field_names[i],
				    trace_proc_counter_names[i]);
}

/* Big inputs: parsing is linear; lines are long up to TRACE_LINE_MAX. */
static void test_big_inputs(void **state)
{
	const size_t ncmd = 200000, npairs = 50000, wlen = 1000000;
	struct trace t;
	struct ksm_diag d;
	char *buf, *p, *end;
	size_t i;

	(void)state;
	buf = malloc(64 + ncmd * 48 + npairs * 24 + 2 * TRACE_LINE_MAX);
	assert_non_null(buf);
	p = buf + sprintf(buf, "ksmtrace 1\n");
	for (i = 0; i < ncmd; i++)
		p += sprintf(p, "write a 0x%zx000 1 seq=%zu\n", 16 + i, i);
	p += sprintf(p, "set");
	for (i = 0; i < npairs; i++)
		p += sprintf(p, " sim.k%zu=%zu", i % 7, i);
	*p++ = '\n';
	assert_int_equal(trace_parse_string("big", buf, (size_t)(p - buf), &t,
					    &d), 0);
	assert_int_equal(t.ncmds, ncmd + 1);
	assert_int_equal(t.cmds[ncmd - 1].addr, (16 + ncmd - 1) << 12);
	assert_int_equal(t.cmds[ncmd].nkvs, npairs);
	assert_int_equal(t.cmds[ncmd].kvs[npairs - 1].num, npairs - 1);
	assert_int_equal(t.cmds[ncmd].nargs, npairs + 1);
	trace_free(&t);

	/* A 1 MB word: still one quoted, truncated word in the message. */
	end = p;
	p += sprintf(p, "spawn ");
	memset(p, 'z', wlen);
	p += wlen;
	assert_int_equal(trace_parse_string("big", buf, (size_t)(p - buf), &t,
					    &d), -1);
	assert_int_equal(d.line, ncmd + 3);
	assert_int_equal(d.col, 7);
	assert_string_equal(d.msg, "process name longer than 32 characters");

	/* A line of exactly TRACE_LINE_MAX bytes (comment included) is
	 * fine; one byte more is an error at the first byte too many. */
	p = end;
	p += sprintf(p, "scan rounds=1 #");
	memset(p, 'c', TRACE_LINE_MAX - 15);
	p += TRACE_LINE_MAX - 15;
	*p++ = '\n';
	assert_int_equal(trace_parse_string("big", buf, (size_t)(p - buf), &t,
					    &d), 0);
	assert_int_equal(t.ncmds, ncmd + 2);
	trace_free(&t);
	p[-1] = 'c';
	assert_int_equal(trace_parse_string("big", buf, (size_t)(p - buf), &t,
					    &d), -1);
	assert_int_equal(d.line, ncmd + 3);
	assert_int_equal(d.col, TRACE_LINE_MAX + 1);
	assert_string_equal(d.msg, "line longer than 1048576 bytes");
	free(buf);
}

/*
 * Files are read in chunks of 64 KiB: a UTF-8 character and a CRLF split
 * by a chunk boundary are read as one; a bad byte is reported
 * at once, without reading the rest (/dev/zero is endless).
 */
/* Blank lines up to byte @off of @f. */
static void pad_to(FILE *f, long off)
{
	for (long n = ftell(f); n < off; n++)
		fputc(n % 64 == 63 || n == off - 1 ? '\n' : ' ', f);
}

static void test_stream_chunks(void **state)
{
	char path[] = "/tmp/ksmsim-chunks-XXXXXX";
	struct trace_stream *s;
	struct trace_cmd c;
	struct ksm_diag d;
	struct trace t;
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("\xef\xbb\xbfksmtrace 1\n", f);
	/*
	 * The first read ends at byte 65536, inside the first "é" (65535);
	 * the next one moves that line (from 65524) to the front and ends
	 * 65524 bytes later, at 131060, between the CR and LF of line b.
	 */
	pad_to(f, 65524);
	fputs("snapshot a#\xc3\xa9\xc3\xa9\xc3\xa9\r\n", f);
	pad_to(f, 131049);
	fputs("snapshot b\r\nsnapshot c", f);
	fclose(f);
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(trace_stream_open(path, &s, &d), 0);
		assert_string_equal(trace_stream_file(s), path);
		/* A regular file can be checked and read again. */
		if (pass)
			assert_int_equal(trace_stream_check(s, &d), 1);
		assert_int_equal(trace_stream_next(s, &c, &d), 1);
		assert_string_equal(c.label, "a");
		trace_cmd_free(&c);
		assert_int_equal(trace_stream_header_line(s), 1);
		assert_int_equal(trace_stream_next(s, &c, &d), 1);
		assert_string_equal(c.label, "b");
		trace_cmd_free(&c);
		assert_int_equal(trace_stream_next(s, &c, &d), 1);
		assert_string_equal(c.label, "c");
		assert_int_equal(c.argpos[0].col, 1);
		trace_cmd_free(&c);
		assert_int_equal(trace_stream_next(s, &c, &d), 0);
		trace_stream_close(s);
	}
	unlink(path);

	/* /dev/zero: its first byte is a NUL, at 1:1. */
	assert_int_equal(trace_parse_file("/dev/zero", &t, &d), -1);
	assert_string_equal(d.file, "/dev/zero");
	assert_int_equal(d.line, 1);
	assert_int_equal(d.col, 1);
	assert_string_equal(d.msg, "NUL character is not allowed in a trace");
	/* A device cannot be read twice: checked as it is consumed. */
	assert_int_equal(trace_stream_open("/dev/zero", &s, &d), 0);
	assert_int_equal(trace_stream_check(s, &d), 0);
	assert_int_equal(trace_stream_next(s, &c, &d), -1);
	assert_int_equal(d.col, 1);
	trace_stream_close(s);
}

/* --- Files -------------------------------------------------------------- */

static void test_parse_file(void **state)
{
	char path[] = "/tmp/ksmsim-trace-XXXXXX";
	struct trace t;
	struct ksm_diag d;
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(spec_example, f);
	fclose(f);
	assert_int_equal(trace_parse_file(path, &t, &d), 0);
	assert_string_equal(t.file, path);
	assert_int_equal(t.ncmds, 12);
	trace_free(&t);

	/* "-" reads stdin. */
	assert_non_null(freopen(path, "r", stdin));
	assert_int_equal(trace_parse_file("-", &t, &d), 0);
	assert_string_equal(t.file, "<stdin>");
	assert_int_equal(t.ncmds, 12);
	trace_free(&t);

	/* Errors in a file name the file. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("ksmtrace 1\nmmapp a\n", f);
	fclose(f);
	assert_int_equal(trace_parse_file(path, &t, &d), -1);
	assert_string_equal(d.file, path);
	assert_int_equal(d.line, 2);
	assert_int_equal(d.col, 1);
	assert_string_equal(d.msg, "unknown command 'mmapp'");
	assert_null(t.file);
	unlink(path);

	assert_int_equal(trace_parse_file(path, &t, &d), -1);
	assert_string_equal(d.file, path);
	assert_int_equal(d.line, 0);
	assert_int_equal(d.col, 0);
	assert_string_equal(d.msg, "cannot read: No such file or directory");
	assert_null(t.file);

	assert_int_equal(trace_parse_file("/tmp", &t, &d), -1);
	assert_string_equal(d.file, "/tmp");
	assert_int_equal(d.line, 0);
	assert_string_equal(d.msg, "cannot read: Is a directory");

	/* An empty file has no header. */
	assert_int_equal(trace_parse_file("/dev/null", &t, &d), -1);
	assert_int_equal(d.line, 1);
	assert_string_equal(d.msg,
			    "expected header 'ksmtrace 1', found end of file");
}

/*
 * The error traces of tests/traces/errors: parsed by bare name from their
 * folder, as `ksmsim replay` runs them, they must print exactly their
 * .err line.  Checked here too so that they hold before the CLI exists.
 */
static void test_error_traces(void **state)
{
	static const char *const names[] = {
		"missing_header", "bad_version", "unknown_command",
		"unaligned_address", "mmap_arg_count", "zero_npages",
		"number_overflow", "bad_process_name", "unknown_knob",
		"unknown_counter", "bad_prot", "beyond_user_space",
		NULL
	};
	char src[4096], old[4096];
	size_t i;

	(void)state;
	snprintf(src, sizeof(src), "%s", __FILE__);
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(dirname(src)), 0);
	assert_int_equal(chdir("../traces/errors"), 0);
	for (i = 0; names[i]; i++) {
		char trace[256], errfile[256], want[1024] = "", *got = NULL;
		size_t len = 0;
		struct trace t;
		struct ksm_diag d;
		FILE *f;

		snprintf(trace, sizeof(trace), "%s.trace", names[i]);
		snprintf(errfile, sizeof(errfile), "%s.err", names[i]);
		f = fopen(errfile, "r");
		if (!f)
			fail_msg("%s: %s", errfile, strerror(errno));
		if (!fgets(want, sizeof(want), f))
			fail_msg("%s: empty", errfile);
		fclose(f);
		if (trace_parse_file(trace, &t, &d) == 0)
			fail_msg("%s parses", trace);
		f = open_memstream(&got, &len);
		ksm_diag_print(f, &d);
		fclose(f);
		assert_string_equal(got, want);
		free(got);
	}
	assert_int_equal(chdir(old), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_ok),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_lex_bad_characters),
		cmocka_unit_test(test_lex_utf8),
		cmocka_unit_test(test_lex_whitespace_comments),
		cmocka_unit_test(test_lex_crlf_and_lines),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_quote_truncation),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_arg_counts),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_mmap_ok),
		cmocka_unit_test(test_address_errors),
		cmocka_unit_test(test_munmap_mprotect_read),
		cmocka_unit_test(test_mremap),
		cmocka_unit_test(test_madvise_prctl),
		cmocka_unit_test(test_content_forms),
		cmocka_unit_test(test_content_errors),
		cmocka_unit_test(test_content_list_limit),
		cmocka_unit_test(test_content_token),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_set_ok),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_expect_ok),
		cmocka_unit_test(test_expect_errors),
		cmocka_unit_test(test_snapshot_check_rmap),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_big_inputs),
		cmocka_unit_test(test_stream_chunks),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_error_traces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
