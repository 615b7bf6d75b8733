/* SPDX-License-Identifier: MIT */
/*
 * DOC: The subcommands' option parser
 *
 * One loop for every `ksmsim` subcommand instead of a strcmp chain each.
 * Each call of cli_next_opt() takes the next word of the command line and
 * returns one of:
 *
 *   an option's key       the word is the option's name or alias; an
 *                         option with a value takes the next word as it
 *                         (*val)
 *   CLI_OPT_ARG           a positional word (*val)
 *   CLI_OPT_UNKNOWN       *val starts with '-' and is no option
 *   CLI_OPT_NO_VALUE      *val is an option that needs a value but is
 *                         the last word ("--max needs a value")
 *   CLI_OPT_END           no words left
 *
 * Words match whole: no abbreviations, no --name=value, no clusters of
 * short options and no special "--" — what getopt_long() would accept on
 * top of what the subcommands always accepted — so every command line
 * means what it meant and every message and exit status stays as the
 * tests pin them.  "-" alone is positional only where @dash_is_arg says
 * so (standard input).
 */
#ifndef KSMSIM_CLI_OPTS_H
#define KSMSIM_CLI_OPTS_H

#include <stdbool.h>

enum {
	CLI_OPT_END = -1,
	CLI_OPT_ARG = -2,
	CLI_OPT_UNKNOWN = -3,
	CLI_OPT_NO_VALUE = -4,
};

struct cli_option {
	const char *name;  /* "--max"                        */
	const char *alias; /* "-h", or NULL                  */
	bool value;        /* takes the next word as a value */
	int key;           /* returned for it, >= 0          */
};

struct cli_args {
	int argc;
	char **argv;
	int next;          /* start at 1: argv[0] is the subcommand */
	bool dash_is_arg;  /* "-" is a positional word (stdin)      */
};

/* @opts ends with an entry whose name is NULL. */
int cli_next_opt(struct cli_args *a, const struct cli_option *opts,
		 const char **val);

/*
 * cli_parse_count() - @val as a whole number >= @min (decimal or 0x hex;
 * no sign, no blanks, no overflow) into *@out.  Return 0, or -1 after
 * "ksmsim CMD: OPT takes a number >= MIN, not 'VAL'" on stderr.
 */
int cli_parse_count(const char *cmd, const char *opt, const char *val,
		    unsigned long min, unsigned long *out);

/* The message for CLI_OPT_NO_VALUE / CLI_OPT_UNKNOWN / a surplus word. */
void cli_opt_error(const char *cmd, int key, const char *val);

#endif /* KSMSIM_CLI_OPTS_H */
