/* SPDX-License-Identifier: MIT */
/*
 * DOC: Comparing two snapshot streams field by field
 *
 * ksm_snapdiff_compare() compares record i of stream A with record i of
 * stream B, field by field in record order (line, label, global.*,
 * knobs.*, procs.P / procs.P.*, sharing.*; for migrate records migrate.*
 * and migrate.mappings[P:ADDR] / migrate.mappings[P:ADDR].*, mappings
 * matched by process and address; a snapshot record against a migrate
 * record is one difference, "record kind"), and reports every difference
 * through a callback with the field's dotted path and both values as
 * `ksmsim diff` prints them (strings and the hash quoted, long sizes
 * arrays summarised).  When the streams hold different numbers of records
 * it then reports the counts and every unmatched record.  `ksmsim diff`,
 * `ksmsim compare` and `ksmsim-difffuzz` are its users; the printing is
 * theirs.  `compare` asks for the values as `expect` writes them
 * (@expect_values) and compares the summaries of two migrations with
 * ksm_snapdiff_fields().
 *
 * Ignore patterns (`--ignore FIELD`) leave out FIELD and everything below
 * it; a `*` component matches any one name (procs.*.vmas), also a key in
 * brackets (migrate.mappings[*].node).  "migrate" leaves the migrate
 * records out of both streams before records are paired.
 * ksm_snapdiff_pattern_valid() says whether a pattern names a field of
 * the record (or a prefix of one), so that a misspelt pattern can be
 * refused instead of silently ignoring nothing.
 *
 * ksm_snapshot_read_buffer() reads a whole JSON Lines stream held in
 * memory with the same rules as ksm_snapshot_read_file().
 */
#ifndef KSMSIM_SNAPSHOT_DIFF_H
#define KSMSIM_SNAPSHOT_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "ksmsim/diag.h"
#include "ksmsim/snapshot.h"

struct ksm_snapdiff_opts {
	const char *const *ignore; /* patterns, @nignore of them         */
	size_t nignore;
	/* Values as `expect` writes them (the hash unquoted, advisor_mode
	 * as its number), not as the record does. */
	bool expect_values;
	/* A field of record @a (stream A) differs from record @b's. */
	void (*on_diff)(void *ctx, const struct ksm_snapshot *a,
			const struct ksm_snapshot *b, const char *field,
			const char *va, const char *vb);
	/* The streams hold @na and @nb records (called only if they differ). */
	void (*on_count)(void *ctx, size_t na, size_t nb);
	/* Record @r of stream A (@in_b false) or B has no counterpart. */
	void (*on_unmatched)(void *ctx, bool in_b, const struct ksm_snapshot *r);
	void *ctx;
};

/* Does @pat name a field of the snapshot record, or a prefix of one? */
bool ksm_snapdiff_pattern_valid(const char *pat);

/* Is @field (a dotted path) covered by one of the @n patterns? */
bool ksm_snapdiff_ignored(const char *const *pats, size_t n, const char *field);

/*
 * ksm_snapdiff_compare() - compare @na records of @a with @nb records of
 * @b.  Callbacks may be NULL.
 * Return: the number of differences (a count mismatch counts one, each
 * unmatched record one more).
 */
unsigned long ksm_snapdiff_compare(const struct ksm_snapshot *a, size_t na,
				   const struct ksm_snapshot *b, size_t nb,
				   const struct ksm_snapdiff_opts *o);

/*
 * ksm_snapdiff_fields() - compare one object of field table @tab at @a
 * with the one at @b (no SIZES or MAPPINGS member), fields named
 * "@prefix.NAME"; @o->on_diff is called with NULL records.
 * Return: the number of differences.
 */
unsigned long ksm_snapdiff_fields(const char *prefix, const struct ksm_snap_field *tab,
				  const void *a, const void *b,
				  const struct ksm_snapdiff_opts *o);

/*
 * ksm_snapshot_read_buffer() - every record of the JSON Lines text @text
 * (@len bytes), as ksm_snapshot_read_file() reads a file: one record per
 * line, a missing final newline accepted, an empty line not; @file names
 * the stream in diagnostics.  Empty text gives no records.
 * Return: 0 with *@out (owned, free with ksm_snapshot_array_free()) and
 * *@n set, or -1 with @err set.
 */
int ksm_snapshot_read_buffer(const char *file, const char *text, size_t len,
			     struct ksm_snapshot **out, size_t *n,
			     struct ksm_diag *err);

#endif /* KSMSIM_SNAPSHOT_DIFF_H */
