/* SPDX-License-Identifier: MIT */
/*
 * DOC: The calls the memory-management model makes into KSM
 *
 * What the kernel's include/linux/ksm.h is to mm/: the few places where
 * the memory-management model tells KSM that something happened to an
 * address space, and nothing else.  mm declares them here and sim/ksm
 * implements them, so no file of sim/mm sees KSM's internals
 * (sim/ksm/ksm_state.h) or changes a KSM counter itself; the layering
 * check (tests/layers.cmake) keeps it that way.
 *
 * struct ksm_state stays opaque to mm: the machine only holds a pointer.
 */
#ifndef KSMSIM_MM_KSM_HOOKS_H
#define KSMSIM_MM_KSM_HOOKS_H

#include <stdint.h>

#include "ksmsim/sim.h"

struct ksm_state;

/* The machine's KSM engine with Linux 6.18's defaults (ksm_init()). */
struct ksm_state *ksm_state_create(struct ksm_sim *sim);
void ksm_state_destroy(struct ksm_sim *sim, struct ksm_state *ksm);

/* kernel/fork.c: the child's counters, and its registration if the
 * parent is registered (ksm_fork()). */
void ksm_fork(struct ksm_sim *sim, struct mm_struct *child,
	      struct mm_struct *parent);
/* mmput(): the last user of @mm is gone (ksm_exit()). */
void __ksm_exit(struct ksm_sim *sim, struct mm_struct *mm);

/* madvise(MADV_(UN)MERGEABLE) of [start, end) inside @vma: registers the
 * mm or unshares its KSM pages, and adjusts *vm_flags. */
void ksm_madvise(struct ksm_sim *sim, struct vm_area_struct *vma,
		 uint64_t start, uint64_t end, enum sim_advice advice,
		 uint64_t *vm_flags);
/* The flags a VMA gets at creation in an mm with MMF_VM_MERGE_ANY. */
uint64_t ksm_vma_flags(struct ksm_sim *sim, struct mm_struct *mm,
		       uint64_t vm_flags);
/* prctl(PR_SET_MEMORY_MERGE, 1 or 0). */
void ksm_enable_merge_any(struct ksm_sim *sim, struct mm_struct *mm);
void ksm_disable_merge_any(struct ksm_sim *sim, struct mm_struct *mm);

/* An entry of @mm is being cleared or replaced: if KSM placed the zero
 * page there, its zero-page counters drop at once. */
void ksm_might_unmap_zero_page(struct ksm_sim *sim, struct mm_struct *mm,
			       pte_t pte);

#endif /* KSMSIM_MM_KSM_HOOKS_H */
