/* SPDX-License-Identifier: MIT */
/*
 * DOC: ksmsim compare's parts (cmd_compare.c)
 *
 * cmd_compare.c replays one trace on two machines in lockstep; after each
 * command it collects what differs in a struct diffs (compare_diff.c: the
 * records field by field, the last migrate's outcome, the rmap findings
 * of one machine only) and prints it as text or JSON (compare_output.c).
 */
#ifndef KSMSIM_CLI_COMPARE_H
#define KSMSIM_CLI_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/replay.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/sim_snapshot.h"
#include "ksmsim/trace.h"

#define MAX_SETTINGS 16

/*
 * One rmap finding of one machine after one command.  @page names the
 * page by its first mapping (process, address), which both machines
 * share while their PFNs may not (a page one kernel migrated and the
 * other could not sits on different frames).
 */
struct finding {
	enum rmap_finding_kind kind;
	uint32_t pfn;
	char page[KSM_SNAP_NAME_MAX + 24]; /* "P:0xADDR", or "pfn N" unmapped */
	char *text;
	bool matched;
};

struct side {
	const char *settings[MAX_SETTINGS];
	int n;
	struct ksm_sim *sim;
	struct replay_result res;
	struct finding *f;
	size_t nf, capf;
};

/* A field that differs: where.field, and both values. */
struct field_diff {
	char field[96];
	char a[40], b[40];
};

/* What differs after one command. */
struct diffs {
	struct field_diff *fd;   /* counters, knobs, procs, sharing */
	size_t nfd, capfd;
	struct field_diff *md;   /* the migrate outcome            */
	size_t nmd, capmd;
	struct finding **only[2]; /* findings of one machine only   */
	size_t nonly[2];
};

/* ---- compare_diff.c: what differs ---- */

/* The records of both machines, field by field, into @d->fd. */
void diff_snapshots(const struct ksm_snapshot *a, const struct ksm_snapshot *b,
		    struct diffs *d);
/* The last migrate's outcome on each machine, into @d->md. */
void diff_migrations(const struct ksm_migrate_summary *a,
		     const struct ksm_migrate_summary *b, struct diffs *d);
/* Run the rmap check on @s's machine: its findings, each page named. */
void check_side(struct side *s);
void drop_findings(struct side *s);
/* The findings of one machine only, into @d->only. */
void diff_findings(struct side side[2], struct diffs *d);
void diffs_free(struct diffs *d);
bool diffs_empty(const struct diffs *d);

/* ---- compare_output.c: text and JSON ---- */

/* What is printed after "after 'CMD': " (malloc'd). */
char *diffs_text(const struct diffs *d);
/* One element of the JSON "changes" array. */
void json_change(bool first, const struct trace_cmd *c, const char *cmd,
		 const struct diffs *d);
/* @c as the trace writer writes it (malloc'd). */
char *command_text(const struct trace_cmd *c);

#endif /* KSMSIM_CLI_COMPARE_H */
