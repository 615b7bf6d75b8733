// SPDX-License-Identifier: MIT
/*
 * Graphviz pictures (sim/report/dot_*.c): dot_escape() turns text into an
 * escString that Graphviz shows as the text itself, through cgraph's
 * writer and reader and through a rendering; sim_dot() refuses what it
 * cannot draw with the word of the `dot` command at fault and leaves no
 * file behind; its output is deterministic; the budget, the focus and
 * the between-rounds unstable tree show as they should.  The pictures
 * themselves are compared with golden files in tests/dot.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "ksm_fixture.h"
#include "ksmsim/dot.h"

#include <cgraph.h>

static char tmpdir[] = "/tmp/ksmsim-test-dot-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void empty_tmpdir(void)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(dir);
}

static int teardown(void **state)
{
	(void)state;
	empty_tmpdir();
	rmdir(tmpdir);
	return 0;
}

/* Entries of the temporary folder (dot files, temporaries). */
static int tmpdir_entries(void)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

static const char *tmp(const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	return p;
}

/* The whole of a file (malloc'ed, NUL-terminated); fails the test if absent. */
static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot read %s", file);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* ---- dot_escape ---- */

static void test_escape_plain(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(dot_escape(out, sizeof(out), "a 0x1000 #12"), 12);
	assert_string_equal(out, "a 0x1000 #12");
	assert_int_equal(dot_escape(out, sizeof(out), ""), 0);
	assert_string_equal(out, "");
	/* Quotes and newlines are not escString escapes: cgraph quotes them. */
	assert_int_equal(dot_escape(out, sizeof(out), "\"x\"\n"), 4);
	assert_string_equal(out, "\"x\"\n");
}

static void test_escape_backslashes(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(dot_escape(out, sizeof(out), "a\\b"), 4);
	assert_string_equal(out, "a\\\\b");
	assert_int_equal(dot_escape(out, sizeof(out), "\\"), 2);
	assert_string_equal(out, "\\\\");
	/* \N would be the node's name, \l a line end: both stay text. */
	assert_int_equal(dot_escape(out, sizeof(out), "\\N\\l"), 6);
	assert_string_equal(out, "\\\\N\\\\l");
	assert_int_equal(dot_escape(out, sizeof(out), "\\\\"), 4);
	assert_string_equal(out, "\\\\\\\\");
}

static void test_escape_truncates(void **state)
{
	char out[8];

	(void)state;
	/* Like snprintf: the needed length, a NUL-terminated prefix. */
	assert_int_equal(dot_escape(out, 4, "abcdef"), 6);
	assert_string_equal(out, "abc");
	/* Never half of a doubled backslash, nor anything after it. */
	assert_int_equal(dot_escape(out, 3, "a\\bc"), 5);
	assert_string_equal(out, "a");
	assert_int_equal(dot_escape(out, 4, "a\\bc"), 5);
	assert_string_equal(out, "a\\\\");
	assert_int_equal(dot_escape(out, 1, "a"), 1);
	assert_string_equal(out, "");
	/* Only measuring. */
	assert_int_equal(dot_escape(NULL, 0, "x\\y\\"), 6);
}

/* cgraph writes an escaped label and reads it back unchanged. */
static void test_escape_through_cgraph(void **state)
{
	char label[64];
	Agraph_t *g, *back;
	Agnode_t *n;
	FILE *f;

	(void)state;
	dot_escape(label, sizeof(label), "C:\\dir\\N\\ \"q\"");
	g = agopen((char *)"t", Agdirected, NULL);
	n = agnode(g, (char *)"node_name", 1);
	agsafeset(n, (char *)"label", label, (char *)"");
	f = tmpfile();
	assert_non_null(f);
	assert_int_not_equal(agwrite(g, f), EOF);
	rewind(f);
	back = agread(f, NULL);
	fclose(f);
	assert_non_null(back);
	assert_string_equal(agget(agnode(back, (char *)"node_name", 0), (char *)"label"),
			    label);
	agclose(back);
	agclose(g);
}

/* ---- sim_dot ---- */

#define MERGE_TRACE \
	"set pages_to_scan=1000 smart_scan=0\n" \
	"spawn a\nspawn b\n" \
	"mmap a 0x100000000000 4\nmmap b 0x100000000000 4\n" \
	"write a 0x100000000000 4 seq=1\nwrite b 0x100000000000 4 seq=1\n" \
	"madvise a 0x100000000000 4 mergeable\nmadvise b 0x100000000000 4 mergeable\n" \
	"fork a c\nscan rounds=2\n"

