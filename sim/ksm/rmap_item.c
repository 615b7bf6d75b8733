// SPDX-License-Identifier: MIT
/*
 * DOC: rmap_items and the bytes of their overlay
 *
 * struct ksm_rmap_item keeps oldchecksum, age and remaining_skips — used
 * only while an item is not stable — in a few bytes that the
 * linear_page_index series overlays with a pgoff_t while it is stable.
 * What a write of the index (or its reset to 0) clobbers depends on the
 * layout, so the model keeps those bytes as bytes and reads every field
 * through the table below (offsets within the overlay, which starts at
 * byte 32 of the 64-bit struct and byte 16 of the 32-bit one):
 *
 *   layout            sizeof  oldchecksum  age  remaining_skips  index
 *   lp64                64      0..3        4        5           0..7
 *   ilp32               36      0..3        4        5           0..3
 *   ilp32-reordered     36      4..7        0        1           0..3
 *
 * On 64-bit the index covers all three fields; on 32-bit only
 * oldchecksum; with the review's reordering only the two ages.  Bytes are
 * little endian (x86, arm): the index's low byte lands at offset 0.
 *
 * The 32-bit sizes are those of struct ksm_rmap_item with 4-byte
 * pointers: 5 words, the two u8 ages and padding to a 4-byte boundary,
 * and a 12-byte rb_node union (docs/model.md).
 */
#include <string.h>
#include <sys/mman.h>

#include "ksm/ksm_state.h"
#include "mm/internal.h"

struct overlay_layout {
	const char *name;
	unsigned sizeof_item;
	unsigned csum_off, age_off, skips_off;
	unsigned index_size;
};

static const struct overlay_layout layouts[] = {
	[KSM_LAYOUT_LP64] = { "lp64", 64, 0, 4, 5, 8 },
	[KSM_LAYOUT_ILP32] = { "ilp32", 36, 0, 4, 5, 4 },
	[KSM_LAYOUT_ILP32_REORDERED] = { "ilp32-reordered", 36, 4, 0, 1, 4 },
};

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static void put_le(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

unsigned ksm_layout_item_size(enum ksm_layout layout)
{
	return layouts[layout].sizeof_item;
}

const char *ksm_layout_name(enum ksm_layout layout)
{
	return layouts[layout].name;
}

const char *ksm_kernel_name(enum ksm_kernel kernel)
{
	return kernel == KSM_KERNEL_LPI ? "lpi" : "baseline";
}

uint32_t rmap_item_oldchecksum(const struct ksm_state *ksm,
			       const struct ksm_rmap_item *item)
{
	return (uint32_t)get_le(item->overlay + layouts[ksm->layout].csum_off, 4);
}

void rmap_item_set_oldchecksum(const struct ksm_state *ksm,
			       struct ksm_rmap_item *item, uint32_t sum)
{
	put_le(item->overlay + layouts[ksm->layout].csum_off, 4, sum);
}

uint8_t rmap_item_age(const struct ksm_state *ksm,
		      const struct ksm_rmap_item *item)
{
	return item->overlay[layouts[ksm->layout].age_off];
}

void rmap_item_set_age(const struct ksm_state *ksm, struct ksm_rmap_item *item,
		       uint8_t age)
{
	item->overlay[layouts[ksm->layout].age_off] = age;
}

uint8_t rmap_item_remaining_skips(const struct ksm_state *ksm,
				  const struct ksm_rmap_item *item)
{
	return item->overlay[layouts[ksm->layout].skips_off];
}

void rmap_item_set_remaining_skips(const struct ksm_state *ksm,
				   struct ksm_rmap_item *item, uint8_t n)
{
	item->overlay[layouts[ksm->layout].skips_off] = n;
}

pgoff_t rmap_item_linear_page_index(const struct ksm_state *ksm,
				    const struct ksm_rmap_item *item)
{
	return get_le(item->overlay, layouts[ksm->layout].index_size);
}

/*
 * The store truncates to the layout's pgoff_t, as the kernel's would; the
 * 32-bit layouts refuse addresses a 32-bit process cannot have, so no
 * index the model computes loses bits.
 */
void rmap_item_set_linear_page_index(const struct ksm_state *ksm,
				     struct ksm_rmap_item *item, pgoff_t index)
{
	put_le(item->overlay, layouts[ksm->layout].index_size, index);
}

/*
 * The rmap_item cache (the kernel's rmap_item_cache): items are carved
 * from slabs and freed items are reused newest first, so an item costs
 * its 72 bytes and no allocator call.  Slabs double from 16 KiB to 4 MiB:
 * a small machine (exploration makes thousands) zeroes little, a large
 * one pays the allocator's per-allocation page of padding once per 4 MiB
 * (with 64 KiB slabs that page was 6 % of every item).  A full-size slab
 * is populated at once (MADV_POPULATE_WRITE, Linux 5.14): a million
 * items otherwise take 18,000 page faults, each a trap.  (Transparent
 * huge pages were tried: direct compaction made the first round's time
 * vary by a factor of two.)  Sanitizer builds allocate
 * each item on its own, so that AddressSanitizer still sees a use after
 * free.
 */
#define ITEM_SLAB_MIN (16u * 1024)
#define ITEM_SLAB_MAX (4u * 1024 * 1024)
#define PAGE 4096u

struct ksm_item_slab {
	struct ksm_item_slab *next;
	size_t bytes;
	/* items follow, aligned like the struct */
	struct ksm_rmap_item items[];
};

/* Fault in the whole pages of [p, p + bytes) in one call; advice only. */
static void populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = ((uintptr_t)p + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)(PAGE - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)bytes;
#endif
}

