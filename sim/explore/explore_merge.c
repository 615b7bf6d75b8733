// SPDX-License-Identifier: MIT
/*
 * DOC: Merging task results into one report
 *
 * Whatever ran the tasks — this process in order, --jobs workers in any
 * order, shards on other machines — their results are added here in task
 * order, which makes the report the one a single process gives: counts
 * are summed up to the task of the first failure (without --keep-going
 * the search ends there, and a task stops at its own first failure), a
 * failure's sequence number is the sequences of the tasks before it plus
 * its number in its task, traces are numbered in the order of the
 * failures, and the distinct states are the union of the tasks'
 * fingerprint sets.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "explore/explore_internal.h"
#include "ksmsim/explore.h"

struct explore_merge {
	const struct explore_opts *o;
	bool exhaustive, write;
	bool over;    /* a failure ends the search (no keep_going)...   */
	bool closed;  /* ...and the task that found it has been added   */
	struct explore_report rep;
	struct hashset states;
};

struct explore_merge *explore_merge_new(const struct explore_opts *o, bool exhaustive, bool write)
{
	struct explore_merge *m = xcalloc(1, sizeof(*m));

	m->o = o;
	m->exhaustive = exhaustive;
	m->write = write;
	return m;
}

/* Move failure @f (of the task being added) into the report, written. */
static void take_failure(struct explore_merge *m, struct explore_failure *f)
{
	struct explore_report *rep = &m->rep;
	struct explore_failure *g;

	rep->failure = xrealloc(rep->failure, (rep->failures + 1) * sizeof(*rep->failure));
	g = &rep->failure[rep->failures++];
	*g = *f;
	f->lines = NULL;
	f->nlines = 0;
	/* The task counted from its own start; the report from the search's. */
	if (m->exhaustive)
		g->at += rep->traces;
	if (m->write)
		explore_write_failure(m->o, m->exhaustive, rep->failures, g);
	if (!m->o->keep_going)
		m->over = true;
}

void explore_commit(struct explore_ctx *c)
{
	struct explore_task *t = c->t;

	if (!c->live)
		return;
	for (; t->committed < t->r.failures; t->committed++)
		take_failure(c->live, &t->r.failure[t->committed]);
}

bool explore_merge_add(struct explore_merge *m, struct explore_task *t)
{
	struct explore_report *rep = &m->rep;

	if (m->closed)
		return true;
	for (; t->committed < t->r.failures; t->committed++)
		take_failure(m, &t->r.failure[t->committed]);
	rep->traces += t->r.traces;
	rep->commands += t->r.commands;
	rep->refused += t->r.refused;
	rep->naive_misses += t->r.naive_misses;
	rep->findings += t->r.findings;
	if (t->r.depth > rep->depth)
		rep->depth = t->r.depth;
	for (size_t i = 0; i < t->nstates; i++)
		if (hashset_add(&m->states, t->states[i]))
			rep->states++;
	if (t->r.interrupted && !rep->interrupted)
		rep->interrupted = t->r.interrupted;
	m->closed = m->over;
	return m->closed;
}

const struct explore_report *explore_merge_report(const struct explore_merge *m)
{
	return &m->rep;
}

void explore_merge_interrupted(struct explore_merge *m, int sig)
{
	if (!m->rep.interrupted)
		m->rep.interrupted = sig;
}

int explore_merge_finish(struct explore_merge *m, struct explore_report *rep)
{
	*rep = m->rep;
	free(m->states.v);
	free(m);
	return rep->failures ? 1 : 0;
}

void explore_task_free(struct explore_task *t)
{
	explore_report_free(&t->r);
	free(t->states);
	memset(t, 0, sizeof(*t));
}
