// SPDX-License-Identifier: MIT
/* Progress of a replay on stderr; see progress.h. */
#include "cli/progress.h"

#include <stdio.h>
#include <unistd.h>

static double elapsed(const struct cli_progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) + (now.tv_nsec - p->start.tv_nsec) / 1e9;
}

void cli_progress_start(struct cli_progress *p, const char *what, bool force, bool quiet)
{
	p->what = what;
	p->tty = isatty(STDERR_FILENO);
	p->show = !quiet && (force || p->tty);
	p->interval = p->tty ? 0.25 : 5.0;
	p->last = 0;
	p->line_open = false;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

void cli_progress_step(struct cli_progress *p, size_t done, size_t total, unsigned line)
{
	double now;

	if (!p->show)
		return;
	now = elapsed(p);
	/* Nothing for the first second: most runs end before. */
	if (now < 1.0 || now - p->last < p->interval)
		return;
	p->last = now;
	/* No ETA: commands differ in cost by orders of magnitude (a scan
	 * and the checks after it can take longer than all the rest). */
	fprintf(stderr, "%s%s: command %zu of %zu (line %u), %.0f s so far%s",
		p->tty ? "\r" : "", p->what, done, total, line, now,
		p->tty ? "\033[K" : "\n");
	p->line_open = p->tty;
}

void cli_progress_clear(struct cli_progress *p)
{
	if (p->line_open)
		fputs("\r\033[K", stderr);
	p->line_open = false;
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p->show)
		return;
	if (p->line_open)
		cli_progress_clear(p);
	else if (!p->tty && p->last > 0)
		fprintf(stderr, "%s: done in %.1f s\n", p->what, elapsed(p));
}
