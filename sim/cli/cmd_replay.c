// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim replay — run a trace on a simulated machine
 *
 *   ksmsim replay [--snapshots FILE] [--report FILE] [--keep-going]
 *                 [--check-invariants=none|end|each] [--check=each]
 *                 [--strict] [--check-dot DIR] [--quiet]
 *                 [--kernel baseline|lpi] [--set sim.NAME=VALUE]... TRACE
 *
 * The whole trace is parsed before anything runs, so a syntax error
 * anywhere applies nothing.  Snapshot records go to standard output, or
 * to FILE — written under a temporary name and renamed only when the
 * replay ran to its end or to a failed expect (whose expect_failed record
 * ends the stream), so FILE is never left half written.  The reports of
 * `check`, `rmap` and `migrate` go to standard error, or to --report
 * FILE.  --check=each runs the rmap check after every command; --strict
 * makes every rmap finding fail the replay (a divergence between the full
 * and indexed walks always does); --check-dot DIR draws the rmap
 * picture of every KSM page a check reports into DIR.  --kernel K (short
 * for --set sim.kernel=K) and --set pin simulator knobs for the whole
 * replay: the trace's own `set` of the same knob is ignored, so one trace
 * can be replayed as each kernel (the guest agreement tests do).  A
 * summary of the final machine goes to standard error unless --quiet.
 * --check=each and the undocumented --check=none together are refused.
 * A replay that ran an rmap check (--check=each, or a `check` command)
 * ends with a line saying what was checked, clean or not, in the report
 * (and on stderr too when the report is a file, unless --quiet):
 * replay_check_summary().
 *
 * Exit status: 0 success; 1 an expect failed, a check failed (a
 * divergence, or any finding with --strict), or (a bug) an invariant of
 * the model did; 2 bad usage or a trace that cannot be applied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/pins.h"
#include "core/alloc.h"
#include "core/outfile.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim replay [--snapshots FILE] [--report FILE] [--keep-going]\n"
		"                     [--check-invariants=none|end|each] [--check=each]\n"
		"                     [--strict] [--check-dot DIR] [--quiet]\n"
		"                     [--kernel baseline|lpi] [--set sim.NAME=VALUE]... TRACE\n"
		"\n"
		"Replays a ksmtrace v1 file (docs/trace-format.md) on a simulated machine.\n"
		"TRACE \"-\" is standard input.  A file is checked whole before anything\n"
		"runs; a pipe can be read only once, so there a syntax error is found when\n"
		"it is reached, after the commands before it have run.\n"
		"  --snapshots FILE      write snapshot records to FILE instead of stdout\n"
		"  --report FILE         write check/rmap/migrate reports to FILE instead of stderr\n"
		"  --check=each          compare the rmap walks of every KSM page after every command;\n"
		"                        a checked replay ends with a summary of what was compared\n"
		"                        (only the lpi kernel has the indexed walk: --kernel lpi)\n"
		"  --strict              any rmap finding fails (a full/indexed divergence always does)\n"
		"  --check-dot DIR       draw the rmap picture of every KSM page the check reports in DIR\n"
		"  --keep-going          report every failed expect and go on (exit 1 at the end)\n"
		"  --check-invariants=W  check the model's invariants never, at the end\n"
		"                        (default) or after each command\n"
		"  --quiet               no summary of the machine on stderr (the check summary\n"
		"                        stays in the report)\n"
		"  --kernel K            replay as kernel K (baseline or lpi), whatever the\n"
		"                        trace's `set sim.kernel` says\n"
		"  --set sim.NAME=VALUE  pin a simulator knob (repeatable); the trace's own\n"
		"                        setting of it is ignored\n"
		"Snapshot records are written when the replay runs to its end or to a failed\n"
		"expect (the records before it, then an expect_failed record per failed pair).\n"
		"Exit status: 0 success, 1 a failed expect, a divergence of the full and indexed\n"
		"walks (or with --strict any finding) or a broken invariant, 2 bad usage or a\n"
		"trace that cannot be applied.\n");
}

static void report_expect(void *ctx, const struct ksm_diag *d)
{
	(void)ctx;
	ksm_diag_print(stderr, d);
}

