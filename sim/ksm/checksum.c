// SPDX-License-Identifier: MIT
/*
 * DOC: Page checksums (calc_checksum() in mm/ksm.c)
 *
 * The kernel's checksum is xxhash() of the page's 4096 bytes with seed 0,
 * kept in a u32: the low 32 bits of XXH64 on 64-bit kernels, XXH32 on
 * 32-bit ones.  A page of the model is its 64-bit token written as 8
 * big-endian bytes 512 times (docs/trace-format.md), so the checksum is
 * computed over exactly those bytes — the value the real kernel computes
 * for the page the kernel replayer writes.
 *
 * What it costs, in three layers (docs/performance.md):
 *
 *  - XXH64 of such a page is computed without building the page: each of
 *    XXH64's four accumulators reads the same 8 bytes at every 32-byte
 *    stripe, so its 128 rounds add one constant.  xxh64_page() is that
 *    loop and must equal XXH64 of the image (a unit test compares them
 *    on random tokens).
 *  - A page's checksum is memoised with its folio (folio.c) until its
 *    content changes, so an unchanged page is hashed once, not every
 *    round.  The memo holds the 64-bit layout's checksums only.
 *  - A memo miss computes the checksums of up to CSUM_BATCH further
 *    pages ahead of the scanner too, in one batch whose independent
 *    multiply chains keep the CPU busy (vectorised where the CPU has
 *    64-bit vector multiplies).  The scanner meets those pages next; a
 *    checksum depends on the content alone, so computing it early
 *    changes nothing the kernel would decide.
 *
 * The 32-bit layouts keep XXH32 over the page image with a small
 * direct-mapped cache by token.
 */
#include <string.h>
#include <xxhash.h>

#include "ksm/ksm_state.h"
#include "mm/internal.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL

#define STRIPES (4096 / 32)
#define CSUM_BATCH 32   /* pages hashed together on a memo miss      */
#define CSUM_LOOKAHEAD 64 /* page-table entries looked at for them   */

static void page_image(uint64_t token, unsigned char page[4096])
{
	for (unsigned i = 0; i < 4096; i += 8)
		for (unsigned b = 0; b < 8; b++)
			page[i + b] = (unsigned char)(token >> (56 - 8 * b));
}

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* The 8 bytes of the token as XXH64 reads them (little endian). */
static inline uint64_t lane_word(uint64_t token)
{
	return __builtin_bswap64(token);
}

static inline uint64_t merge_round(uint64_t h, uint64_t acc)
{
	h ^= rotl64(acc * P2, 31) * P1;
	return h * P1 + P4;
}

/* XXH64's end: merge the four accumulators, the length, the avalanche. */
static inline uint64_t xxh64_finish(uint64_t v1, uint64_t v2, uint64_t v3, uint64_t v4)
{
	uint64_t h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);

	h = merge_round(h, v1);
	h = merge_round(h, v2);
	h = merge_round(h, v3);
	h = merge_round(h, v4);
	h += 4096;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

uint64_t xxh64_page(uint64_t token)
{
	uint64_t c = lane_word(token) * P2;
	uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;

	for (unsigned i = 0; i < STRIPES; i++) {
		v1 = rotl64(v1 + c, 31) * P1;
		v2 = rotl64(v2 + c, 31) * P1;
		v3 = rotl64(v3 + c, 31) * P1;
		v4 = rotl64(v4 + c, 31) * P1;
	}
	return xxh64_finish(v1, v2, v3, v4);
}

/*
 * Many pages at once: a vector lane per page, a vector per accumulator;
 * 32 pages make 16 independent multiply chains, enough to hide the
 * multiply's latency.
 */
typedef uint64_t u64x8 __attribute__((vector_size(64)));

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX512_PATH 1
__attribute__((target("avx512f,avx512dq")))
static void xxh64_pages32_avx512(const uint64_t tokens[32], uint32_t out[32])
{
	u64x8 c[4], v[4][4];

	for (unsigned g = 0; g < 4; g++) {
		for (unsigned k = 0; k < 8; k++)
			c[g][k] = lane_word(tokens[8 * g + k]) * P2;
		v[g][0] = (u64x8){ 0 } + (P1 + P2);
		v[g][1] = (u64x8){ 0 } + P2;
		v[g][2] = (u64x8){ 0 };
		v[g][3] = (u64x8){ 0 } - P1;
	}
	for (unsigned i = 0; i < STRIPES; i++) {
#pragma GCC unroll 4
		for (unsigned g = 0; g < 4; g++) {
#pragma GCC unroll 4
			for (unsigned a = 0; a < 4; a++) {
				u64x8 x = v[g][a] + c[g];

				v[g][a] = ((x << 31) | (x >> 33)) * P1;
			}
		}
	}
	for (unsigned g = 0; g < 4; g++)
		for (unsigned k = 0; k < 8; k++)
			out[8 * g + k] = (uint32_t)xxh64_finish(v[g][0][k], v[g][1][k],
								v[g][2][k], v[g][3][k]);
}
#endif

