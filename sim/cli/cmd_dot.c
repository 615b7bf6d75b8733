// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim dot — draw the machine's structures at a point of a trace
 *
 *   ksmsim dot [--at LINE] [--focus P] [--page P:ADDR] [--range LO-HI]
 *              [--limit N] [--fold N] [--progress | --quiet]
 *              TRACE WHAT [P [ADDR]] FILE
 *
 * Replays TRACE to its end, or only its commands on lines up to and
 * including LINE, then draws WHAT as the trace command
 * `dot WHAT [P [ADDR]] FILE` would (include/ksmsim/dot.h, docs/dot.md):
 * DOT text, or SVG, PNG or PDF by FILE's extension, never half written.
 *
 * The trace's own `dot` commands are skipped: this command draws one
 * picture, and should not scatter others as a side effect.  So are its
 * `check` commands (see part_of()).
 *
 * What the node limit cut and what was folded is said on stderr; so is
 * the progress of a big layout when stderr is a terminal (--progress:
 * always, for any size; --quiet: never).  A failed
 * expect is reported and the replay goes on (a picture of a failing
 * trace is what one wants); so does a broken invariant, checked at the
 * end.  Either makes the exit status 1, with the picture written.
 *
 * Exit status: 0 drawn; 1 drawn, but an expect or an invariant failed;
 * 2 bad usage, a trace that cannot be applied, or a picture that cannot
 * be drawn (nothing written).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/alloc.h"
#include "core/array.h"
#include "ksmsim/dot.h"
#include "ksmsim/replay.h"
#include "ksmsim/trace_cmds.h"


static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim dot [--at LINE] [--focus P] [--page P:ADDR] [--range LO-HI]\n"
		"                  [--limit N] [--fold N] [--progress | --quiet]\n"
		"                  TRACE WHAT [P [ADDR]] FILE\n"
		"\n"
		"Replays TRACE (to its end, or up to and including line LINE) and draws\n"
		"one of its structures with Graphviz. WHAT is one of:\n"
		"  stable FILE             the stable tree, chains, dups and rmap_items\n"
		"  unstable FILE           the unstable tree (inside a round)\n"
		"  anon_vma P ADDR FILE    the anon_vma of P's VMA at ADDR and its root,\n"
		"                          with their interval trees\n"
		"  mm P FILE               P's VMAs and their pages\n"
		"  rmap P ADDR FILE        the rmap walks of the KSM page P maps at ADDR:\n"
		"                          what each strategy found, divergences marked\n"
		"  all FILE                everything, clustered by kind, in rows\n"
		"FILE ending in .svg, .png or .pdf is rendered; anything else gets DOT text.\n"
		"Options:\n"
		"  --at LINE      stop after the commands on lines up to LINE\n"
		"  --focus P      stable, unstable, anon_vma, all: only what concerns P\n"
		"  --page P:ADDR  stable, all: only the KSM page mapped at P:ADDR\n"
		"  --range LO-HI  stable, unstable, anon_vma, mm, all: only rmap_items at\n"
		"                 addresses in [LO, HI) and VMAs overlapping it\n"
		"  --limit N      draw at most N structure nodes (default %d)\n"
		"  --fold N       fold runs of N or more alike VMAs, anon_vmas, chains or\n"
		"                 rmap_items into one node, and cut trees of more than %d\n"
		"                 nodes at depth %d (default %d; 0: draw every object)\n"
		"  --progress     say when a layout starts and how long it took, for any\n"
		"                 picture (default: for big ones, if stderr is a terminal)\n"
		"  --quiet        say nothing of the layout's progress\n"
		"What the node limit cut and what was folded is said on stderr and in the\n"
		"picture. The trace's own dot and check commands are skipped.\n",
		DOT_DEFAULT_LIMIT, DOT_TREE_FULL, DOT_TREE_DEPTH, DOT_DEFAULT_FOLD);
}

