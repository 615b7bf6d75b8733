/* SPDX-License-Identifier: MIT */
/* Snapshot and migrate records of a simulated machine (sim/report/sim_snapshot.c). */
#ifndef KSMSIM_SIM_SNAPSHOT_H
#define KSMSIM_SIM_SNAPSHOT_H

#include <stdbool.h>

#include "ksmsim/sim.h"
#include "ksmsim/snapshot.h"

/*
 * sim_snapshot_take() - the record `snapshot LABEL` at trace line @line
 * writes.  Without @with_sharing the "sharing" object is left zero (it
 * costs a sort of every mapped page).  Free with ksm_snapshot_free().
 * Running out of memory ends the program (exit 3, the one policy).
 * Return: 0.
 */
int sim_snapshot_take(struct ksm_sim *sim, unsigned line, const char *label,
		      bool with_sharing, struct ksm_snapshot *out);

struct migrate_result;
struct sim_error;
struct task;

/*
 * sim_migrate_record() - `migrate` of the page mapped at @addr in @task
 * (sim_migrate(), whose outcome also goes to @res) and the migrate record
 * of trace line @line it makes: every mapping of the page's frame before
 * the migration, sorted by process name then address, and what each maps
 * after it.  Free @out with ksm_snapshot_free() (also safe after an error).
 * Return: 0, or -1 with @err set as sim_migrate() sets it.
 */
int sim_migrate_record(struct ksm_sim *sim, struct task *task, uint64_t addr,
		       unsigned line, struct migrate_result *res,
		       struct ksm_snapshot *out, struct sim_error *err);

#endif /* KSMSIM_SIM_SNAPSHOT_H */