static void expect_error(struct ksm_sim *sim, enum trace_dot_what what,
			 const char *proc, uint64_t addr, const char *file,
			 const struct dot_opts *opts, unsigned arg, const char *msg)
{
	struct sim_error err = { 0 };

	assert_int_equal(sim_dot(sim, what, proc, addr, file, opts, &err), -1);
	assert_int_equal(err.arg, arg);
	if (!strstr(err.msg, msg))
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
	assert_int_equal(tmpdir_entries(), 0);
}

static void test_errors(void **state)
{
	struct ksm_sim *sim = run(MERGE_TRACE);
	struct dot_opts focus = { .focus = "zz" }, page = { .page_proc = "a",
							  .page_addr = A + 0x10000 };
	char missing[512];

	(void)state;
	empty_tmpdir();
	snprintf(missing, sizeof(missing), "%s/no/such/x.dot", tmpdir);
	/* err->arg: which argument of `dot WHAT [P [ADDR]] FILE` is at fault
	 * (the replayer turns it into the word, replay_word_of()). */
	expect_error(sim, TDOT_MM, "zz", 0, tmp("x.dot"), NULL, SIM_ARG_P,
		     "no live process named 'zz'");
	expect_error(sim, TDOT_ANON_VMA, "zz", A, tmp("x.dot"), NULL, SIM_ARG_P,
		     "no live process named 'zz'");
	expect_error(sim, TDOT_ANON_VMA, "a", A + 0x10000, tmp("x.dot"), NULL, SIM_ARG_ADDR,
		     "a has no VMA at 0x100000010000");
	expect_error(sim, TDOT_RMAP, "a", A + 0x10000, tmp("x.dot"), NULL, SIM_ARG_ADDR,
		     "a maps no KSM page at 0x100000010000");
	expect_error(sim, TDOT_RMAP, "zz", A, tmp("x.dot"), NULL, SIM_ARG_P,
		     "no live process named 'zz'");
	expect_error(sim, TDOT_STABLE, NULL, 0, tmp("x.dot"), &focus, SIM_ARG_CMD,
		     "focus: no live process named 'zz'");
	expect_error(sim, TDOT_STABLE, NULL, 0, tmp("x.dot"), &page, SIM_ARG_CMD,
		     "page: a maps no KSM page at 0x100000010000");
	expect_error(sim, TDOT_STABLE, NULL, 0, missing, NULL, SIM_ARG_DOT_FILE, "cannot write");
	expect_error(sim, TDOT_MM, "a", 0, missing, NULL, SIM_ARG_DOT_FILE, "cannot write");
	expect_error(sim, TDOT_ANON_VMA, "a", A, missing, NULL, SIM_ARG_DOT_FILE, "cannot write");
	snprintf(missing, sizeof(missing), "%s/no/such/x.svg", tmpdir);
	expect_error(sim, TDOT_ALL, NULL, 0, missing, NULL, SIM_ARG_DOT_FILE, "cannot write");
	done(sim);
}

/* The same machine state gives byte-identical DOT text. */
static void test_deterministic(void **state)
{
	static const enum trace_dot_what whats[] = { TDOT_STABLE, TDOT_UNSTABLE,
						     TDOT_ANON_VMA, TDOT_MM, TDOT_ALL };
	struct ksm_sim *s1 = run(MERGE_TRACE), *s2 = run(MERGE_TRACE);
	struct sim_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++) {
		char *x, *y;
		size_t nx, ny;

		assert_int_equal(sim_dot(s1, whats[i], "c", A, tmp("1.dot"), NULL, &err), 0);
		assert_int_equal(sim_dot(s2, whats[i], "c", A, tmp("2.dot"), NULL, &err), 0);
		x = slurp(tmp("1.dot"), &nx);
		y = slurp(tmp("2.dot"), &ny);
		assert_true(nx > 0);
		assert_int_equal(nx, ny);
		assert_memory_equal(x, y, nx);
		assert_int_equal(strncmp(x, "digraph", 7), 0);
		free(x);
		free(y);
	}
	empty_tmpdir();
	done(s1);
	done(s2);
}

static bool file_has(const char *file, const char *what)
{
	char *text = slurp(file, NULL);
	bool has = strstr(text, what) != NULL;

	free(text);
	return has;
}

