// SPDX-License-Identifier: MIT
/*
 * DOC: The command table
 *
 * One row per command (include/ksmsim/trace_cmds.h), in the order of
 * enum trace_cmd_kind.  The usage texts are those of the parser's
 * "CMD takes USAGE, got N arguments" diagnostics, listed in
 * docs/trace-format.md; the examples are in canonical form.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/array.h"
#include "ksmsim/trace_cmds.h"


/* fork: a live PARENT cannot have a CHILD of its own name. */
static int check_fork(const struct trace_cmd *c, unsigned *word, char *msg,
		      size_t msglen)
{
	if (strcmp(c->proc[0], c->proc[1]))
		return 0;
	*word = 2;
	snprintf(msg, msglen, "CHILD '%s' is the same process as PARENT",
		 c->proc[1]);
	return -1;
}

#define P { TARG_PROC, "P" }
#define ADDR { TARG_ADDR, "ADDR" }
#define NPAGES { TARG_NPAGES, "NPAGES" }
#define SPACE (TCF_PROCESS | TCF_ADDRESS_SPACE)

static const struct trace_cmd_info cmds[TC__COUNT] = {
	[TC_SET] = { TC_SET, "set", "NAME=VALUE [NAME=VALUE ...]", 1, SIZE_MAX,
		     1, { { TARG_KNOBS, NULL } }, NULL, 0,
		     "set pages_to_scan=100 smart_scan=0" },
	[TC_SPAWN] = { TC_SPAWN, "spawn", "P", 1, 1,
		       1, { { TARG_NEW_PROC, "P" } }, NULL, 0, "spawn b" },
	[TC_FORK] = { TC_FORK, "fork", "PARENT CHILD", 2, 2,
		      2, { { TARG_PROC, "PARENT" }, { TARG_CHILD, "CHILD" } },
		      check_fork, TCF_PROCESS, "fork a b" },
	[TC_EXIT] = { TC_EXIT, "exit", "P", 1, 1, 1, { P }, NULL, TCF_PROCESS,
		      "exit a" },
	[TC_MMAP] = { TC_MMAP, "mmap", "P ADDR NPAGES [PROT]", 3, 4,
		      4, { P, ADDR, NPAGES, { TARG_PROT, "PROT" } }, NULL, SPACE,
		      "mmap a 0x200000000000 4 r" },
	[TC_MUNMAP] = { TC_MUNMAP, "munmap", "P ADDR NPAGES", 3, 3,
			3, { P, ADDR, NPAGES }, NULL, SPACE,
			"munmap a 0x100000000000 2" },
	[TC_MPROTECT] = { TC_MPROTECT, "mprotect", "P ADDR NPAGES PROT", 4, 4,
			  4, { P, ADDR, NPAGES, { TARG_PROT, "PROT" } }, NULL,
			  SPACE, "mprotect a 0x100000000000 2 r" },
	[TC_MREMAP] = { TC_MREMAP, "mremap",
			"P OLD_ADDR OLD_NPAGES NEW_ADDR NEW_NPAGES", 5, 5,
			5, { P, { TARG_ADDR, "OLD_ADDR" },
			     { TARG_NPAGES, "OLD_NPAGES" },
			     { TARG_NEW_ADDR, "NEW_ADDR" },
			     { TARG_NEW_NPAGES, "NEW_NPAGES" } }, NULL, SPACE,
			"mremap a 0x100000000000 4 0x300000000000 4" },
	[TC_MADVISE] = { TC_MADVISE, "madvise", "P ADDR NPAGES ADVICE", 4, 4,
			 4, { P, ADDR, NPAGES, { TARG_ADVICE, "ADVICE" } }, NULL,
			 SPACE, "madvise a 0x100000000000 16 unmergeable" },
	[TC_PRCTL] = { TC_PRCTL, "prctl", "P merge_any=0|1", 2, 2,
		       2, { P, { TARG_MERGE_ANY, NULL } }, NULL, SPACE,
		       "prctl a merge_any=1" },
	[TC_WRITE] = { TC_WRITE, "write", "P ADDR NPAGES CONTENT", 4, 4,
		       4, { P, ADDR, NPAGES, { TARG_CONTENT, "CONTENT" } }, NULL,
		       SPACE, "write a 0x100000000000 4 seq=7" },
	[TC_READ] = { TC_READ, "read", "P ADDR NPAGES", 3, 3,
		      3, { P, ADDR, NPAGES }, NULL, SPACE,
		      "read a 0x100000000000 4" },
	[TC_SCAN] = { TC_SCAN, "scan", "rounds=N or batches=N", 1, 1,
		      1, { { TARG_SCAN, NULL } }, NULL, TCF_PARTIAL,
		      "scan batches=1" },
	[TC_EXPECT] = { TC_EXPECT, "expect", "NAME=VALUE [NAME=VALUE ...]", 1,
			SIZE_MAX, 1, { { TARG_COUNTERS, NULL } }, NULL,
			TCF_OBSERVER, "expect a.vmas=1 a.ksm_merge_any=no" },
	[TC_SNAPSHOT] = { TC_SNAPSHOT, "snapshot", "[LABEL]", 0, 1,
			  1, { { TARG_LABEL, "LABEL" } }, NULL, TCF_OBSERVER,
			  "snapshot after-merge" },
	[TC_CHECK] = { TC_CHECK, "check", "no arguments", 0, 0, 0, { { 0 } },
		       NULL, TCF_SIM_ONLY | TCF_OBSERVER | TCF_RMAP_WALK |
		       TCF_CHECKS_ALL, "check" },
	[TC_RMAP] = { TC_RMAP, "rmap", "P ADDR", 2, 2, 2, { P, ADDR }, NULL,
		      TCF_PROCESS | TCF_SIM_ONLY | TCF_OBSERVER | TCF_RMAP_WALK,
		      "rmap a 0x100000000000" },
	[TC_DOT] = { TC_DOT, "dot", "WHAT [P [ADDR]] FILE", 1, SIZE_MAX,
		     1, { { TARG_DOT, NULL } }, NULL,
		     TCF_SIM_ONLY | TCF_OBSERVER | TCF_DRAWS,
		     "dot mm a a-vmas.dot" },
	[TC_MIGRATE] = { TC_MIGRATE, "migrate", "P ADDR", 2, 2, 2, { P, ADDR },
			 NULL, TCF_PROCESS | TCF_RMAP_WALK,
			 "migrate a 0x100000000000" },
};

_Static_assert(ARRAY_SIZE(cmds) == TC__COUNT, "one row per command");

const struct trace_cmd_info *trace_cmd_info(enum trace_cmd_kind kind)
{
	/* A kind without a row (no name) is as unknown as one out of range. */
	if ((unsigned)kind >= ARRAY_SIZE(cmds) || !cmds[kind].name)
		return NULL;
	return &cmds[kind];
}

int trace_cmd_lookup(const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (cmds[i].name && strlen(cmds[i].name) == len &&
		    memcmp(cmds[i].name, word, len) == 0)
			return (int)i;
	return -1;
}

const char *trace_cmd_name(enum trace_cmd_kind kind)
{
	const struct trace_cmd_info *info = trace_cmd_info(kind);

	return info ? info->name : NULL;
}
