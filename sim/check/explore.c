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
 * only if the machine accepted it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/rng.h"
#include "ksm/ksm_state.h"
#include "ksmsim/check.h"
#include "ksmsim/explore.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/sim_snapshot.h"
#include "mm/internal.h"

#define BASE 0x10000000ULL /* below 3 GiB: valid for the 32-bit layouts */

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_push(struct lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* What failed, in decreasing order of gravity. */
enum verdict {
	V_OK,
	V_REFUSED,     /* the machine refused a command: not a failure */
	V_NAIVE,       /* the naive walk missed (negative control)     */
	V_FINDING,     /* some other finding                           */
	V_DIVERGENCE,  /* full != indexed                              */
	V_INVARIANT,   /* an invariant of the model broke              */
};

static bool counts(enum verdict v, enum explore_target target)
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

/* Apply one text command and, if @check, check.  @why gets the failure. */
static enum verdict apply_line_check(struct ksm_sim *sim, const char *line, bool check,
				     char *why, size_t whylen)
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

static enum verdict apply_line(struct ksm_sim *sim, const char *line, char *why,
			       size_t whylen)
{
	return apply_line_check(sim, line, true, why, whylen);
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
		r = apply_line(sim, l->v[i], why, whylen);
		if (r == V_REFUSED || counts(r, target))
			v = r;
	}
	ksm_sim_destroy(sim, NULL, 0);
	return v;
}

/* ddmin over the commands: the smallest subset that still fails as @want. */
static void shrink(struct lines *l, enum explore_target target, enum verdict want)
{
	bool *keep = xcalloc(l->n, sizeof(*keep));
	size_t alive = l->n;
	char why[1024];

	for (size_t i = 0; i < l->n; i++)
		keep[i] = true;
	for (size_t chunk = alive / 2 ? alive / 2 : 1;; chunk = chunk / 2 ? chunk / 2 : 1) {
		bool progress = false;

		for (size_t start = 0; start < l->n;) {
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
		}
		if (chunk == 1 && !progress)
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
		snprintf(buf, len, "set %s", knobs[ksm_rng_below(rng, sizeof(knobs) / sizeof(knobs[0]))]);
	} else {
		snprintf(buf, len, "migrate %s 0x%" PRIx64, p, a);
	}
}

static int write_trace(const struct explore_opts *o, const struct lines *l,
		       const char *header, bool exhaustive, char *path, size_t pathlen)
{
	FILE *f;

	if (exhaustive)
		snprintf(path, pathlen, "%s/explore-depth%u-%s.trace",
			 o->out_dir ? o->out_dir : ".", o->depth, header);
	else
		snprintf(path, pathlen, "%s/explore-%" PRIu64 "-%s.trace",
			 o->out_dir ? o->out_dir : ".", o->seed, header);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (exhaustive)
		fprintf(f, "ksmtrace 1\n# found by ksmsim explore --exhaustive --depth %u\n", o->depth);
	else
		fprintf(f, "ksmtrace 1\n# found by ksmsim explore --seed %" PRIu64 " (shrunk)\n", o->seed);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->v[i]);
	return fclose(f);
}

static const char *verdict_name(enum verdict v)
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

