/* SPDX-License-Identifier: MIT */
/*
 * DOC: KSM knobs and counters as the trace sees them
 *
 * The knobs are the files of /sys/kernel/mm/ksm/ with Linux 6.18's
 * defaults (ksm_snap_knob_fields); ksm_set_knob() applies a write with the kernel's validation
 * (EINVAL and EBUSY cases become errors with a message).  The counters are
 * read the way the kernel computes them at read time (pages_volatile and
 * general_profit are derived, not stored).
 */
#ifndef KSMSIM_KSM_H
#define KSMSIM_KSM_H

#include <stdbool.h>
#include <stdint.h>

#include "ksmsim/ksm_fields.h"
#include "ksmsim/sim.h"


/*
 * struct ksm_knobs, struct ksm_counters and struct ksm_proc_stat, and the
 * tables that describe them, are in ksmsim/ksm_fields.h.
 */

const struct ksm_knobs *ksm_knobs(const struct ksm_sim *sim);

/*
 * ksm_set_knob() - write knob @name (a /sys/kernel/mm/ksm file name) with
 * @text, as `echo text > /sys/kernel/mm/ksm/name` would.  Errors (unknown
 * name, value the kernel rejects with EINVAL or EBUSY) leave the knob
 * unchanged and say why.
 */
int ksm_set_knob(struct ksm_sim *sim, const char *name, const char *text,
		 struct sim_error *err);

/*
 * ksm_pin_sim_knob() - set the simulator knob @name (sim.*) and keep it:
 * a later ksm_set_knob() of the same name — a trace's `set` line — is
 * accepted and ignored.  This is how `ksmsim replay --kernel lpi` replays
 * a trace written for another kernel.  At most 8 knobs can be pinned.
 */
int ksm_pin_sim_knob(struct ksm_sim *sim, const char *name, const char *text,
		     struct sim_error *err);

/* Run ksmd for `scan rounds=N` / `scan batches=N` (sim/ksm/ksmd.c). */
int ksm_scan_rounds(struct ksm_sim *sim, unsigned long n, struct sim_error *err);
int ksm_scan_batches(struct ksm_sim *sim, unsigned long n, struct sim_error *err);

/* The global counters, as /sys/kernel/mm/ksm/ would show them now. */
void ksm_read_counters(const struct ksm_sim *sim, struct ksm_counters *c);
/* /proc/PID/ksm_stat of the process of @mm. */
void ksm_read_proc_stat(const struct ksm_sim *sim, const struct mm_struct *mm,
			struct ksm_proc_stat *st);

/*
 * The strategies of rmap_walk_ksm() (include/ksmsim/rmap.h describes
 * them).  The enum lives with KSM because the machine's kernel picks one
 * (sim.kernel, or sim.walk; sim/ksm/sim_knobs.c) and the walks below KSM's
 * layer only carry it out.
 */
enum rmap_strategy {
	RMAP_FULL,
	RMAP_INDEXED,
	RMAP_NAIVE,
	RMAP__COUNT
};

const char *rmap_strategy_name(enum rmap_strategy s);
/* Parse "full", "indexed" or "naive"; 0 or -1. */
int rmap_strategy_parse(const char *s, enum rmap_strategy *out);

/* sizeof(struct ksm_rmap_item) of the modelled kernel, for the profits. */
unsigned ksm_rmap_item_size(const struct ksm_sim *sim);

#endif /* KSMSIM_KSM_H */
