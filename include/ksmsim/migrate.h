/* SPDX-License-Identifier: MIT */
/* Page migration through rmap walks (sim/rmap/migrate.c). */
#ifndef KSMSIM_MIGRATE_H
#define KSMSIM_MIGRATE_H

#include <stdbool.h>

#include "ksmsim/rmap.h"
#include "ksmsim/sim.h"

struct migrate_result {
	bool ksm;                    /* a KSM page (else an anonymous one)  */
	bool moved;                  /* every mapping was found: it moved   */
	enum rmap_strategy strategy; /* the walk used                       */
	uint32_t mapcount;           /* mappings the page had               */
	size_t found;                /* mappings the walk found             */
	uint64_t old_pfn, new_pfn;
	int old_node;                /* the page's NUMA node before         */
	int target_node;             /* the other node: where it moves to   */
};

/* The strategy the machine's kernel walks KSM pages with. */
enum rmap_strategy ksm_walk_strategy(const struct ksm_sim *sim);

/*
 * sim_migrate() - migrate the page mapped at @addr in @task to the other
 * NUMA node of the model's two (move_pages(2) to that node).  A page
 * whose walk misses a mapping does not move (res->moved false) — not an
 * error.  Errors: no page there; the indexed walk on a baseline machine.
 */
int sim_migrate(struct ksm_sim *sim, struct task *task, uint64_t addr,
		struct migrate_result *res, struct sim_error *err);

#endif /* KSMSIM_MIGRATE_H */
