/* SPDX-License-Identifier: MIT */
/* Snapshot records of a simulated machine (sim/report/sim_snapshot.c). */
#ifndef KSMSIM_SIM_SNAPSHOT_H
#define KSMSIM_SIM_SNAPSHOT_H

#include <stdbool.h>

#include "ksmsim/sim.h"
#include "ksmsim/snapshot.h"

/*
 * sim_snapshot_take() - the record `snapshot LABEL` at trace line @line
 * writes.  Without @with_sharing the "sharing" object is left zero (it
 * costs a sort of every mapped page).  Free with ksm_snapshot_free().
 * Return: 0, or -1 if the sharing partition could not be computed.
 */
int sim_snapshot_take(struct ksm_sim *sim, unsigned line, const char *label,
		      bool with_sharing, struct ksm_snapshot *out);

#endif /* KSMSIM_SIM_SNAPSHOT_H */
