// SPDX-License-Identifier: MIT
/*
 * DOC: Which address ranges of a process are the trace's
 *
 * A worker is a real process: besides the trace's mappings it has its
 * program, libraries, heap and stack.  The controller keeps, per process,
 * the set of addresses the trace has mapped (mmap adds, munmap removes,
 * mremap moves, fork copies) so that observations — VMA counts, present
 * pages, the sharing partition — look at the trace's memory only.
 *
 * The set is a sorted array of disjoint ranges; adjacent ranges are
 * coalesced so that the representation of a set is unique.  Traces have
 * few ranges, so the array is edited by shifting.
 */
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "kr.h"

static void reserve(struct kr_ranges *r, size_t n)
{
	ARRAY_GROW(r->v, r->cap, n, 8);
}

void kr_ranges_remove(struct kr_ranges *r, uint64_t start, uint64_t end)
{
	size_t i = 0;

	while (i < r->n) {
		struct kr_range *x = &r->v[i];

		if (x->end <= start || x->start >= end) {
			i++;
			continue;
		}
		if (x->start < start && x->end > end) {
			/* split in two */
			reserve(r, r->n + 1);
			x = &r->v[i];
			memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*x));
			r->n++;
			r->v[i].end = start;
			r->v[i + 1].start = end;
			return;
		}
		if (x->start < start) {
			x->end = start;
			i++;
		} else if (x->end > end) {
			x->start = end;
			i++;
		} else {
			memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*x));
			r->n--;
		}
	}
}

void kr_ranges_add(struct kr_ranges *r, uint64_t start, uint64_t end)
{
	size_t i;

	if (start >= end)
		return;
	kr_ranges_remove(r, start, end);
	for (i = 0; i < r->n && r->v[i].start < start; i++)
		;
	reserve(r, r->n + 1);
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i].start = start;
	r->v[i].end = end;
	r->n++;
	/* coalesce with the neighbours */
	if (i + 1 < r->n && r->v[i].end == r->v[i + 1].start) {
		r->v[i].end = r->v[i + 1].end;
		memmove(&r->v[i + 1], &r->v[i + 2], (r->n - i - 2) * sizeof(*r->v));
		r->n--;
	}
	if (i > 0 && r->v[i - 1].end == r->v[i].start) {
		r->v[i - 1].end = r->v[i].end;
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
		r->n--;
	}
}

void kr_ranges_copy(struct kr_ranges *dst, const struct kr_ranges *src)
{
	dst->n = 0;
	reserve(dst, src->n);
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	dst->n = src->n;
}

bool kr_ranges_overlaps(const struct kr_ranges *r, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].start < end && r->v[i].end > start)
			return true;
	return false;
}

void kr_ranges_free(struct kr_ranges *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
