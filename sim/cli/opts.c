// SPDX-License-Identifier: MIT
/* The subcommands' option parser; see opts.h. */
#include "cli/opts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_next_opt(struct cli_args *a, const struct cli_option *opts,
		 const char **val)
{
	const char *w;

	if (a->next >= a->argc)
		return CLI_OPT_END;
	w = a->argv[a->next++];
	*val = w;
	for (const struct cli_option *o = opts; o->name; o++) {
		if (strcmp(w, o->name) && (!o->alias || strcmp(w, o->alias)))
			continue;
		if (!o->value)
			return o->key;
		if (a->next >= a->argc)
			return CLI_OPT_NO_VALUE;
		*val = a->argv[a->next++];
		return o->key;
	}
	if (w[0] == '-' && (w[1] || !a->dash_is_arg))
		return CLI_OPT_UNKNOWN;
	return CLI_OPT_ARG;
}

int cli_parse_count(const char *cmd, const char *opt, const char *val,
		    unsigned long min, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = isdigit((unsigned char)val[0]) ? strtoul(val, &end, 0) : 0;
	if (!isdigit((unsigned char)val[0]) || *end || errno || *out < min) {
		fprintf(stderr, "ksmsim %s: %s takes a number >= %lu, not '%s'\n", cmd, opt,
			min, val);
		return -1;
	}
	return 0;
}

void cli_opt_error(const char *cmd, int key, const char *val)
{
	if (key == CLI_OPT_NO_VALUE)
		fprintf(stderr, "ksmsim %s: %s needs a value\n", cmd, val);
	else
		fprintf(stderr, "ksmsim %s: unexpected argument '%s'\n", cmd, val);
}
