// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim diff — compare two snapshot streams
 *
 *   ksmsim diff [--ignore FIELD]... A.jsonl B.jsonl
 *
 * Both files are read in full first (a malformed record anywhere is an
 * error, exit 2, before anything is compared), then record i of A is
 * compared with record i of B, field by field, in record order.  Each
 * difference is one line on stdout:
 *
 *   B.jsonl:LINE: record for trace line N (label L): FIELD: VALUE_A != VALUE_B
 *
 * LINE is the line of the record in B (record i is on line i of both
 * files, since every line holds exactly one record); N and L are A's
 * trace line and label ("(no label)" when empty).  FIELD is a dotted
 * path: line, label, global.NAME, knobs.NAME, procs.P (a process present
 * on one side only: "absent != present"), procs.P.NAME, sharing.NAME.
 * When the files hold different numbers of records, one line says so
 * ("B.jsonl: record count: 3 != 4") and each unmatched record is listed
 * ("...: only in B.jsonl").
 *
 * --ignore FIELD leaves out FIELD and everything below it; "*" stands for
 * any one path component (procs.*.vmas).  Patterns are checked against the
 * record's shape so a misspelt one is an error rather than a silent no-op.
 *
 * Exit status: 0 identical, 1 some difference, 2 bad usage or unreadable
 * or malformed input (FILE:LINE:COLUMN: message on stderr).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "ksmsim/diag.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/snapshot_diff.h"

#define MAX_IGNORES 64

struct diff {
	const char *name_a, *name_b;
	const char *ignore[MAX_IGNORES];
	size_t nignore;
	unsigned long ndiff;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim diff [--ignore FIELD]... A.jsonl B.jsonl\n"
		"\n"
		"Compare two snapshot streams (JSON Lines: `snapshot`, `migrate` and\n"
		"failed-`expect` records, docs/trace-format.md) record by record and\n"
		"print every field that differs:\n"
		"  B.jsonl:LINE: record for trace line N (label L): FIELD: A != B\n"
		"\n"
		"  --ignore FIELD  skip FIELD and everything below it (repeatable);\n"
		"                  e.g. knobs.advisor_max_cpu, global.pages_scanned,\n"
		"                  procs.*.vmas, sharing, migrate.mappings[*].node;\n"
		"                  migrate and expect_failed leave those records out\n"
		"                  of both streams before they are paired\n"
		"\n"
		"Exit status: 0 identical, 1 different, 2 bad usage or malformed input.\n");
}

/* ---- printing what the library finds ---- */

static void print_record_head(const char *file, unsigned src_line,
			      const struct ksm_snapshot *r)
{
	printf("%s:%u: record for trace line %u ", file, src_line, r->line);
	if (r->label && r->label[0])
		printf("(label %s)", r->label);
	else
		printf("(no label)");
}

static void on_diff(void *ctx, const struct ksm_snapshot *a,
		    const struct ksm_snapshot *b, const char *field,
		    const char *va, const char *vb)
{
	struct diff *d = ctx;

	print_record_head(d->name_b, b->src_line, a);
	printf(": %s: %s != %s\n", field, va, vb);
}

static void on_count(void *ctx, size_t na, size_t nb)
{
	struct diff *d = ctx;

	printf("%s: record count: %zu != %zu\n", d->name_b, na, nb);
}

static void on_unmatched(void *ctx, bool in_b, const struct ksm_snapshot *r)
{
	struct diff *d = ctx;
	const char *file = in_b ? d->name_b : d->name_a;

	print_record_head(file, r->src_line, r);
	printf(": only in %s\n", file);
}

int cmd_diff(int argc, char **argv)
{
	struct diff d = { 0 };
	const char *files[2];
	size_t nfiles = 0;
	struct ksm_snapshot *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0;
	struct ksm_diag err;
	enum { OPT_HELP, OPT_IGNORE };
	static const struct cli_option options[] = {
		{ "--help", "-h", CLI_VAL_NONE, OPT_HELP, NULL },
		{ "--ignore", NULL, CLI_VAL_EITHER, OPT_IGNORE, "a FIELD" },
		{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
	};
	struct cli_args args = { argc, argv, 1, true, true, false, NULL };
	const char *val;
	int key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		switch (key) {
		case OPT_HELP:
			usage(stdout);
			return KSMSIM_EXIT_OK;
		case OPT_IGNORE:
			if (!ksm_snapdiff_pattern_valid(val)) {
				fprintf(stderr,
					"ksmsim diff: --ignore %s: not a field of the snapshot record\n",
					val);
				return KSMSIM_EXIT_USAGE;
			}
			if (d.nignore == MAX_IGNORES) {
				fprintf(stderr, "ksmsim diff: at most %d --ignore options\n",
					MAX_IGNORES);
				return KSMSIM_EXIT_USAGE;
			}
			d.ignore[d.nignore++] = val;
			break;
		case CLI_OPT_ARG:
			if (nfiles == 2) {
				fprintf(stderr, "ksmsim diff: too many files\n");
				usage(stderr);
				return KSMSIM_EXIT_USAGE;
			}
			files[nfiles++] = val;
			break;
		case CLI_OPT_NO_VALUE:
			cli_opt_error(&args, "diff", key, val);
			return KSMSIM_EXIT_USAGE;
		default:
			fprintf(stderr, "ksmsim diff: unknown option '%s'\n", val);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		}
	}
	if (nfiles != 2) {
		usage(stderr);
		return KSMSIM_EXIT_USAGE;
	}
	d.name_a = files[0];
	d.name_b = files[1];
	if (ksm_snapshot_read_file(files[0], &ra, &na, &err) ||
	    ksm_snapshot_read_file(files[1], &rb, &nb, &err)) {
		ksm_diag_print(stderr, &err);
		ksm_snapshot_array_free(ra, na);
		return KSMSIM_EXIT_USAGE;
	}

	{
		struct ksm_snapdiff_opts o = {
			.ignore = d.ignore, .nignore = d.nignore, .on_diff = on_diff,
			.on_count = on_count, .on_unmatched = on_unmatched, .ctx = &d,
		};

		d.ndiff = ksm_snapdiff_compare(ra, na, rb, nb, &o);
	}
	ksm_snapshot_array_free(ra, na);
	ksm_snapshot_array_free(rb, nb);
	fflush(stdout);
	return d.ndiff ? KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
}
