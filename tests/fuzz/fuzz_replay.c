// SPDX-License-Identifier: MIT
/*
 * DOC: libFuzzer harness for the replayer
 *
 * Any byte string is parsed as a trace; one that parses, and fits the
 * budget below, is replayed on a fresh simulated machine with every
 * invariant of the model checked after every command and the rmap
 * checker (each KSM page's walks against each other and against the page
 * tables) run after every command too.  Refused commands, failed
 * expects and the known full/indexed divergence of the lpi kernel are
 * ordinary outcomes; these are bugs, and abort:
 *
 *  - an invariant violated (REPLAY_BROKEN);
 *  - a walk reporting a mapping no page table has (a phantom);
 *  - objects left when the machine is torn down;
 *  - any crash, leak or undefined behaviour (ASan, UBSan, libFuzzer).
 *
 * The budget keeps one input from allocating gigabytes or running for
 * seconds: at most FUZZ_MAX_PAGES pages mapped in all (mmap and the new
 * size of mremap, counted whether or not they succeed), FUZZ_MAX_PROCS
 * spawns and forks, FUZZ_MAX_SCAN rounds or batches per scan and in all,
 * pages_to_scan (and the advisor's bounds on it) at most FUZZ_MAX_BATCH;
 * `dot` is not replayed (it writes files and runs Graphviz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksmsim/replay.h"
#include "ksmsim/sim.h"
#include "ksmsim/trace.h"

#define FUZZ_MAX_PAGES 1024
#define FUZZ_MAX_PROCS 8
#define FUZZ_MAX_SCAN 16
#define FUZZ_MAX_BATCH 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const struct ksm_diag *d)
{
	fprintf(stderr, "fuzz_replay: %s\n", what);
	if (d)
		ksm_diag_print(stderr, d);
	abort();
}

static bool knob_too_big(const struct trace_kv *kv)
{
	static const char *const batch_knobs[] = {
		"pages_to_scan", "advisor_min_pages_to_scan", "advisor_max_pages_to_scan",
	};

	if (kv->kind != TKV_KNOB || !kv->is_num)
		return false;
	for (size_t i = 0; i < sizeof(batch_knobs) / sizeof(batch_knobs[0]); i++)
		if (!strcmp(kv->name, batch_knobs[i]))
			return kv->num > FUZZ_MAX_BATCH;
	return false;
}

/* Does @t stay within the budget? */
static bool within_budget(const struct trace *t)
{
	uint64_t pages = 0, procs = 0, scans = 0;

	for (size_t i = 0; i < t->ncmds; i++) {
		const struct trace_cmd *c = &t->cmds[i];

		switch (c->kind) {
		case TC_DOT:
			return false;
		case TC_MMAP:
			pages += c->npages;
			break;
		case TC_MREMAP:
			pages += c->npages2;
			break;
		case TC_SPAWN:
		case TC_FORK:
			procs++;
			break;
		case TC_SCAN:
			if (c->scan_count > FUZZ_MAX_SCAN)
				return false;
			scans += c->scan_count;
			break;
		case TC_SET:
			for (size_t k = 0; k < c->nkvs; k++)
				if (knob_too_big(&c->kvs[k]))
					return false;
			break;
		default:
			break;
		}
		/* Checked as we go: the sums cannot overflow. */
		if (pages > FUZZ_MAX_PAGES || procs > FUZZ_MAX_PROCS || scans > FUZZ_MAX_SCAN)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_opts opts = {
		.invariants = REPLAY_CHECK_EACH,
		.rmap_check = REPLAY_CHECK_EACH,
	};
	struct replay_result res;
	struct ksm_diag d;
	struct trace t;
	struct ksm_sim *sim;
	enum replay_status st;
	char leaks[512];

	memset(&d, 0, sizeof(d));
	if (trace_parse_string("fuzz", (const char *)data, size, &t, &d))
		return 0;
	if (!within_budget(&t)) {
		trace_free(&t);
		return -1;	/* not added to the corpus */
	}
	sim = ksm_sim_create();
	st = replay_trace(sim, &t, &opts, &res, &d);
	if (st == REPLAY_BROKEN)
		die("invariant violated", &d);
	if (res.findings[RMAP_FINDING_PHANTOM])
		die("a walk reports a mapping that no page table has", &d);
	if (ksm_sim_destroy(sim, leaks, sizeof(leaks))) {
		fprintf(stderr, "fuzz_replay: objects left at teardown: %s\n", leaks);
		abort();
	}
	trace_free(&t);
	return 0;
}