struct dot_args {
	unsigned long at;  /* 0: the whole trace */
	const char *focus;
	char *page_proc;   /* owned */
	uint64_t page_addr;
	unsigned limit;
	unsigned fold;     /* 0: the default */
	uint64_t range_lo, range_hi;
	int progress;      /* -1 quiet, 0 auto, 1 always */
	const char *pos[6];
	int npos;
};

static int parse_num(const char *opt, const char *s, unsigned long long max,
		     unsigned long long *out)
{
	if (!s[0] || s[0] == '-') {
		fprintf(stderr, "ksmsim dot: %s needs a number\n", opt);
		return -1;
	}
	return cli_parse_bounded("dot", opt, s, 1, max, out);
}

static int parse_page(const char *s, struct dot_args *a)
{
	const char *colon = strchr(s, ':');
	unsigned long long addr;
	char *end;

	if (!colon || colon == s || !colon[1]) {
		fprintf(stderr, "ksmsim dot: --page takes P:ADDR, not '%s'\n", s);
		return -1;
	}
	errno = 0;
	addr = strtoull(colon + 1, &end, 0);
	if (errno || *end || colon[1] == '-') {
		fprintf(stderr, "ksmsim dot: --page: '%s' is not an address\n", colon + 1);
		return -1;
	}
	free(a->page_proc);
	a->page_proc = xmalloc((size_t)(colon - s) + 1);
	memcpy(a->page_proc, s, (size_t)(colon - s));
	a->page_proc[colon - s] = '\0';
	a->page_addr = addr;
	return 0;
}

static int parse_range(const char *s, struct dot_args *a)
{
	const char *dash = strchr(s, '-');
	unsigned long long lo, hi;
	char *end;

	if (!dash || dash == s || !dash[1]) {
		fprintf(stderr, "ksmsim dot: --range takes LO-HI, not '%s'\n", s);
		return -1;
	}
	errno = 0;
	lo = strtoull(s, &end, 0);
	if (errno || end != dash) {
		fprintf(stderr, "ksmsim dot: --range: '%.*s' is not an address\n",
			(int)(dash - s), s);
		return -1;
	}
	hi = strtoull(dash + 1, &end, 0);
	if (errno || *end || dash[1] == '-') {
		fprintf(stderr, "ksmsim dot: --range: '%s' is not an address\n", dash + 1);
		return -1;
	}
	if (hi <= lo) {
		fprintf(stderr, "ksmsim dot: --range: %s is empty (HI must be above LO)\n", s);
		return -1;
	}
	a->range_lo = lo;
	a->range_hi = hi;
	return 0;
}

/* 1: --help; 0: arguments read; -1: bad usage (said why). */
static int parse_args(int argc, char **argv, struct dot_args *a)
{
	enum {
		OPT_HELP, OPT_AT, OPT_LIMIT, OPT_FOLD, OPT_RANGE, OPT_PROGRESS, OPT_QUIET,
		OPT_FOCUS, OPT_PAGE,
	};
	static const struct cli_option options[] = {
		{ "--help", "-h", CLI_VAL_NONE, OPT_HELP, NULL },
		{ "--at", NULL, CLI_VAL_NEXT, OPT_AT, "a line number" },
		{ "--limit", NULL, CLI_VAL_NEXT, OPT_LIMIT, "a number" },
		{ "--fold", NULL, CLI_VAL_NEXT, OPT_FOLD, "a number" },
		{ "--range", NULL, CLI_VAL_NEXT, OPT_RANGE, "LO-HI" },
		{ "--progress", NULL, CLI_VAL_NONE, OPT_PROGRESS, NULL },
		{ "--quiet", NULL, CLI_VAL_NONE, OPT_QUIET, NULL },
		{ "--focus", NULL, CLI_VAL_NEXT, OPT_FOCUS, "a process name" },
		{ "--page", NULL, CLI_VAL_NEXT, OPT_PAGE, "P:ADDR" },
		{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
	};
	struct cli_args args = { argc, argv, 1, true, false, false, NULL };
	unsigned long long v;
	const char *val;
	int key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		switch (key) {
		case OPT_HELP:
			usage(stdout);
			return 1;
		case OPT_AT:
			if (parse_num("--at", val, UINT32_MAX, &v))
				return -1;
			a->at = (unsigned long)v;
			break;
		case OPT_LIMIT:
			if (parse_num("--limit", val, UINT32_MAX, &v))
				return -1;
			a->limit = (unsigned)v;
			break;
		case OPT_FOLD:
			if (!strcmp(val, "0"))
				a->fold = DOT_FOLD_NEVER;
			else if (parse_num("--fold", val, 1000000, &v))
				return -1;
			else
				a->fold = (unsigned)v;
			break;
		case OPT_RANGE:
			if (parse_range(val, a))
				return -1;
			break;
		case OPT_PROGRESS:
			a->progress = 1;
			break;
		case OPT_QUIET:
			a->progress = -1;
			break;
		case OPT_FOCUS:
			a->focus = val;
			break;
		case OPT_PAGE:
			if (parse_page(val, a))
				return -1;
			break;
		case CLI_OPT_ARG:
			if (a->npos == (int)(ARRAY_SIZE(a->pos))) {
				fprintf(stderr, "ksmsim dot: too many arguments ('%s')\n", val);
				return -1;
			}
			a->pos[a->npos++] = val;
			break;
		case CLI_OPT_NO_VALUE:
			cli_opt_error(&args, "dot", key, val);
			return -1;
		default:
			fprintf(stderr, "ksmsim dot: unknown option '%s'\n", val);
			return -1;
		}
	}
	return 0;
}

