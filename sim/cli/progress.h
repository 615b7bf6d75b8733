/* SPDX-License-Identifier: MIT */
/*
 * Progress of a replay on stderr, for the subcommands that replay a whole
 * trace before they print anything (window, compare): on the reproducer's
 * 10,010 commands with 20,000 VMAs they run for a minute or more.
 *
 * Shown when stderr is a terminal (one line rewritten four times a
 * second, erased at the end) or with --progress (a line every five
 * seconds); never with --quiet, never for a run under a second.
 * explore has its own (explore_progress.c): it counts sequences and
 * estimates their number.
 */
#ifndef KSMSIM_CLI_PROGRESS_H
#define KSMSIM_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct cli_progress {
	const char *what;   /* "ksmsim window"                           */
	bool show, tty, line_open;
	double interval, last;
	struct timespec start;
};

/* @force: --progress; @quiet: --quiet (wins). */
void cli_progress_start(struct cli_progress *p, const char *what, bool force, bool quiet);
/* After command @done of @total (trace line @line). Cheap when no line is due. */
void cli_progress_step(struct cli_progress *p, size_t done, size_t total, unsigned line);
/* Erase the terminal line before printing something else (it comes back
 * at the next step that is due). */
void cli_progress_clear(struct cli_progress *p);
/* Erase the terminal line, or say how long it took (--progress). */
void cli_progress_end(struct cli_progress *p);

#endif /* KSMSIM_CLI_PROGRESS_H */