static void print_summary(struct ksm_sim *sim, const char *file,
			  const struct replay_result *res)
{
	struct ksm_counters c;
	unsigned long procs = 0, vmas = 0;

	for (struct task *t = sim_first_task(sim); t; t = sim_next_task(sim, t)) {
		procs++;
		vmas += t->mm->map_count;
	}
	ksm_read_counters(sim, &c);
	fprintf(stderr,
		"%s: %u commands, %u snapshots; %lu processes, %lu VMAs, %llu pages in use\n"
		"ksm: full_scans %ld pages_shared %ld pages_sharing %ld pages_unshared %ld "
		"pages_volatile %ld ksm_zero_pages %ld general_profit %ld\n",
		file, res->commands, res->snapshots, procs, vmas,
		(unsigned long long)sim->mem.nr_used, c.full_scans, c.pages_shared,
		c.pages_sharing, c.pages_unshared, c.pages_volatile, c.ksm_zero_pages,
		c.general_profit);
}

struct replay_args {
	const char *trace;
	const char *snapshots;
	const char *report;
	const char *check_dot;
	bool check_each;
	bool strict;
	bool keep_going;
	bool quiet;
	enum replay_check invariants;
	struct cli_pins pins;
};

/* 1: --help; 0: arguments read; -1: bad usage (said why). */
static int parse_args(int argc, char **argv, struct replay_args *a)
{
	enum {
		OPT_HELP, OPT_KEEP_GOING, OPT_CHECK_EACH, OPT_CHECK_NONE, OPT_STRICT,
		OPT_CHECK_DOT, OPT_REPORT, OPT_QUIET, OPT_SNAPSHOTS, OPT_KERNEL, OPT_SET,
		OPT_INVARIANTS,
	};
	static const struct cli_option options[] = {
		{ "--help", "-h", CLI_VAL_NONE, OPT_HELP, NULL },
		{ "--keep-going", NULL, CLI_VAL_NONE, OPT_KEEP_GOING, NULL },
		{ "--check=each", NULL, CLI_VAL_NONE, OPT_CHECK_EACH, NULL },
		{ "--check=none", NULL, CLI_VAL_NONE, OPT_CHECK_NONE, NULL },
		{ "--strict", NULL, CLI_VAL_NONE, OPT_STRICT, NULL },
		{ "--check-dot", NULL, CLI_VAL_NEXT, OPT_CHECK_DOT, "a folder" },
		{ "--report", NULL, CLI_VAL_NEXT, OPT_REPORT, "a file name" },
		{ "--quiet", "-q", CLI_VAL_NONE, OPT_QUIET, NULL },
		{ "--snapshots", NULL, CLI_VAL_NEXT, OPT_SNAPSHOTS, "a file name" },
		CLI_PINS_OPTIONS(OPT_KERNEL, OPT_SET, OPT_INVARIANTS),
		{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
	};
	struct cli_args args = { argc, argv, 1, true, false, false, NULL };
	bool check_each = false, check_none = false;
	const char *val;
	int key;

	a->invariants = REPLAY_CHECK_END;
	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		switch (key) {
		case OPT_HELP:
			usage(stdout);
			return 1;
		case OPT_KEEP_GOING:
			a->keep_going = true;
			break;
		case OPT_CHECK_EACH:
			check_each = true;
			break;
		case OPT_CHECK_NONE:
			check_none = true;
			break;
		case OPT_STRICT:
			a->strict = true;
			break;
		case OPT_CHECK_DOT:
			a->check_dot = val;
			break;
		case OPT_REPORT:
			a->report = val;
			break;
		case OPT_QUIET:
			a->quiet = true;
			break;
		case OPT_SNAPSHOTS:
			a->snapshots = val;
			break;
		case OPT_KERNEL:
			if (cli_pins_take(&a->pins, "replay", "--kernel", val))
				return -1;
			break;
		case OPT_SET:
			if (cli_pins_take(&a->pins, "replay", "--set", val))
				return -1;
			break;
		case OPT_INVARIANTS:
			if (cli_invariants_take("replay", val, &a->invariants))
				return -1;
			break;
		case CLI_OPT_ARG:
			if (a->trace) {
				fprintf(stderr, "ksmsim replay: one trace at a time ('%s' and '%s')\n",
					a->trace, val);
				return -1;
			}
			a->trace = val;
			break;
		case CLI_OPT_NO_VALUE:
			cli_opt_error(&args, "replay", key, val);
			return -1;
		default:
			fprintf(stderr, "ksmsim replay: unknown option '%s'\n", val);
			return -1;
		}
	}
	if (check_each && check_none) {
		fprintf(stderr, "ksmsim replay: --check=each and --check=none contradict each other\n");
		return -1;
	}
	a->check_each = check_each;
	if (!a->trace) {
		fprintf(stderr, "ksmsim replay: no trace given\n");
		return -1;
	}
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_args a = { 0 };
	struct replay_opts opts = { .on_expect_failure = report_expect };
	struct replay_result res;
	struct ksm_diag err = { 0 };
	struct trace_stream *t;
	struct outfile snaps, report;
	struct ksm_sim *sim;
	enum replay_status st;
	char leaks[512];
	bool keep;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc) {
		if (rc < 0)
			usage(stderr);
		return rc < 0 ? KSMSIM_EXIT_USAGE : KSMSIM_EXIT_OK;
	}
	/*
	 * Commands are replayed as they are read, one at a time, so a trace
	 * of any length replays in constant memory.  A file is parsed once
	 * first, so that a syntax error applies nothing; a pipe can be read
	 * only once, and a syntax error in it stops the replay there.
	 */
	if (trace_stream_open(a.trace, &t, &err) || trace_stream_check(t, &err) < 0) {
		ksm_diag_print(stderr, &err);
		trace_stream_close(t);
		return KSMSIM_EXIT_USAGE;
	}
	/* Both outputs open before anything runs: a bad path applies nothing. */
	if (outfile_open(&snaps, a.snapshots ? a.snapshots : "-", &err)) {
		ksm_diag_print(stderr, &err);
		trace_stream_close(t);
		return KSMSIM_EXIT_USAGE;
	}
	if (a.report && outfile_open(&report, a.report, &err)) {
		ksm_diag_print(stderr, &err);
		outfile_abort(&snaps);
		trace_stream_close(t);
		return KSMSIM_EXIT_USAGE;
	}
	opts.invariants = a.invariants;
	opts.rmap_check = a.check_each ? REPLAY_CHECK_EACH : REPLAY_CHECK_NONE;
	opts.strict = a.strict;
	opts.check_dot_dir = a.check_dot;
	opts.report = a.report ? report.f : stderr;
	opts.keep_going = a.keep_going;
	opts.snapshots = snaps.f;

	sim = ksm_sim_create();
	if (cli_pins_apply(&a.pins, "replay", sim)) {
		ksm_sim_destroy(sim, NULL, 0);
		outfile_abort(&snaps);
		if (a.report)
			outfile_abort(&report);
		trace_stream_close(t);
		return KSMSIM_EXIT_USAGE;
	}
	st = replay_stream(sim, t, &opts, &res, &err);
	if (st == REPLAY_ERROR || st == REPLAY_BROKEN ||
	    (st == REPLAY_EXPECT_FAILED && !a.keep_going))
		ksm_diag_print(stderr, &err);
	else if (!a.quiet)
		print_summary(sim, a.trace, &res);
	/*
	 * A replay that ran a check ends with what it checked, clean or not,
	 * in the report (and on stderr too when the report is a file).
	 */
	if (res.checks) {
		replay_check_summary(opts.report, a.trace, &res);
		if (a.report && !a.quiet)
			replay_check_summary(stderr, a.trace, &res);
	}
	if (ksm_sim_destroy(sim, leaks, sizeof(leaks))) {
		fprintf(stderr, "ksmsim: internal error: objects left at teardown: %s\n", leaks);
		if (st == REPLAY_OK)
			st = REPLAY_BROKEN;
	}
	/*
	 * Snapshot records are kept from a replay that ran to its end, or to
	 * a failed expect: the records before it are valid, and the failure
	 * is the last record (an expect_failed record).  A replay stopped by
	 * an error, a broken invariant or a failed check is not kept.  The
	 * report is a log of what happened and is kept either way.
	 */
	keep = st == REPLAY_OK ||
	       (st == REPLAY_EXPECT_FAILED && (a.keep_going || res.failed_expects));
	if (!keep) {
		outfile_abort(&snaps);
	} else if (outfile_commit(&snaps, &err)) {
		ksm_diag_print(stderr, &err);
		st = REPLAY_ERROR;
	}
	if (a.report && outfile_commit(&report, &err)) {
		ksm_diag_print(stderr, &err);
		st = REPLAY_ERROR;
	}
	trace_stream_close(t);
	switch (st) {
	case REPLAY_OK:
		return KSMSIM_EXIT_OK;
	case REPLAY_EXPECT_FAILED:
	case REPLAY_BROKEN:
		return KSMSIM_EXIT_FAIL;
	case REPLAY_ERROR:
		break;
	}
	return KSMSIM_EXIT_USAGE;
}
