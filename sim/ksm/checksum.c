// SPDX-License-Identifier: MIT
/*
 * DOC: Page checksums (calc_checksum() in mm/ksm.c)
 *
 * The kernel's checksum is xxhash() of the page's 4096 bytes with seed 0,
 * kept in a u32: the low 32 bits of XXH64 on 64-bit kernels, XXH32 on
 * 32-bit ones.  A page of the model is its 64-bit token written as 8
 * big-endian bytes 512 times (docs/trace-format.md), so the checksum is
 * computed over exactly those bytes — the value the real kernel computes
 * for the page the kernel replayer writes.  A small direct-mapped cache
 * keeps it to one hash per distinct content in practice.
 */
#include <xxhash.h>

#include "ksm/ksm_state.h"

static void page_image(uint64_t token, unsigned char page[4096])
{
	for (unsigned i = 0; i < 4096; i += 8)
		for (unsigned b = 0; b < 8; b++)
			page[i + b] = (unsigned char)(token >> (56 - 8 * b));
}

uint32_t ksm_layout_checksum(enum ksm_layout layout, uint64_t token)
{
	unsigned char page[4096];

	page_image(token, page);
	if (layout == KSM_LAYOUT_LP64)
		return (uint32_t)XXH64(page, sizeof(page), 0);
	return XXH32(page, sizeof(page), 0);
}

uint32_t calc_checksum(struct ksm_state *ksm, uint64_t token)
{
	unsigned slot = (unsigned)((token * 0x9e3779b97f4a7c15ULL) >> 52);

	if (!ksm->csum_cache[slot].valid || ksm->csum_cache[slot].token != token) {
		ksm->csum_cache[slot].token = token;
		ksm->csum_cache[slot].sum = ksm_layout_checksum(ksm->layout, token);
		ksm->csum_cache[slot].valid = true;
	}
	return ksm->csum_cache[slot].sum;
}
