/* SPDX-License-Identifier: MIT */
/*
 * DOC: State of the KSM engine of one machine (mm/ksm.c)
 *
 * The kernel keeps this in globals of mm/ksm.c (ksm_scan, ksm_mm_head,
 * the two trees, the counters); the model keeps it in one struct per
 * machine.  The structures carry the kernel's names:
 *
 *   struct ksm_mm_slot      one registered mm, on the scan list in scan
 *                           order, with its rmap_items sorted by address.
 *   struct ksm_rmap_item    one (mm, address) ksmd has looked at; it is
 *                           volatile, unstable (a node of the unstable
 *                           tree, this round or last) or stable (on a
 *                           stable node's list).
 *   struct ksm_stable_node  a regular node (one KSM page), a chain (one
 *                           content, several KSM pages) or a dup (one KSM
 *                           page of a chain).
 *
 * rmap_item states and which fields are valid (the kernel's unions):
 *
 *   state      flags in address          valid
 *   volatile   none                      overlay (checksum, age, skips)
 *   unstable   UNSTABLE_FLAG | seqnr     overlay, node (if this round)
 *   stable     STABLE_FLAG               anon_vma (+1 ref), head, hlist;
 *                                        lpi kernel: the overlay holds
 *                                        linear_page_index instead
 *
 * The overlay is modelled as the struct's real bytes (rmap_item.c): which
 * fields a write of linear_page_index clobbers follows from the layout.
 */
#ifndef KSMSIM_KSM_STATE_H
#define KSMSIM_KSM_STATE_H

#include "core/rng.h"
#include "ksmsim/ksm.h"
#include "ksmsim/mm.h"
#include "mm/ksm_hooks.h"

/* Flag bits in the low bits of rmap_item->address (below PAGE_SIZE). */
#define SEQNR_MASK 0x0ffULL     /* low bits of ksm_scan.seqnr at insertion */
#define UNSTABLE_FLAG 0x100ULL  /* is (or was last round) an unstable node */
#define STABLE_FLAG 0x200ULL    /* is on a stable node's list              */

/* rmap_hlist_len of a chain. */
#define STABLE_NODE_CHAIN (-1024)

struct ksm_stable_node;

struct ksm_rmap_item {
	struct ksm_rmap_item *rmap_list; /* next item of the mm, ascending    */
	struct mm_struct *mm;
	uint64_t address;                /* page address | flags | seqnr      */
	/*
	 * The bytes of {oldchecksum, age, remaining_skips} — and in the lpi
	 * kernel of the linear_page_index overlaid on them — in the layout
	 * the machine models (enum ksm_layout), little endian.  Read and
	 * written only through the accessors of rmap_item.c.
	 */
	uint8_t overlay[8];
	/*
	 * As in the kernel, an item is in the unstable tree or on a stable
	 * node's list, never both, so the two share storage: the rb linkage
	 * is valid while UNSTABLE_FLAG is set by this round's insertion, the
	 * rest while STABLE_FLAG is set (anon_vma also between a prepared
	 * merge and its append or break_cow()).  Read head only when
	 * STABLE_FLAG is set: the kernel's "rmap_item->head == stable_node"
	 * is (address & STABLE_FLAG) && head == stable_node here, which is
	 * also what it means in the kernel whenever its pointer is not
	 * stale.
	 */
	union {
		RB_ENTRY(ksm_rmap_item) node;    /* unstable tree linkage     */
		struct {
			struct anon_vma *anon_vma;   /* the VMA's anon_vma (ref) */
			struct ksm_stable_node *head; /* the stable node          */
			LIST_ENTRY(ksm_rmap_item) hlist; /* on head's list, newest first */
		};
	};
	uint64_t id;                     /* creation order, for reports       */
};

/*
 * Millions of items exist at once: 72 bytes, the kernel's 64 and the id.
 * They come from a slab of their own (rmap_item.c), so no allocator
 * rounds them up.
 */
_Static_assert(sizeof(struct ksm_rmap_item) <= 72, "struct ksm_rmap_item must not grow");

RB_HEAD(ksm_unstable_root, ksm_rmap_item);
LIST_HEAD(ksm_rmap_hlist, ksm_rmap_item);
LIST_HEAD(ksm_dup_hlist, ksm_stable_node);

enum ksm_node_kind {
	KSM_NODE_REGULAR, /* in the tree, one KSM page                  */
	KSM_NODE_CHAIN,   /* in the tree, one content, several dups     */
	KSM_NODE_DUP,     /* on a chain's list, one KSM page            */
};

