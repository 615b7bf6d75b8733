/* SPDX-License-Identifier: MIT */
/*
 * DOC: Allocation with per-kind accounting
 *
 * Every object of the model is allocated through ksm_zalloc() with its
 * kind, and freed through ksm_free() with the same kind.  The counts live
 * in the machine (struct ksm_alloc_stats), not in globals, so two machines
 * in one process account separately, and a teardown check can say "3
 * anon_vma leaked" rather than "something leaked".
 *
 * Memory itself comes from malloc, which is jemalloc in normal builds
 * (CMake links it) and the system allocator in sanitizer builds, where
 * jemalloc cannot run.  ksm_mem_allocated() reports the allocator's own
 * figure where jemalloc provides one.
 *
 * Out of memory, one policy: running out of host memory is not a
 * simulated event, so it ends the program — "ksmsim: out of memory
 * allocating N bytes" on stderr, exit status 3 (core/cleanup.c removes
 * temporary output on the way out) — instead of returning errors through
 * every layer of the model.  Every allocation, the trace reader's included,
 * goes through x*alloc(), ksm_zalloc() or ARRAY_GROW() (core/array.h),
 * which apply it.
 */
#ifndef KSMSIM_CORE_ALLOC_H
#define KSMSIM_CORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum ksm_obj_kind {
	KOBJ_TASK,
	KOBJ_MM,
	KOBJ_VMA,
	KOBJ_ANON_VMA,
	KOBJ_AVC,
	KOBJ_PGTABLE,
	KOBJ_FOLIO_CHUNK,
	KOBJ_KSM, /* KSM engine objects (slots, rmap_items, stable nodes) */
	KOBJ_MISC,
	KOBJ__COUNT
};

struct ksm_alloc_stats {
	int64_t live[KOBJ__COUNT];   /* allocated and not yet freed */
	uint64_t total[KOBJ__COUNT]; /* allocated since the start   */
	int64_t live_bytes;          /* bytes behind live objects   */
};

extern const char *const ksm_obj_kind_names[KOBJ__COUNT];

void *ksm_zalloc(struct ksm_alloc_stats *st, enum ksm_obj_kind kind,
		 size_t size);
void ksm_free(struct ksm_alloc_stats *st, enum ksm_obj_kind kind, void *p,
	      size_t size);

/* The out-of-memory exit above: message, then exit(3). */
_Noreturn void sim_out_of_memory(size_t size);

/* Plain allocation helpers for non-model data (exit on exhaustion). */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
/* The @n bytes at @s (not necessarily terminated) as a C string. */
char *xstrndup(const char *s, size_t n);

/*
 * ksm_mem_allocated() - bytes the allocator reports as allocated by the
 * program (jemalloc's stats.allocated), or -1 when the allocator does not
 * report it (sanitizer builds).
 */
int64_t ksm_mem_allocated(void);

/* The name of the allocator in use: "jemalloc X.Y.Z" or "system". */
const char *ksm_allocator_name(void);

#endif /* KSMSIM_CORE_ALLOC_H */
