// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim rmap — the cost of one rmap walk, per strategy
 *
 *   ksmsim rmap [--at LINE] [--repeat N] TRACE P ADDR
 *
 * Replays TRACE (up to and including LINE, or all of it; `check`, `rmap`
 * and `migrate` commands on the way are skipped), then walks the KSM page
 * mapped at P:ADDR with each strategy and prints a table in the shape of
 * the linear_page_index series' own benchmark: iterations, VMAs skipped
 * because the address is out of range, skipped for the mm, mappings
 * found — for the whole walk (both passes, every rmap_item) and for the
 * longest single item's query — and the walk's time, the median of N
 * walks (default 9) measured with the monotonic clock.  Times are
 * measurements and vary; every other figure is exact and deterministic.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "core/alloc.h"
#include "ksm/ksm_state.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: ksmsim rmap [--at LINE] [--repeat N] TRACE P ADDR\n");
}

int cmd_rmap(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0;
	unsigned long at = 0, repeat = 9;
	struct replay_opts opts = { .invariants = REPLAY_CHECK_NONE };
	struct replay_result res = { 0 };
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	struct ksm_sim *sim;
	struct task *task;
	struct folio *f;
	uint64_t addr;
	char *end;
	int rc = KSMSIM_EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return KSMSIM_EXIT_OK;
		} else if (i + 1 < argc && (!strcmp(argv[i], "--at") || !strcmp(argv[i], "--repeat"))) {
			unsigned long v = strtoul(argv[i + 1], &end, 0);

			if (*end || !v) {
				fprintf(stderr, "ksmsim rmap: %s takes a number >= 1\n", argv[i]);
				return KSMSIM_EXIT_USAGE;
			}
			*(argv[i][2] == 'a' ? &at : &repeat) = v;
			i++;
		} else if (argv[i][0] == '-' || npos == 3) {
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos != 3) {
		usage(stderr);
		return KSMSIM_EXIT_USAGE;
	}
	errno = 0;
	addr = strtoull(pos[2], &end, 0);
	if (errno || *end || (addr & (KSM_PAGE_SIZE - 1))) {
		fprintf(stderr, "ksmsim rmap: '%s' is not a page-aligned address\n", pos[2]);
		return KSMSIM_EXIT_USAGE;
	}
	if (trace_parse_file(pos[0], &t, &err)) {
		ksm_diag_print(stderr, &err);
		trace_free(&t);
		return KSMSIM_EXIT_USAGE;
	}
	sim = ksm_sim_create();
	for (size_t i = 0; i < t.ncmds; i++) {
		const struct trace_cmd *c = &t.cmds[i];

		if (at && c->argpos[0].line > at)
			break;
		if (c->kind == TC_CHECK || c->kind == TC_RMAP || c->kind == TC_MIGRATE ||
		    c->kind == TC_DOT)
			continue;
		if (replay_command(sim, &t, i, &opts, &res, &err) != REPLAY_OK) {
			ksm_diag_print(stderr, &err);
			goto out;
		}
	}
	task = sim_find_task(sim, pos[1]);
	if (!task) {
		fprintf(stderr, "ksmsim rmap: no live process named '%s'\n", pos[1]);
		goto out;
	}
	f = rmap_folio_at(sim, task, addr);
	if (!f || !(f->flags & FOLIO_KSM)) {
		fprintf(stderr, "ksmsim rmap: %s:0x%" PRIx64 " does not map a KSM page\n",
			pos[1], addr);
		goto out;
	}
	printf("%s:0x%" PRIx64 ": KSM page pfn %u, %u mappings, %s kernel\n", pos[1], addr,
	       f->pfn, f->mapcount, ksm_kernel_name(sim->ksm->kernel));
	printf("%-24s %14s %14s %14s\n", "", "full", "indexed", "naive");
	{
		struct rmap_result r[RMAP__COUNT];
		double ms[RMAP__COUNT];
		bool ok[RMAP__COUNT];
		double *samples = xcalloc(repeat, sizeof(double));

		for (int k = 0; k < RMAP__COUNT; k++) {
			ok[k] = !rmap_walk_ksm(sim, f, (enum rmap_strategy)k, &r[k]);
			for (unsigned long n = 0; ok[k] && n < repeat; n++) {
				struct rmap_result tmp;
				double t0 = now_ms();

				rmap_walk_ksm(sim, f, (enum rmap_strategy)k, &tmp);
				samples[n] = now_ms() - t0;
				rmap_result_free(&tmp);
			}
			qsort(samples, repeat, sizeof(double), cmp_double);
			ms[k] = samples[repeat / 2];
		}
		free(samples);
#define ROW(label, expr)                                                        \
	do {                                                                    \
		printf("%-24s", label);                                         \
		for (int k = 0; k < RMAP__COUNT; k++) {                         \
			if (ok[k])                                              \
				printf(" %14" PRIu64, (uint64_t)(expr));        \
			else                                                    \
				printf(" %14s", "n/a");                         \
		}                                                               \
		printf("\n");                                                   \
	} while (0)
		ROW("rmap_items", r[k].items);
		ROW("iterations (walk)", r[k].pass[0].iterations + r[k].pass[1].iterations);
		ROW("skip_addr (walk)", r[k].pass[0].skip_addr + r[k].pass[1].skip_addr);
		ROW("skip_mm (walk)", r[k].pass[0].skip_mm + r[k].pass[1].skip_mm);
		ROW("found (walk)", r[k].pass[0].found + r[k].pass[1].found);
		ROW("iterations (max item)", r[k].pass[0].max_item_iterations >
			r[k].pass[1].max_item_iterations ? r[k].pass[0].max_item_iterations :
			r[k].pass[1].max_item_iterations);
#undef ROW
		printf("%-24s", "time_ms (median)");
		for (int k = 0; k < RMAP__COUNT; k++) {
			if (ok[k])
				printf(" %14.3f", ms[k]);
			else
				printf(" %14s", "n/a");
		}
		printf("\n");
		for (int k = 0; k < RMAP__COUNT; k++)
			if (ok[k])
				rmap_result_free(&r[k]);
	}
	rc = KSMSIM_EXIT_OK;
out:
	ksm_sim_destroy(sim, NULL, 0);
	trace_free(&t);
	return rc;
}
