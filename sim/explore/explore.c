// SPDX-License-Identifier: MIT
/*
 * DOC: Exploration: random traces, exhaustive enumeration, shrinking
 *
 * Random exploration builds traces one command at a time on a live
 * machine (the lpi kernel, so that every strategy can walk), drawing from
 * every command — processes, mappings, COW writes, mremap, mprotect,
 * munmap, madvise, prctl, scans, knob changes, injected faults, page
 * migration — over a small window of addresses so that ranges collide,
 * split and merge.  A command the machine refuses is dropped.  After
 * every accepted command the model's invariants and the rmap check run.
 * A trace fails when an invariant breaks or the full and indexed walks
 * differ (and, with --target naive or any, when the naive walk misses or
 * any finding appears).
 *
 * A failing trace is shrunk (delta debugging: drop halves, quarters, ...,
 * single commands while the failure persists) and written out.
 *
 * Exhaustive exploration enumerates every sequence over a small command
 * alphabet up to a depth on a tiny machine (two processes, three pages,
 * two pages per batch) and checks each prefix; it counts the sequences and
 * the distinct fingerprints of the states it reached (the snapshot record,
 * every VMA, every rmap_item's address, flags and overlay, the cursor) —
 * a lower bound on the distinct states.
 *
 * Traces are kept as text lines: a candidate is parsed, applied, and kept
 * only if the machine accepted it.  A failing trace is written as soon as
 * it is found (explore_found(), explore_commit()), and a signal (opts->stop) ends the
 * search at the next command or sequence with the statistics so far, so
 * nothing found is lost however a run ends.  This file holds the random
 * search and what both share; the exhaustive one is explore_exhaustive.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/outfile.h"
#include "core/rng.h"
#include "explore/explore_internal.h"
#include "ksmsim/check.h"
#include "ksmsim/explore.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/trace_cmds.h"
#include "mm/internal.h"

#define BASE 0x10000000ULL /* below 3 GiB: valid for the 32-bit layouts */

void lines_push(struct lines *l, const char *s)
{
	ARRAY_GROW(l->v, l->cap, l->n + 1, 64);
	l->v[l->n++] = xstrdup(s);
}

void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool explore_counts(enum verdict v, enum explore_target target)
{
	switch (v) {
	case V_DIVERGENCE:
	case V_INVARIANT:
		return true;
	case V_NAIVE:
		return target != EXPLORE_TARGET_DIVERGENCE;
	case V_FINDING:
		return target == EXPLORE_TARGET_ANY;
	case V_OK:
	case V_REFUSED:
		break;
	}
	return false;
}

enum verdict explore_apply(struct ksm_sim *sim, const char *line, bool check, char *why,
			   size_t whylen)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_NONE };
	struct replay_result res = { 0 };
	struct rmap_check_summary sum = { .anon = true };
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	char text[512];
	enum replay_status st;

	snprintf(text, sizeof(text), "ksmtrace 1\n%s\n", line);
	if (trace_parse_string("explore", text, strlen(text), &t, &err)) {
		snprintf(why, whylen, "cannot parse '%s': %s", line, err.msg);
		return V_REFUSED;
	}
	st = replay_command(sim, &t, 0, &opts, &res, &err);
	trace_free(&t);
	if (st != REPLAY_OK) {
		snprintf(why, whylen, "%s", err.msg);
		return V_REFUSED;
	}
	if (!check)
		return V_OK;
	if (sim_check_invariants(sim, why, whylen))
		return V_INVARIANT;
	rmap_check(sim, &sum);
	if (sum.count[RMAP_FINDING_PHANTOM]) {
		snprintf(why, whylen, "a walk reports a mapping no page table has");
		return V_INVARIANT;
	}
	if (sum.count[RMAP_FINDING_DIVERGENCE]) {
		snprintf(why, whylen, "%.1000s", sum.first_divergence);
		return V_DIVERGENCE;
	}
	if (sum.count[RMAP_FINDING_NAIVE_MISS]) {
		snprintf(why, whylen, "naive walk misses a mapping");
		return V_NAIVE;
	}
	if (sum.count[RMAP_FINDING_ALL_MISS] + sum.count[RMAP_FINDING_NO_NODE] +
	    sum.count[RMAP_FINDING_ANON_MISS]) {
		snprintf(why, whylen, "finding (all-miss %lu, no-node %lu, anon-miss %lu)",
			 sum.count[RMAP_FINDING_ALL_MISS], sum.count[RMAP_FINDING_NO_NODE],
			 sum.count[RMAP_FINDING_ANON_MISS]);
		return V_FINDING;
	}
	return V_OK;
}

/*
 * Replay @l with a subset @keep on a fresh machine.  Returns the first
 * failing verdict that counts for @target, V_REFUSED if a command was
 * refused, V_OK otherwise.
 */
