/* SPDX-License-Identifier: MIT */
/*
 * Helpers for KSM engine tests: build a machine, replay a few trace lines
 * on it (with every invariant checked after every command), and look at
 * counters and rmap_items.  Static inline so each test program stays one
 * file.
 */
#ifndef KSMSIM_TESTS_KSM_FIXTURE_H
#define KSMSIM_TESTS_KSM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ksm/ksm_state.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"
#include "ksmsim/trace.h"
#include "mm/internal.h"

#define A 0x100000000000ULL

/* Replay @text (the "ksmtrace 1" header is added) on @sim; must succeed. */
static inline void run_on(struct ksm_sim *sim, const char *text)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_EACH };
	struct replay_result res;
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	char buf[8192];

	snprintf(buf, sizeof(buf), "ksmtrace 1\n%s", text);
	if (trace_parse_string("test", buf, strlen(buf), &t, &err))
		fail_msg("parse: %u:%u: %s", err.line, err.col, err.msg);
	if (replay_trace(sim, &t, &opts, &res, &err) != REPLAY_OK)
		fail_msg("replay: %u:%u: %s", err.line, err.col, err.msg);
	trace_free(&t);
}

static inline struct ksm_sim *run(const char *text)
{
	struct ksm_sim *sim = ksm_sim_create();

	run_on(sim, text);
	return sim;
}

static inline struct ksm_counters counters(struct ksm_sim *sim)
{
	struct ksm_counters c;

	ksm_read_counters(sim, &c);
	return c;
}

static inline struct mm_struct *mm_of(struct ksm_sim *sim, const char *name)
{
	struct task *t = sim_find_task(sim, name);

	assert_non_null(t);
	return t->mm;
}

/* The rmap_item of @name at @addr, or NULL. */
static inline struct ksm_rmap_item *item_at(struct ksm_sim *sim, const char *name,
					    uint64_t addr)
{
	struct mm_struct *mm = mm_of(sim, name);

	if (!mm->ksm_slot)
		return NULL;
	for (struct ksm_rmap_item *it = mm->ksm_slot->rmap_list; it; it = it->rmap_list)
		if ((it->address & KSM_PAGE_MASK) == addr)
			return it;
	return NULL;
}

static inline void done(struct ksm_sim *sim)
{
	char leaks[256];

	if (ksm_sim_destroy(sim, leaks, sizeof(leaks)))
		fail_msg("leaked at teardown: %s", leaks);
}

#endif /* KSMSIM_TESTS_KSM_FIXTURE_H */