/* Without 64-bit vector multiplies: four pages, sixteen scalar chains. */
static void xxh64_pages4_scalar(const uint64_t tokens[4], uint32_t out[4])
{
	uint64_t c[4], v[4][4];

	for (unsigned k = 0; k < 4; k++) {
		c[k] = lane_word(tokens[k]) * P2;
		v[k][0] = P1 + P2;
		v[k][1] = P2;
		v[k][2] = 0;
		v[k][3] = 0 - P1;
	}
	for (unsigned i = 0; i < STRIPES; i++)
		for (unsigned k = 0; k < 4; k++)
			for (unsigned a = 0; a < 4; a++)
				v[k][a] = rotl64(v[k][a] + c[k], 31) * P1;
	for (unsigned k = 0; k < 4; k++)
		out[k] = (uint32_t)xxh64_finish(v[k][0], v[k][1], v[k][2], v[k][3]);
}

static bool have_avx512(void)
{
#ifdef HAVE_AVX512_PATH
	/* reads what the runtime found at start-up: cheap, and thread safe */
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#else
	return false;
#endif
}

void xxh64_pages(const uint64_t *tokens, unsigned n, uint32_t *out)
{
	uint64_t t[32];
	uint32_t o[32];
	unsigned i = 0;

	while (i < n) {
		unsigned k = n - i < 32 ? n - i : 32;

		memset(t, 0, sizeof(t));
		memcpy(t, tokens + i, k * sizeof(*t));
#ifdef HAVE_AVX512_PATH
		if (have_avx512() && k > 4) {
			xxh64_pages32_avx512(t, o);
		} else
#endif
		{
			for (unsigned j = 0; j < k; j += 4)
				xxh64_pages4_scalar(t + j, o + j);
		}
		memcpy(out + i, o, k * sizeof(*o));
		i += k;
	}
}

uint32_t ksm_layout_checksum(enum ksm_layout layout, uint64_t token)
{
	unsigned char page[4096];

	if (layout == KSM_LAYOUT_LP64)
		return (uint32_t)xxh64_page(token);
	page_image(token, page);
	return XXH32(page, sizeof(page), 0);
}

static unsigned cache_slot(uint64_t token)
{
	return (unsigned)((token * 0x9e3779b97f4a7c15ULL) >> 52);
}

uint32_t calc_checksum(struct ksm_state *ksm, uint64_t token)
{
	unsigned slot = cache_slot(token);

	if (!ksm->csum_cache[slot].valid || ksm->csum_cache[slot].token != token) {
		ksm->csum_cache[slot].token = token;
		ksm->csum_cache[slot].sum = ksm_layout_checksum(ksm->layout, token);
		ksm->csum_cache[slot].valid = true;
	}
	return ksm->csum_cache[slot].sum;
}

/*
 * The pages the scanner will meet after @addr in @mm (same VMA, present,
 * anonymous, not the zero page) whose checksum is not memoised yet.
 */
static unsigned pages_ahead(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
			    struct folio **out, unsigned max)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	uint64_t addrs[CSUM_LOOKAHEAD];
	pte_t ptes[CSUM_LOOKAHEAD];
	unsigned n = 0, found;
	uint32_t sum;

	if (!vma)
		return 0;
	found = pte_next_used_batch(mm, addr + KSM_PAGE_SIZE, vma->vm_end, addrs, ptes,
				    CSUM_LOOKAHEAD);
	for (unsigned i = 0; i < found && n < max; i++) {
		struct folio *f;

		if (!pte_present(ptes[i]) || is_zero_pfn(pte_pfn(ptes[i])))
			continue;
		f = pfn_folio(sim, pte_pfn(ptes[i]));
		if (folio_test_anon(f) && !folio_checksum_memo(sim, f, &sum))
			out[n++] = f;
	}
	return n;
}

uint32_t page_checksum(struct ksm_sim *sim, struct folio *folio,
		       struct mm_struct *mm, uint64_t addr)
{
	struct ksm_state *ksm = sim->ksm;
	struct folio *batch[CSUM_BATCH], *hashed[CSUM_BATCH];
	uint64_t tokens[CSUM_BATCH];
	uint32_t sums[CSUM_BATCH], sum = 0;
	unsigned n, m = 0, first = CSUM_BATCH;

	if (ksm->layout != KSM_LAYOUT_LP64)
		return calc_checksum(ksm, folio->content);
	if (folio_checksum_memo(sim, folio, &sum))
		return sum;
	batch[0] = folio;
	n = 1 + pages_ahead(sim, mm, addr, batch + 1, CSUM_BATCH - 1);
	/* Contents met recently (shared by many pages) come from the cache. */
	for (unsigned i = 0; i < n; i++) {
		unsigned slot = cache_slot(batch[i]->content);

		if (ksm->csum_cache[slot].valid && ksm->csum_cache[slot].token == batch[i]->content) {
			folio_set_checksum_memo(sim, batch[i], ksm->csum_cache[slot].sum);
			if (!i)
				sum = ksm->csum_cache[slot].sum;
		} else {
			if (!i)
				first = m;
			hashed[m] = batch[i];
			tokens[m++] = batch[i]->content;
		}
	}
	xxh64_pages(tokens, m, sums);
	for (unsigned i = 0; i < m; i++) {
		unsigned slot = cache_slot(tokens[i]);

		folio_set_checksum_memo(sim, hashed[i], sums[i]);
		ksm->csum_cache[slot].token = tokens[i];
		ksm->csum_cache[slot].sum = sums[i];
		ksm->csum_cache[slot].valid = true;
	}
	return first < m ? sums[first] : sum;
}