struct ksm_stable_node {
	enum ksm_node_kind kind;
	RB_ENTRY(ksm_stable_node) node;        /* regular, chain: tree link  */
	LIST_ENTRY(ksm_stable_node) hlist_dup; /* dup: on its chain's list   */
	struct ksm_stable_node *chain;         /* dup: its chain             */
	struct ksm_rmap_hlist hlist;           /* regular, dup: items        */
	struct ksm_dup_hlist dups;             /* chain: dups, preferred first */
	uint64_t kpfn;                         /* regular, dup: the KSM page  */
	uint64_t chain_prune_time;             /* chain: ms of the last prune */
	int rmap_hlist_len;                    /* items; STABLE_NODE_CHAIN    */
	uint64_t id;                           /* never reused                */
	/*
	 * chain: the last choice of stable_node_dup() without pruning, and
	 * what it depended on (stable_tree.c, "The chain's memo").
	 */
	struct ksm_stable_node *memo_dup;
	struct folio *memo_folio;
	uint64_t memo_tree_gen, memo_ksm_freed;
	unsigned long memo_max_page_sharing;
};

RB_HEAD(ksm_stable_root, ksm_stable_node);

/* struct ksm_mm_slot: one registered mm, in scan order. */
struct ksm_mm_slot {
	struct mm_struct *mm;               /* holds an mm_count reference */
	TAILQ_ENTRY(ksm_mm_slot) mm_node;   /* in ksm_mm_head              */
	struct ksm_rmap_item *rmap_list;    /* items, ascending address    */
};

TAILQ_HEAD(ksm_slot_list, ksm_mm_slot);

/* Which kernel the machine models (sim.kernel). */
enum ksm_kernel {
	KSM_KERNEL_BASELINE, /* Linux 6.18                                   */
	KSM_KERNEL_LPI,      /* 6.18 + the linear_page_index series (v8)     */
};

/* Which rmap_item layout (sim.layout). */
enum ksm_layout {
	KSM_LAYOUT_LP64,            /* 64-bit: 64 bytes                       */
	KSM_LAYOUT_ILP32,           /* 32-bit: 36 bytes                       */
	KSM_LAYOUT_ILP32_REORDERED, /* 32-bit, oldchecksum after the ages     */
};

/* Kernel steps fault injection can make fail (sim.fault). */
enum ksm_fault_point {
	KSM_FAULT_RMAP_ITEM_ALLOC,  /* alloc_rmap_item(): the batch ends   */
	KSM_FAULT_STABLE_NODE_ALLOC, /* alloc_stable_node(): insert fails  */
	KSM_FAULT_MERGE_TWO_SECOND, /* 2nd try_to_merge_with_ksm_page() in try_to_merge_two_pages() */
	KSM_FAULT_MERGE_ONE_PAGE,   /* try_to_merge_one_page(): page changed or extra reference */
	KSM_FAULT__COUNT
};

struct ksm_fault {
	uint64_t every;       /* fail every Nth time (0: off)          */
	uint32_t prob_ppm;    /* or with this probability, per million */
	uint64_t calls;       /* times the point was reached           */
	uint64_t injected;    /* times it was made to fail             */
};

/* The scan-time advisor's history (mm/ksm.c struct advisor_ctx). */
struct ksm_advisor_ctx {
	uint64_t start_scan_ms;  /* simulated time the round started   */
	unsigned long scan_time; /* seconds the last round took        */
	unsigned long change;    /* EWMA of the change, percent        */
	uint64_t cpu_ns;         /* ksmd CPU time at the last round end */
};

struct ksm_state {
	struct ksm_knobs knobs;
	enum ksm_kernel kernel;
	enum ksm_layout layout;

	struct ksm_slot_list ksm_mm_head;  /* scan order                   */
	/* ksm_scan: the cursor.  scan_slot NULL = on the list head. */
	struct ksm_mm_slot *scan_slot;
	uint64_t scan_address;
	struct ksm_rmap_item **scan_rmap_list;
	unsigned long seqnr;               /* completed rounds = full_scans */

	struct ksm_stable_root root_stable_tree;
	struct ksm_unstable_root root_unstable_tree;
	/* Grows at every change of a stable node's items, a chain's dups or
	 * a KSM page's node: chains' memos of their best dup compare it. */
	uint64_t stable_gen;

	long ksm_pages_shared;       /* stable nodes with >= 1 item        */
	long ksm_pages_sharing;      /* further items on those nodes       */
	long ksm_pages_unshared;     /* items with UNSTABLE_FLAG           */
	long ksm_rmap_items;         /* allocated rmap_items               */
	long ksm_stable_node_chains; /* chains in the stable tree          */
	long ksm_stable_node_dups;   /* dups hanging off chains            */
	long ksm_zero_pages;         /* KSM-placed zero-page entries       */
	unsigned long pages_scanned; /* cmp_and_merge_page calls           */
	unsigned long pages_skipped; /* smart-scan skips                   */