static void test_budget_and_focus(void **state)
{
	struct ksm_sim *sim = run(MERGE_TRACE);
	struct dot_opts small = { .limit = 3 }, focus = { .focus = "b" },
			page = { .page_proc = "c", .page_addr = A + 0x2000 };
	struct sim_error err = { 0 };

	(void)state;
	assert_int_equal(sim_dot(sim, TDOT_STABLE, NULL, 0, tmp("s.dot"), NULL, &err), 0);
	assert_false(file_has(tmp("s.dot"), "more not drawn"));
	assert_true(file_has(tmp("s.dot"), "c 0x100000002000"));
	/* Four KSM pages, twelve items: three nodes drawn, the rest noted. */
	assert_int_equal(sim_dot(sim, TDOT_STABLE, NULL, 0, tmp("s.dot"), &small, &err), 0);
	assert_true(file_has(tmp("s.dot"), "13 more not drawn"));
	assert_true(file_has(tmp("s.dot"), "1 stable node\\n"));
	assert_true(file_has(tmp("s.dot"), "12 rmap_items"));
	/* Only b's items. */
	assert_int_equal(sim_dot(sim, TDOT_STABLE, NULL, 0, tmp("s.dot"), &focus, &err), 0);
	assert_true(file_has(tmp("s.dot"), "process b only"));
	assert_true(file_has(tmp("s.dot"), "b 0x100000002000"));
	assert_false(file_has(tmp("s.dot"), "c 0x100000002000"));
	/* Only the KSM page at c 0x100000002000 (content 3). */
	assert_int_equal(sim_dot(sim, TDOT_STABLE, NULL, 0, tmp("s.dot"), &page, &err), 0);
	assert_true(file_has(tmp("s.dot"), "content 3\\n"));
	assert_true(file_has(tmp("s.dot"), "c 0x100000002000"));
	assert_false(file_has(tmp("s.dot"), "c 0x100000001000"));
	empty_tmpdir();
	done(sim);
}

/* Between rounds the unstable tree may hold freed items: never walked. */
static void test_unstable_between_rounds(void **state)
{
	struct ksm_sim *sim = run("set pages_to_scan=3 smart_scan=0\nspawn a\n"
				  "mmap a 0x100000000000 4\nwrite a 0x100000000000 4 seq=1\n"
				  "madvise a 0x100000000000 4 mergeable\nscan rounds=2\n");
	struct sim_error err = { 0 };

	(void)state;
	assert_null(sim->ksm->scan_slot);
	assert_int_equal(sim_dot(sim, TDOT_UNSTABLE, NULL, 0, tmp("u.dot"), NULL, &err), 0);
	assert_true(file_has(tmp("u.dot"), "the unstable tree is dead"));
	assert_false(file_has(tmp("u.dot"), "ordering=out"));
	/* Inside the next round the tree is drawn. */
	run_on(sim, "scan batches=1\n");
	assert_non_null(sim->ksm->scan_slot);
	assert_int_equal(sim_dot(sim, TDOT_UNSTABLE, NULL, 0, tmp("u.dot"), NULL, &err), 0);
	assert_false(file_has(tmp("u.dot"), "the unstable tree is dead"));
	assert_true(file_has(tmp("u.dot"), "ordering=out"));
	assert_true(file_has(tmp("u.dot"), "UNSTABLE seqnr 2"));
	assert_true(file_has(tmp("u.dot"), "stale: unstable items of the last round"));
	empty_tmpdir();
	done(sim);
}

/*
 * In-process rendering, twice in one process (one gvc context serves
 * both), and what Graphviz makes of the escaped title: the text itself,
 * backslashes and all, not the node's name that an unescaped \N means.
 */
static void test_render(void **state)
{
	struct ksm_sim *sim = run(MERGE_TRACE);
	struct dot_opts opts = { .title = "C:\\dir\\N\\" };
	struct sim_error err = { 0 };
	char *svg;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sim_dot(sim, TDOT_ALL, NULL, 0, tmp("a.svg"), &opts, &err), 0);
		svg = slurp(tmp("a.svg"), NULL);
		assert_true(!strncmp(svg, "<?xml", 5) || !strncmp(svg, "<svg", 4));
		assert_non_null(strstr(svg, ">C:\\dir\\N\\</text>"));
		free(svg);
	}
	assert_int_equal(sim_dot(sim, TDOT_ALL, NULL, 0, tmp("a.dot"), &opts, &err), 0);
	assert_true(file_has(tmp("a.dot"), "C:\\\\dir\\\\N\\\\\\n"));
	assert_int_equal(dot_format_of("x.svg"), DOT_FORMAT_SVG);
	assert_int_equal(dot_format_of("x.png"), DOT_FORMAT_PNG);
	assert_int_equal(dot_format_of("x.pdf"), DOT_FORMAT_PDF);
	assert_int_equal(dot_format_of("x.gv"), DOT_FORMAT_DOT);
	assert_int_equal(dot_format_of(".svg"), DOT_FORMAT_DOT);
	empty_tmpdir();
	done(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain),
		cmocka_unit_test(test_escape_backslashes),
		cmocka_unit_test(test_escape_truncates),
		cmocka_unit_test(test_escape_through_cgraph),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_budget_and_focus),
		cmocka_unit_test(test_unstable_between_rounds),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
