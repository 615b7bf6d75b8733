/* SPDX-License-Identifier: MIT */
/*
 * A small seeded PRNG (splitmix64 to seed, xoshiro256** to draw) so every
 * random run replays from its seed on any platform.
 */
#ifndef KSMSIM_CORE_RNG_H
#define KSMSIM_CORE_RNG_H

#include <stdint.h>

struct ksm_rng {
	uint64_t s[4];
};

void ksm_rng_seed(struct ksm_rng *r, uint64_t seed);
uint64_t ksm_rng_next(struct ksm_rng *r);
/* Uniform in [0, n); n must be >= 1. */
uint64_t ksm_rng_below(struct ksm_rng *r, uint64_t n);

#endif /* KSMSIM_CORE_RNG_H */
