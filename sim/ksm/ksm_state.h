/* SPDX-License-Identifier: MIT */
/*
 * DOC: State of the KSM engine of one machine
 *
 * The kernel keeps this in globals of mm/ksm.c (ksm_scan, ksm_mm_head,
 * the trees, the counters); the model keeps it in one struct per machine.
 *
 * mm_slots form the scan list (ksm_mm_head) in scan order.  The scan
 * cursor (ksm_scan.mm_slot) is NULL when it stands on the list head,
 * i.e. between rounds.
 */
#ifndef KSMSIM_KSM_STATE_H
#define KSMSIM_KSM_STATE_H

#include "ksmsim/ksm.h"
#include "ksmsim/mm.h"

struct ksm_rmap_item;

/* struct ksm_mm_slot: one registered mm, in scan order. */
struct ksm_mm_slot {
	struct mm_struct *mm;               /* holds an mm_count reference */
	TAILQ_ENTRY(ksm_mm_slot) mm_node;   /* in ksm_mm_head              */
	struct ksm_rmap_item *rmap_list;    /* items, ascending address    */
};

TAILQ_HEAD(ksm_slot_list, ksm_mm_slot);

struct ksm_state {
	struct ksm_knobs knobs;
	struct ksm_slot_list ksm_mm_head;  /* scan order                   */
	struct ksm_mm_slot *scan_slot;     /* ksm_scan.mm_slot; NULL = head */
	unsigned long seqnr;               /* ksm_scan.seqnr = full_scans  */

	long ksm_pages_shared;       /* stable nodes with >= 1 item        */
	long ksm_pages_sharing;      /* further items on those nodes       */
	long ksm_pages_unshared;     /* items with UNSTABLE_FLAG           */
	long ksm_rmap_items;         /* allocated rmap_items               */
	long ksm_stable_node_chains; /* chains in the stable tree          */
	long ksm_stable_node_dups;   /* dups hanging off chains            */
	long ksm_zero_pages;         /* KSM-placed zero-page entries       */
	unsigned long pages_scanned; /* cmp_and_merge_page calls           */
	unsigned long pages_skipped; /* smart-scan skips                   */
};

struct ksm_state *ksm_state_create(struct ksm_sim *sim);
void ksm_state_destroy(struct ksm_sim *sim, struct ksm_state *ksm);

/* Registration and lifecycle (sim/ksm/registration.c). */
void __ksm_enter(struct ksm_sim *sim, struct mm_struct *mm);
void __ksm_exit(struct ksm_sim *sim, struct mm_struct *mm);
void ksm_fork(struct ksm_sim *sim, struct mm_struct *child,
	      struct mm_struct *parent);
/* ksm_madvise(): adjust *vm_flags for MADV_(UN)MERGEABLE on the range. */
void ksm_madvise(struct ksm_sim *sim, struct vm_area_struct *vma,
		 uint64_t start, uint64_t end, enum sim_advice advice,
		 uint64_t *vm_flags);
/* The flags a VMA gets at creation in an mm with MMF_VM_MERGE_ANY. */
uint64_t ksm_vma_flags(struct ksm_sim *sim, struct mm_struct *mm,
		       uint64_t vm_flags);
void ksm_enable_merge_any(struct ksm_sim *sim, struct mm_struct *mm);
void ksm_disable_merge_any(struct ksm_sim *sim, struct mm_struct *mm);
/* break_ksm() over every page of [start, end) of @vma. */
void unmerge_ksm_pages(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t start, uint64_t end);

/* run=2: unshare everything, drop every rmap_item, reset full_scans. */
void unmerge_and_remove_all_rmap_items(struct ksm_sim *sim);

#endif /* KSMSIM_KSM_STATE_H */
