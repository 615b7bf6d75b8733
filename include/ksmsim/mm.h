/* SPDX-License-Identifier: MIT */
/*
 * DOC: The memory-management model
 *
 * What KSM and the rmap walks see of Linux anonymous memory, for private
 * anonymous mappings of 4 KiB pages.  Names follow the kernel so that a
 * reader of mm/ finds each piece where they expect it:
 *
 *   struct folio           one physical page (order 0): content token,
 *                          mapcount, index, and its anon_vma or, once KSM
 *                          merged it, its stable node.  Folios live in a
 *                          pfn-indexed array (the model's mem_map), so a
 *                          stable node can remember a pfn and later find
 *                          out whether that page is still its page — the
 *                          kernel's "keyhole" staleness test.
 *   pte_t                  one page-table entry: pfn and flag bits, in a
 *                          sparse four-level table per mm (sim/mm/pgtable.c).
 *   struct vm_area_struct  a VMA: [vm_start, vm_end), vm_pgoff, vm_flags,
 *                          its own anon_vma and the chain of all anon_vmas
 *                          it is linked into.
 *   struct anon_vma        the reverse-map root object of a fork family
 *                          member, with the interval tree of the
 *                          anon_vma_chains of every VMA linked to it.
 *   struct anon_vma_chain  one (VMA, anon_vma) link.
 *   struct mm_struct       an address space: VMAs in address order, page
 *                          tables, KSM flags and per-mm KSM counters.
 *
 * Where each rule comes from in the kernel is written next to the code
 * that models it and collected in docs/model.md.
 */
#ifndef KSMSIM_MM_H
#define KSMSIM_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "ksmsim/bsd_tree.h"
#include "ksmsim/interval_tree.h"

typedef uint64_t pgoff_t;

#define KSM_PAGE_SHIFT 12
#define KSM_PAGE_SIZE (1ULL << KSM_PAGE_SHIFT)
#define KSM_PAGE_MASK (~(KSM_PAGE_SIZE - 1))
/* x86-64 with 4-level paging: user addresses below 2^47 (TASK_SIZE). */
#define KSM_TASK_SIZE 0x800000000000ULL
/* vm.mmap_min_addr default: nothing may be mapped below it. */
#define KSM_MMAP_MIN_ADDR 0x10000ULL
/* A 32-bit process (3G/1G split): the limit of the 32-bit layouts. */
#define KSM_TASK_SIZE_32 0xC0000000ULL

/* ------------------------------------------------------------------ */
/* Folios                                                              */
/* ------------------------------------------------------------------ */

struct anon_vma;
struct ksm_stable_node;

enum folio_flags {
	FOLIO_ANON = 1u << 0,           /* anonymous (KSM folios too)        */
	FOLIO_KSM = 1u << 1,            /* a KSM page: mapping is a stable node */
	FOLIO_ANON_EXCLUSIVE = 1u << 2, /* PageAnonExclusive: one mm owns it  */
	FOLIO_ZERO = 1u << 3,           /* the shared zero page (pfn 0)       */
	FOLIO_FREE = 1u << 4,           /* pfn is free, on the free list      */
	FOLIO_NODE1 = 1u << 5,          /* on NUMA node 1, else node 0: folio_nid() */
};

struct folio {
	uint64_t content;   /* 64-bit content token (docs/trace-format.md)  */
	/*
	 * folio->mapping: for an anonymous non-KSM folio the anon_vma it was
	 * added under (__folio_set_anon / folio_move_anon_rmap); for a KSM
	 * folio its stable node, NULL between "became KSM" and "stable node
	 * inserted" (try_to_merge_two_pages).  Which one is valid follows
	 * FOLIO_KSM.  A free frame has no mapping: the free list's link
	 * takes its place.
	 */
	union {
		struct anon_vma *anon_vma;        /* !FOLIO_KSM */
		struct ksm_stable_node *stable_node; /* FOLIO_KSM */
		uint32_t next_free; /* FOLIO_FREE: next free pfn, 0 ends the list */
	};
	pgoff_t index;      /* linear_page_index at allocation; never changes */
	uint32_t mapcount;  /* PTEs mapping it (the zero page is not counted) */
	uint32_t refcount;  /* mapcount + extra references (pins)            */
	uint32_t flags;     /* enum folio_flags                              */
	uint32_t pfn;       /* this folio's own frame number               */
};

/*
 * Millions of folios exist at once: a field added here costs their
 * number times its size.  The NUMA node is a flag bit for that reason.
 */
_Static_assert(sizeof(struct folio) <= 40, "struct folio must not grow");

/*
 * folio_nid() - the NUMA node of @f.  The model is a two-node machine for
 * migration only (docs/model.md, "Deliberate abstractions"): every folio
 * is allocated on node 0 and `migrate` moves a page to the other node.
 */
