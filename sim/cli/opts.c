// SPDX-License-Identifier: MIT
/* The subcommands' option parser; see opts.h. */
#include "cli/opts.h"

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
			return CLI_OPT_UNKNOWN;
		*val = a->argv[a->next++];
		return o->key;
	}
	if (w[0] == '-' && (w[1] || !a->dash_is_arg))
		return CLI_OPT_UNKNOWN;
	return CLI_OPT_ARG;
}
