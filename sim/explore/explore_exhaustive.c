// SPDX-License-Identifier: MIT
/*
 * DOC: Exhaustive exploration and its size estimate
 *
 * Every sequence over a small command alphabet, up to a depth, on a tiny
 * machine (two processes, three pages, two pages per batch), depth first;
 * each sequence is replayed on a fresh machine from the prologue and
 * checked after its last command (its prefixes were checked as sequences
 * of their own).  A sequence whose command the machine refuses is not
 * counted and not extended.  See explore.c for the whole picture.
 *
 * The number of sequences is not known in advance — refusals prune the
 * tree unevenly — so explore_estimate() samples it: Knuth's estimator
 * (Math. Comp. 29, 1975) follows random root-to-leaf paths and sums, per
 * level, the product of the branching degrees met on the way; the mean
 * over the probes is an unbiased estimate of the tree's size.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/rng.h"
#include "explore/explore_internal.h"
#include "ksm/ksm_state.h"
#include "ksmsim/explore.h"
#include "ksmsim/sim_snapshot.h"
#include "mm/internal.h"

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

#define NALPHA (ARRAY_SIZE(alphabet))

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

bool hashset_add(struct hashset *s, uint64_t h)
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
	s->last = h;
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

/* A fresh machine after the prologue and @n commands of @path. */
static struct ksm_sim *replay_prefix(const struct explore_opts *o, const unsigned *path,
				     unsigned n, enum verdict *v)
{
	struct ksm_sim *sim = ksm_sim_create();
	char why[1024];

	*v = V_OK;
	for (size_t i = 0; i < ARRAY_SIZE(prologue); i++)
		explore_apply(sim, prologue[i], false, why, sizeof(why));
	/* the prefix was checked when it was the leaf */
	for (unsigned i = 0; i < n && *v != V_REFUSED; i++)
		*v = explore_apply(sim, letter(o, path[i]), false, why, sizeof(why));
	return sim;
}

unsigned explore_split_depth(const struct explore_opts *o)
{
	/* 13 * 13 prefixes: enough parts to keep every core busy. */
	return o->depth < 2 ? o->depth : 2;
}

unsigned long explore_ntasks(const struct explore_opts *o, bool exhaustive)
{
	unsigned long n = 1;

	if (!exhaustive)
		return o->traces;
	for (unsigned i = 0; i < explore_split_depth(o); i++)
		n *= NALPHA;
	return n;
}

struct dfs {
	struct explore_ctx *c;
	struct hashset states;
	unsigned split;                  /* the task's prefix length        */
	unsigned digit[EXPLORE_MAX_DEPTH]; /* the task's prefix             */
	unsigned path[EXPLORE_MAX_DEPTH];
	int stop;  /* the first failure (without --keep-going), or a signal */
};

static void dfs_fail(struct dfs *d, unsigned depth, enum verdict v, const char *why)
{
	const struct explore_opts *o = d->c->o;
	struct lines l = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(prologue); i++)
		lines_push(&l, prologue[i]);
	for (unsigned i = 0; i <= depth; i++)
		lines_push(&l, letter(o, d->path[i]));
	explore_found(d->c, &l, v, why, d->c->t->r.traces);
	explore_commit(d->c);
}

/*
 * Does the task own the sequence of @depth + 1 letters on its prefix?
 * A sequence shorter than the prefix belongs to the first task under it:
 * the one whose remaining prefix letters are all the first letter, which
 * keeps the depth-first order of the sequences.
 */
static bool owns(const struct dfs *d, unsigned depth)
{
	for (unsigned i = depth + 1; i < d->split; i++)
		if (d->digit[i])
			return false;
	return true;
}

static void dfs_node(struct dfs *d, unsigned depth)
{
	const struct explore_opts *o = d->c->o;
	struct explore_task *t = d->c->t;
	char why[1024];

	for (unsigned a = 0; a < NALPHA && !d->stop; a++) {
		enum verdict v;
		struct ksm_sim *sim;
		bool mine = true;

		if (depth < d->split) {
			if (a != d->digit[depth])
				continue;
			mine = owns(d, depth);
		}
		if (explore_stopped(o, &t->r)) {
			d->stop = 1;
			break;
		}
		sim = replay_prefix(o, d->path, depth, &v);
		if (v != V_REFUSED)
			v = explore_apply(sim, letter(o, a), true, why, sizeof(why));
		d->path[depth] = a;
		if (v != V_REFUSED && mine) {
			t->r.traces++;
			if (hashset_add(&d->states, fingerprint(sim))) {
				ARRAY_GROW(t->states, t->states_cap, t->nstates + 1, 256);
				t->states[t->nstates++] = d->states.last;
			}
			if (depth + 1 > t->r.depth)
				t->r.depth = depth + 1;
			if (v == V_NAIVE)
				t->r.naive_misses++;
			if (v == V_FINDING)
				t->r.findings++;
			if (explore_counts(v, o->target)) {
				dfs_fail(d, depth, v, why);
				if (!o->keep_going)
					d->stop = 1;
			}
			explore_tick(d->c);
		}
		ksm_sim_destroy(sim, NULL, 0);
		/* A failing sequence is not extended: its extensions fail alike. */
		if (v != V_REFUSED && !explore_counts(v, o->target) && depth + 1 < o->depth)
			dfs_node(d, depth + 1);
	}
}

int explore_exhaustive_task(struct explore_ctx *c)
{
	struct dfs d = { .c = c, .split = explore_split_depth(c->o) };
	unsigned long i = c->t->index;

	if (!c->o->depth || c->o->depth > EXPLORE_MAX_DEPTH)
		return -1;
	for (unsigned k = d.split; k-- > 0; i /= NALPHA)
		d.digit[k] = (unsigned)(i % NALPHA);
	dfs_node(&d, 0);
	free(d.states.v);
	return 0;
}

/* Probes of the sequence tree; 64 give the estimate within about 25% (docs/rmap.md). */
#define ESTIMATE_PROBES 64

double explore_estimate(const struct explore_opts *o)
{
	struct ksm_rng rng;
	struct explore_report none = { 0 };
	double sum = 0;

	if (!o->depth || o->depth > EXPLORE_MAX_DEPTH)
		return 0;
	ksm_rng_seed(&rng, 0x6b736d); /* fixed: the estimate is deterministic */
	for (unsigned p = 0; p < ESTIMATE_PROBES; p++) {
		unsigned path[EXPLORE_MAX_DEPTH];
		double weight = 1;

		if (explore_stopped(o, &none))
			return 0;
		for (unsigned k = 0; k < o->depth; k++) {
			unsigned ok[NALPHA], n = 0;

			for (unsigned a = 0; a < NALPHA; a++) {
				enum verdict v;
				struct ksm_sim *sim = replay_prefix(o, path, k, &v);
				char why[1024];

				if (v != V_REFUSED &&
				    explore_apply(sim, letter(o, a), false, why, sizeof(why)) != V_REFUSED)
					ok[n++] = a;
				ksm_sim_destroy(sim, NULL, 0);
			}
			if (!n)
				break;
			weight *= n;
			sum += weight;
			path[k] = ok[ksm_rng_below(&rng, n)];
		}
	}
	return sum / ESTIMATE_PROBES;
}