static enum verdict replay_lines(const struct lines *l, const bool *keep,
				 enum explore_target target, char *why, size_t whylen)
{
	struct ksm_sim *sim = ksm_sim_create();
	enum verdict v = V_OK;

	for (size_t i = 0; i < l->n && v == V_OK; i++) {
		enum verdict r;

		if (keep && !keep[i])
			continue;
		r = explore_apply(sim, l->v[i], true, why, whylen);
		if (r == V_REFUSED || explore_counts(r, target))
			v = r;
	}
	ksm_sim_destroy(sim, NULL, 0);
	return v;
}

/*
 * ddmin over the commands: the smallest subset that still fails as @want.
 * Every subset kept fails as @want, so a signal may cut the shrinking
 * short (returns false) and what is left is still a failing trace.
 */
static bool shrink(const struct explore_opts *o, struct explore_report *rep, struct lines *l,
		   enum verdict want)
{
	enum explore_target target = o->target;
	bool complete = true;
	bool *keep = xcalloc(l->n, sizeof(*keep));
	size_t alive = l->n;
	char why[1024];

	for (size_t i = 0; i < l->n; i++)
		keep[i] = true;
	for (size_t chunk = alive / 2 ? alive / 2 : 1;; chunk = chunk / 2 ? chunk / 2 : 1) {
		bool progress = false;

		for (size_t start = 0; start < l->n && complete;) {
			size_t taken = 0, i;
			bool *trial = xmalloc(l->n * sizeof(*trial));

			memcpy(trial, keep, l->n * sizeof(*trial));
			for (i = start; i < l->n && taken < chunk; i++)
				if (trial[i]) {
					trial[i] = false;
					taken++;
				}
			if (taken && replay_lines(l, trial, target, why, sizeof(why)) == want) {
				memcpy(keep, trial, l->n * sizeof(*keep));
				alive -= taken;
				progress = true;
			}
			free(trial);
			start = i;
			if (explore_stopped(o, rep))
				complete = false;
		}
		if (!complete || (chunk == 1 && !progress))
			break;
	}
	/* Compact. */
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
	free(keep);
	return complete;
}

static const char *const procs[] = { "p0", "p1", "p2" };

static const char *pick_live(struct ksm_sim *sim, struct ksm_rng *rng)
{
	unsigned start = (unsigned)ksm_rng_below(rng, 3);

	for (unsigned k = 0; k < 3; k++)
		if (sim_find_task(sim, procs[(start + k) % 3]))
			return procs[(start + k) % 3];
	return NULL;
}

static const char *pick_free(struct ksm_sim *sim)
{
	for (unsigned k = 0; k < 3; k++)
		if (!sim_find_task(sim, procs[k]))
			return procs[k];
	return NULL;
}

/* Does the command of @line keep part of its work when refused (a scan)? */
static bool partial(const char *line)
{
	int kind = trace_cmd_lookup(line, strcspn(line, " "));

	return kind >= 0 && (trace_cmd_flags((enum trace_cmd_kind)kind) & TCF_PARTIAL);
}

