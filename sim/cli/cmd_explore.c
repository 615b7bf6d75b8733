// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim explore — look for traces that break the equivalence
 *
 *   ksmsim explore [--seed S] [--traces N] [--steps M] [--target T] [--out DIR]
 *   ksmsim explore --exhaustive [--depth D] [--alphabet A] [--target T] [--out DIR]
 *
 * Random mode builds N traces of up to M commands each from seed S, with
 * every check after every command; the first failure is shrunk and
 * written to DIR.  Exhaustive mode enumerates every sequence of a small
 * command alphabet up to depth D on a tiny machine; `--alphabet mprotect`
 * replaces its two mremaps by mprotect splits.  T is what counts as
 * a failure: divergence (the default: an invariant breaks, or the full and
 * indexed walks differ), naive (also a naive-walk miss: the negative
 * control) or any (any finding).
 *
 * Exit status: 0 nothing failed, 1 a failing trace was found (and
 * written), 2 bad usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "ksmsim/explore.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim explore [--seed S] [--traces N] [--steps M] [--target T] [--out DIR]\n"
		"       ksmsim explore --exhaustive [--depth D] [--alphabet default|mprotect] [--target T] [--out DIR]\n"
		"T: divergence (default), naive (the negative control) or any\n");
}

static int number(const char *flag, const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end || s[0] == '-') {
		fprintf(stderr, "ksmsim explore: %s takes a number, not '%s'\n", flag, s);
		return -1;
	}
	return 0;
}

int cmd_explore(int argc, char **argv)
{
	struct explore_opts o = { .seed = 1, .traces = 100, .steps = 200, .depth = 4,
				  .target = EXPLORE_TARGET_DIVERGENCE, .out_dir = "." };
	struct explore_report rep;
	bool exhaustive = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		unsigned long long v;
		const char *f = argv[i];

		if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
			usage(stdout);
			return KSMSIM_EXIT_OK;
		} else if (!strcmp(f, "--exhaustive")) {
			exhaustive = true;
		} else if (i + 1 < argc && !strcmp(f, "--target")) {
			const char *t = argv[++i];

			if (!strcmp(t, "divergence"))
				o.target = EXPLORE_TARGET_DIVERGENCE;
			else if (!strcmp(t, "naive"))
				o.target = EXPLORE_TARGET_NAIVE;
			else if (!strcmp(t, "any"))
				o.target = EXPLORE_TARGET_ANY;
			else {
				fprintf(stderr, "ksmsim explore: --target takes divergence, naive or any\n");
				return KSMSIM_EXIT_USAGE;
			}
		} else if (i + 1 < argc && !strcmp(f, "--alphabet")) {
			const char *a = argv[++i];

			if (!strcmp(a, "default"))
				o.alphabet = EXPLORE_ALPHABET_DEFAULT;
			else if (!strcmp(a, "mprotect"))
				o.alphabet = EXPLORE_ALPHABET_MPROTECT;
			else {
				fprintf(stderr, "ksmsim explore: --alphabet takes default or mprotect\n");
				return KSMSIM_EXIT_USAGE;
			}
		} else if (i + 1 < argc && !strcmp(f, "--out")) {
			o.out_dir = argv[++i];
		} else if (i + 1 < argc && (!strcmp(f, "--seed") || !strcmp(f, "--traces") ||
					    !strcmp(f, "--steps") || !strcmp(f, "--depth"))) {
			if (number(f, argv[++i], &v))
				return KSMSIM_EXIT_USAGE;
			if (!strcmp(f, "--seed"))
				o.seed = v;
			else if (!strcmp(f, "--traces"))
				o.traces = (unsigned)v;
			else if (!strcmp(f, "--steps"))
				o.steps = (unsigned)v;
			else if (v > 12) {
				fprintf(stderr, "ksmsim explore: --depth is at most 12\n");
				return KSMSIM_EXIT_USAGE;
			} else
				o.depth = (unsigned)v;
		} else {
			fprintf(stderr, "ksmsim explore: unexpected argument '%s'\n", f);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		}
	}
	ret = exhaustive ? explore_exhaustive(&o, &rep) : explore_random(&o, &rep);
	if (ret < 0) {
		fprintf(stderr, "ksmsim explore: cannot run\n");
		return KSMSIM_EXIT_USAGE;
	}
	if (exhaustive)
		printf("exhaustive: %lu sequences up to depth %u, %lu distinct state fingerprints; "
		       "naive misses in %lu, other findings in %lu\n",
		       rep.traces, rep.depth, rep.states, rep.naive_misses, rep.findings);
	else
		printf("random: seed %llu, %lu traces, %lu commands tried (%lu refused); "
		       "naive misses in %lu checks, other findings in %lu\n",
		       (unsigned long long)o.seed, rep.traces, rep.commands, rep.refused,
		       rep.naive_misses, rep.findings);
	if (!ret) {
		printf("no failure\n");
		return KSMSIM_EXIT_OK;
	}
	printf("failure: %s: %s\n", rep.failure, rep.why);
	if (!exhaustive)
		printf("shrunk from %zu to %zu commands\n", rep.shrunk_from, rep.shrunk_to);
	printf("trace: %s\n", rep.path[0] ? rep.path : "(could not be written)");
	return KSMSIM_EXIT_FAIL;
}
