// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim check — the rmap check of whole traces, as a report
 *
 *   ksmsim check [--kernel baseline|lpi] [--set sim.NAME=VALUE]...
 *                [--check-invariants=none|end|each] [--json] TRACE...
 *
 * Replays each TRACE (with the library's replayer, as `replay
 * --check=each --keep-going` does) with the rmap check after every
 * command and the model's invariants after every command (default), and
 * writes no snapshot stream: the report is the output.  Each finding is
 * printed where it first appears, then one summary line per trace (the
 * same line replay prints, replay_check_summary()) and a total.  A trace
 * that sets sim.kernel=lpi is checked as lpi; one that does not is checked
 * as baseline, where the indexed walk does not exist, and its summary says
 * so — `--kernel lpi` checks it as lpi whatever the trace sets.
 *
 * --json writes one JSON object per trace (JSON Lines) with the same
 * content, then one {"total":{...}} line; nothing else goes to stdout.
 *
 * Exit status: 0 every trace was clean; 1 a divergence, a finding (other
 * than the naive walk's misses: the negative control, reported but not a
 * failure), a failed expect or a broken invariant in some trace; 2 bad
 * usage, or a
 * trace that cannot be read or applied (the other traces are still
 * checked).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/alloc.h"
#include "cli/pins.h"
#include "core/json.h"
#include "ksm/ksm_state.h"
#include "ksmsim/replay.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim check [--kernel baseline|lpi] [--set sim.NAME=VALUE]...\n"
		"                    [--check-invariants=none|end|each] [--json] TRACE...\n"
		"\n"
		"Replays each trace with the rmap check after every command: every KSM\n"
		"page's full, indexed and naive walks against each other and against the\n"
		"page tables (docs/rmap.md).  Prints each finding where it first appears,\n"
		"a summary line per trace and a total; writes no snapshot records, and\n"
		"the traces' own `dot` commands draw nothing.\n"
		"  --kernel K            check as kernel K (baseline or lpi), whatever the\n"
		"                        trace's `set sim.kernel` says; only lpi has the\n"
		"                        indexed walk, so only lpi compares full with indexed\n"
		"  --set sim.NAME=VALUE  pin a simulator knob (repeatable)\n"
		"  --check-invariants=W  check the model's invariants never, at the end\n"
		"                        or after each command (default)\n"
		"  --json                one JSON object per trace (JSON Lines), then a total\n"
		"Exit status: 0 clean, 1 a divergence, a finding, a failed expect or a broken\n"
		"invariant (the naive walk's misses, the negative control, are reported but\n"
		"do not fail), 2 bad usage or a trace that cannot be read or applied.\n");
}

struct check_args {
	const char **traces;
	int ntraces;
	struct cli_pins pins;
	enum replay_check invariants;
	bool json;
};

/* Where one trace's reports go: printed (human) or as JSON array items. */
struct check_out {
	bool json;
	unsigned nreports;
	struct ksm_diag last_expect; /* to tell a stop from the last failed expect */
};

static void json_report(struct check_out *o, unsigned line, unsigned col, const char *kind,
			const char *text)
{
	printf("%s{\"line\":%u,\"col\":%u,\"kind\":", o->nreports++ ? "," : "", line, col);
	json_string(stdout, kind);
	fputs(",\"text\":", stdout);
	json_string(stdout, text);
	fputc('}', stdout);
}

static void on_finding(void *ctx, const struct trace_cmd *c, enum rmap_finding_kind kind,
		       const char *text)
{
	struct check_out *o = ctx;

	if (o->json)
		json_report(o, c->argpos[0].line, c->argpos[0].col, rmap_finding_name(kind), text);
	/* Human: the replayer prints it to opts.report (stdout) itself. */
}

static void on_expect(void *ctx, const struct ksm_diag *d)
{
	struct check_out *o = ctx;

	o->last_expect = *d;
	if (o->json)
		json_report(o, d->line, d->col, "expect-failed", d->msg);
	else
		ksm_diag_print(stdout, d);
}

static int parse_args(int argc, char **argv, struct check_args *a)
{
	enum { OPT_HELP, OPT_JSON, OPT_KERNEL, OPT_SET, OPT_INVARIANTS };
	static const struct cli_option options[] = {
		{ "--help", "-h", CLI_VAL_NONE, OPT_HELP, NULL },
		{ "--json", NULL, CLI_VAL_NONE, OPT_JSON, NULL },
		CLI_PINS_OPTIONS(OPT_KERNEL, OPT_SET, OPT_INVARIANTS),
		{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
	};
	struct cli_args args = { argc, argv, 1, true, false, false, NULL };
	const char *val;
	int key;

	a->invariants = REPLAY_CHECK_EACH;
	a->traces = xcalloc((size_t)argc, sizeof(*a->traces));
	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		switch (key) {
		case OPT_HELP:
			usage(stdout);
			return 1;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_KERNEL:
			if (cli_pins_take(&a->pins, "check", "--kernel", val))
				return -1;
			break;
		case OPT_SET:
			if (cli_pins_take(&a->pins, "check", "--set", val))
				return -1;
			break;
		case OPT_INVARIANTS:
			if (cli_invariants_take("check", val, &a->invariants))
				return -1;
			break;
		case CLI_OPT_ARG:
			a->traces[a->ntraces++] = val;
			break;
		case CLI_OPT_NO_VALUE:
			cli_opt_error(&args, "check", key, val);
			return -1;
		default:
			fprintf(stderr, "ksmsim check: unknown option '%s'\n", val);
			return -1;
		}
	}
	if (!a->ntraces) {
		fprintf(stderr, "ksmsim check: no trace given\n");
		return -1;
	}
	return 0;
}

/*
 * Findings that fail a check: every kind but the naive walk's misses.  The
 * naive walk is the withdrawn v1-v3 series, kept as the negative control
 * (docs/rmap.md); it misses wherever mremap moved a page before it merged,
 * so counting it would fail every such trace.  It is still reported.
 */
static unsigned long failing_findings(const struct replay_result *res)
{
	unsigned long n = 0;

	for (int k = 0; k < RMAP_FINDING__COUNT; k++)
		if (k != RMAP_FINDING_NAIVE_MISS)
			n += res->reported[k];
	return n;
}

static const char *status_name(enum replay_status st, const struct replay_result *res)
{
	switch (st) {
	case REPLAY_ERROR:
		return "error";
	case REPLAY_BROKEN:
		return "broken";
	case REPLAY_OK:
	case REPLAY_EXPECT_FAILED:
		break;
	}
	if (res->reported[RMAP_FINDING_DIVERGENCE])
		return "divergence";
	if (failing_findings(res))
		return "findings";
	if (res->failed_expects)
		return "expect-failed";
	return "clean";
}

static void add_result(struct replay_result *total, const struct replay_result *r)
{
	total->commands += r->commands;
	total->failed_expects += r->failed_expects;
	total->checks += r->checks;
	total->checks_without_index += r->checks_without_index;
	total->ksm_pages_checked += r->ksm_pages_checked;
	total->anon_pages_checked += r->anon_pages_checked;
	for (int k = 0; k < RMAP_FINDING__COUNT; k++) {
		total->findings[k] += r->findings[k];
		total->reported[k] += r->reported[k];
	}
}

/* Check one trace; its exit status. */
static int check_one(const struct check_args *a, const char *file,
		     struct replay_result *total, unsigned *failed)
{
	struct check_out o = { .json = a->json };
	struct replay_opts opts = {
		.invariants = a->invariants,
		.rmap_check = REPLAY_CHECK_EACH,
		.keep_going = true,
		.skip_dot = true,
		.report = a->json ? NULL : stdout,
		.on_expect_failure = on_expect,
		.on_check_finding = on_finding,
		.ctx = &o,
	};
	struct replay_result res = { 0 };
	struct ksm_diag err = { 0 };
	struct trace_stream *t = NULL;
	enum replay_status st = REPLAY_ERROR;
	struct ksm_sim *sim = NULL;
	const char *kernel = "";
	char leaks[512];
	bool stopped;
	int rc;

	if (a->json) {
		fputs("{\"trace\":", stdout);
		json_string(stdout, file);
		fputs(",\"reports\":[", stdout);
	}
	/* Read as a stream, in bounded memory, as `replay` does: a syntax
	 * error is found before anything runs (for a pipe, where it is). */
	if (trace_stream_open(file, &t, &err) || trace_stream_check(t, &err) < 0)
		goto done;
	sim = ksm_sim_create();
	cli_pins_apply(&a->pins, "check", sim); /* validated in cmd_check() */
	st = replay_stream(sim, t, &opts, &res, &err);
	kernel = ksm_kernel_name(sim->ksm->kernel);
done:
	if (sim && ksm_sim_destroy(sim, leaks, sizeof(leaks))) {
		ksm_diag_set(&err, file, 0, 0, "internal error: objects left at teardown: %s", leaks);
		if (st == REPLAY_OK)
			st = REPLAY_BROKEN;
	}
	trace_stream_close(t);
	/*
	 * A failed expect was reported as it happened (keep_going); a stop —
	 * a divergence, an error, a broken invariant — is in @err.
	 */
	rc = st == REPLAY_ERROR ? KSMSIM_EXIT_USAGE :
	     st != REPLAY_OK || res.failed_expects || failing_findings(&res) ?
	     KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
	/* What stopped the replay, unless it was only the failed expects. */
	stopped = st == REPLAY_ERROR || st == REPLAY_BROKEN ||
		  (st == REPLAY_EXPECT_FAILED &&
		   (err.line != o.last_expect.line || strcmp(err.msg, o.last_expect.msg)));
	if (a->json) {
		fputs("],\"kernel\":", stdout);
		json_string(stdout, kernel);
		printf(",\"status\":\"%s\",\"exit\":%d,\"commands\":%u,\"failed_expects\":%u,",
		       status_name(st, &res), rc, res.commands, res.failed_expects);
		replay_check_summary_json(stdout, &res);
		fputs(",\"stopped\":", stdout);
		if (stopped) {
			printf("{\"line\":%u,\"col\":%u,\"message\":", err.line, err.col);
			json_string(stdout, err.msg);
			fputc('}', stdout);
		} else {
			fputs("null", stdout);
		}
		fputs("}\n", stdout);
	} else {
		if (stopped && st != REPLAY_ERROR && strstr(err.msg, "rmap walks reach different")) {
			/* The divergence itself was just reported as a finding:
			 * say only that the check stops there, and where to look. */
			printf("%s:%u:%u: check stopped at this divergence, after %u command%s; "
			       "`ksmsim window %s` shows the whole window\n", err.file, err.line,
			       err.col, res.commands, res.commands == 1 ? "" : "s", file);
		} else if (stopped && st != REPLAY_ERROR) {
			ksm_diag_print(stdout, &err);
		}
		if (st != REPLAY_ERROR)
			replay_check_summary(stdout, file, &res);
	}
	if (st == REPLAY_ERROR)
		ksm_diag_print(stderr, &err);
	add_result(total, &res);
	*failed += rc != KSMSIM_EXIT_OK;
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { 0 };
	struct replay_result total = { 0 };
	unsigned failed = 0;
	int rc = KSMSIM_EXIT_OK;
	int prc = parse_args(argc, argv, &a);

	if (prc) {
		if (prc < 0)
			usage(stderr);
		free(a.traces);
		return prc < 0 ? KSMSIM_EXIT_USAGE : KSMSIM_EXIT_OK;
	}
	{
		/* A refused --set is bad usage, said once before any trace runs. */
		struct ksm_sim *probe = ksm_sim_create();

		prc = cli_pins_apply(&a.pins, "check", probe);
		ksm_sim_destroy(probe, NULL, 0);
		if (prc) {
			free(a.traces);
			return KSMSIM_EXIT_USAGE;
		}
	}
	for (int i = 0; i < a.ntraces; i++) {
		int r = check_one(&a, a.traces[i], &total, &failed);

		if (r > rc)
			rc = r;
		fflush(stdout);
	}
	if (a.json) {
		printf("{\"total\":{\"traces\":%d,\"failed\":%u,\"exit\":%d,\"commands\":%u,"
		       "\"failed_expects\":%u,", a.ntraces, failed, rc, total.commands,
		       total.failed_expects);
		replay_check_summary_json(stdout, &total);
		fputs("}}\n", stdout);
	} else {
		char what[64];

		snprintf(what, sizeof(what), "total (%d trace%s, %u failed)", a.ntraces,
			 a.ntraces == 1 ? "" : "s", failed);
		replay_check_summary(stdout, what, &total);
	}
	free(a.traces);
	return rc;
}