/* WHAT's number of arguments before FILE, or -1 for an unknown WHAT. */
static int what_of(const char *s, enum trace_dot_what *what)
{
	static const enum trace_dot_what all[] = {
		TDOT_STABLE, TDOT_UNSTABLE, TDOT_ANON_VMA, TDOT_MM, TDOT_RMAP, TDOT_ALL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		if (strcmp(s, trace_dot_what_name(all[i])))
			continue;
		*what = all[i];
		return all[i] == TDOT_ANON_VMA || all[i] == TDOT_RMAP ? 2 :
		       all[i] == TDOT_MM ? 1 : 0;
	}
	return -1;
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "ksmsim dot: %s\n", line);
}

static void report_expect(void *ctx, const struct ksm_diag *d)
{
	(void)ctx;
	ksm_diag_print(stderr, d);
}

/*
 * The commands to replay: up to line @at (0: all), without `dot` (this
 * command draws one picture, not the trace's) and without `check`, which
 * changes nothing and only reports, and which on a big trace is most of
 * the time a replay takes (the reproducer's check walks 20,000 chains for
 * each of 20,000 mappings): `ksmsim replay` is the command that checks.
 */
static struct trace part_of(const struct trace *t, unsigned long at)
{
	struct trace p = *t;

	p.cmds = xmalloc(sizeof(*p.cmds) * (t->ncmds ? t->ncmds : 1));
	p.ncmds = 0;
	for (size_t i = 0; i < t->ncmds; i++) {
		if (at && t->cmds[i].argpos[0].line > at)
			break;
		if (!(trace_cmd_flags(t->cmds[i].kind) & (TCF_DRAWS | TCF_CHECKS_ALL)))
			p.cmds[p.ncmds++] = t->cmds[i]; /* shallow: @t owns */
	}
	return p;
}

