// SPDX-License-Identifier: MIT
/*
 * Random sequences of every memory operation on a few processes in a small
 * address window (so that ranges touch, split and merge all the time),
 * with every invariant of the model checked after every step, and a
 * leak-free teardown at the end.  Operations the kernel would refuse may
 * fail; a failure must leave the machine consistent too.
 *
 * The seed is printed first; KSMSIM_SEED=N replays a run, and
 * KSMSIM_STEPS=N changes its length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rng.h"
#include "ksmsim/check.h"
#include "ksmsim/ksm.h"
#include "ksmsim/sim.h"
#include "unit_util.h"

#define BASE 0x100000000000ULL
#define WINDOW 48 /* pages */
#define NPROCS 4

static uint64_t token_of(const void *ctx, uint64_t i)
{
	return *(const uint64_t *)ctx + i % 3;
}

struct run {
	struct ksm_sim *sim;
	struct ksm_rng rng;
	char names[NPROCS][8];
};

static struct task *pick_task(struct run *r)
{
	unsigned start = (unsigned)ksm_rng_below(&r->rng, NPROCS);

	for (unsigned k = 0; k < NPROCS; k++) {
		struct task *t = sim_find_task(r->sim, r->names[(start + k) % NPROCS]);

		if (t)
			return t;
	}
	return NULL;
}

static const char *free_name(struct run *r)
{
	for (unsigned k = 0; k < NPROCS; k++)
		if (!sim_find_task(r->sim, r->names[k]))
			return r->names[k];
	return NULL;
}

static uint64_t pick_addr(struct run *r, uint64_t *npages)
{
	uint64_t first = ksm_rng_below(&r->rng, WINDOW);

	*npages = 1 + ksm_rng_below(&r->rng, 8);
	if (first + *npages > WINDOW)
		*npages = WINDOW - first;
	return BASE + (first << 12);
}

