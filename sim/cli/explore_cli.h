/* SPDX-License-Identifier: MIT */
/*
 * The explore subcommand's own parts: progress on stderr
 * (explore_progress.c) and the final report as text or JSON
 * (explore_output.c).  cmd_explore.c parses options and runs the search.
 */
#ifndef KSMSIM_CLI_EXPLORE_CLI_H
#define KSMSIM_CLI_EXPLORE_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "ksmsim/explore.h"

/* A run longer than this (by its estimate) is warned about. */
#define EXPLORE_WARN_SECONDS 3600.0

struct explore_progress {
	bool show;          /* print progress lines                        */
	bool tty;           /* stderr is a terminal: one line, rewritten   */
	bool warn;          /* warn once if the estimate exceeds an hour   */
	bool exhaustive;
	double total;       /* sequences (estimated) or commands; 0: unknown */
	unsigned long traces_total; /* random: traces asked for            */
	double interval;    /* seconds between lines                       */
	struct timespec start;
	double last;        /* when the last line was printed              */
	bool warned, line_open;
};

void explore_progress_start(struct explore_progress *p);
/* The explore_opts.progress callback; @arg is the struct explore_progress. */
void explore_progress_tick(void *arg, const struct explore_report *rep);
/* The last line ("done" or "interrupted"), if progress is shown. */
void explore_progress_end(struct explore_progress *p, const struct explore_report *rep);

/* "SIGINT", "SIGTERM", ... */
const char *explore_signal_name(int sig);

void explore_print_text(FILE *out, const struct explore_opts *o, bool exhaustive,
			const struct explore_report *rep);
void explore_print_json(FILE *out, const struct explore_opts *o, bool exhaustive,
			const struct explore_report *rep);

/*
 * A shard's result (explore --shard K/N): its options, whether a signal
 * cut it short, and @tasks (@len bytes: its task results, comma
 * separated) for explore-merge (cmd_explore_merge.c).
 */
void explore_print_shard(FILE *out, const struct explore_opts *o, bool exhaustive,
			 const struct explore_report *rep, const char *tasks, size_t len);
/* SIGINT, SIGTERM or SIGHUP by the name explore_signal_name() gives; 0 if none. */
int explore_signal_number(const char *name);

#endif /* KSMSIM_CLI_EXPLORE_CLI_H */