/* One random command line over a 16-page window. */
static void random_line(struct ksm_sim *sim, struct ksm_rng *rng, char *buf, size_t len)
{
	const char *p = pick_live(sim, rng), *q;
	uint64_t a = BASE + (ksm_rng_below(rng, 16) << 12);
	uint64_t b = BASE + (ksm_rng_below(rng, 16) << 12);
	uint64_t n = 1 + ksm_rng_below(rng, 4);
	unsigned op = (unsigned)ksm_rng_below(rng, 100);
	static const char *const prots[] = { "rw", "r", "none" };
	static const char *const knobs[] = {
		"smart_scan=0", "smart_scan=1", "use_zero_pages=1", "use_zero_pages=0",
		"max_page_sharing=2", "max_page_sharing=3", "max_page_sharing=256",
		"pages_to_scan=1", "pages_to_scan=3", "pages_to_scan=100",
		"sim.fault=merge_two_pages:every=2", "sim.fault=stable_node_alloc:every=3",
		"sim.fault=merge_one_page:every=4", "sim.fault=none", "run=2", "run=1",
	};

	if (!p || op < 3) {
		q = pick_free(sim);
		snprintf(buf, len, "spawn %s", q ? q : "p0");
		return;
	}
	if (op < 8) {
		q = pick_free(sim);
		snprintf(buf, len, "fork %s %s", p, q ? q : "p0");
	} else if (op < 10) {
		snprintf(buf, len, "exit %s", p);
	} else if (op < 18) {
		snprintf(buf, len, "mmap %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n,
			 prots[ksm_rng_below(rng, 4) ? 0 : ksm_rng_below(rng, 3)]);
	} else if (op < 21) {
		snprintf(buf, len, "munmap %s 0x%" PRIx64 " %" PRIu64, p, a, n);
	} else if (op < 25) {
		snprintf(buf, len, "mprotect %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n,
			 prots[ksm_rng_below(rng, 3)]);
	} else if (op < 33) {
		uint64_t n2 = ksm_rng_below(rng, 3) ? n : 1 + ksm_rng_below(rng, 4);

		snprintf(buf, len, "mremap %s 0x%" PRIx64 " %" PRIu64 " 0x%" PRIx64 " %" PRIu64,
			 p, a, n, ksm_rng_below(rng, 5) ? b : a, n2);
	} else if (op < 43) {
		static const char *const adv[] = { "mergeable", "mergeable", "mergeable",
						   "unmergeable", "dontneed" };

		snprintf(buf, len, "madvise %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n,
			 adv[ksm_rng_below(rng, 5)]);
	} else if (op < 45) {
		snprintf(buf, len, "prctl %s merge_any=%d", p, (int)ksm_rng_below(rng, 2));
	} else if (op < 63) {
		snprintf(buf, len, "write %s 0x%" PRIx64 " %" PRIu64 " token=%" PRIu64, p, a, n,
			 ksm_rng_below(rng, 3));
	} else if (op < 66) {
		snprintf(buf, len, "read %s 0x%" PRIx64 " %" PRIu64, p, a, n);
	} else if (op < 88) {
		snprintf(buf, len, "scan batches=%" PRIu64, 1 + ksm_rng_below(rng, 3));
	} else if (op < 91) {
		snprintf(buf, len, "scan rounds=1");
	} else if (op < 97) {
		snprintf(buf, len, "set %s", knobs[ksm_rng_below(rng, ARRAY_SIZE(knobs))]);
	} else {
		snprintf(buf, len, "migrate %s 0x%" PRIx64, p, a);
	}
}

const char *explore_verdict_name(enum verdict v)
{
	switch (v) {
	case V_NAIVE:
		return "naive-miss";
	case V_FINDING:
		return "finding";
	case V_DIVERGENCE:
		return "divergence";
	case V_INVARIANT:
		return "invariant";
	case V_OK:
	case V_REFUSED:
		break;
	}
	return "ok";
}

const char *explore_target_name(enum explore_target t)
{
	switch (t) {
	case EXPLORE_TARGET_NAIVE:
		return "naive";
	case EXPLORE_TARGET_ANY:
		return "any";
	case EXPLORE_TARGET_DIVERGENCE:
		break;
	}
	return "divergence";
}

/* Write @f's trace through a temporary file: never half written. */
static void write_trace(struct explore_failure *f, const char *comment)
{
	struct ksm_diag err = { 0 };
	struct outfile out;

	if (outfile_open(&out, f->path, &err))
		goto fail;
	fprintf(out.f, "ksmtrace 1\n%s\n", comment);
	for (size_t i = 0; i < f->nlines; i++)
		fprintf(out.f, "%s\n", f->lines[i]);
	if (!outfile_commit(&out, &err))
		return;
fail:
	snprintf(f->error, sizeof(f->error), "%.255s: %.511s", err.file, err.msg);
	f->path[0] = '\0';
}

/* The "# found by" line of a failure's trace: how to find it again. */
static void found_by(const struct explore_opts *o, bool exhaustive,
		     const struct explore_failure *f, char *buf, size_t len)
{
	char target[32] = "";

	if (o->target != EXPLORE_TARGET_DIVERGENCE)
		snprintf(target, sizeof(target), " --target %s", explore_target_name(o->target));
	if (exhaustive)
		snprintf(buf, len, "# found by ksmsim explore --exhaustive --depth %u%s%s (sequence %lu)",
			 o->depth, o->alphabet == EXPLORE_ALPHABET_MPROTECT ? " --alphabet mprotect" : "",
			 target, f->at);
	else
		snprintf(buf, len, "# found by ksmsim explore --seed %" PRIu64 "%s (trace %lu, %s from %zu to %zu commands)",
			 o->seed, target, f->at,
			 f->shrink_interrupted ? "shrinking interrupted" : "shrunk", f->shrunk_from,
			 f->shrunk_to);
}

void explore_write_failure(const struct explore_opts *o, bool exhaustive, size_t number,
			   struct explore_failure *f)
{
	char suffix[32] = "", name[64], comment[256];

	/* The first keeps the plain name; later ones (--keep-going) are numbered. */
	if (number > 1)
		snprintf(suffix, sizeof(suffix), "-%zu", number);
	if (exhaustive)
		snprintf(name, sizeof(name), "explore-depth%u", o->depth);
	else
		snprintf(name, sizeof(name), "explore-%" PRIu64, o->seed);
	snprintf(f->path, sizeof(f->path), "%s/%s-%s%s.trace", o->out_dir ? o->out_dir : ".",
		 name, f->kind, suffix);
	found_by(o, exhaustive, f, comment, sizeof(comment));
	write_trace(f, comment);
}

