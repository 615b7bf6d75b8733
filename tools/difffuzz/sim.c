// SPDX-License-Identifier: MIT
/*
 * DOC: The simulator's side: a trace replayed in-process
 *
 * What `ksmsim replay --snapshots FILE TRACE` does (sim/cli/cmd_replay.c),
 * with the records kept in memory: parse the whole trace, replay it on a
 * new machine with the model's invariants checked at the end, keep the
 * records only if the replay ran to its end.  `--sim-kernel lpi` sets
 * `sim.kernel=lpi` on the machine before the first command, which is what
 * a `set sim.kernel=lpi` line at the top would do without moving the
 * trace's line numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "difffuzz.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"

const char *fz_status_name(enum fz_status st)
{
	switch (st) {
	case FZ_ST_OK:
		return "ok";
	case FZ_ST_EXPECT:
		return "expect-failed";
	case FZ_ST_ERROR:
		return "error";
	case FZ_ST_BROKEN:
		return "invariant-broken";
	case FZ_ST_START:
		return "could-not-start";
	case FZ_ST_SIGNAL:
		return "killed";
	case FZ_ST_MISSING:
		return "no-result";
	case FZ_ST_OTHER:
		break;
	}
	return "other";
}

void fz_outcome_free(struct fz_outcome *o)
{
	free(o->jsonl);
	free(o->log);
	memset(o, 0, sizeof(*o));
}

static void set_error(struct fz_outcome *out, enum fz_status st, int rc,
		      const struct ksm_diag *err)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	out->st = st;
	out->rc = rc;
	out->line = err->line;
	out->col = err->col;
	snprintf(out->msg, sizeof(out->msg), "%s", err->msg);
	f = open_memstream(&buf, &n);
	if (f) {
		ksm_diag_print(f, err);
		if (!fclose(f)) {
			out->log = buf;
			out->log_len = n;
		} else {
			free(buf);
		}
	}
}

void fz_sim_run(const char *name, const char *text, size_t len, const char *sim_kernel,
		struct fz_outcome *out)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_END };
	struct replay_result res;
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	struct ksm_sim *sim;
	enum replay_status st;
	char leaks[512];
	char *buf = NULL;
	size_t n = 0;
	FILE *snaps;

	memset(out, 0, sizeof(*out));
	if (trace_parse_string(name, text, len, &t, &err)) {
		/* as the kernel replayer: a trace that does not parse cannot start */
		set_error(out, FZ_ST_START, 2, &err);
		trace_free(&t);
		return;
	}
	snaps = open_memstream(&buf, &n);
	if (!snaps) {
		fprintf(stderr, "ksmsim-difffuzz: out of memory\n");
		exit(3);
	}
	opts.snapshots = snaps;
	sim = ksm_sim_create();
	if (sim_kernel && strcmp(sim_kernel, "baseline")) {
		struct sim_error e = { 0 };

		if (ksm_set_knob(sim, "sim.kernel", sim_kernel, &e)) {
			fprintf(stderr, "ksmsim-difffuzz: sim.kernel=%s: %s\n", sim_kernel, e.msg);
			exit(3);
		}
	}
	st = replay_trace(sim, &t, &opts, &res, &err);
	if (ksm_sim_destroy(sim, leaks, sizeof(leaks)) && st == REPLAY_OK) {
		st = REPLAY_BROKEN;
		ksm_diag_set(&err, name, 0, 0, "internal error: objects left at teardown: %s",
			     leaks);
	}
	trace_free(&t);
	if (fclose(snaps)) {
		fprintf(stderr, "ksmsim-difffuzz: out of memory\n");
		exit(3);
	}
	switch (st) {
	case REPLAY_OK:
		out->st = FZ_ST_OK;
		out->rc = 0;
		out->jsonl = buf;
		out->jsonl_len = n;
		return;
	case REPLAY_EXPECT_FAILED:
		set_error(out, FZ_ST_EXPECT, 1, &err);
		break;
	case REPLAY_BROKEN:
		set_error(out, FZ_ST_BROKEN, 1, &err);
		break;
	case REPLAY_ERROR:
		set_error(out, FZ_ST_ERROR, 2, &err);
		break;
	}
	free(buf);
}
