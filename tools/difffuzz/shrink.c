// SPDX-License-Identifier: MIT
/*
 * DOC: Shrinking a disagreement: ddmin over command lines, in batches
 *
 * Delta debugging (Zeller's ddmin, complements only): split the commands
 * still kept into G chunks; the candidates are the trace without each
 * chunk.  All G candidates of a round go to the backend as one batch (one
 * guest boot serves them all); of those that still disagree in the same
 * way (the same verdict group: "procs.*.vmas" stays "procs.*.vmas") the
 * one that removes most becomes the trace, and G drops by one.  The other
 * chunks that could go are tried all at once in the next batch, as one
 * more candidate.  When nothing can go, G doubles, down to single
 * commands; the result is 1-minimal: removing any one of its commands
 * makes the disagreement go (or change kind).
 *
 * Candidates keep the `ksmtrace 1` header and whole command lines, so
 * they always parse.  When the original replayed cleanly on the
 * simulator, a candidate that the simulator refuses (a write to a range
 * that is no longer mapped, ...) is dropped without asking the kernel:
 * such a trace would at best disagree about an error, which is not the
 * disagreement being shrunk.  When the simulator stopped on the original
 * (an error position in question), a candidate must stop it the same
 * way at the same command, so that shrinking cannot wander off to
 * another command's error.
 *
 * The first batch also replays the original trace again (--confirm
 * times): a disagreement the kernel does not repeat every time is not
 * shrunk (return 1).
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "difffuzz.h"

struct cand {
	bool *keep;
	size_t removed;
	struct fz_outcome sim;
	int job; /* index in the batch, -1 if not sent */
};

/*
 * Does the simulator end candidate @keep as it ended the original?  Line
 * N of a candidate's text is its command N - 2 (after the header and the
 * comment).
 */
static bool sim_as_wanted(const struct fz_shrink *s, const struct fz_lines *l,
			  const bool *keep, const struct fz_outcome *o)
{
	size_t want, seen = 0;

	if (s->sim_must_pass)
		return o->st == FZ_ST_OK;
	if (!s->sim_err_line)
		return true;
	if (o->st != s->sim_st || o->line < 3)
		return false;
	want = o->line - 3;
	for (size_t i = 0; i < l->n; i++) {
		if (!keep[i])
			continue;
		if (seen++ == want)
			return !strcmp(l->v[i], s->sim_err_line);
	}
	return false;
}

/*
 * Replay the candidates; @hit[i] says whether candidate i disagrees as
 * wanted.  0, or the backend's failure (-1, -2).
 */
static int try_batch(struct fz_shrink *s, const struct fz_lines *l, struct cand *c,
		     size_t nc, bool *hit, unsigned long *serial)
{
	struct fz_batch bt;
	int r = 0;

	memset(hit, 0, nc * sizeof(*hit));
	if (fz_batch_begin(s->backend, &bt)) {
		s->infra_failed = true;
		return -1;
	}
	for (size_t i = 0; i < nc; i++) {
		char name[96];
		size_t len;
		char *text = fz_lines_text(l, c[i].keep, "shrinking", &len);

		c[i].job = -1;
		snprintf(name, sizeof(name), "%.60s-c%05lu", s->name, (*serial)++);
		fz_sim_run(name, text, len, s->sim_kernel, &c[i].sim);
		if (c[i].removed && !sim_as_wanted(s, l, c[i].keep, &c[i].sim)) {
			s->sim_only++;
			free(text);
			continue;
		}
		if (fz_batch_add(s->backend, &bt, name, text, len)) {
			free(text);
			fz_batch_end(&bt);
			s->infra_failed = true;
			return -1;
		}
		c[i].job = (int)bt.n - 1;
		free(text);
	}
	if (bt.n) {
		s->batches++;
		r = fz_backend_run(s->backend, &bt);
	}
	if (!r) {
		for (size_t i = 0; i < nc; i++) {
			struct fz_verdict v;

			if (c[i].job < 0)
				continue;
			s->candidates++;
			fz_compare(bt.jobs[c[i].job].name, &c[i].sim, &bt.jobs[c[i].job].out, s->ign, &v);
			hit[i] = !v.agree && !strcmp(v.group, s->want);
			fz_verdict_free(&v);
		}
	} else if (r == -1) {
		s->infra_failed = true;
	} else {
		s->interrupted = true;
	}
	fz_batch_end(&bt);
	return r;
}

