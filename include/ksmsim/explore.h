/* SPDX-License-Identifier: MIT */
/* Random and exhaustive exploration (sim/explore/explore*.c). */
#ifndef KSMSIM_EXPLORE_H
#define KSMSIM_EXPLORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum explore_target {
	EXPLORE_TARGET_DIVERGENCE, /* fail on invariants and full != indexed */
	EXPLORE_TARGET_NAIVE,      /* ... and on naive misses (negative control) */
	EXPLORE_TARGET_ANY,        /* ... and on any finding                */
};

enum explore_alphabet {
	EXPLORE_ALPHABET_DEFAULT,  /* COW writes, fork, exit, two mremaps, ... */
	EXPLORE_ALPHABET_MPROTECT, /* the same with mprotect splits for the mremaps */
};

/* The deepest exhaustive search: the sequence buffer's size. */
#define EXPLORE_MAX_DEPTH 12

struct explore_report;

struct explore_opts {
	uint64_t seed;
	unsigned traces;           /* random: how many traces              */
	unsigned steps;            /* random: commands tried per trace     */
	unsigned depth;            /* exhaustive: sequence length, 1..EXPLORE_MAX_DEPTH */
	enum explore_alphabet alphabet; /* exhaustive: the command alphabet */
	enum explore_target target;
	const char *out_dir;       /* where a failing trace is written     */
	bool keep_going;           /* go on after a failure (each is written) */
	/*
	 * Nonzero (the number of the signal that asked) to stop at the next
	 * command (random) or sequence (exhaustive) boundary; set from a
	 * signal handler.  NULL: never stop early.
	 */
	const volatile sig_atomic_t *stop;
	/* Called at every such boundary, and must be cheap; NULL for none. */
	void (*progress)(void *arg, const struct explore_report *rep);
	void *progress_arg;
	/*
	 * Worker processes (fork) sharing the search; 0 or 1: this process
	 * alone.  The report is the same whatever the number (explore_run.c).
	 */
	unsigned jobs;
	/* Run only part @shard of @shards (0 <= shard < shards); 0 shards: all. */
	unsigned shard, shards;
};

struct explore_failure {
	char kind[32];              /* "divergence", "naive-miss", ...       */
	char why[1024];
	char path[4096];            /* the written trace, "" if none         */
	char error[800];            /* why it could not be written           */
	unsigned long at;           /* random: trace index from 0; exhaustive: sequence number from 1 */
	size_t shrunk_from, shrunk_to; /* random: commands before and after shrinking */
	bool shrink_interrupted;    /* random: a signal cut the shrinking short */
	char **lines;               /* the failing trace's commands        */
	size_t nlines;
};

struct explore_report {
	unsigned long traces;       /* traces (random) or sequences (exhaustive) */
	unsigned long commands;     /* random: commands tried              */
	unsigned long refused;      /* random: commands the machine refused */
	unsigned long states;       /* exhaustive: distinct states          */
	unsigned depth;             /* exhaustive: deepest sequence         */
	unsigned long naive_misses; /* checks where the naive walk missed   */
	unsigned long findings;     /* checks with other findings           */
	struct explore_failure *failure; /* in the order found              */
	size_t failures;
	int interrupted;            /* the signal that stopped the search, 0 if complete */
};

/*
 * DOC: Tasks, the unit of parallel and sharded search
 *
 * A search is cut into tasks numbered from 0 in the order one process
 * runs them: a random search's task i is its trace i; an exhaustive
 * search's tasks are the prefixes of explore_split_depth() letters, in
 * the order of the depth-first walk, and a task holds the sequences of
 * its prefix (and the shorter prefixes whose remaining letters are all
 * the first letter).  A task's result counts only its own work; its
 * failures' @at is the trace index (random) or the sequence number within
 * the task (exhaustive).  explore_merge adds results in task order and
 * gives the report one process would give.
 */
struct explore_task {
	unsigned long index;
	struct explore_report r;
	uint64_t *states;            /* exhaustive: fingerprints reached, once each */
	size_t nstates, states_cap;
	size_t committed;            /* failures already handed to a merge */
};

/* How many tasks the search @o has; the exhaustive split depth. */
unsigned long explore_ntasks(const struct explore_opts *o, bool exhaustive);
unsigned explore_split_depth(const struct explore_opts *o);
void explore_task_free(struct explore_task *t);

struct explore_merge;
/* @write: write each failure's trace to o->out_dir (not for a shard). */
struct explore_merge *explore_merge_new(const struct explore_opts *o, bool exhaustive,
					bool write);
/*
 * Add the next task (in task order; a task missing because the search was
 * interrupted may be skipped), taking its failures.  Returns true once
 * the search is over: a failure without keep_going.
 */
bool explore_merge_add(struct explore_merge *m, struct explore_task *t);
/* The report so far. */
const struct explore_report *explore_merge_report(const struct explore_merge *m);
void explore_merge_interrupted(struct explore_merge *m, int sig);
/* Hand the report to @rep and free @m; returns 1 if it has failures, else 0. */
int explore_merge_finish(struct explore_merge *m, struct explore_report *rep);

/*
 * Run the search @o describes — all of it or its shard, on o->jobs
 * processes — and report it in @rep as one process would.  @emit, if not
 * NULL, sees every task result in task order before it is merged (a
 * shard's output).  Returns 0, 1 (a failure) or -1 (could not run, with a
 * message on stderr).
 */
int explore_run(const struct explore_opts *o, bool exhaustive, struct explore_report *rep,
		void (*emit)(void *arg, const struct explore_task *t), void *emit_arg);

/* A task result as one line of JSON, and back (explore_result.c). */
struct json_value;
struct ksm_diag;
void explore_task_write_json(FILE *out, const struct explore_task *t);
int explore_task_from_json(const char *file, const struct json_value *v, struct explore_task *t,
			   struct ksm_diag *err);

/* 0: nothing failed; 1: a failure (rep says which, and where its trace
 * went); -1: could not run.  Free @rep with explore_report_free(). */
int explore_random(const struct explore_opts *o, struct explore_report *rep);
int explore_exhaustive(const struct explore_opts *o, struct explore_report *rep);
void explore_report_free(struct explore_report *rep);
/* "divergence", "naive" or "any": the --target word. */
const char *explore_target_name(enum explore_target t);

/*
 * An estimate of the sequences an exhaustive search of @o's depth and
 * alphabet visits, from random probes of the sequence tree (the same
 * probes every time: deterministic).  Takes about 0.07 s at depth 6 and
 * 0.3 s at depth 12 (docs/rmap.md).  Returns 0 if @o->stop was raised.
 */
double explore_estimate(const struct explore_opts *o);

#endif /* KSMSIM_EXPLORE_H */
