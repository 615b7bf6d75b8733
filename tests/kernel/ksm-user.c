// SPDX-License-Identifier: MIT
/*
 * A stand-in for "another KSM user" in the kernel replayer's safety tests
 * (safety-test.sh): maps PAGES anonymous pages with identical contents,
 * registers them with KSM — MADV_MERGEABLE, or with --prctl the whole
 * process (PR_SET_MEMORY_MERGE) — prints "ready" and waits to be killed.
 *
 *   ksm-user [--prctl] PAGES
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

int main(int argc, char **argv)
{
	int prctl_mode = argc == 3 && !strcmp(argv[1], "--prctl");
	long pages = argc >= 2 ? atol(argv[argc - 1]) : 0;
	size_t len;
	char *p;

	if (pages <= 0 || pages > 65536 || argc > 3 || (argc == 3 && !prctl_mode)) {
		fprintf(stderr, "usage: ksm-user [--prctl] PAGES (1..65536)\n");
		return 2;
	}
	if (prctl_mode && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0)) {
		perror("ksm-user: prctl(PR_SET_MEMORY_MERGE)");
		return 1;
	}
	len = (size_t)pages * 4096;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("ksm-user: mmap");
		return 1;
	}
	/* Not zero (the zero page) and not a trace token's pattern. */
	memset(p, 0x5a, len);
	if (!prctl_mode && madvise(p, len, MADV_MERGEABLE)) {
		perror("ksm-user: madvise(MADV_MERGEABLE)");
		return 1;
	}
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