	uint32_t zero_checksum;      /* checksum of an all-zero page       */
	uint64_t clock_ms;           /* simulated time: sleeps between batches */
	uint64_t cpu_ns;             /* simulated ksmd CPU time            */
	uint64_t page_cost_ns;       /* CPU cost of one scanned page       */
	struct ksm_advisor_ctx advisor;

	struct ksm_fault faults[KSM_FAULT__COUNT];
	struct ksm_rng rng;          /* fault probabilities (sim.seed)     */
	bool reap_clears_merge_any;  /* sim.reap_clears_merge_any          */
	int walk;                    /* sim.walk: enum rmap_strategy, -1 = the kernel's */
	/* sim.* knobs pinned from the command line: a trace's `set` of one
	 * of them is ignored (ksm_pin_sim_knob()). */
	char pinned[8][32];
	unsigned npinned;

	/* rmap_items' slab (rmap_item.c): free items, and the unused tail
	 * of the newest slab. */
	struct ksm_rmap_item *item_free;
	char *item_slab_next, *item_slab_end;
	struct ksm_item_slab *item_slabs;

	/* checksum cache: token -> checksum, direct mapped */
	struct { uint64_t token; uint32_t sum; bool valid; } csum_cache[4096];

	uint64_t next_id;            /* ids of items and nodes             */
};

/*
 * ---- registration.c: registration and lifecycle ----
 * ksm_state_create/destroy, ksm_fork, __ksm_exit, ksm_madvise,
 * ksm_vma_flags and ksm_(en|dis)able_merge_any are mm's hooks: declared in
 * mm/ksm_hooks.h.
 */
void __ksm_enter(struct ksm_sim *sim, struct mm_struct *mm);
/* break_ksm() over every page of [start, end) of @vma. */
void unmerge_ksm_pages(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t start, uint64_t end);
/* run=2: unshare everything, drop every rmap_item, reset full_scans. */
void unmerge_and_remove_all_rmap_items(struct ksm_sim *sim);
/* Free a slot that is off the list; clear both MMF bits; drop the mm. */
void ksm_free_slot(struct ksm_sim *sim, struct ksm_mm_slot *slot);
/* ksmd's reaping of an mm with nothing left to scan (keeps MERGE_ANY
 * unless sim.reap_clears_merge_any). */
void ksm_reap_slot(struct ksm_sim *sim, struct ksm_mm_slot *slot);


/* ---- rmap_item.c: items and their overlay bytes ---- */
struct ksm_rmap_item *alloc_rmap_item(struct ksm_sim *sim);
void free_rmap_item(struct ksm_sim *sim, struct ksm_rmap_item *item);
/* Free the slabs; every item must have been freed. */
void rmap_item_cache_destroy(struct ksm_sim *sim);
/* The kernel's rmap_item->head == @node test (see struct ksm_rmap_item). */
static inline bool rmap_item_on_node(const struct ksm_rmap_item *item,
				     const struct ksm_stable_node *node)
{
	return (item->address & STABLE_FLAG) && item->head == node;
}
uint32_t rmap_item_oldchecksum(const struct ksm_state *ksm,
			       const struct ksm_rmap_item *item);
void rmap_item_set_oldchecksum(const struct ksm_state *ksm,
			       struct ksm_rmap_item *item, uint32_t sum);
uint8_t rmap_item_age(const struct ksm_state *ksm,
		      const struct ksm_rmap_item *item);
void rmap_item_set_age(const struct ksm_state *ksm, struct ksm_rmap_item *item,
		       uint8_t age);
uint8_t rmap_item_remaining_skips(const struct ksm_state *ksm,
				  const struct ksm_rmap_item *item);
void rmap_item_set_remaining_skips(const struct ksm_state *ksm,
				   struct ksm_rmap_item *item, uint8_t n);
/* lpi kernel only: the overlaid pgoff_t (4 bytes on the 32-bit layouts). */
pgoff_t rmap_item_linear_page_index(const struct ksm_state *ksm,
				    const struct ksm_rmap_item *item);
void rmap_item_set_linear_page_index(const struct ksm_state *ksm,
				     struct ksm_rmap_item *item, pgoff_t index);
/* sizeof(struct ksm_rmap_item) of the modelled layout. */
unsigned ksm_layout_item_size(enum ksm_layout layout);
const char *ksm_layout_name(enum ksm_layout layout);
const char *ksm_kernel_name(enum ksm_kernel kernel);

