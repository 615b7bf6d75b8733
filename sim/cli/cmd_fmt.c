// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim fmt — print a trace back in canonical form
 *
 *   ksmsim fmt TRACE
 *
 * Parses TRACE (all of it, reporting the first error as
 * FILE:LINE:COLUMN) and prints it with the trace writer: one canonical
 * line per command, comments dropped.  Useful to normalise recorded
 * traces and to check that a trace parses.
 */
#include <errno.h>
#include <string.h>

#include "cli/commands.h"
#include "ksmsim/trace.h"

int cmd_fmt(int argc, char **argv)
{
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	int rc = KSMSIM_EXIT_OK;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: ksmsim fmt TRACE\n"
		       "\n"
		       "Parses TRACE (ksmtrace v1, docs/trace-format.md) and prints it on\n"
		       "standard output in canonical form: one line per command, comments\n"
		       "dropped.  The first error is reported as TRACE:LINE:COLUMN.\n"
		       "Exit status: 0 printed, 2 bad usage, unreadable or invalid trace.\n");
		return KSMSIM_EXIT_OK;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "usage: ksmsim fmt TRACE\n");
		return KSMSIM_EXIT_USAGE;
	}
	if (trace_parse_file(argv[1], &t, &err)) {
		ksm_diag_print(stderr, &err);
		rc = KSMSIM_EXIT_USAGE;
	} else if (trace_write(stdout, &t) || fflush(stdout)) {
		fprintf(stderr, "ksmsim fmt: cannot write standard output: %s\n",
			strerror(errno));
		rc = KSMSIM_EXIT_USAGE;
	}
	trace_free(&t);
	return rc;
}
