/* SPDX-License-Identifier: MIT */
/*
 * DOC: Checks of a machine's consistency
 *
 * sim_check_invariants() verifies every invariant of the model
 * (sim/check/invariants.c lists them) without changing anything.  Tests
 * and `ksmsim replay --check-invariants=each` run it after every command.
 */
#ifndef KSMSIM_CHECK_H
#define KSMSIM_CHECK_H

#include <stddef.h>

#include "ksmsim/sim.h"

/* Returns 0, or -1 with the first violation described in @why. */
int sim_check_invariants(struct ksm_sim *sim, char *why, size_t whylen);

#endif /* KSMSIM_CHECK_H */
