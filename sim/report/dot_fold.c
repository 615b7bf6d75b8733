// SPDX-License-Identifier: MIT
/*
 * DOC: Folding runs of alike objects into one node
 *
 * A process with 20,000 one-page VMAs, an anon_vma with 1,536 chains or a
 * KSM page with 500 rmap_items cannot be drawn object by object: Graphviz
 * 2.43's dot layout takes minutes past about two thousand nodes in
 * clusters, and crashes on some graphs of that size, and nobody reads such
 * a picture anyway.  What makes them big is nearly always regularity:
 * mprotect on every other page gives VMAs that alternate between two
 * kinds, fork gives each child's VMAs in turn.  dot_runs() finds such
 * runs — a sequence that repeats with a period of 1 to DOT_FOLD_PERIOD —
 * so that each phase of a run is drawn as one "N VMAs like this" node.
 *
 * The caller says what "alike" means (same flags, page counts, anon_vma
 * for VMAs; same process and state for rmap_items...) and makes anything
 * that matters (the VMA asked about, a divergent mapping) unlike every
 * other object, so that it is never folded away.
 *
 * dot_alias_*(): a folded object's node is the run's node; the other
 * pictures of the same graph (a chain pointing at its VMA) find it here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

size_t dot_runs(size_t n, size_t min_each, bool (*same)(void *ctx, size_t i, size_t j),
		void *ctx, struct dot_run *runs)
{
	size_t nruns = 0;

	for (size_t i = 0; i < n;) {
		size_t best_len = 1;
		unsigned best_p = 1;

		for (unsigned p = 1; min_each && p <= DOT_FOLD_PERIOD && i + p < n; p++) {
			size_t j = i + p;

			while (j < n && same(ctx, j, j - p))
				j++;
			/* Strictly longer: on a tie the shorter period wins. */
			if (j - i > best_len) {
				best_len = j - i;
				best_p = p;
			}
		}
		/* Each phase of a fold holds at least min_each objects. */
		if (min_each && best_len >= (size_t)best_p * min_each && best_len > 1) {
			runs[nruns++] = (struct dot_run){ i, best_len, best_p };
			i += best_len;
		} else {
			runs[nruns++] = (struct dot_run){ i, 1, 1 };
			i++;
		}
	}
	return nruns;
}

/* ---- object -> node of the fold it is in ---- */

static size_t alias_slot(const void *key, size_t cap)
{
	uintptr_t h = (uintptr_t)key;

	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

void dot_alias_set(struct dot *d, const void *obj, Agnode_t *node)
{
	struct dot_alias *a = &d->alias;

	if (2 * (a->n + 1) > a->cap) {
		struct dot_alias old = *a;

		a->cap = a->cap ? 2 * a->cap : 64;
		a->key = xcalloc(a->cap, sizeof(*a->key));
		a->val = xcalloc(a->cap, sizeof(*a->val));
		a->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.key[i])
				dot_alias_set(d, old.key[i], old.val[i]);
		free(old.key);
		free(old.val);
	}
	for (size_t s = alias_slot(obj, a->cap);; s = (s + 1) & (a->cap - 1)) {
		if (!a->key[s]) {
			a->key[s] = obj;
			a->val[s] = node;
			a->n++;
			return;
		}
		if (a->key[s] == obj) {
			a->val[s] = node;
			return;
		}
	}
}

Agnode_t *dot_alias_get(struct dot *d, const void *obj)
{
	struct dot_alias *a = &d->alias;

	if (!a->n)
		return NULL;
	for (size_t s = alias_slot(obj, a->cap); a->key[s]; s = (s + 1) & (a->cap - 1))
		if (a->key[s] == obj)
			return a->val[s];
	return NULL;
}

void dot_alias_free(struct dot *d)
{
	free(d->alias.key);
	free(d->alias.val);
	memset(&d->alias, 0, sizeof(d->alias));
}

Agnode_t *dot_fold_node(struct dot *d, Agraph_t *g, enum dot_kind kind, size_t count)
{
	char name[48];
	Agnode_t *n;

	/* A fold stands for many objects but costs the layout one node. */
	if (!dot_budget(d, kind)) {
		d->skipped[kind] += count - 1;
		return NULL;
	}
	d->folded[kind] += count;
	snprintf(name, sizeof(name), "fold_%u", ++d->nfolds);
	n = dot_node(d, g, name);
	dot_set(d, n, DA_N_PERIPHERIES, "2");
	return n;
}
