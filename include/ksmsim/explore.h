/* SPDX-License-Identifier: MIT */
/* Random and exhaustive exploration (sim/explore/explore*.c). */
#ifndef KSMSIM_EXPLORE_H
#define KSMSIM_EXPLORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
