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
	bool skip_dot;         /* the trace's own `dot` commands draw
				* nothing: for the reports that replay a
				* trace to examine it (window, compare,
				* check), not to run it                  */
	void (*on_expect_failure)(void *ctx, const struct ksm_diag *d);
	/* Each rmap finding the checker reports (where it first appears with
	 * --check=each), with the command it follows; NULL: not called. */
	void (*on_check_finding)(void *ctx, const struct trace_cmd *c,
				 enum rmap_finding_kind kind, const char *text);
	void *ctx;
};

struct replay_result {
	unsigned commands;       /* commands applied                 */
	unsigned failed_expects; /* with keep_going                  */
	unsigned snapshots;      /* records written                  */
	unsigned long checks;    /* rmap checks run                  */
	unsigned long checks_without_index; /* ... on a kernel that has no
					     * indexed walk (baseline): full
					     * and indexed not compared    */
	unsigned long ksm_pages_checked;  /* summed over the checks     */
	unsigned long anon_pages_checked; /* summed over the checks     */
	unsigned long findings[RMAP_FINDING__COUNT]; /* by kind, at every
						      * check          */
	unsigned long reported[RMAP_FINDING__COUNT]; /* by kind, as reported:
						      * with --check=each a
						      * finding that persists
						      * counts once      */
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

/*
 * replay_check_summary() - the one line that ends every replay that ran
 * an rmap check (sim/replay/replay_summary.c): checks run, KSM pages
 * checked, the strategies compared, divergences and findings as reported;
 * on a kernel without the indexed walk it says that only full vs truth
 * was compared and how to compare indexed (--kernel lpi).  With a newline.
 */
void replay_check_summary(FILE *out, const char *file, const struct replay_result *res);

/*
 * replay_check_summary_json() - the same figures as JSON members (no
 * braces, no leading comma): "checks", "ksm_pages_checked",
 * "anon_pages_checked", "strategies", "indexed_compared",
 * "checks_without_index", "divergences", "findings" (count) and
 * "findings_by_kind" (an object, every kind in a fixed order).
 */
void replay_check_summary_json(FILE *out, const struct replay_result *res);

#endif /* KSMSIM_REPLAY_H */
