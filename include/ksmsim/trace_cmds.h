/* SPDX-License-Identifier: MIT */
/*
 * DOC: The trace commands, one row each
 *
 * Every command of ksmtrace v1 is one row of one table
 * (sim/trace/cmd_table.c): its word, its usage, the kinds of its
 * arguments in order, an optional check of the parsed command, flags that
 * say what kind of command it is, and an example line.  The parser and
 * the writer are driven by the argument kinds; the replayers, exploration
 * and the command line's skip lists read the flags instead of keeping
 * lists of command kinds of their own; tests/unit/test_trace_cmds.c loops
 * over every row and checks the parser, the writer, the replayer, the
 * fuzz dictionary and docs/trace-format.md against it.  Adding a command
 * is described in docs/architecture.md ("Adding a command").
 */
#ifndef KSMSIM_TRACE_CMDS_H
#define KSMSIM_TRACE_CMDS_H

#include <stddef.h>

#include "ksmsim/trace.h"

/* What an argument is, and which field of struct trace_cmd it fills. */
enum trace_arg_kind {
	TARG_PROC,       /* P or PARENT, a live process's name: proc[0]      */
	TARG_NEW_PROC,   /* spawn's P, a name no live process has: proc[0]   */
	TARG_CHILD,      /* CHILD, a process name: proc[1]                   */
	TARG_ADDR,       /* a page-aligned address: addr                     */
	TARG_NPAGES,     /* pages from addr, at least 1: npages              */
	TARG_NEW_ADDR,   /* mremap's destination: addr2                      */
	TARG_NEW_NPAGES, /* pages from addr2: npages2                        */
	TARG_PROT,       /* rw, r or none: prot (rw when left out)           */
	TARG_ADVICE,     /* mergeable, unmergeable or dontneed: advice       */
	TARG_MERGE_ANY,  /* merge_any=0|1: merge_any                         */
	TARG_CONTENT,    /* token=N, seq=N, ... over npages: content         */
	TARG_SCAN,       /* rounds=N or batches=N: scan_unit, scan_count     */
	TARG_KNOBS,      /* set's NAME=VALUE pairs, to the end: kvs          */
	TARG_COUNTERS,   /* expect's NAME=VALUE pairs, to the end: kvs       */
	TARG_LABEL,      /* a snapshot label: label (NULL when left out)     */
	TARG_DOT,        /* WHAT [P [ADDR]] FILE, to the end: dot_what,
			  * proc[0], addr, dot_file                          */
};

struct trace_arg {
	enum trace_arg_kind kind;
	const char *role; /* its name in diagnostics ("OLD_ADDR"), or NULL */
};

/* What a command does, for the code that treats commands by kind. */
enum trace_cmd_flag {
	/* Its first argument names a live process (TARG_PROC): the
	 * replayers look it up first ("no live process named 'P'", at P). */
	TCF_PROCESS = 1u << 0,
	/* A system call on P's address space (mmap ... read, prctl): the
	 * kernel replayer hands it to P's worker process. */
	TCF_ADDRESS_SPACE = 1u << 1,
	/* The simulator's: a replayer on a real kernel skips it. */
	TCF_SIM_ONLY = 1u << 2,
	/* Only reads the machine: replaying it changes no snapshot field. */
	TCF_OBSERVER = 1u << 3,
	/* Walks the rmap of KSM pages (check, rmap, migrate): `ksmsim rmap`
	 * leaves these out of the replay before the walk it measures. */
	TCF_RMAP_WALK = 1u << 4,
	/* Writes a picture file (dot). */
	TCF_DRAWS = 1u << 5,
	/* Checks every KSM page of the machine (check): the observer that
	 * costs most, which `ksmsim dot` leaves out of its replay. */
	TCF_CHECKS_ALL = 1u << 6,
	/* Works in steps the machine keeps when a later step fails: a
	 * refused scan may have run some of its batches, so exploration
	 * rebuilds the machine after one. */
	TCF_PARTIAL = 1u << 7,
};

#define TRACE_CMD_ARGS_MAX 5 /* argument kinds of the longest command */

/*
 * trace_cmd_check_fn - a check of a parsed command that the argument
 * kinds alone cannot make (fork: CHILD differs from PARENT).  Return 0,
 * or -1 with @word the word at fault (0 is the command) and @msg the
 * message.
 */
typedef int (*trace_cmd_check_fn)(const struct trace_cmd *c, unsigned *word,
				  char *msg, size_t msglen);

struct trace_cmd_info {
	enum trace_cmd_kind kind;
	const char *name;       /* the command word                        */
	const char *usage;      /* its arguments, in "takes ..." messages   */
	size_t min_args;        /* words after the command word           */
	size_t max_args;        /* SIZE_MAX: the last kind takes the rest */
	unsigned nargs;         /* kinds in args[]                        */
	struct trace_arg args[TRACE_CMD_ARGS_MAX];
	trace_cmd_check_fn check; /* NULL: none                          */
	unsigned flags;         /* enum trace_cmd_flag                    */
	/* A valid line in canonical form (the writer's output); the tests
	 * parse, write and replay it after a fixed prologue. */
	const char *example;
};

/* trace_cmd_info() - the row of @kind; NULL if @kind is out of range. */
const struct trace_cmd_info *trace_cmd_info(enum trace_cmd_kind kind);

/*
 * trace_cmd_lookup() - the kind whose word is the @len bytes at @word;
 * -1 if no command has that word.
 */
int trace_cmd_lookup(const char *word, size_t len);

/* trace_cmd_flags() - the flags of @kind (0 if @kind is out of range). */
static inline unsigned trace_cmd_flags(enum trace_cmd_kind kind)
{
	const struct trace_cmd_info *info = trace_cmd_info(kind);

	return info ? info->flags : 0;
}

#endif /* KSMSIM_TRACE_CMDS_H */