int cmd_dot(int argc, char **argv)
{
	struct dot_args a = { 0 };
	struct replay_opts ropts = { .invariants = REPLAY_CHECK_END, .keep_going = true,
				     .on_expect_failure = report_expect };
	struct dot_opts dopts = { 0 };
	struct replay_result res;
	struct ksm_diag diag = { 0 };
	struct sim_error err = { 0 };
	struct trace t = { 0 }, part;
	enum trace_dot_what what = TDOT_ALL;
	enum replay_status st;
	const char *proc = NULL, *file, *base;
	unsigned long long addr = 0;
	struct ksm_sim *sim;
	char title[512], leaks[512];
	int rc, nargs, status = KSMSIM_EXIT_OK;

	rc = parse_args(argc, argv, &a);
	if (rc) {
		if (rc < 0)
			usage(stderr);
		free(a.page_proc);
		return rc < 0 ? KSMSIM_EXIT_USAGE : KSMSIM_EXIT_OK;
	}
	if (a.npos < 3) {
		fprintf(stderr, "ksmsim dot: %s\n", a.npos == 0 ? "no trace given" :
			a.npos == 1 ? "nothing to draw: give WHAT and FILE" : "no output file given");
		goto usage;
	}
	nargs = what_of(a.pos[1], &what);
	if (nargs < 0) {
		fprintf(stderr, "ksmsim dot: cannot draw '%s': WHAT is stable, unstable, "
			"anon_vma, mm, rmap or all\n", a.pos[1]);
		goto usage;
	}
	if (a.npos != 3 + nargs) {
		fprintf(stderr, "ksmsim dot: %s takes %s\n", a.pos[1],
			nargs == 2 ? "P ADDR FILE" : nargs == 1 ? "P FILE" : "only FILE");
		goto usage;
	}
	if (nargs >= 1)
		proc = a.pos[2];
	if (nargs == 2) {
		char *end;

		errno = 0;
		addr = strtoull(a.pos[3], &end, 0);
		if (errno || *end || !a.pos[3][0] || a.pos[3][0] == '-') {
			fprintf(stderr, "ksmsim dot: '%s' is not an address\n", a.pos[3]);
			goto usage;
		}
	}
	file = a.pos[a.npos - 1];

	if (trace_parse_file(a.pos[0], &t, &diag)) {
		ksm_diag_print(stderr, &diag);
		trace_free(&t);
		free(a.page_proc);
		return KSMSIM_EXIT_USAGE;
	}
	part = part_of(&t, a.at);
	sim = ksm_sim_create();
	st = replay_trace(sim, &part, &ropts, &res, &diag);
	if (st == REPLAY_ERROR) {
		ksm_diag_print(stderr, &diag);
		status = KSMSIM_EXIT_USAGE;
		goto out;
	}
	if (st == REPLAY_BROKEN) {
		ksm_diag_print(stderr, &diag);
		status = KSMSIM_EXIT_FAIL;
	} else if (st == REPLAY_EXPECT_FAILED) {
		status = KSMSIM_EXIT_FAIL;
	}

	/* The title names the trace by its file name, which can be any text. */
	base = strrchr(t.file, '/');
	base = base ? base + 1 : t.file;
	if (a.at)
		snprintf(title, sizeof(title), "%s, after line %lu", base, a.at);
	else
		snprintf(title, sizeof(title), "%s, at its end", base);
	dopts.limit = a.limit;
	dopts.focus = a.focus;
	dopts.page_proc = a.page_proc;
	dopts.page_addr = a.page_addr;
	dopts.title = title;
	dopts.fold = a.fold;
	dopts.range_lo = a.range_lo;
	dopts.range_hi = a.range_hi;
	dopts.note = say;
	/* Progress is for a person watching: not in a log unless asked. */
	dopts.progress = a.progress > 0 ? DOT_PROGRESS_ALL :
			 a.progress == 0 && isatty(STDERR_FILENO) ? DOT_PROGRESS_BIG :
			 DOT_PROGRESS_NONE;
	if (sim_dot(sim, what, proc, addr, file, &dopts, &err)) {
		fprintf(stderr, "ksmsim dot: %s\n", err.msg);
		status = KSMSIM_EXIT_USAGE;
	}
out:
	if (ksm_sim_destroy(sim, leaks, sizeof(leaks))) {
		fprintf(stderr, "ksmsim: internal error: objects left at teardown: %s\n", leaks);
		if (status == KSMSIM_EXIT_OK)
			status = KSMSIM_EXIT_FAIL;
	}
	free(part.cmds);
	trace_free(&t);
	free(a.page_proc);
	return status;
usage:
	usage(stderr);
	free(a.page_proc);
	return KSMSIM_EXIT_USAGE;
}
