// SPDX-License-Identifier: MIT
/* SIM_BUG_ON()'s report; see bug.h. */
#include "core/bug.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void sim_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "ksmsim: internal error: %s:%d: BUG_ON(%s)\n", file, line, cond);
	/* abort(), not exit(): a core dump or the debugger shows the state.
	 * cleanup.c's SIGABRT handler still removes temporary output. */
	abort();
}
