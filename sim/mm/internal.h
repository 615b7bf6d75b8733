/* SPDX-License-Identifier: MIT */
/*
 * DOC: Internal interfaces of the memory-management model
 *
 * Functions shared between the files of sim/mm (and used by sim/ksm and
 * the checkers), named after the kernel functions whose behaviour they
 * model.  Each file of sim/mm corresponds to one area of the kernel:
 *
 *   folio.c     the folio array (mem_map), allocation and freeing
 *   pgtable.c   sparse four-level page tables
 *   rmap.c      anon_vma: prepare, clone, fork, unlink (mm/rmap.c)
 *   vma.c       VMA tree, split and merge (mm/vma.c)
 *   memory.c    faults, copy-on-write, unshare, zap, fork copy (mm/memory.c)
 *   mmap.c      mmap and munmap (mm/mmap.c, mm/vma.c)
 *   mprotect.c  mprotect (mm/mprotect.c)
 *   madvise.c   madvise (mm/madvise.c)
 *   mremap.c    mremap (mm/mremap.c)
 *   fork.c      fork (kernel/fork.c dup_mmap)
 *   exit.c      exit (exit_mmap)
 *   machine.c   the machine and its processes
 */
#ifndef KSMSIM_MM_INTERNAL_H
#define KSMSIM_MM_INTERNAL_H

#include <stdarg.h>

#include "core/alloc.h"
#include "core/bug.h"
#include "ksmsim/sim.h"

/* Errors: fill @err (may be NULL) and return -1. */
int sim_fail(struct sim_error *err, enum sim_arg arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- folio.c ---- */
void mem_map_init(struct ksm_sim *sim);
void mem_map_destroy(struct ksm_sim *sim);
struct folio *pfn_folio(struct ksm_sim *sim, uint64_t pfn);
struct folio *zero_folio(struct ksm_sim *sim);
/* A fresh anonymous folio: refcount 0, mapcount 0, flags 0. */
struct folio *folio_alloc(struct ksm_sim *sim);
/* Drop one mapping (and its reference); frees the folio at refcount 0. */
void folio_remove_rmap(struct ksm_sim *sim, struct folio *folio);
/* Add one mapping (and its reference). */
void folio_add_rmap(struct folio *folio);
/*
 * The checksum memo (folio.c): the checksum ksmd last computed for the
 * folio's present content, if any.  Any in-place change of the content
 * of a live folio goes through folio_set_content(), which forgets it.
 */
bool folio_checksum_memo(struct ksm_sim *sim, const struct folio *folio, uint32_t *sum);
void folio_set_checksum_memo(struct ksm_sim *sim, const struct folio *folio, uint32_t sum);
void folio_set_content(struct ksm_sim *sim, struct folio *folio, uint64_t token);
static inline bool folio_test_ksm(const struct folio *f)
{
	return f->flags & FOLIO_KSM;
}
static inline bool folio_test_anon(const struct folio *f)
{
	return f->flags & FOLIO_ANON;
}

/* ---- pgtable.c ---- */
struct pgtable *pgtable_alloc(struct ksm_sim *sim);
/* Free every table; every entry must already be none. */
void pgtable_free(struct ksm_sim *sim, struct pgtable *pgd);
pte_t pte_get(const struct mm_struct *mm, uint64_t addr);
void pte_set(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	     pte_t pte);
/*
 * pte_next_used() - the first address in [*addr, end) whose entry is not
 * none, skipping absent tables.  Returns false if there is none.
 */
bool pte_next_used(const struct mm_struct *mm, uint64_t *addr, uint64_t end);
/*
 * pte_next_used_batch() - the first @max used entries in [@addr, @end),
 * with their addresses: what repeated pte_next_used() and pte_get()
 * would give, walking each leaf table once.  Returns how many.
 */
unsigned pte_next_used_batch(const struct mm_struct *mm, uint64_t addr, uint64_t end,
			     uint64_t *addrs, pte_t *ptes, unsigned max);
/* Number of page-table pages (all levels) the mm holds. */
uint64_t pgtable_pages(const struct mm_struct *mm);

/* ---- rmap.c ---- */
int anon_vma_prepare(struct ksm_sim *sim, struct vm_area_struct *vma);
void anon_vma_clone(struct ksm_sim *sim, struct vm_area_struct *dst,
		    struct vm_area_struct *src);
void anon_vma_fork(struct ksm_sim *sim, struct vm_area_struct *vma,
		   struct vm_area_struct *pvma);
void unlink_anon_vmas(struct ksm_sim *sim, struct vm_area_struct *vma);
void get_anon_vma(struct anon_vma *av);
void put_anon_vma(struct ksm_sim *sim, struct anon_vma *av);
/* Take a VMA's chains out of their trees before its range or pgoff
 * changes, and put them back after (vma_prepare / vma_complete). */
void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma);
void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma);
void folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		    uint64_t addr);
/* page_address_in_vma() for an anon folio; returns false if not inside. */
bool folio_address_in_vma(const struct folio *folio,
			  const struct vm_area_struct *vma, uint64_t *addr);

