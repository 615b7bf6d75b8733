/* SPDX-License-Identifier: MIT */
/* Random and exhaustive exploration (sim/check/explore.c). */
#ifndef KSMSIM_EXPLORE_H
#define KSMSIM_EXPLORE_H

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

struct explore_opts {
	uint64_t seed;
	unsigned traces;           /* random: how many traces              */
	unsigned steps;            /* random: commands tried per trace     */
	unsigned depth;            /* exhaustive: sequence length          */
	enum explore_alphabet alphabet; /* exhaustive: the command alphabet */
	enum explore_target target;
	const char *out_dir;       /* where a failing trace is written     */
};

struct explore_report {
	unsigned long traces;       /* traces (random) or sequences (exhaustive) */
	unsigned long commands;     /* random: commands tried              */
	unsigned long refused;      /* random: commands the machine refused */
	unsigned long states;       /* exhaustive: distinct states          */
	unsigned depth;             /* exhaustive: deepest sequence         */
	unsigned long naive_misses; /* checks where the naive walk missed   */
	unsigned long findings;     /* checks with other findings           */
	unsigned long failures;
	size_t shrunk_from, shrunk_to;
	char failure[32];           /* "divergence", "naive-miss", ...       */
	char why[1024];
	char path[4096];            /* the written trace, "" if none         */
};

/* 0: nothing failed; 1: a failure (rep says which, and where its trace
 * went); -1: could not run. */
int explore_random(const struct explore_opts *o, struct explore_report *rep);
int explore_exhaustive(const struct explore_opts *o, struct explore_report *rep);

#endif /* KSMSIM_EXPLORE_H */