/* ---- checksum.c ---- */
uint32_t calc_checksum(struct ksm_state *ksm, uint64_t token);
uint32_t ksm_layout_checksum(enum ksm_layout layout, uint64_t token);
/*
 * page_checksum() - calc_checksum() of @folio, mapped at @addr of @mm:
 * memoised with the folio, computed in a batch with the pages after it.
 */
uint32_t page_checksum(struct ksm_sim *sim, struct folio *folio,
		       struct mm_struct *mm, uint64_t addr);
/* XXH64 of a page holding @token 512 times, big endian; of @n such pages. */
uint64_t xxh64_page(uint64_t token);
void xxh64_pages(const uint64_t *tokens, unsigned n, uint32_t *out);

/* ---- stable_tree.c ---- */
struct folio *ksm_get_folio(struct ksm_sim *sim, struct ksm_stable_node *node);
void remove_node_from_stable_tree(struct ksm_sim *sim,
				  struct ksm_stable_node *node);
void remove_rmap_item_from_tree(struct ksm_sim *sim, struct ksm_rmap_item *item);
/* stable_tree_search(): the KSM folio to merge @folio into, or NULL. */
struct folio *stable_tree_search(struct ksm_sim *sim, struct folio *folio);
struct ksm_stable_node *stable_tree_insert(struct ksm_sim *sim,
					   struct folio *kfolio);
void stable_tree_append(struct ksm_sim *sim, struct ksm_rmap_item *item,
			struct ksm_stable_node *node, bool bypass);
bool is_page_sharing_candidate(const struct ksm_sim *sim,
			       const struct ksm_stable_node *node);
/*
 * For the invariant checks: false if @chain remembers a choice of dup that
 * a walk of the chain (without pruning) would not make now.
 */
bool stable_node_chain_memo_ok(const struct ksm_sim *sim,
			       const struct ksm_stable_node *chain);
/* remove_all_stable_nodes(): false when some node was busy (EBUSY). */
bool remove_all_stable_nodes(struct ksm_sim *sim);
static inline struct ksm_stable_node *folio_stable_node(const struct folio *f)
{
	return (f->flags & FOLIO_KSM) ? f->stable_node : NULL;
}

/* In-order traversal for observers (checks, dumps). */
struct ksm_stable_node *ksm_stable_first(struct ksm_state *ksm);
struct ksm_stable_node *ksm_stable_next(struct ksm_stable_node *n);

/* ---- unstable_tree.c ---- */
struct ksm_rmap_item *unstable_tree_search_insert(struct ksm_sim *sim,
						  struct ksm_rmap_item *item,
						  struct folio *folio,
						  struct folio **tree_folio);
void unstable_tree_erase(struct ksm_sim *sim, struct ksm_rmap_item *item);
struct ksm_rmap_item *ksm_unstable_first(struct ksm_state *ksm);
struct ksm_rmap_item *ksm_unstable_next(struct ksm_rmap_item *item);

/* ---- merge.c ---- */
void cmp_and_merge_page(struct ksm_sim *sim, struct folio *folio,
			struct ksm_rmap_item *item);
void break_ksm(struct ksm_sim *sim, struct vm_area_struct *vma, uint64_t addr);

/* ---- smart_scan.c ---- */
bool should_skip_rmap_item(struct ksm_sim *sim, struct folio *folio,
			   struct ksm_rmap_item *item);

/* ---- scan.c ---- */
struct ksm_rmap_item *scan_get_next_rmap_item(struct ksm_sim *sim,
					      struct folio **folio);
void ksm_do_scan(struct ksm_sim *sim, unsigned long scan_npages);
void remove_trailing_rmap_items(struct ksm_sim *sim,
				struct ksm_rmap_item **rmap_list);

/* ---- advisor.c ---- */
void advisor_start_scan(struct ksm_sim *sim);
void advisor_stop_scan(struct ksm_sim *sim);

/* ---- fault.c ---- */
/* Whether the kernel step @point fails this time (counts the call). */
bool ksm_fault_hit(struct ksm_sim *sim, enum ksm_fault_point point);
/* Whether @point fails every time it is reached (every=1 or prob=1). */
bool ksm_fault_certain(const struct ksm_sim *sim, enum ksm_fault_point point);
int ksm_fault_configure(struct ksm_sim *sim, const char *spec,
			struct sim_error *err);
const char *ksm_fault_point_name(enum ksm_fault_point point);

/* ---- sim_knobs.c ---- */
int ksm_set_sim_knob(struct ksm_sim *sim, const char *name, const char *text,
		     struct sim_error *err);

#endif /* KSMSIM_KSM_STATE_H */
