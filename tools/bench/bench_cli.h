/* SPDX-License-Identifier: MIT */
/*
 * DOC: What the benchmark programs share: strict arguments, peak RSS
 *
 * Benchmarks print figures that people paste into documents, so a typo in
 * a size must stop the run rather than silently benchmark size 0.
 */
#ifndef KSMSIM_BENCH_CLI_H
#define KSMSIM_BENCH_CLI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Handle --help / --version (printing @usage or the version of @prog) and
 * return true when the program should exit 0 at once.
 */
bool bench_help_or_version(int argc, char **argv, const char *prog, const char *usage);
/* A whole decimal number ≥ @min, or -1 with a message naming @flag. */
int bench_parse_ulong(const char *prog, const char *flag, const char *s,
		      unsigned long min, unsigned long *out);
/* A positive finite number of seconds, or -1 with a message. */
int bench_parse_seconds(const char *prog, const char *flag, const char *s, double *out);
/* Peak resident set size of this process in bytes (getrusage reports KiB
 * on Linux and bytes on macOS). */
int64_t bench_peak_rss_bytes(void);

#endif /* KSMSIM_BENCH_CLI_H */
