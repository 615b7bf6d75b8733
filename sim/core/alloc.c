// SPDX-License-Identifier: MIT
/* Allocation with per-kind accounting; see alloc.h. */
#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef KSMSIM_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

const char *const ksm_obj_kind_names[KOBJ__COUNT] = {
	[KOBJ_TASK] = "task",
	[KOBJ_MM] = "mm_struct",
	[KOBJ_VMA] = "vm_area_struct",
	[KOBJ_ANON_VMA] = "anon_vma",
	[KOBJ_AVC] = "anon_vma_chain",
	[KOBJ_PGTABLE] = "page table",
	[KOBJ_FOLIO_CHUNK] = "folio chunk",
	[KOBJ_KSM] = "ksm object",
	[KOBJ_MISC] = "other",
};

_Noreturn void sim_out_of_memory(size_t size)
{
	fprintf(stderr, "ksmsim: out of memory allocating %zu bytes\n", size);
	/* exit() runs core/cleanup.c's handler: no temporary output stays. */
	exit(3);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		sim_out_of_memory(size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		sim_out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		sim_out_of_memory(size);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xstrndup(const char *s, size_t n)
{
	char *d;

	if (n == SIZE_MAX)
		sim_out_of_memory(SIZE_MAX);
	d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void *ksm_zalloc(struct ksm_alloc_stats *st, enum ksm_obj_kind kind,
		 size_t size)
{
	void *p = xcalloc(1, size);

	st->live[kind]++;
	st->total[kind]++;
	st->live_bytes += (int64_t)size;
	return p;
}

void ksm_free(struct ksm_alloc_stats *st, enum ksm_obj_kind kind, void *p,
	      size_t size)
{
	if (!p)
		return;
	st->live[kind]--;
	st->live_bytes -= (int64_t)size;
	free(p);
}

int64_t ksm_mem_allocated(void)
{
#ifdef KSMSIM_HAVE_JEMALLOC
	uint64_t epoch = 1;
	size_t allocated, len = sizeof(allocated), elen = sizeof(epoch);

	/* jemalloc caches its statistics; bumping the epoch refreshes them. */
	if (mallctl("epoch", &epoch, &elen, &epoch, elen) != 0)
		return -1;
	if (mallctl("stats.allocated", &allocated, &len, NULL, 0) != 0)
		return -1;
	return (int64_t)allocated;
#else
	return -1;
#endif
}

const char *ksm_allocator_name(void)
{
#ifdef KSMSIM_HAVE_JEMALLOC
	return "jemalloc " JEMALLOC_VERSION;
#else
	return "system";
#endif
}
