// SPDX-License-Identifier: MIT
/*
 * DOC: explore's progress and its long-run warning, on stderr
 *
 * Called at every command (random) or sequence (exhaustive), so it reads
 * the clock and nothing else unless a line is due.  On a terminal one line
 * is rewritten in place four times a second; elsewhere (with --progress) a
 * line is appended every five seconds, which keeps CI logs short.  The
 * rate is measured, not assumed: after the first second of the run the
 * remaining work (the exact count for random runs, the estimate for
 * exhaustive ones) divided by the rate so far gives the ETA, and if that
 * is over an hour a warning says so, once.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/explore_cli.h"
#include "core/array.h"

static double elapsed(const struct explore_progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) + (now.tv_nsec - p->start.tv_nsec) / 1e9;
}

void explore_progress_start(struct explore_progress *p)
{
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = 0;
	if (!p->interval)
		p->interval = p->tty ? 0.25 : 5.0;
}

const char *explore_signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	}
	return "a signal";
}

int explore_signal_number(const char *name)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (!strcmp(name, explore_signal_name(sigs[i])))
			return sigs[i];
	return 0;
}

/* 1234 -> "1234", 5.3e6 -> "5.3M": estimates are rough, say so briefly. */
static void fmt_count(char *buf, size_t len, double n)
{
	static const char *const unit[] = { "", "k", "M", "G", "T", "P", "E" };
	unsigned u = 0;

	if (n < 1e5) {
		snprintf(buf, len, "%.0f", n);
		return;
	}
	while (n >= 1000 && u + 1 < ARRAY_SIZE(unit)) {
		n /= 1000;
		u++;
	}
	snprintf(buf, len, "%.*f%s", n < 10 ? 1 : 0, n, unit[u]);
}

static void fmt_duration(char *buf, size_t len, double s)
{
	if (s < 60)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%um%02us", (unsigned)(s / 60), (unsigned)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600), (unsigned)(s / 60) % 60);
	else if (s < 365.25 * 86400)
		snprintf(buf, len, "%.1f days", s / 86400);
	else
		snprintf(buf, len, "%.1f years", s / (365.25 * 86400));
}

static double done_of(const struct explore_progress *p, const struct explore_report *rep)
{
	return p->exhaustive ? (double)rep->traces : (double)rep->commands;
}

/* The remaining time at the rate so far; < 0 when it cannot be told. */
static double eta(const struct explore_progress *p, const struct explore_report *rep, double now)
{
	double done = done_of(p, rep);

	if (!p->total || now <= 0 || done <= 0 || done > p->total)
		return -1;
	return (p->total - done) / (done / now);
}

static void format_line(char *buf, size_t len, const struct explore_progress *p,
			const struct explore_report *rep, double now)
{
	char total[32], when[32];
	double done = done_of(p, rep), left = eta(p, rep, now);
	int n;

	fmt_count(total, sizeof(total), p->total);
	if (p->exhaustive && !p->total)
		n = snprintf(buf, len, "explore: %lu sequences", rep->traces);
	else if (p->exhaustive)
		n = snprintf(buf, len, "explore: %lu of ~%s sequences", rep->traces, total);
	else
		n = snprintf(buf, len, "explore: trace %lu of %lu, %lu of %s commands",
			     rep->traces + 1 > p->traces_total ? p->traces_total : rep->traces + 1,
			     p->traces_total, rep->commands, total);
	if (n < 0 || (size_t)n >= len)
		return;
	if (p->total && done <= p->total)
		n += snprintf(buf + n, len - (size_t)n, " (%.1f%%)", 100 * done / p->total);
	if (left >= 0)
		fmt_duration(when, sizeof(when), left);
	else
		snprintf(when, sizeof(when), "?");
	snprintf(buf + n, len - (size_t)n, ", %.0f/s, ETA %s, failures %zu",
		 now > 0 ? done / now : 0.0, when, rep->failures);
}

static void clear_line(struct explore_progress *p)
{
	if (p->line_open)
		fputs("\r\033[K", stderr);
	p->line_open = false;
}

static void warn_long(struct explore_progress *p, const struct explore_report *rep, double now)
{
	char total[32], when[32];
	double left = eta(p, rep, now);

	p->warned = true;
	if (left <= EXPLORE_WARN_SECONDS)
		return;
	fmt_count(total, sizeof(total), p->total);
	fmt_duration(when, sizeof(when), left);
	clear_line(p);
	fprintf(stderr,
		"ksmsim explore: warning: %s%s %s at the %.0f per second measured in the first "
		"second is about %s (over an hour); Ctrl-C stops it with the statistics so far\n",
		p->exhaustive ? "about " : "", total, p->exhaustive ? "sequences (estimated)" : "commands",
		done_of(p, rep) / now, when);
}

void explore_progress_tick(void *arg, const struct explore_report *rep)
{
	struct explore_progress *p = arg;
	char buf[256];
	double now;

	if (!p->show && (!p->warn || p->warned))
		return;
	now = elapsed(p);
	if (p->warn && !p->warned && now >= 1.0)
		warn_long(p, rep, now);
	if (!p->show || now - p->last < p->interval)
		return;
	p->last = now;
	format_line(buf, sizeof(buf), p, rep, now);
	if (p->tty) {
		fprintf(stderr, "\r%s\033[K", buf);
		p->line_open = true;
	} else {
		fprintf(stderr, "%s\n", buf);
	}
}

void explore_progress_end(struct explore_progress *p, const struct explore_report *rep)
{
	double now = elapsed(p), done = done_of(p, rep);

	if (!p->show)
		return;
	clear_line(p);
	if (rep->interrupted)
		fprintf(stderr, "explore: interrupted by %s: ", explore_signal_name(rep->interrupted));
	else
		fprintf(stderr, "explore: done: ");
	fprintf(stderr, "%.0f %s", done, p->exhaustive ? "sequences" : "commands");
	if (p->exhaustive && p->total) {
		char total[32];

		/* How good the estimate was, for whoever sizes the next run. */
		fmt_count(total, sizeof(total), p->total);
		fprintf(stderr, " (estimated ~%s)", total);
	}
	fprintf(stderr, " in %.1fs (%.0f/s), failures %zu\n", now, now > 0 ? done / now : 0.0,
		rep->failures);
}
