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
 *                         (*val), or the rest of "--name=VALUE" where
 *                         the option says so (CLI_VAL_EQ, CLI_VAL_EITHER)
 *   CLI_OPT_ARG           a positional word (*val)
 *   CLI_OPT_UNKNOWN       *val starts with '-' and is no option
 *   CLI_OPT_NO_VALUE      *val is an option that needs a value but is
 *                         the last word ("--max needs a value")
 *   CLI_OPT_END           no words left
 *
 * Words match whole: no abbreviations, no clusters of short options,
 * --name=value only for the options that always took it (diff's
 * --ignore, replay's and check's --check-invariants) and "--" special
 * only where @dashdash says so (diff) — what getopt_long() would accept on
 * top of what the subcommands always accepted is refused — so every
 * command line means what it meant and every message and exit status
 * stays as the tests pin them.  "-" alone is positional only where
 * @dash_is_arg says so (standard input).
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

/* Where an option's value is: struct cli_option's @value. */
enum cli_value {
	CLI_VAL_NONE = 0,   /* a flag (false)                          */
	CLI_VAL_NEXT = 1,   /* the next word (true)                    */
	CLI_VAL_EQ = 2,     /* only "--name=VALUE" in one word          */
	CLI_VAL_EITHER = 3, /* the next word, or "--name=VALUE"         */
};

struct cli_option {
	const char *name;  /* "--max"                                  */
	const char *alias; /* "-h", or NULL                            */
	int value;         /* enum cli_value                           */
	int key;           /* returned for it, >= 0                    */
	const char *what;  /* "OPT needs WHAT" when it is the last word;
			    * NULL: "a value"                          */
};

struct cli_args {
	int argc;
	char **argv;
	int next;          /* start at 1: argv[0] is the subcommand */
	bool dash_is_arg;  /* "-" is a positional word (stdin)      */
	bool dashdash;     /* a lone "--" ends the options          */
	bool opts_ended;   /* a "--" was seen                       */
	const char *missing_what; /* set with CLI_OPT_NO_VALUE      */
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

/*
 * cli_parse_bounded() - as cli_parse_count() with an upper bound too;
 * the message is "ksmsim CMD: OPT takes a number from MIN to MAX, not
 * 'VAL'".
 */
int cli_parse_bounded(const char *cmd, const char *opt, const char *val,
		      unsigned long long min, unsigned long long max,
		      unsigned long long *out);

/*
 * The message for CLI_OPT_NO_VALUE ("ksmsim CMD: OPT needs WHAT", WHAT
 * from the option's table row) / CLI_OPT_UNKNOWN / a surplus word
 * ("unexpected argument").
 */
void cli_opt_error(const struct cli_args *a, const char *cmd, int key, const char *val);

#endif /* KSMSIM_CLI_OPTS_H */
