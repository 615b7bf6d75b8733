// SPDX-License-Identifier: MIT
/* Strict arguments and peak RSS for the benchmarks; see bench_cli.h. */
#include "bench_cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ksmsim/version.h"

bool bench_help_or_version(int argc, char **argv, const char *prog, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return true;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("%s %s\n", prog, ksmsim_version());
			return true;
		}
	}
	return false;
}

int bench_parse_ulong(const char *prog, const char *flag, const char *s,
		      unsigned long min, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (!*s || *s == '-' || *end || errno) {
		fprintf(stderr, "%s: %s takes a whole number, not '%s'\n", prog, flag, s);
		return -1;
	}
	if (*out < min) {
		fprintf(stderr, "%s: %s must be at least %lu, not %lu\n", prog, flag, min, *out);
		return -1;
	}
	return 0;
}

int bench_parse_seconds(const char *prog, const char *flag, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(*out) || *out <= 0) {
		fprintf(stderr, "%s: %s takes a positive number of seconds, not '%s'\n",
			prog, flag, s);
		return -1;
	}
	return 0;
}

int64_t bench_peak_rss_bytes(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
#ifdef __APPLE__
	return (int64_t)ru.ru_maxrss;
#else
	return (int64_t)ru.ru_maxrss * 1024;
#endif
}
