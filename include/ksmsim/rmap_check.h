/* SPDX-License-Identifier: MIT */
/*
 * DOC: The rmap equivalence checker (sim/check/rmap_check.c)
 *
 * rmap_check() compares, for every KSM page, the mappings the full,
 * indexed and naive walks find with each other and with the ground truth,
 * and the anon walk of every ordinary anonymous page with its truth.  Each
 * difference is a finding of one kind; a divergence between full and
 * indexed breaks the series' claim and is a failure for the callers.
 */
#ifndef KSMSIM_RMAP_CHECK_H
#define KSMSIM_RMAP_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "ksmsim/rmap.h"
#include "ksmsim/sim.h"

enum rmap_finding_kind {
	RMAP_FINDING_DIVERGENCE, /* full and indexed find different mappings  */
	RMAP_FINDING_NAIVE_MISS, /* naive misses what full finds (negative control) */
	RMAP_FINDING_ALL_MISS,   /* a mapping that every walk misses          */
	RMAP_FINDING_NO_NODE,    /* a KSM page without a stable node          */
	RMAP_FINDING_ANON_MISS,  /* the anon walk misses a mapping            */
	RMAP_FINDING_PHANTOM,    /* a walk reports a mapping no page table has:
				  * a checker or model bug, a failure        */
	RMAP_FINDING__COUNT
};

struct rmap_check_summary {
	/* in */
	/* called with each finding's text (NULL: findings are only counted) */
	void (*on_finding)(void *ctx, enum rmap_finding_kind kind, struct folio *page,
			   const char *text);
	void *ctx;
	bool anon;            /* also check ordinary anonymous pages      */
	/* out (accumulated across calls) */
	unsigned long ksm_pages, anon_pages;
	unsigned long count[RMAP_FINDING__COUNT];
	unsigned long long iterations[RMAP__COUNT];
	char first_divergence[1024];
};

void rmap_check(struct ksm_sim *sim, struct rmap_check_summary *sum);
const char *rmap_finding_name(enum rmap_finding_kind kind);

#endif /* KSMSIM_RMAP_CHECK_H */