struct explore_failure *explore_found(struct explore_ctx *c, struct lines *l, enum verdict v,
				      const char *why, unsigned long at)
{
	struct explore_report *rep = &c->t->r;
	struct explore_failure *f;

	rep->failure = xrealloc(rep->failure, (rep->failures + 1) * sizeof(*rep->failure));
	f = &rep->failure[rep->failures++];
	memset(f, 0, sizeof(*f));
	snprintf(f->kind, sizeof(f->kind), "%s", explore_verdict_name(v));
	snprintf(f->why, sizeof(f->why), "%s", why);
	f->lines = l->v;
	f->nlines = l->n;
	f->at = at;
	memset(l, 0, sizeof(*l));
	return f;
}

void explore_tick(const struct explore_ctx *c)
{
	const struct explore_report *t = &c->t->r;
	struct explore_report sum;

	if (!c->o->progress)
		return;
	if (!c->base) {
		c->o->progress(c->o->progress_arg, t);
		return;
	}
	sum = *explore_merge_report(c->base);
	sum.traces += t->traces;
	sum.commands += t->commands;
	sum.refused += t->refused;
	sum.naive_misses += t->naive_misses;
	sum.findings += t->findings;
	sum.failures += t->failures - c->t->committed;
	c->o->progress(c->o->progress_arg, &sum);
}

void explore_report_free(struct explore_report *rep)
{
	for (size_t i = 0; i < rep->failures; i++) {
		for (size_t k = 0; k < rep->failure[i].nlines; k++)
			free(rep->failure[i].lines[k]);
		free(rep->failure[i].lines);
	}
	free(rep->failure);
	memset(rep, 0, sizeof(*rep));
}

int explore_random_task(struct explore_ctx *c)
{
	const struct explore_opts *o = c->o;
	struct explore_report *rep = &c->t->r;
	unsigned long tr = c->t->index;
	char why[1024], line[256];
	struct ksm_rng rng;
	struct lines l = { 0 };
	struct ksm_sim *sim;
	enum verdict v = V_OK;
	static const char *const layouts[] = { "lp64", "ilp32", "ilp32-reordered" };

	if (explore_stopped(o, rep))
		return 0;
	sim = ksm_sim_create();
	ksm_rng_seed(&rng, o->seed * 1000003ULL + tr);
	snprintf(line, sizeof(line), "set sim.kernel=lpi sim.layout=%s pages_to_scan=%d smart_scan=%d stable_node_chains_prune_millisecs=0",
		 layouts[ksm_rng_below(&rng, 3)], (int)(1 + ksm_rng_below(&rng, 8)),
		 (int)ksm_rng_below(&rng, 2));
	if (explore_apply(sim, line, true, why, sizeof(why)) != V_OK) {
		ksm_sim_destroy(sim, NULL, 0);
		return -1;
	}
	lines_push(&l, line);
	for (unsigned s = 0; s < o->steps && !explore_counts(v, o->target); s++) {
		/* A long trace stops at the next command, not at its end. */
		if (explore_stopped(o, rep)) {
			/* A trace cut short is not counted: it was not run to the end. */
			ksm_sim_destroy(sim, NULL, 0);
			lines_free(&l);
			return 0;
		}
		random_line(sim, &rng, line, sizeof(line));
		v = explore_apply(sim, line, true, why, sizeof(why));
		rep->commands++;
		explore_tick(c);
		if (v == V_REFUSED) {
			rep->refused++;
			/* A refused scan may have run part of its batches. */
			if (partial(line)) {
				ksm_sim_destroy(sim, NULL, 0);
				sim = ksm_sim_create();
				for (size_t i = 0; i < l.n; i++)
					explore_apply(sim, l.v[i], false, why, sizeof(why));
			}
			v = V_OK;
			continue;
		}
		lines_push(&l, line);
		if (v == V_NAIVE)
			rep->naive_misses++;
		else if (v == V_FINDING)
			rep->findings++;
	}
	ksm_sim_destroy(sim, NULL, 0);
	rep->traces++;
	if (explore_counts(v, o->target)) {
		size_t before = l.n;
		bool complete = shrink(o, rep, &l, v);
		struct explore_failure *f;

		/* Replay the shrunk trace for the reason it fails now. */
		replay_lines(&l, NULL, o->target, why, sizeof(why));
		f = explore_found(c, &l, v, why, tr);
		f->shrunk_from = before;
		f->shrunk_to = f->nlines;
		f->shrink_interrupted = !complete;
		explore_commit(c);
		explore_tick(c);
	}
	lines_free(&l);
	return 0;
}
