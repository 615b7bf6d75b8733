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

static inline void explore_tick(const struct explore_opts *o, const struct explore_report *rep)
{
	if (o->progress)
		o->progress(o->progress_arg, rep);
}

/*
 * Append a failure to @rep, taking @l (the trace's commands), and write
 * its trace to o->out_dir at once, so that nothing found is lost however
 * the search ends.  @comment is the trace's "# found by" line.  Returns
 * the failure.
 */
struct explore_failure *explore_record(const struct explore_opts *o, struct explore_report *rep,
				       struct lines *l, enum verdict v, const char *why,
				       const char *name, const char *comment);

#endif /* KSMSIM_EXPLORE_INTERNAL_H */
