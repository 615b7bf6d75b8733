/* SPDX-License-Identifier: MIT */
/*
 * DOC: Replaying a parsed trace on a simulated machine
 *
 * replay_trace() applies the commands of a struct trace in order,
 * replay_stream() those of a trace_stream as they are read.  The
 * first command that cannot be applied (an unknown process, an
 * overlapping mmap, a store to a read-only page, a knob value the kernel
 * would refuse, a command the simulator does not support) stops the
 * replay with a located diagnostic; nothing after it runs.
 *
 * A failed `expect` stops the replay too, unless opts->keep_going: then
 * each failure is passed to opts->on_expect_failure and the replay goes
 * on; res->failed_expects counts them.
 */
#ifndef KSMSIM_REPLAY_H
#define KSMSIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ksmsim/diag.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/sim.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/trace.h"

enum replay_check {
	REPLAY_CHECK_NONE, /* never                                    */
	REPLAY_CHECK_END,  /* once, after the last command             */
	REPLAY_CHECK_EACH, /* after every command                      */
};

struct replay_opts {
	enum replay_check invariants;
	enum replay_check rmap_check; /* the `check` of every KSM page: EACH
				       * runs it after every command          */
	bool strict;           /* any rmap finding fails the replay      */
	bool keep_going;       /* go on after a failed expect            */
	FILE *snapshots;       /* where `snapshot` and `migrate` records go;
				* NULL: dropped                         */
	FILE *report;          /* `check`, `rmap`, `migrate` reports; NULL: dropped */
	const char *check_dot_dir; /* the checker draws each KSM page it
				    * reports here (rmap picture); NULL: not */
	void (*on_expect_failure)(void *ctx, const struct ksm_diag *d);
	void *ctx;
};

struct replay_result {
	unsigned commands;       /* commands applied                 */
	unsigned failed_expects; /* with keep_going                  */
	unsigned snapshots;      /* records written                  */
	unsigned long checks;    /* rmap checks run                  */
	unsigned long findings[RMAP_FINDING__COUNT]; /* by kind        */
	/* Hashes of the last check's findings, so that --check=each prints
	 * a finding where it appears, not after every command; beyond 64
	 * findings at once, the rest are printed again. */
	uint64_t last_findings[64];
	unsigned nlast;
	/* What `expect migrate.*` checks: the last migrate's outcome. */
	bool has_migrate;
	struct ksm_migrate_summary last_migrate;
};

enum replay_status {
	REPLAY_OK = 0,
	REPLAY_EXPECT_FAILED = 1, /* completed, but an expect failed (or stopped at one) */
	REPLAY_ERROR = 2,         /* a command could not be applied; @err says where   */
	REPLAY_BROKEN = 3,        /* an invariant of the model failed: a simulator bug */
};

/*
 * replay_command() - apply command @i of @t only (the caller keeps @res
 * across calls; it is not reset).  For stepping several machines in
 * lockstep.
 */
enum replay_status replay_command(struct ksm_sim *sim, const struct trace *t,
				  size_t i, const struct replay_opts *opts,
				  struct replay_result *res, struct ksm_diag *err);

/* replay_cmd() - the same for a command that is not part of a struct
 * trace; @file names the trace in diagnostics. */
enum replay_status replay_cmd(struct ksm_sim *sim, const char *file,
			      const struct trace_cmd *c,
			      const struct replay_opts *opts,
			      struct replay_result *res, struct ksm_diag *err);

enum replay_status replay_trace(struct ksm_sim *sim, const struct trace *t,
				const struct replay_opts *opts,
				struct replay_result *res, struct ksm_diag *err);

/*
 * replay_stream() - apply the commands of @s as they are parsed, holding
 * one at a time: a trace of any length replays with the parser's memory
 * constant.  A syntax error stops the replay like a command that cannot
 * be applied (REPLAY_ERROR); call trace_stream_check() first to find it
 * before anything runs.
 */
enum replay_status replay_stream(struct ksm_sim *sim, struct trace_stream *s,
				 const struct replay_opts *opts,
				 struct replay_result *res, struct ksm_diag *err);

#endif /* KSMSIM_REPLAY_H */
