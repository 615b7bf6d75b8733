// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-bench-scale — how many pages, how fast, how much memory
 *
 *   ksmsim-bench-scale [--pages N,N,...] [--contents K]
 *
 * For each N (default 100000,1000000,4000000) builds one process with N
 * mergeable pages holding K distinct contents (default 1000), then lets
 * ksmd run two full rounds (the first stores checksums, the second merges
 * everything) and a third (everything is KSM already), and prints, as a
 * Markdown table: the time to fault the pages in, pages visited per second
 * by each round (cmp_and_merge_page calls per second), and the memory the
 * allocator reports (jemalloc's stats.allocated; "n/a" in sanitizer
 * builds) and the process's peak RSS.  A benchmark, not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_cli.h"
#include "core/alloc.h"
#include "ksmsim/ksm.h"
#include "ksmsim/sim.h"

#define BASE 0x100000000000ULL

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t contents = 1000;

static uint64_t token(const void *ctx, uint64_t i)
{
	(void)ctx;
	return 1 + i % contents;
}

static void must(int ret, const char *what, const struct sim_error *e)
{
	if (ret) {
		fprintf(stderr, "ksmsim-bench-scale: %s: %s\n", what, e->msg);
		exit(1);
	}
}

static void mib(char *buf, size_t len, int64_t bytes)
{
	if (bytes < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.0f", bytes / 1048576.0);
}

static void bench(unsigned long n)
{
	struct ksm_sim *sim = ksm_sim_create();
	struct ksm_counters c;
	struct sim_error e;
	struct task *t;
	double t0, fault_s, round_s[3];
	unsigned long scanned[3];
	char num[32], heap[32], rss[32];

	snprintf(num, sizeof(num), "%lu", n + 10);
	must(ksm_set_knob(sim, "pages_to_scan", num, &e), "pages_to_scan", &e);
	must(ksm_set_knob(sim, "smart_scan", "0", &e), "smart_scan", &e);
	must(sim_spawn(sim, "a", &e), "spawn", &e);
	t = sim_find_task(sim, "a");
	t0 = now_s();
	must(sim_mmap(sim, t->mm, BASE, n, SIM_PROT_RW, &e), "mmap", &e);
	must(sim_write(sim, t->mm, BASE, n, token, NULL, &e), "write", &e);
	must(sim_madvise(sim, t->mm, BASE, n, SIM_MADV_MERGEABLE, &e), "madvise", &e);
	fault_s = now_s() - t0;
	for (int r = 0; r < 3; r++) {
		ksm_read_counters(sim, &c);
		scanned[r] = c.pages_scanned;
		t0 = now_s();
		must(ksm_scan_rounds(sim, 1, &e), "scan", &e);
		round_s[r] = now_s() - t0;
		ksm_read_counters(sim, &c);
		scanned[r] = c.pages_scanned - scanned[r];
	}
	mib(heap, sizeof(heap), ksm_mem_allocated());
	mib(rss, sizeof(rss), bench_peak_rss_bytes());
	printf("| %9lu | %7.2f | %10.0f | %10.0f | %10.0f | %8ld | %8ld | %8s | %8s |\n",
	       n, fault_s, scanned[0] / round_s[0], scanned[1] / round_s[1],
	       scanned[2] / round_s[2], c.pages_shared, c.pages_sharing, heap, rss);
	fflush(stdout);
	ksm_sim_destroy(sim, NULL, 0);
}

static const char usage[] =
	"usage: ksmsim-bench-scale [--pages N,N,...] [--contents K]\n"
	"\n"
	"For each N (default 100000,1000000,4000000) builds one process with N\n"
	"mergeable pages of K distinct contents (default 1000), runs three full\n"
	"rounds and prints pages per second per round, the allocator's heap and\n"
	"the peak RSS as a Markdown table.  A benchmark, not a test.\n"
	"  --version  the version and git revision\n";

int main(int argc, char **argv)
{
	static const char prog[] = "ksmsim-bench-scale";
	const char *pages = "100000,1000000,4000000";
	unsigned long n;
	char *list, *tok, *save = NULL;
	int ret = 0;

	if (bench_help_or_version(argc, argv, prog, usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--pages")) {
			pages = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--contents")) {
			if (bench_parse_ulong(prog, "--contents", argv[++i], 1, &n))
				return 2;
			contents = n;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	list = strdup(pages);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (bench_parse_ulong(prog, "--pages", tok, 1, &n))
			ret = 2;
	free(list);
	if (ret)
		return ret;
	printf("allocator: %s; %llu distinct contents\n\n", ksm_allocator_name(),
	       (unsigned long long)contents);
	printf("| pages     | fault s | round 1 p/s | round 2 p/s | round 3 p/s | shared   | sharing  | heap MiB | peak RSS MiB |\n");
	printf("|----------:|--------:|-----------:|-----------:|-----------:|---------:|---------:|---------:|---------:|\n");
	list = strdup(pages);
	save = NULL;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bench_parse_ulong(prog, "--pages", tok, 1, &n);
		bench(n);
	}
	free(list);
	return 0;
}
