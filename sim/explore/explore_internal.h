/* SPDX-License-Identifier: MIT */
/*
 * What the random (explore.c) and exhaustive (explore_exhaustive.c)
 * searches share: traces as text lines, verdicts, applying and checking
 * one command, and recording a failure with its trace.
 */
#ifndef KSMSIM_EXPLORE_INTERNAL_H
#define KSMSIM_EXPLORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/explore.h"

struct ksm_sim;

struct lines {
	char **v;
	size_t n, cap;
};

void lines_push(struct lines *l, const char *s);
void lines_free(struct lines *l);

/* What failed, in decreasing order of gravity. */
enum verdict {
	V_OK,
	V_REFUSED,     /* the machine refused a command: not a failure */
	V_NAIVE,       /* the naive walk missed (negative control)     */
	V_FINDING,     /* some other finding                           */
	V_DIVERGENCE,  /* full != indexed                              */
	V_INVARIANT,   /* an invariant of the model broke              */
};

/* Whether @v is a failure when looking for @target. */
bool explore_counts(enum verdict v, enum explore_target target);
const char *explore_verdict_name(enum verdict v);

/* Apply one text command and, if @check, check.  @why gets the failure. */
enum verdict explore_apply(struct ksm_sim *sim, const char *line, bool check, char *why,
			   size_t whylen);

/*
 * Has a signal asked the search to stop?  Records it in @rep: call it
 * only where work remains, so that a complete search is never marked
 * interrupted.
 */
static inline bool explore_stopped(const struct explore_opts *o, struct explore_report *rep)
{
	if (o->stop && *o->stop) {
		rep->interrupted = *o->stop;
		return true;
	}
	return false;
}

/* A set of state fingerprints (open addressing; 0 is stored as 1). */
struct hashset {
	uint64_t *v;
	size_t n, cap;
	uint64_t last;  /* the value hashset_add() stored last */
};

/* Add @h; true if it was not there. */
bool hashset_add(struct hashset *s, uint64_t h);

/* One task being run: its options, its result, and the merge that
 * writes its failures at once (NULL in a --jobs worker or a shard). */
struct explore_ctx {
	const struct explore_opts *o;
	struct explore_task *t;
	struct explore_merge *live;
	/* What progress adds this task's figures to; NULL: none (a worker). */
	const struct explore_merge *base;
};

/* Progress: the figures merged so far plus this task's. */
void explore_tick(const struct explore_ctx *c);

/*
 * Record a failure of the task, taking @l (the trace's commands); @at is
 * the trace index (random) or the sequence number in the task
 * (exhaustive).  With a live merge its trace is written at once, so that
 * nothing found is lost however the search ends.  Returns the failure
 * (valid until the next one is recorded).
 */
struct explore_failure *explore_found(struct explore_ctx *c, struct lines *l, enum verdict v,
				      const char *why, unsigned long at);
/* Hand the failures recorded since the last call to the live merge. */
void explore_commit(struct explore_ctx *c);

/* Run task @c->t->index of a random or exhaustive search: 0, or -1. */
int explore_random_task(struct explore_ctx *c);
int explore_exhaustive_task(struct explore_ctx *c);

/* Write @f's trace (its comment made from @o) and set its path or error. */
void explore_write_failure(const struct explore_opts *o, bool exhaustive, size_t number,
			   struct explore_failure *f);

#endif /* KSMSIM_EXPLORE_INTERNAL_H */