static void step(struct run *r, char *what, size_t len)
{
	struct sim_error e;
	struct task *t = pick_task(r);
	uint64_t n, addr, n2, addr2, token;
	const char *name;
	unsigned op = (unsigned)ksm_rng_below(&r->rng, 17);

	if (!t || op == 0) {
		name = free_name(r);
		if (name) {
			snprintf(what, len, "spawn %s", name);
			sim_spawn(r->sim, name, &e);
		}
		return;
	}
	addr = pick_addr(r, &n);
	switch (op) {
	case 1:
		if ((name = free_name(r))) {
			snprintf(what, len, "fork %s %s", t->name, name);
			sim_fork(r->sim, t, name, &e);
		}
		break;
	case 2:
		if (ksm_rng_below(&r->rng, 4) == 0) {
			snprintf(what, len, "exit %s", t->name);
			sim_exit(r->sim, t, &e);
		}
		break;
	case 3:
	case 4: {
		enum sim_prot prot = (enum sim_prot)ksm_rng_below(&r->rng, 3);

		snprintf(what, len, "mmap %s 0x%llx %llu %d", t->name,
			 (unsigned long long)addr, (unsigned long long)n, prot);
		sim_mmap(r->sim, t->mm, addr, n, prot, &e);
		break;
	}
	case 5:
		snprintf(what, len, "munmap %s 0x%llx %llu", t->name,
			 (unsigned long long)addr, (unsigned long long)n);
		sim_munmap(r->sim, t->mm, addr, n, &e);
		break;
	case 6: {
		enum sim_prot prot = (enum sim_prot)ksm_rng_below(&r->rng, 3);

		snprintf(what, len, "mprotect %s 0x%llx %llu %d", t->name,
			 (unsigned long long)addr, (unsigned long long)n, prot);
		sim_mprotect(r->sim, t->mm, addr, n, prot, &e);
		break;
	}
	case 7:
		addr2 = pick_addr(r, &n2);
		if (ksm_rng_below(&r->rng, 3) == 0)
			addr2 = addr;
		if (ksm_rng_below(&r->rng, 2))
			n2 = n;
		snprintf(what, len, "mremap %s 0x%llx %llu 0x%llx %llu", t->name,
			 (unsigned long long)addr, (unsigned long long)n,
			 (unsigned long long)addr2, (unsigned long long)n2);
		sim_mremap(r->sim, t->mm, addr, n, addr2, n2, &e);
		break;
	case 8: {
		enum sim_advice adv = (enum sim_advice)ksm_rng_below(&r->rng, 3);

		snprintf(what, len, "madvise %s 0x%llx %llu %d", t->name,
			 (unsigned long long)addr, (unsigned long long)n, adv);
		sim_madvise(r->sim, t->mm, addr, n, adv, &e);
		break;
	}
	case 9: {
		bool on = ksm_rng_below(&r->rng, 2);

		snprintf(what, len, "prctl %s merge_any=%d", t->name, on);
		sim_prctl_merge_any(r->sim, t->mm, on, &e);
		break;
	}
	case 10:
	case 11:
	case 12:
		token = ksm_rng_below(&r->rng, 4);
		snprintf(what, len, "write %s 0x%llx %llu token=%llu+i%%3", t->name,
			 (unsigned long long)addr, (unsigned long long)n,
			 (unsigned long long)token);
		sim_write(r->sim, t->mm, addr, n, token_of, &token, &e);
		break;
	case 14:
	case 15: {
		unsigned long b = 1 + ksm_rng_below(&r->rng, 3);

		snprintf(what, len, "scan batches=%lu", b);
		ksm_scan_batches(r->sim, b, &e);
		break;
	}
	case 16: {
		static const char *const knobs[][2] = {
			{ "pages_to_scan", "7" }, { "pages_to_scan", "40" },
			{ "smart_scan", "0" }, { "smart_scan", "1" },
			{ "use_zero_pages", "1" }, { "use_zero_pages", "0" },
			{ "max_page_sharing", "2" }, { "max_page_sharing", "256" },
			{ "stable_node_chains_prune_millisecs", "0" },
			{ "run", "2" }, { "run", "1" },
			{ "sim.fault", "merge_two_pages:every=3" },
			{ "sim.fault", "stable_node_alloc:every=4" },
			{ "sim.fault", "merge_one_page:every=5" },
			{ "sim.fault", "rmap_item_alloc:every=7" },
			{ "sim.fault", "none" },
		};
		unsigned k = (unsigned)ksm_rng_below(&r->rng, sizeof(knobs) / sizeof(knobs[0]));

		snprintf(what, len, "set %s=%s", knobs[k][0], knobs[k][1]);
		ksm_set_knob(r->sim, knobs[k][0], knobs[k][1], &e);
		break;
	}
	default:
		snprintf(what, len, "read %s 0x%llx %llu", t->name,
			 (unsigned long long)addr, (unsigned long long)n);
		sim_read(r->sim, t->mm, addr, n, &e);
		break;
	}
}

static void random_run(uint64_t seed, unsigned steps)
{
	struct run r;
	char why[512], what[160], leaks[512];

	ksm_rng_seed(&r.rng, seed);
	for (unsigned k = 0; k < NPROCS; k++)
		snprintf(r.names[k], sizeof(r.names[k]), "p%u", k);
	r.sim = ksm_sim_create();
	if (seed % 2)
		ksm_set_knob(r.sim, "sim.kernel", "lpi", NULL);
	for (unsigned i = 0; i < steps; i++) {
		what[0] = '\0';
		step(&r, what, sizeof(what));
		if (getenv("KSMSIM_VERBOSE"))
			printf("# step %u: %s\n", i, what);
		if (sim_check_invariants(r.sim, why, sizeof(why)))
			fail_msg("seed %llu step %u (%s): %s", (unsigned long long)seed,
				 i, what, why);
	}
	if (ksm_sim_destroy(r.sim, leaks, sizeof(leaks)))
		fail_msg("seed %llu: leaked at teardown: %s", (unsigned long long)seed, leaks);
}

static void test_random_operations(void **state)
{
	uint64_t seed = test_seed("mm random", 20261127);
	unsigned steps = (unsigned)test_env_u64("KSMSIM_STEPS", 3000);
	unsigned runs = test_seed_given() ? 1 : 40;

	(void)state;
	/* Run k has seed + k: KSMSIM_SEED=seed+k replays that one. */
	printf("# %u runs of %u steps (KSMSIM_STEPS)\n", runs, steps);
	for (unsigned k = 0; k < runs; k++)
		random_run(seed + k, steps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