int explore_random(const struct explore_opts *o, struct explore_report *rep)
{
	char why[1024], line[256];

	memset(rep, 0, sizeof(*rep));
	for (unsigned tr = 0; tr < o->traces; tr++) {
		struct ksm_rng rng;
		struct lines l = { 0 };
		struct ksm_sim *sim = ksm_sim_create();
		enum verdict v = V_OK;
		static const char *const layouts[] = { "lp64", "ilp32", "ilp32-reordered" };

		ksm_rng_seed(&rng, o->seed * 1000003ULL + tr);
		snprintf(line, sizeof(line), "set sim.kernel=lpi sim.layout=%s pages_to_scan=%d smart_scan=%d stable_node_chains_prune_millisecs=0",
			 layouts[ksm_rng_below(&rng, 3)], (int)(1 + ksm_rng_below(&rng, 8)),
			 (int)ksm_rng_below(&rng, 2));
		if (apply_line(sim, line, why, sizeof(why)) != V_OK) {
			ksm_sim_destroy(sim, NULL, 0);
			return -1;
		}
		lines_push(&l, line);
		for (unsigned s = 0; s < o->steps && !counts(v, o->target); s++) {
			random_line(sim, &rng, line, sizeof(line));
			v = apply_line(sim, line, why, sizeof(why));
			rep->commands++;
			if (v == V_REFUSED) {
				rep->refused++;
				/* A refused scan may have run part of its batches. */
				if (!strncmp(line, "scan", 4)) {
					ksm_sim_destroy(sim, NULL, 0);
					sim = ksm_sim_create();
					for (size_t i = 0; i < l.n; i++)
						apply_line_check(sim, l.v[i], false, why, sizeof(why));
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
		if (counts(v, o->target)) {
			size_t before = l.n;

			rep->failures++;
			shrink(&l, o->target, v);
			rep->shrunk_from = before;
			rep->shrunk_to = l.n;
			snprintf(rep->failure, sizeof(rep->failure), "%s", verdict_name(v));
			replay_lines(&l, NULL, o->target, why, sizeof(why));
			snprintf(rep->why, sizeof(rep->why), "%s", why);
			if (write_trace(o, &l, verdict_name(v), false, rep->path, sizeof(rep->path)))
				rep->path[0] = '\0';
			lines_free(&l);
			return 1;
		}
		lines_free(&l);
	}
	return 0;
}

/* ---- exhaustive ---- */

static const char *const alphabet[] = {
	"write a 0x10000000 1 token=1",
	"write a 0x10001000 1 token=1",
	"write a 0x10002000 1 token=2",
	"fork a b",
	"write b 0x10000000 1 token=1",
	"mremap b 0x10001000 1 0x10000000 1",
	"mremap a 0x10002000 1 0x10000000 1",
	"scan batches=1",
	"scan rounds=1",
	"exit b",
	"munmap a 0x10001000 1",
	"madvise a 0x10000000 3 unmergeable",
	"madvise b 0x10000000 3 mergeable",
};

#define NALPHA (sizeof(alphabet) / sizeof(alphabet[0]))

/*
 * The "mprotect" alphabet swaps the two mremaps for two mprotect splits,
 * to ask whether anything but a move can open the divergence window.
 */
static const char *letter(const struct explore_opts *o, unsigned a)
{
	if (o->alphabet == EXPLORE_ALPHABET_MPROTECT) {
		if (!strncmp(alphabet[a], "mremap b", 8))
			return "mprotect b 0x10001000 1 r";
		if (!strncmp(alphabet[a], "mremap a", 8))
			return "mprotect a 0x10000000 1 r";
	}
	return alphabet[a];
}

static const char *const prologue[] = {
	"set sim.kernel=lpi pages_to_scan=2 smart_scan=0",
	"spawn a",
	"mmap a 0x10000000 3",
	"madvise a 0x10000000 3 mergeable",
};

/* A fingerprint of the machine: its record and its KSM structures. */
static uint64_t fingerprint(struct ksm_sim *sim)
{
	struct ksm_snapshot s;
	struct ksm_state *ksm = sim->ksm;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint64_t h;

	sim_snapshot_take(sim, 0, "", true, &s);
	ksm_snapshot_write(f, &s);
	ksm_snapshot_free(&s);
	for (struct task *t = sim_first_task(sim); t; t = sim_next_task(sim, t))
		for (struct vm_area_struct *v = vma_first(t->mm); v; v = vma_next(t->mm, v))
			fprintf(f, "{%s %" PRIx64 "-%" PRIx64 " %" PRIx64 " %" PRIx64 "}", t->name,
				v->vm_start, v->vm_end, v->vm_pgoff, v->vm_flags);
	for (struct ksm_mm_slot *slot = TAILQ_FIRST(&ksm->ksm_mm_head); slot;
	     slot = TAILQ_NEXT(slot, mm_node)) {
		fprintf(f, "[%s%s]", slot->mm->owner, slot == ksm->scan_slot ? "*" : "");
		for (struct ksm_rmap_item *it = slot->rmap_list; it; it = it->rmap_list)
			fprintf(f, " %" PRIx64 "/%08x/%u/%u/%d", it->address,
				rmap_item_oldchecksum(ksm, it), rmap_item_age(ksm, it),
				rmap_item_remaining_skips(ksm, it),
				(it->address & STABLE_FLAG) ? it->head->rmap_hlist_len : -1);
	}
	fprintf(f, "|%" PRIx64 "|%lu", ksm->scan_address, ksm->seqnr);
	fclose(f);
	h = ksm_fnv1a64(KSM_FNV1A64_INIT, buf, len);
	free(buf);
	return h;
}

struct hashset {
	uint64_t *v;
	size_t n, cap;
};

static bool hashset_add(struct hashset *s, uint64_t h)
{
	if (!h)
		h = 1;
	if (s->n * 2 >= s->cap) {
		struct hashset t = { xcalloc(s->cap ? s->cap * 2 : 1024, sizeof(uint64_t)), 0,
				     s->cap ? s->cap * 2 : 1024 };

		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				hashset_add(&t, s->v[i]);
		free(s->v);
		*s = t;
	}
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->v[i] == h)
			return false;
		if (!s->v[i]) {
			s->v[i] = h;
			s->n++;
			return true;
		}
	}
}

struct dfs {
	const struct explore_opts *o;
	struct explore_report *rep;
	struct hashset states;
	unsigned path[32];
	int failed;
};

static int dfs_node(struct dfs *d, unsigned depth)
{
	char why[1024];

	for (unsigned a = 0; a < NALPHA; a++) {
		struct ksm_sim *sim = ksm_sim_create();
		enum verdict v = V_OK;

		for (size_t i = 0; i < sizeof(prologue) / sizeof(prologue[0]); i++)
			apply_line_check(sim, prologue[i], false, why, sizeof(why));
		/* the prefix was checked when it was the leaf */
		for (unsigned i = 0; i < depth && v != V_REFUSED; i++)
			v = apply_line_check(sim, letter(d->o, d->path[i]), false, why, sizeof(why));
		if (v != V_REFUSED)
			v = apply_line(sim, letter(d->o, a), why, sizeof(why));
		if (v != V_REFUSED) {
			d->rep->traces++;
			d->path[depth] = a;
			if (hashset_add(&d->states, fingerprint(sim)))
				d->rep->states++;
			if (depth + 1 > d->rep->depth)
				d->rep->depth = depth + 1;
			if (v == V_NAIVE)
				d->rep->naive_misses++;
			if (v == V_FINDING)
				d->rep->findings++;
			if (counts(v, d->o->target) && !d->failed) {
				struct lines l = { 0 };

				d->failed = 1;
				d->rep->failures++;
				for (size_t i = 0; i < sizeof(prologue) / sizeof(prologue[0]); i++)
					lines_push(&l, prologue[i]);
				for (unsigned i = 0; i <= depth; i++)
					lines_push(&l, letter(d->o, d->path[i]));
				snprintf(d->rep->failure, sizeof(d->rep->failure), "%s", verdict_name(v));
				snprintf(d->rep->why, sizeof(d->rep->why), "%s", why);
				if (write_trace(d->o, &l, verdict_name(v), true, d->rep->path,
						sizeof(d->rep->path)))
					d->rep->path[0] = '\0';
				lines_free(&l);
			}
		}
		ksm_sim_destroy(sim, NULL, 0);
		if (v != V_REFUSED && depth + 1 < d->o->depth && !d->failed)
			dfs_node(d, depth + 1);
		if (d->failed)
			return 1;
	}
	return 0;
}

int explore_exhaustive(const struct explore_opts *o, struct explore_report *rep)
{
	struct dfs d = { .o = o, .rep = rep };
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (o->depth > sizeof(d.path) / sizeof(d.path[0]))
		return -1;
	ret = o->depth ? dfs_node(&d, 0) : 0;
	free(d.states.v);
	return ret;
}