static void compact(struct fz_lines *l, const bool *keep)
{
	size_t w = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (keep[i])
			l->v[w++] = l->v[i];
		else
			free(l->v[i]);
	}
	l->n = w;
}

static void free_cands(struct cand *c, size_t nc)
{
	for (size_t i = 0; i < nc; i++) {
		free(c[i].keep);
		fz_outcome_free(&c[i].sim);
	}
	free(c);
}

int fz_shrink_run(struct fz_shrink *s, struct fz_lines *l)
{
	size_t n = l->n, alive = n, gran = 2;
	bool *keep = xmalloc((n ? n : 1) * sizeof(*keep));
	/* commands whose removal worked on its own in the last batch, not yet removed */
	bool *pending = xcalloc(n ? n : 1, sizeof(*pending));
	unsigned long serial = 0;
	bool first = true;
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		keep[i] = true;
	for (;;) {
		size_t g = gran < alive ? gran : alive, npend = 0;
		size_t reps = first ? (s->confirm ? s->confirm : 1) : 0;
		size_t nc, ci = 0, start = reps;
		struct cand *c;
		bool *hit;
		int winner = -1, r;

		for (size_t i = 0; i < n; i++)
			npend += pending[i] && keep[i];
		nc = g + reps + (npend ? 1 : 0);
		c = xcalloc(nc, sizeof(*c));
		hit = xcalloc(nc, sizeof(*hit));
		for (size_t k = 0; k < reps; k++, ci++) {
			/* the original, again: does the kernel repeat its result? */
			c[ci].keep = xmalloc(n * sizeof(bool));
			memcpy(c[ci].keep, keep, n * sizeof(bool));
		}
		/* chunk k holds the alive commands [k*alive/g, (k+1)*alive/g) */
		for (size_t k = 0; k < g; k++, ci++) {
			size_t lo = k * alive / g, hi = (k + 1) * alive / g, seen = 0;

			c[ci].keep = xmalloc(n * sizeof(bool));
			memcpy(c[ci].keep, keep, n * sizeof(bool));
			for (size_t i = 0; i < n; i++) {
				if (!keep[i])
					continue;
				if (seen >= lo && seen < hi) {
					c[ci].keep[i] = false;
					c[ci].removed++;
				}
				seen++;
			}
		}
		/* The other chunks that could go last time, all at once. */
		if (npend) {
			c[ci].keep = xmalloc(n * sizeof(bool));
			for (size_t i = 0; i < n; i++) {
				c[ci].keep[i] = keep[i] && !pending[i];
				c[ci].removed += keep[i] && pending[i];
			}
			ci++;
		}
		r = try_batch(s, l, c, nc, hit, &serial);
		if (!r && first) {
			s->confirmed = true;
			for (size_t k = 0; k < reps; k++)
				s->confirmed &= hit[k];
			if (!s->confirmed)
				ret = 1; /* the kernel did not repeat it */
		}
		/* The hit that removes most; the first of equals. */
		for (size_t i = start; !r && !ret && i < nc; i++)
			if (hit[i] && c[i].removed &&
			    (winner < 0 || c[i].removed > c[winner].removed))
				winner = (int)i;
		first = false;
		if (r || ret) {
			if (r)
				ret = r;
			free_cands(c, nc);
			free(hit);
			break;
		}
		memset(pending, 0, n * sizeof(*pending));
		if (winner >= 0) {
			memcpy(keep, c[winner].keep, n * sizeof(bool));
			alive -= c[winner].removed;
			gran = g > 2 ? g - 1 : 2;
			/* the other chunks that could go, for the union next time */
			for (size_t i = start; i < start + g; i++)
				if (hit[i] && (int)i != winner)
					for (size_t j = 0; j < n; j++)
						pending[j] |= keep[j] && !c[i].keep[j];
		} else if (g >= alive) {
			free_cands(c, nc);
			free(hit);
			break; /* 1-minimal */
		} else {
			gran = 2 * g < alive ? 2 * g : alive;
		}
		free_cands(c, nc);
		free(hit);
		if (s->progress)
			s->progress(s->ctx, n, alive, s->candidates);
		if (!alive)
			break;
	}
	compact(l, keep);
	free(keep);
	free(pending);
	return ret;
}
