// SPDX-License-Identifier: MIT
/* Name lookup; see lookup.h. */
#include "core/lookup.h"

#include <string.h>

int sim_name_index(const char *const *names, const char *name)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}