static inline int folio_nid(const struct folio *f)
{
	return (f->flags & FOLIO_NODE1) ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Page-table entries                                                  */
/* ------------------------------------------------------------------ */

/*
 * A pte_t holds a pfn above bit 12 and flag bits below, like hardware
 * entries.  0 is pte_none.  A zero-page entry maps pfn 0; the kernel marks
 * the zero-page entries that KSM placed (use_zero_pages) dirty and
 * recognises them by that (is_ksm_zero_pte), which PTE_DIRTY models.
 */
typedef uint64_t pte_t;

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_DIRTY (1ULL << 6)
#define PTE_PFN_SHIFT 12

static inline bool pte_none(pte_t pte) { return pte == 0; }
static inline bool pte_present(pte_t pte) { return pte & PTE_PRESENT; }
static inline bool pte_write(pte_t pte) { return pte & PTE_WRITE; }
static inline bool pte_dirty(pte_t pte) { return pte & PTE_DIRTY; }
static inline uint64_t pte_pfn(pte_t pte) { return pte >> PTE_PFN_SHIFT; }
static inline pte_t pfn_pte(uint64_t pfn, uint64_t flags)
{
	return (pfn << PTE_PFN_SHIFT) | PTE_PRESENT | flags;
}

#define ZERO_PFN 0ULL

static inline bool is_zero_pfn(uint64_t pfn) { return pfn == ZERO_PFN; }
/* The kernel's is_ksm_zero_pte(): a zero-page entry KSM placed. */
static inline bool is_ksm_zero_pte(pte_t pte)
{
	return pte_present(pte) && is_zero_pfn(pte_pfn(pte)) && pte_dirty(pte);
}

struct pgtable; /* sparse four-level table, sim/mm/pgtable.c */

/* ------------------------------------------------------------------ */
/* VMAs and anon_vmas                                                  */
/* ------------------------------------------------------------------ */

/* vm_flags: the bits the model uses, with the kernel's values. */
#define VM_NONE 0x00000000ULL
#define VM_READ 0x00000001ULL
#define VM_WRITE 0x00000002ULL
#define VM_EXEC 0x00000004ULL
#define VM_MAYREAD 0x00000010ULL
#define VM_MAYWRITE 0x00000020ULL
#define VM_MAYEXEC 0x00000040ULL
#define VM_ACCOUNT 0x00100000ULL /* charged to overcommit: private writable */
#define VM_MERGEABLE (1ULL << 31)
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

struct mm_struct;
struct vm_area_struct;

/*
 * struct anon_vma_chain - one link between a VMA and an anon_vma.
 * Sits on the VMA's list (same_vma, newest first) and in the anon_vma's
 * interval tree keyed by the VMA's [vm_pgoff, vm_pgoff + pages - 1].
 */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	TAILQ_ENTRY(anon_vma_chain) same_vma;
	struct itree_node rb; /* in anon_vma->rb_root */
};

TAILQ_HEAD(avc_list, anon_vma_chain);

/*
 * struct anon_vma - see mm/rmap.c.  refcount counts the self reference
 * (dropped when the tree empties), children pinning their root, and
 * references taken by KSM rmap_items.
 */
struct anon_vma {
	struct anon_vma *root;    /* top of the fork family              */
	struct anon_vma *parent;  /* the anon_vma this one was forked from */
	int refcount;
	unsigned long num_children;    /* anon_vmas whose parent is this one
					* (a root counts itself)          */
	unsigned long num_active_vmas; /* VMAs whose ->anon_vma is this one */
	struct itree rb_root;          /* anon_vma_chains, by pgoff range  */
	uint64_t id;                   /* creation order, for reports       */
	LIST_ENTRY(anon_vma) all;      /* machine's list of every anon_vma */
};

struct vm_area_struct {
	uint64_t vm_start;          /* first byte                        */
	uint64_t vm_end;            /* first byte after                  */
	pgoff_t vm_pgoff;           /* page offset of vm_start           */
	uint64_t vm_flags;
	struct mm_struct *vm_mm;
	struct anon_vma *anon_vma;  /* own anon_vma, NULL until prepared */
	struct avc_list anon_vma_chain; /* every link, newest first      */
	RB_ENTRY(vm_area_struct) vm_rb; /* in mm->mm_rb, by vm_start      */
	uint64_t id;                /* creation order, for reports       */
};

RB_HEAD(vma_tree, vm_area_struct);

static inline uint64_t vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> KSM_PAGE_SHIFT;
}

/* linear_page_index(): the page offset @addr has inside @vma. */
static inline pgoff_t linear_page_index(const struct vm_area_struct *vma,
					uint64_t addr)
{
	return ((addr - vma->vm_start) >> KSM_PAGE_SHIFT) + vma->vm_pgoff;
}

/* ------------------------------------------------------------------ */
/* Address spaces                                                      */
/* ------------------------------------------------------------------ */

/* mm->flags bits used by KSM. */
#define MMF_VM_MERGEABLE (1u << 0) /* registered with KSM (has a slot) */
#define MMF_VM_MERGE_ANY (1u << 1) /* prctl(PR_SET_MEMORY_MERGE, 1)    */

struct ksm_mm_slot;

struct mm_struct {
	struct vma_tree mm_rb;  /* VMAs by address                       */
	unsigned long map_count;
	struct pgtable *pgd;    /* sparse page tables                    */
	unsigned int flags;     /* MMF_*                                 */
	int mm_users;           /* 0 once the process exited              */
	int mm_count;           /* struct references (the task, KSM slot) */
	/* Per-mm KSM counters, read by /proc/PID/ksm_stat. */
	long ksm_rmap_items;
	long ksm_merging_pages;
	long ksm_zero_pages;
	struct ksm_mm_slot *ksm_slot; /* NULL when not registered          */
	char owner[33];               /* name of the process it belonged to */
	uint64_t id;
	TAILQ_ENTRY(mm_struct) all;   /* machine's list of every mm        */
};

static inline bool mm_exiting(const struct mm_struct *mm)
{
	return mm->mm_users == 0;
}

#endif /* KSMSIM_MM_H */