static struct ksm_rmap_item *item_cache_alloc(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;
	struct ksm_rmap_item *item;

#ifdef KSMSIM_SANITIZE
	return ksm_zalloc(sim->alloc, KOBJ_KSM, sizeof(*item));
#endif
	if (ksm->item_free) {
		item = ksm->item_free;
		ksm->item_free = item->rmap_list;
	} else {
		if (ksm->item_slab_next == ksm->item_slab_end) {
			size_t bytes = ksm->item_slabs ? ksm->item_slabs->bytes * 2 : ITEM_SLAB_MIN;
			struct ksm_item_slab *slab;

			if (bytes > ITEM_SLAB_MAX)
				bytes = ITEM_SLAB_MAX;
			slab = ksm_zalloc(sim->alloc, KOBJ_KSM, bytes);
			slab->bytes = bytes;
			if (bytes == ITEM_SLAB_MAX)
				populate(slab, bytes);
			slab->next = ksm->item_slabs;
			ksm->item_slabs = slab;
			ksm->item_slab_next = (char *)slab->items;
			ksm->item_slab_end = (char *)slab->items +
				(bytes - sizeof(*slab)) / sizeof(*item) * sizeof(*item);
		}
		item = (struct ksm_rmap_item *)ksm->item_slab_next;
		ksm->item_slab_next += sizeof(*item);
	}
	memset(item, 0, sizeof(*item));
	return item;
}

static void item_cache_free(struct ksm_sim *sim, struct ksm_rmap_item *item)
{
#ifdef KSMSIM_SANITIZE
	ksm_free(sim->alloc, KOBJ_KSM, item, sizeof(*item));
	return;
#endif
	item->rmap_list = sim->ksm->item_free;
	sim->ksm->item_free = item;
}

void rmap_item_cache_destroy(struct ksm_sim *sim)
{
	struct ksm_state *ksm = sim->ksm;

	while (ksm->item_slabs) {
		struct ksm_item_slab *slab = ksm->item_slabs;

		ksm->item_slabs = slab->next;
		ksm_free(sim->alloc, KOBJ_KSM, slab, slab->bytes);
	}
	ksm->item_free = NULL;
	ksm->item_slab_next = ksm->item_slab_end = NULL;
}

/* alloc_rmap_item(): a zeroed item (kmem_cache_zalloc), or NULL. */
struct ksm_rmap_item *alloc_rmap_item(struct ksm_sim *sim)
{
	struct ksm_rmap_item *item;

	if (ksm_fault_hit(sim, KSM_FAULT_RMAP_ITEM_ALLOC))
		return NULL;
	item = item_cache_alloc(sim);
	item->id = ++sim->ksm->next_id;
	sim->ksm->ksm_rmap_items++;
	return item;
}

void free_rmap_item(struct ksm_sim *sim, struct ksm_rmap_item *item)
{
	sim->ksm->ksm_rmap_items--;
	item->mm->ksm_rmap_items--;
	item_cache_free(sim, item);
}
