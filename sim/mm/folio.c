// SPDX-License-Identifier: MIT
/*
 * DOC: Folios and the model's mem_map
 *
 * Physical pages are struct folio entries in a pfn-indexed array, grown
 * in chunks so that a folio never moves.  pfn 0 is the shared zero page.
 * A freed folio goes on a LIFO free list and its pfn is handed out again,
 * as the kernel's page allocator reuses frames: a stable node that still
 * remembers a freed pfn then finds either a free frame or a different page
 * there, which is exactly how ksm_get_folio() recognises a stale node.
 *
 * Lifetime: folio_add_rmap() and folio_remove_rmap() pair one page-table
 * mapping with one reference; a folio is freed when its last reference
 * goes (the kernel frees when the refcount drops to zero; the model has
 * no references besides mappings unless fault injection pins a page).
 * The zero page is never counted, as in the kernel.
 *
 * Checksum memo: ksmd hashes a page's 4 KiB at every visit, and most pages
 * have not changed since the last one.  Each chunk has beside it one
 * 32-bit checksum per pfn and a bitmap saying which of them is the
 * checksum of the folio's present content, in blocks of 2,048 pfns: each
 * allocation has a size the allocator has a class for and no padding
 * (160 KiB of folios, 8 KiB of checksums, 256 bytes of bits); in one
 * allocation they took 192 KiB, 2.8 bytes a page more, and 16 KiB of
 * checksums get a page of padding.  A bit is set only by
 * folio_set_checksum_memo() and cleared whenever the content could have
 * changed: allocation, freeing, and an in-place write
 * (folio_set_content()).  The memo is a pure function of the content, so
 * using it cannot change what ksmd decides; it is kept apart from struct
 * folio so that code copying a folio (migration) cannot copy it.
 */
#include <string.h>

#include "mm/internal.h"

#define CHUNK_BYTES (FOLIO_CHUNK_SIZE * sizeof(struct folio))
#define MEMO_SHIFT 11
#define MEMO_PFNS (1u << MEMO_SHIFT)
#define MEMO_PER_CHUNK (FOLIO_CHUNK_SIZE / MEMO_PFNS)
#define MEMO_SUM_BYTES (MEMO_PFNS * sizeof(uint32_t))
#define MEMO_VALID_BYTES (MEMO_PFNS / 8)

static struct folio *mem_map_slot(struct mem_map *mem, uint32_t pfn)
{
	return &mem->chunks[pfn >> FOLIO_CHUNK_SHIFT][pfn & (FOLIO_CHUNK_SIZE - 1)];
}

static uint32_t *memo_sum(struct mem_map *mem, uint32_t pfn)
{
	return &mem->memo_sums[pfn >> MEMO_SHIFT][pfn & (MEMO_PFNS - 1)];
}

static uint8_t *memo_byte(struct mem_map *mem, uint32_t pfn, uint8_t *bit)
{
	uint32_t i = pfn & (MEMO_PFNS - 1);

	*bit = (uint8_t)(1u << (i & 7));
	return &mem->memo_valid[pfn >> MEMO_SHIFT][i / 8];
}

static void memo_clear(struct mem_map *mem, uint32_t pfn)
{
	uint8_t bit, *b = memo_byte(mem, pfn, &bit);

	*b &= (uint8_t)~bit;
}

bool folio_checksum_memo(struct ksm_sim *sim, const struct folio *folio, uint32_t *sum)
{
	uint8_t bit, *b = memo_byte(&sim->mem, folio->pfn, &bit);

	if (!(*b & bit))
		return false;
	*sum = *memo_sum(&sim->mem, folio->pfn);
	return true;
}

void folio_set_checksum_memo(struct ksm_sim *sim, const struct folio *folio, uint32_t sum)
{
	uint8_t bit, *b = memo_byte(&sim->mem, folio->pfn, &bit);

	*memo_sum(&sim->mem, folio->pfn) = sum;
	*b |= bit;
}

void folio_set_content(struct ksm_sim *sim, struct folio *folio, uint64_t token)
{
	if (folio->content != token)
		memo_clear(&sim->mem, folio->pfn);
	folio->content = token;
}

void mem_map_init(struct ksm_sim *sim)
{
	struct folio *zero;

	memset(&sim->mem, 0, sizeof(sim->mem));
	zero = folio_alloc(sim);
	zero->flags = FOLIO_ZERO;
	zero->content = 0;
	sim->mem.nr_used = 0; /* the zero page is not an allocation */
}

