// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-bench-rmap — rmap walks per second against VMA count
 *
 *   ksmsim-bench-rmap [--sizes N,N,...] [--seconds S]
 *
 * For each N (default 10,100,1000,10000,100000) builds a machine like the
 * series' benchmark: one mapping of N pages whose first two pages are
 * identical and the rest unique, made mergeable, PROT_READ on every other
 * page so that N VMAs share one anon_vma; scans until the two pages merge;
 * then walks that KSM page with each strategy for S seconds (default 0.3)
 * and prints walks per second and iterations per walk as a Markdown table.
 * A benchmark, not a test: the figures depend on the machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_cli.h"
#include "ksmsim/ksm.h"
#include "ksmsim/rmap.h"
#include "ksmsim/sim.h"

#define BASE 0x10000000ULL

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t token(const void *ctx, uint64_t i)
{
	(void)ctx;
	return i < 2 ? 7 : 1000 + i; /* pages 0 and 1 merge, the rest are unique */
}

static void must(int ret, const char *what, const struct sim_error *e)
{
	if (ret) {
		fprintf(stderr, "ksmsim-bench-rmap: %s: %s\n", what, e->msg);
		exit(1);
	}
}

static void bench(unsigned long n, double seconds)
{
	struct ksm_sim *sim = ksm_sim_create();
	struct sim_error e;
	struct task *t;
	struct folio *f;
	char num[32];

	must(ksm_set_knob(sim, "sim.kernel", "lpi", &e), "sim.kernel", &e);
	snprintf(num, sizeof(num), "%lu", 2 * n + 10);
	must(ksm_set_knob(sim, "pages_to_scan", num, &e), "pages_to_scan", &e);
	must(ksm_set_knob(sim, "smart_scan", "0", &e), "smart_scan", &e);
	must(sim_spawn(sim, "a", &e), "spawn", &e);
	t = sim_find_task(sim, "a");
	must(sim_mmap(sim, t->mm, BASE, n, SIM_PROT_RW, &e), "mmap", &e);
	must(sim_write(sim, t->mm, BASE, n, token, NULL, &e), "write", &e);
	must(sim_madvise(sim, t->mm, BASE, n, SIM_MADV_MERGEABLE, &e), "madvise", &e);
	for (unsigned long i = 1; i < n; i += 2)
		must(sim_mprotect(sim, t->mm, BASE + i * 4096, 1, SIM_PROT_R, &e), "mprotect", &e);
	must(ksm_scan_rounds(sim, 2, &e), "scan", &e);
	f = rmap_folio_at(sim, t, BASE);
	if (!f || !(f->flags & FOLIO_KSM)) {
		fprintf(stderr, "ksmsim-bench-rmap: the pages did not merge\n");
		exit(1);
	}
	printf("| %7lu | %8lu |", n, t->mm->map_count);
	for (int k = 0; k < RMAP__COUNT; k++) {
		struct rmap_result r;
		unsigned long walks = 0;
		uint64_t iters;
		double t0 = now_s(), el;

		rmap_walk_ksm(sim, f, (enum rmap_strategy)k, &r);
		iters = r.pass[0].iterations + r.pass[1].iterations;
		rmap_result_free(&r);
		do {
			rmap_walk_ksm(sim, f, (enum rmap_strategy)k, &r);
			rmap_result_free(&r);
			walks++;
			el = now_s() - t0;
		} while (el < seconds);
		printf(" %12.0f | %9" PRIu64 " |", walks / el, iters);
	}
	printf("\n");
	fflush(stdout);
	ksm_sim_destroy(sim, NULL, 0);
}

static const char usage[] =
	"usage: ksmsim-bench-rmap [--sizes N,N,...] [--seconds S]\n"
	"\n"
	"For each size N (default 10,100,1000,10000,100000; each at least 2) builds\n"
	"N VMAs sharing one anon_vma around one KSM page and walks it with every\n"
	"strategy for S seconds (default 0.3); prints walks per second and\n"
	"iterations per walk as a Markdown table.  A benchmark, not a test.\n"
	"  --version  the version and git revision\n";

int main(int argc, char **argv)
{
	static const char prog[] = "ksmsim-bench-rmap";
	const char *sizes = "10,100,1000,10000,100000";
	double seconds = 0.3;
	unsigned long n;
	char *list, *tok, *save = NULL;
	int ret = 0;

	if (bench_help_or_version(argc, argv, prog, usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--sizes")) {
			sizes = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--seconds")) {
			if (bench_parse_seconds(prog, "--seconds", argv[++i], &seconds))
				return 2;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	/* Check every size before the first slow one runs. */
	list = strdup(sizes);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (bench_parse_ulong(prog, "--sizes", tok, 2, &n))
			ret = 2;
	free(list);
	if (ret)
		return ret;
	printf("| pages   | VMAs     | full walks/s | full iter | indexed walks/s | indexed iter | naive walks/s | naive iter |\n");
	printf("|--------:|---------:|-------------:|----------:|----------------:|-------------:|--------------:|-----------:|\n");
	list = strdup(sizes);
	save = NULL;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bench_parse_ulong(prog, "--sizes", tok, 2, &n);
		bench(n, seconds);
	}
	free(list);
	return 0;
}