/* ---- vma.c ---- */
struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr);
struct vm_area_struct *vma_next(struct mm_struct *mm,
				struct vm_area_struct *vma);
struct vm_area_struct *vma_prev(struct mm_struct *mm,
				struct vm_area_struct *vma);
struct vm_area_struct *vma_first(struct mm_struct *mm);
/* The VMA before address @addr (last VMA with vm_end <= addr). */
struct vm_area_struct *vma_prev_of_addr(struct mm_struct *mm, uint64_t addr);
struct vm_area_struct *vm_area_alloc(struct ksm_sim *sim,
				     struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct ksm_sim *sim,
				   struct vm_area_struct *orig);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
/* Unlink from the mm, drop its anon_vma chains, free it. */
void remove_vma(struct ksm_sim *sim, struct vm_area_struct *vma);
struct vm_area_struct *split_vma(struct ksm_sim *sim,
				 struct vm_area_struct *vma, uint64_t addr,
				 bool new_below);
/*
 * vma_merge_new_range() - try to place a new range [start, end) with
 * @pgoff and @flags by extending a neighbour (mmap, copy_vma).  @anon_vma
 * is the anon_vma the new range would bring (copy_vma) or NULL,
 * @copied_from the VMA being copied (mremap) or NULL.  Returns the VMA
 * that now covers the range, or NULL if no merge was possible.
 */
struct vm_area_struct *vma_merge_new_range(struct ksm_sim *sim,
					   struct mm_struct *mm,
					   uint64_t start, uint64_t end,
					   pgoff_t pgoff, uint64_t flags,
					   struct anon_vma *anon_vma,
					   struct vm_area_struct *copied_from);
/*
 * vma_modify_flags() - give [start, end) (inside @vma) the flags
 * @new_flags: merge with a neighbour if the kernel would, else split
 * @vma at the range bounds.  Returns the VMA now covering the range.
 */
struct vm_area_struct *vma_modify_flags(struct ksm_sim *sim,
					struct vm_area_struct *vma,
					uint64_t start, uint64_t end,
					uint64_t new_flags);
/* Whether every page of [start, end) is covered by VMAs. */
bool range_fully_mapped(struct mm_struct *mm, uint64_t start, uint64_t end,
			uint64_t *hole);
/* Unmap [start, end): split, zap, remove (do_vmi_munmap). */
void do_munmap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t start,
	       uint64_t end);

/* ---- memory.c ---- */
int handle_write_fault(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t addr, uint64_t token);
void handle_read_fault(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t addr);
/* FAULT_FLAG_UNSHARE of a KSM page or KSM zero page at @addr. */
void do_unshare_fault(struct ksm_sim *sim, struct vm_area_struct *vma,
		      uint64_t addr);
/* Clear every entry of [start, end) inside @vma (zap_pte_range). */
void zap_page_range(struct ksm_sim *sim, struct vm_area_struct *vma,
		    uint64_t start, uint64_t end);
/* Copy @src's entries into @dst at fork (copy_page_range). */
void copy_page_range(struct ksm_sim *sim, struct vm_area_struct *dst,
		     struct vm_area_struct *src);
/* Move entries of [old, old+len) to new (move_page_tables). */
void move_page_tables(struct ksm_sim *sim, struct mm_struct *mm,
		      uint64_t old_addr, uint64_t new_addr, uint64_t len);

/* ---- machine.c ---- */
uint64_t sim_next_id(struct ksm_sim *sim);
struct mm_struct *mm_alloc(struct ksm_sim *sim, const char *owner);
void mmdrop(struct ksm_sim *sim, struct mm_struct *mm);
/* Remove @task from the machine and free it (not its mm). */
void task_free(struct ksm_sim *sim, struct task *task);
/* Page protection bits of a trace PROT. */
uint64_t prot_to_vm_flags(enum sim_prot prot);

#endif /* KSMSIM_MM_INTERNAL_H */
