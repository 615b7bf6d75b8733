// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim — the command line
 *
 * `ksmsim SUBCOMMAND [ARGS]`; each subcommand is one file in sim/cli/.
 * This file only dispatches and prints the overview.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/array.h"
#include "core/cleanup.h"
#include "ksmsim/version.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "window", cmd_window, "show where the index-guided rmap walk misses a mapping, on both kernels" },
	{ "replay", cmd_replay, "replay a ksmtrace v1 file on a simulated machine" },
	{ "check", cmd_check, "replay traces with the rmap check after every command and report" },
	{ "fmt", cmd_fmt, "parse a trace and print it back in canonical form" },
	{ "compare", cmd_compare, "replay a trace on two kernels side by side and show where they differ" },
	{ "rmap", cmd_rmap, "walk one KSM page with every strategy and time it" },
	{ "dot", cmd_dot, "draw the machine's structures with Graphviz" },
	{ "explore", cmd_explore, "search random or all small traces for rmap walks that differ" },
	{ "explore-merge", cmd_explore_merge, "merge the results of explore --shard K/N into the whole run's report" },
	{ "diff", cmd_diff, "compare two snapshot streams (JSON Lines) record by record" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ksmsim SUBCOMMAND [ARGS]\n\nsubcommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  %-13s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\n`ksmsim SUBCOMMAND --help` describes one; `ksmsim --version` prints\n"
		     "the version and the git revision it was built from.\n");
}

int main(int argc, char **argv)
{
	/* No temporary output survives a signal or a crash (core/cleanup.h). */
	cleanup_install_signals();
	if (argc < 2) {
		usage(stderr);
		return KSMSIM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return KSMSIM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("ksmsim %s\n", ksmsim_version());
		return KSMSIM_EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		/* Every subcommand answers --version the same way, before it
		 * looks at its other arguments. */
		if (argc == 3 && !strcmp(argv[2], "--version")) {
			printf("ksmsim %s %s\n", subcommands[i].name, ksmsim_version());
			return KSMSIM_EXIT_OK;
		}
		return subcommands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "ksmsim: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return KSMSIM_EXIT_USAGE;
}
