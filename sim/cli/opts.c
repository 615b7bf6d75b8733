// SPDX-License-Identifier: MIT
/* The subcommands' option parser; see opts.h. */
#include "cli/opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @w is @o's "--name=VALUE": the VALUE, else NULL. */
static const char *eq_value(const struct cli_option *o, const char *w)
{
	size_t n = strlen(o->name);

	if (o->value < CLI_VAL_EQ || strncmp(w, o->name, n) || w[n] != '=')
		return NULL;
	return w + n + 1;
}

int cli_next_opt(struct cli_args *a, const struct cli_option *opts,
		 const char **val)
{
	const char *w;

	if (a->next >= a->argc)
		return CLI_OPT_END;
	w = a->argv[a->next++];
	*val = w;
	if (a->dashdash && !a->opts_ended && !strcmp(w, "--")) {
		/* Every word after a lone "--" is positional. */
		a->opts_ended = true;
		return cli_next_opt(a, opts, val);
	}
	if (a->opts_ended)
		return CLI_OPT_ARG;
	for (const struct cli_option *o = opts; o->name; o++) {
		const char *eq = eq_value(o, w);

		if (eq) {
			*val = eq;
			return o->key;
		}
		if (strcmp(w, o->name) && (!o->alias || strcmp(w, o->alias)))
			continue;
		if (o->value == CLI_VAL_NONE)
			return o->key;
		if (o->value == CLI_VAL_EQ)
			break;
		if (a->next >= a->argc) {
			a->missing_what = o->what ? o->what : "a value";
			return CLI_OPT_NO_VALUE;
		}
		*val = a->argv[a->next++];
		return o->key;
	}
	if (w[0] == '-' && (w[1] || !a->dash_is_arg))
		return CLI_OPT_UNKNOWN;
	return CLI_OPT_ARG;
}

/* Whole digits only (decimal or 0x hex): strtoull() alone would take
 * blanks, a sign and "0x" with no digits. */
static int parse_strict(const char *val, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)val[0]))
		return -1;
	*out = strtoull(val, &end, 0);
	return *end || errno ? -1 : 0;
}

int cli_parse_count(const char *cmd, const char *opt, const char *val,
		    unsigned long min, unsigned long *out)
{
	unsigned long long v;

	if (parse_strict(val, &v) || v < min || v > ULONG_MAX) {
		fprintf(stderr, "ksmsim %s: %s takes a number >= %lu, not '%s'\n", cmd, opt,
			min, val);
		return -1;
	}
	*out = (unsigned long)v;
	return 0;
}

int cli_parse_bounded(const char *cmd, const char *opt, const char *val,
		      unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	if (parse_strict(val, out) || *out < min || *out > max) {
		fprintf(stderr, "ksmsim %s: %s takes a number from %llu to %llu, not '%s'\n",
			cmd, opt, min, max, val);
		return -1;
	}
	return 0;
}

void cli_opt_error(const struct cli_args *a, const char *cmd, int key, const char *val)
{
	if (key == CLI_OPT_NO_VALUE)
		fprintf(stderr, "ksmsim %s: %s needs %s\n", cmd, val, a->missing_what);
	else
		fprintf(stderr, "ksmsim %s: unexpected argument '%s'\n", cmd, val);
}
