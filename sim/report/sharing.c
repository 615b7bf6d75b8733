// SPDX-License-Identifier: MIT
/*
 * DOC: The physical sharing partition and its canonical hash
 *
 * Input: one struct ksm_page_ref per present page of every live process,
 * the pair (name, address) and the physical page it maps.  Output: the
 * "sharing" object of a snapshot record (docs/trace-format.md).
 *
 * Method, O(n log n) for n pairs, no per-group allocation:
 *
 *  1. Sort the pairs by (phys, name, address).  Each physical page is now
 *     a run, and within a run the first pair is the group's smallest, so
 *     the run is already in canonical pair order.
 *  2. One pass over the runs counts mapped / zero_pfn / ksm_pfns /
 *     ksm_mapped (KSM pages count even when mapped once) and records the
 *     runs of two or more as groups (start index, length).
 *  3. Sort the groups by their first pair (name, address).  Two groups
 *     never share a pair, so the order is total.
 *  4. Walk the groups in that order feeding the canonical text to
 *     FNV-1a 64 — the text itself is never built, so memory stays at the
 *     pair array plus 16 bytes per group.
 *  5. The sizes are sorted on their own (ascending).
 */
#include "core/alloc.h"
#include "core/array.h"
#include "ksmsim/snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

uint64_t ksm_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= KSM_FNV1A64_PRIME;
	}
	return h;
}

/* Names are compared as bytes; the same pointer is the common case. */
static int name_cmp(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a, b);
}

static int pair_cmp(const struct ksm_page_ref *a, const struct ksm_page_ref *b)
{
	int c = name_cmp(a->name, b->name);

	if (c)
		return c;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ksm_page_ref *a = pa, *b = pb;

	if (a->phys != b->phys)
		return a->phys < b->phys ? -1 : 1;
	return pair_cmp(a, b);
}

struct group {
	const struct ksm_page_ref *first; /* first pair; the rest follow it */
	size_t len;
};

static int group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	return pair_cmp(a->first, b->first);
}

static int i64_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/*
 * Sort @refs and collect the groups (runs of two or more) into a new
 * array, in canonical order.  *@groups is NULL when there are none.
 */
static void collect_groups(struct ksm_page_ref *refs, size_t n,
			  struct group **groups, size_t *ngroups)
{
	struct group *g = NULL;
	size_t ng = 0, cap = 0;

	*groups = NULL;
	*ngroups = 0;
	if (n > 1)
		qsort(refs, n, sizeof(*refs), ref_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && refs[j].phys == refs[i].phys)
			j++;
		if (j - i >= 2) {
			ARRAY_GROW(g, cap, ng + 1, 64);
			g[ng].first = &refs[i];
			g[ng].len = j - i;
			ng++;
		}
		i = j;
	}
	if (ng > 1)
		qsort(g, ng, sizeof(*g), group_cmp);
	*groups = g;
	*ngroups = ng;
}

/* "NAME:hexaddr" into @buf; returns the length. */
static size_t format_pair(char *buf, size_t size, const struct ksm_page_ref *r)
{
	int k = snprintf(buf, size, "%s:%" PRIx64, r->name, r->addr);

	return k < 0 ? 0 : (size_t)k < size ? (size_t)k : size - 1;
}

/*
 * Feed the canonical text of @groups to @emit.  A pair is at most 32
 * bytes of name, ':' and 16 hex digits, plus the separator.
 */
static int walk_text(const struct group *g, size_t ng,
		     int (*emit)(void *ctx, const char *s, size_t n), void *ctx)
{
	char buf[KSM_SNAP_NAME_MAX + 1 + 16 + 2 + 64];

	for (size_t i = 0; i < ng; i++) {
		for (size_t k = 0; k < g[i].len; k++) {
			size_t len = format_pair(buf, sizeof(buf) - 1, &g[i].first[k]);

			buf[len++] = k + 1 < g[i].len ? ',' : ';';
			if (emit(ctx, buf, len))
				return -1;
		}
	}
	return 0;
}

static int emit_hash(void *ctx, const char *s, size_t n)
{
	uint64_t *h = ctx;

	*h = ksm_fnv1a64(*h, s, n);
	return 0;
}

static int emit_file(void *ctx, const char *s, size_t n)
{
	return fwrite(s, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

int ksm_sharing_compute(struct ksm_page_ref *refs, size_t n,
			struct ksm_sharing *out)
{
	struct group *g;
	size_t ng;

	memset(out, 0, sizeof(*out));
	out->hash = KSM_FNV1A64_INIT;
	collect_groups(refs, n, &g, &ng);

	/* Counts over every physical page, groups of one included. */
	out->mapped = (int64_t)n;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && refs[j].phys == refs[i].phys)
			j++;
		if (refs[i].zero)
			out->zero_pfn += (int64_t)(j - i);
		if (refs[i].ksm) {
			out->ksm_pfns++;
			out->ksm_mapped += (int64_t)(j - i);
		}
		i = j;
	}

	if (ng)
		out->sizes = xmalloc(ng * sizeof(*out->sizes));
	for (size_t i = 0; i < ng; i++) {
		out->sizes[i] = (int64_t)g[i].len;
		out->grouped += (int64_t)g[i].len;
	}
	out->groups = (int64_t)ng;
	if (ng > 1)
		qsort(out->sizes, ng, sizeof(*out->sizes), i64_cmp);
	walk_text(g, ng, emit_hash, &out->hash);
	free(g);
	return 0;
}

int ksm_sharing_write_text(FILE *out, struct ksm_page_ref *refs, size_t n)
{
	struct group *g;
	size_t ng;
	int ret;

	collect_groups(refs, n, &g, &ng);
	ret = walk_text(g, ng, emit_file, out);
	free(g);
	return ret;
}

void ksm_sharing_free(struct ksm_sharing *s)
{
	free(s->sizes);
	s->sizes = NULL;
	s->groups = 0;
}