void mem_map_destroy(struct ksm_sim *sim)
{
	for (uint32_t i = 0; i < sim->mem.nr_chunks; i++)
		ksm_free(sim->alloc, KOBJ_FOLIO_CHUNK, sim->mem.chunks[i], CHUNK_BYTES);
	for (uint32_t i = 0; i < sim->mem.nr_chunks * MEMO_PER_CHUNK; i++) {
		ksm_free(sim->alloc, KOBJ_FOLIO_CHUNK, sim->mem.memo_sums[i], MEMO_SUM_BYTES);
		ksm_free(sim->alloc, KOBJ_FOLIO_CHUNK, sim->mem.memo_valid[i], MEMO_VALID_BYTES);
	}
	free(sim->mem.chunks);
	free(sim->mem.memo_sums);
	free(sim->mem.memo_valid);
	memset(&sim->mem, 0, sizeof(sim->mem));
}

struct folio *pfn_folio(struct ksm_sim *sim, uint64_t pfn)
{
	if (pfn >= sim->mem.nr_pfns)
		return NULL;
	return mem_map_slot(&sim->mem, (uint32_t)pfn);
}

struct folio *zero_folio(struct ksm_sim *sim)
{
	return mem_map_slot(&sim->mem, ZERO_PFN);
}

struct folio *folio_alloc(struct ksm_sim *sim)
{
	struct mem_map *mem = &sim->mem;
	struct folio *folio;
	uint32_t pfn;

	if (mem->free_head) {
		pfn = mem->free_head;
		folio = mem_map_slot(mem, pfn);
		mem->free_head = folio->next_free;
	} else {
		pfn = mem->nr_pfns;
		if (pfn == UINT32_MAX) {
			fprintf(stderr, "ksmsim: more than 2^32 simulated pages\n");
			exit(3);
		}
		if ((pfn >> FOLIO_CHUNK_SHIFT) >= mem->nr_chunks) {
			size_t n = mem->nr_chunks + 1;

			mem->chunks = xrealloc(mem->chunks, n * sizeof(*mem->chunks));
			mem->memo_sums = xrealloc(mem->memo_sums,
						  n * MEMO_PER_CHUNK * sizeof(*mem->memo_sums));
			mem->memo_valid = xrealloc(mem->memo_valid,
						   n * MEMO_PER_CHUNK * sizeof(*mem->memo_valid));
			mem->chunks[mem->nr_chunks] = ksm_zalloc(
				sim->alloc, KOBJ_FOLIO_CHUNK, CHUNK_BYTES);
			for (unsigned k = 0; k < MEMO_PER_CHUNK; k++) {
				size_t m = mem->nr_chunks * MEMO_PER_CHUNK + k;

				mem->memo_sums[m] = ksm_zalloc(sim->alloc, KOBJ_FOLIO_CHUNK,
							       MEMO_SUM_BYTES);
				mem->memo_valid[m] = ksm_zalloc(sim->alloc, KOBJ_FOLIO_CHUNK,
								MEMO_VALID_BYTES);
			}
			mem->nr_chunks++;
		}
		mem->nr_pfns++;
		folio = mem_map_slot(mem, pfn);
	}
	memset(folio, 0, sizeof(*folio));
	folio->pfn = pfn;
	memo_clear(mem, pfn);
	mem->nr_used++;
	return folio;
}

static void folio_free(struct ksm_sim *sim, struct folio *folio)
{
	uint32_t pfn = folio->pfn;

	if (folio->flags & FOLIO_KSM)
		sim->mem.nr_ksm_freed++;
	memset(folio, 0, sizeof(*folio));
	folio->pfn = pfn;
	folio->flags = FOLIO_FREE;
	memo_clear(&sim->mem, pfn);
	folio->next_free = sim->mem.free_head;
	sim->mem.free_head = pfn;
	sim->mem.nr_used--;
}

void folio_add_rmap(struct folio *folio)
{
	folio->mapcount++;
	folio->refcount++;
}

void folio_remove_rmap(struct ksm_sim *sim, struct folio *folio)
{
	if (folio->flags & FOLIO_ZERO)
		return;
	folio->mapcount--;
	folio->refcount--;
	if (folio->refcount == 0)
		folio_free(sim, folio);
}
