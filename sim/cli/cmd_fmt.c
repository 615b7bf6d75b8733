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
 *
 * Commands are printed as they are read, so memory stays constant however
 * long the trace.  A file is checked whole before anything is printed;
 * from a pipe ("-"), the lines before an error are printed already.
 */
#include <errno.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "ksmsim/trace.h"

int cmd_fmt(int argc, char **argv)
{
	struct ksm_diag err = { 0 };
	struct trace_stream *t;
	struct trace_cmd c;
	int rc = KSMSIM_EXIT_OK, more = 0;
	bool wrote = true;

	enum { OPT_HELP };
	static const struct cli_option options[] = {
		{ "--help", "-h", CLI_VAL_NONE, OPT_HELP, NULL },
		{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
	};
	struct cli_args args = { argc, argv, 1, true, false, false, NULL };
	const char *file = NULL, *val;
	bool help = false, bad = false;
	int key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		if (key == OPT_HELP)
			help = true;
		else if (key == CLI_OPT_ARG && !file)
			file = val;
		else
			bad = true;
	}
	/* --help alone; with anything else it is a usage error. */
	if (help && argc == 2) {
		printf("usage: ksmsim fmt TRACE\n"
		       "\n"
		       "Parses TRACE (ksmtrace v1, docs/trace-format.md) and prints it on\n"
		       "standard output in canonical form: one line per command, comments\n"
		       "dropped.  The first error is reported as TRACE:LINE:COLUMN.\n"
		       "Exit status: 0 printed, 2 bad usage, unreadable or invalid trace.\n");
		return KSMSIM_EXIT_OK;
	}
	if (help || bad || !file) {
		fprintf(stderr, "usage: ksmsim fmt TRACE\n");
		return KSMSIM_EXIT_USAGE;
	}
	if (trace_stream_open(file, &t, &err) || trace_stream_check(t, &err) < 0) {
		ksm_diag_print(stderr, &err);
		trace_stream_close(t);
		return KSMSIM_EXIT_USAGE;
	}
	/* As trace_write() prints a whole trace, one command at a time; the
	 * header once the trace's own header was read. */
	more = trace_stream_next(t, &c, &err);
	if (more >= 0)
		wrote = fputs("ksmtrace 1\n", stdout) >= 0;
	while (more > 0) {
		wrote = wrote && !trace_write_cmd(stdout, &c) && fputc('\n', stdout) != EOF;
		trace_cmd_free(&c);
		more = wrote ? trace_stream_next(t, &c, &err) : 0;
	}
	if (more < 0) {
		fflush(stdout);
		ksm_diag_print(stderr, &err);
		rc = KSMSIM_EXIT_USAGE;
	} else if (!wrote || fflush(stdout)) {
		fprintf(stderr, "ksmsim fmt: cannot write standard output: %s\n",
			strerror(errno));
		rc = KSMSIM_EXIT_USAGE;
	}
	trace_stream_close(t);
	return rc;
}
