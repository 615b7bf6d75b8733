// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim rmap — the cost of one rmap walk, per strategy
 *
 *   ksmsim rmap [--at LINE] [--repeat N] [--json] TRACE P ADDR
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
 * --json prints one JSON object with the same figures, the times apart
 * in "timing" so that a script can compare everything else exactly.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/alloc.h"
#include "core/array.h"
#include "core/json.h"
#include "ksm/ksm_state.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap.h"
#include "ksmsim/trace_cmds.h"

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
	fprintf(out,
		"usage: ksmsim rmap [--at LINE] [--repeat N] [--json] TRACE P ADDR\n"
		"\n"
		"Replays TRACE, then walks the KSM page mapped at P:ADDR with each strategy\n"
		"(full, indexed, naive) and prints, in the shape of the linear_page_index\n"
		"series' benchmark: rmap_items, iterations, VMAs skipped for the address or\n"
		"the mm and mappings found over the whole walk, iterations of the longest\n"
		"single item, and the median time of N walks.  indexed is n/a on a kernel\n"
		"without it (sim.kernel=baseline).\n"
		"  --at LINE     stop the replay after trace line LINE\n"
		"  --repeat N    time N walks per strategy (default 9)\n"
		"  --json        one JSON object; the times are in \"timing\", apart from the\n"
		"                exact figures\n"
		"`check`, `rmap`, `migrate` and `dot` commands of the trace are skipped.\n"
		"Exit status: 0, or 2 bad usage, a bad trace, or no KSM page at P:ADDR.\n");
}

static const char *const row_keys[] = {
	"rmap_items", "iterations_walk", "skip_addr_walk", "skip_mm_walk", "found_walk",
	"iterations_max_item",
};
static const char *const row_labels[] = {
	"rmap_items", "iterations (walk)", "skip_addr (walk)", "skip_mm (walk)", "found (walk)",
	"iterations (max item)",
};
#define NROWS (ARRAY_SIZE(row_keys))

static void row_values(const struct rmap_result *r, uint64_t v[NROWS])
{
	v[0] = r->items;
	v[1] = r->pass[0].iterations + r->pass[1].iterations;
	v[2] = r->pass[0].skip_addr + r->pass[1].skip_addr;
	v[3] = r->pass[0].skip_mm + r->pass[1].skip_mm;
	v[4] = r->pass[0].found + r->pass[1].found;
	v[5] = r->pass[0].max_item_iterations > r->pass[1].max_item_iterations ?
	       r->pass[0].max_item_iterations : r->pass[1].max_item_iterations;
}

static void print_json(const char *proc, uint64_t addr, const struct folio *f,
		       const char *kernel, unsigned long at, unsigned long repeat,
		       const uint64_t v[RMAP__COUNT][NROWS], const bool ok[RMAP__COUNT],
		       const double ms[RMAP__COUNT])
{
	fputs("{\"proc\":", stdout);
	json_string(stdout, proc);
	printf(",\"addr\":\"0x%" PRIx64 "\",\"pfn\":%u,\"mappings\":%u,\"kernel\":",
	       addr, f->pfn, f->mapcount);
	json_string(stdout, kernel);
	if (at)
		printf(",\"at\":%lu", at);
	else
		fputs(",\"at\":null", stdout);
	fputs(",\"strategies\":{", stdout);
	for (int k = 0; k < RMAP__COUNT; k++) {
		printf("%s\"%s\":", k ? "," : "", rmap_strategy_name((enum rmap_strategy)k));
		if (!ok[k]) {
			fputs("null", stdout);
			continue;
		}
		for (size_t i = 0; i < NROWS; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "{", row_keys[i], v[k][i]);
		fputc('}', stdout);
	}
	printf("},\"timing\":{\"repeat\":%lu,\"time_ms_median\":{", repeat);
	for (int k = 0; k < RMAP__COUNT; k++) {
		printf("%s\"%s\":", k ? "," : "", rmap_strategy_name((enum rmap_strategy)k));
		if (ok[k])
			printf("%.3f", ms[k]);
		else
			fputs("null", stdout);
	}
	fputs("}}}\n", stdout);
}

int cmd_rmap(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0;
	unsigned long at = 0, repeat = 9;
	bool json = false;
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

	enum { OPT_HELP, OPT_AT, OPT_REPEAT, OPT_JSON };
	static const struct cli_option options[] = {
		{ "--help", "-h", false, OPT_HELP },
		{ "--at", NULL, true, OPT_AT },
		{ "--repeat", NULL, true, OPT_REPEAT },
		{ "--json", NULL, false, OPT_JSON },
		{ NULL, NULL, false, 0 },
	};
	struct cli_args args = { argc, argv, 1, false };
	const char *val;
	int key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		unsigned long v;

		switch (key) {
		case OPT_HELP:
			usage(stdout);
			return KSMSIM_EXIT_OK;
		case OPT_AT:
		case OPT_REPEAT:
			if (cli_parse_count("rmap", key == OPT_AT ? "--at" : "--repeat", val, 1, &v))
				return KSMSIM_EXIT_USAGE;
			*(key == OPT_AT ? &at : &repeat) = v;
			break;
		case OPT_JSON:
			json = true;
			break;
		case CLI_OPT_ARG:
			if (npos < 3) {
				pos[npos++] = val;
				break;
			}
			/* fall through - a fourth positional word */
		default:
			cli_opt_error(&args, "rmap", key, val);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
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
		if (trace_cmd_flags(c->kind) & (TCF_SIM_ONLY | TCF_RMAP_WALK))
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
	{
		struct rmap_result r;
		uint64_t v[RMAP__COUNT][NROWS];
		double ms[RMAP__COUNT];
		bool ok[RMAP__COUNT];
		double *samples = xcalloc(repeat, sizeof(double));

		for (int k = 0; k < RMAP__COUNT; k++) {
			ok[k] = !rmap_walk_ksm(sim, f, (enum rmap_strategy)k, &r);
			if (ok[k]) {
				row_values(&r, v[k]);
				rmap_result_free(&r);
			}
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
		if (json) {
			print_json(pos[1], addr, f, ksm_kernel_name(sim->ksm->kernel), at, repeat,
				   (const uint64_t (*)[NROWS])v, ok, ms);
		} else {
			printf("%s:0x%" PRIx64 ": KSM page pfn %u, %u mappings, %s kernel\n", pos[1],
			       addr, f->pfn, f->mapcount, ksm_kernel_name(sim->ksm->kernel));
			printf("%-24s %14s %14s %14s\n", "", "full", "indexed", "naive");
			for (size_t i = 0; i < NROWS; i++) {
				printf("%-24s", row_labels[i]);
				for (int k = 0; k < RMAP__COUNT; k++) {
					if (ok[k])
						printf(" %14" PRIu64, v[k][i]);
					else
						printf(" %14s", "n/a");
				}
				printf("\n");
			}
			printf("%-24s", "time_ms (median)");
			for (int k = 0; k < RMAP__COUNT; k++) {
				if (ok[k])
					printf(" %14.3f", ms[k]);
				else
					printf(" %14s", "n/a");
			}
			printf("\n");
		}
	}
	rc = KSMSIM_EXIT_OK;
out:
	ksm_sim_destroy(sim, NULL, 0);
	trace_free(&t);
	return rc;
}
