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
#include "ksmsim/diag.h"
#include "ksmsim/snapshot.h"

#define MAX_IGNORES 64
#define SIZES_INLINE 16 /* longer sizes arrays are summarised */

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
		"Compare two snapshot streams (JSON Lines, one record per `snapshot`)\n"
		"record by record and print every field that differs:\n"
		"  B.jsonl:LINE: record for trace line N (label L): FIELD: A != B\n"
		"\n"
		"  --ignore FIELD  skip FIELD and everything below it (repeatable);\n"
		"                  e.g. knobs.advisor_max_cpu, global.pages_scanned,\n"
		"                  procs.*.vmas, sharing\n"
		"\n"
		"Exit status: 0 identical, 1 different, 2 bad usage or malformed input.\n");
}

/* ---- field paths and --ignore ---- */

static size_t split(const char *path, char comp[4][64])
{
	size_t n = 0;

	while (*path && n < 4) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		snprintf(comp[n++], 64, "%.*s", (int)len, path);
		if (!dot)
			break;
		path = dot + 1;
	}
	return n;
}

static bool table_has(const struct ksm_snap_field *tab, const char *name)
{
	for (; tab->name; tab++)
		if (!strcmp(tab->name, name))
			return true;
	return false;
}

/* Is @pat a path of the record (or a prefix of one)? */
static bool pattern_valid(const char *pat)
{
	char c[4][64];
	size_t n;

	if (!*pat || pat[strlen(pat) - 1] == '.' || strstr(pat, ".."))
		return false;
	n = split(pat, c);
	if (strchr(pat, '.') && n == 4)
		return false; /* deeper than any field */
	if (!strcmp(c[0], "line") || !strcmp(c[0], "label"))
		return n == 1;
	if (!strcmp(c[0], "global") || !strcmp(c[0], "knobs") || !strcmp(c[0], "sharing")) {
		const struct ksm_snap_field *tab = c[0][0] == 'g' ? ksm_snap_global_fields :
			c[0][0] == 'k' ? ksm_snap_knob_fields : ksm_snap_sharing_fields;

		return n == 1 || (n == 2 && (!strcmp(c[1], "*") || table_has(tab, c[1])));
	}
	if (!strcmp(c[0], "procs"))
		return n <= 2 || (n == 3 && (!strcmp(c[2], "*") ||
					     table_has(ksm_snap_proc_fields, c[2])));
	return false;
}

/* Does @pat cover @field (equal, or a prefix ending at a component)? */
static bool pattern_covers(const char *pat, const char *field)
{
	char pc[4][64], fc[4][64];
	size_t np = split(pat, pc), nf = split(field, fc);

	if (np > nf)
		return false;
	for (size_t i = 0; i < np; i++)
		if (strcmp(pc[i], "*") && strcmp(pc[i], fc[i]))
			return false;
	return true;
}

static bool ignored(const struct diff *d, const char *field)
{
	for (size_t i = 0; i < d->nignore; i++)
		if (pattern_covers(d->ignore[i], field))
			return true;
	return false;
}

/* ---- reporting ---- */

static void report(struct diff *d, const struct ksm_snapshot *a,
		   const struct ksm_snapshot *b, const char *field,
		   const char *va, const char *vb)
{
	d->ndiff++;
	printf("%s:%u: record for trace line %u ", d->name_b, b->src_line, a->line);
	if (a->label && a->label[0])
		printf("(label %s)", a->label);
	else
		printf("(no label)");
	printf(": %s: %s != %s\n", field, va, vb);
}

static void format_value(char *buf, size_t size, const struct ksm_snap_field *f,
			 const void *base)
{
	const char *m = (const char *)base + f->offset;

	switch (f->type) {
	case KSM_SNAP_INT:
		snprintf(buf, size, "%" PRId64, *(const int64_t *)m);
		break;
	case KSM_SNAP_BOOL:
		snprintf(buf, size, "%s", *(const bool *)m ? "true" : "false");
		break;
	case KSM_SNAP_ADVISOR: {
		const char *s = ksm_advisor_mode_name(*(const enum ksm_advisor_mode *)m);

		snprintf(buf, size, "\"%s\"", s ? s : "?");
		break;
	}
	case KSM_SNAP_HASH:
		snprintf(buf, size, "\"%016" PRIx64 "\"", *(const uint64_t *)m);
		break;
	case KSM_SNAP_SIZES:
		buf[0] = '\0'; /* handled by compare_sizes() */
		break;
	}
}

static void format_sizes(char *buf, size_t size, const struct ksm_sharing *s)
{
	size_t k = 0;

	k += (size_t)snprintf(buf + k, size - k, "[");
	for (int64_t i = 0; i < s->groups && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%" PRId64, i ? "," : "",
				      s->sizes[i]);
	if (k < size)
		snprintf(buf + k, size - k, "]");
}

static void compare_sizes(struct diff *d, const struct ksm_snapshot *ra,
			  const struct ksm_snapshot *rb)
{
	const struct ksm_sharing *a = &ra->sharing, *b = &rb->sharing;
	char va[512], vb[512];
	int64_t i;

	if (a->groups == b->groups &&
	    (!a->groups || !memcmp(a->sizes, b->sizes, (size_t)a->groups * sizeof(*a->sizes))))
		return;
	if (a->groups <= SIZES_INLINE && b->groups <= SIZES_INLINE) {
		format_sizes(va, sizeof(va), a);
		format_sizes(vb, sizeof(vb), b);
		report(d, ra, rb, "sharing.sizes", va, vb);
		return;
	}
	/* Long arrays: where they first differ, and their lengths. */
	for (i = 0; i < a->groups && i < b->groups && a->sizes[i] == b->sizes[i]; i++)
		;
	snprintf(va, sizeof(va), "%" PRId64 " groups, [%" PRId64 "]=%s", a->groups, i,
		 i < a->groups ? "" : "(none)");
	if (i < a->groups)
		snprintf(va + strlen(va), sizeof(va) - strlen(va), "%" PRId64, a->sizes[i]);
	snprintf(vb, sizeof(vb), "%" PRId64 " groups, [%" PRId64 "]=%s", b->groups, i,
		 i < b->groups ? "" : "(none)");
	if (i < b->groups)
		snprintf(vb + strlen(vb), sizeof(vb) - strlen(vb), "%" PRId64, b->sizes[i]);
	report(d, ra, rb, "sharing.sizes", va, vb);
}

static void compare_table(struct diff *d, const struct ksm_snapshot *ra,
			  const struct ksm_snapshot *rb, const char *prefix,
			  const struct ksm_snap_field *tab, const void *a,
			  const void *b)
{
	for (const struct ksm_snap_field *f = tab; f->name; f++) {
		char field[128], va[128], vb[128];

		snprintf(field, sizeof(field), "%s.%s", prefix, f->name);
		if (ignored(d, field))
			continue;
		if (f->type == KSM_SNAP_SIZES) {
			compare_sizes(d, ra, rb);
			continue;
		}
		format_value(va, sizeof(va), f, a);
		format_value(vb, sizeof(vb), f, b);
		if (strcmp(va, vb))
			report(d, ra, rb, field, va, vb);
	}
}

static void compare_procs(struct diff *d, const struct ksm_snapshot *a,
			  const struct ksm_snapshot *b)
{
	size_t i = 0, j = 0;

	/* Both arrays are sorted by name: merge them. */
	while (i < a->nprocs || j < b->nprocs) {
		int c = i == a->nprocs ? 1 : j == b->nprocs ? -1 :
			strcmp(a->procs[i].name, b->procs[j].name);
		char field[64];

		if (c) {
			const char *name = c < 0 ? a->procs[i].name : b->procs[j].name;

			snprintf(field, sizeof(field), "procs.%s", name);
			if (!ignored(d, field))
				report(d, a, b, field, c < 0 ? "present" : "absent",
				       c < 0 ? "absent" : "present");
			if (c < 0)
				i++;
			else
				j++;
			continue;
		}
		snprintf(field, sizeof(field), "procs.%s", a->procs[i].name);
		compare_table(d, a, b, field, ksm_snap_proc_fields, &a->procs[i],
			      &b->procs[j]);
		i++;
		j++;
	}
}

static void compare_record(struct diff *d, const struct ksm_snapshot *a,
			   const struct ksm_snapshot *b)
{
	if (!ignored(d, "line") && a->line != b->line) {
		char va[16], vb[16];

		snprintf(va, sizeof(va), "%u", a->line);
		snprintf(vb, sizeof(vb), "%u", b->line);
		report(d, a, b, "line", va, vb);
	}
	if (!ignored(d, "label") && strcmp(a->label, b->label)) {
		char va[300], vb[300];

		snprintf(va, sizeof(va), "\"%.256s\"", a->label);
		snprintf(vb, sizeof(vb), "\"%.256s\"", b->label);
		report(d, a, b, "label", va, vb);
	}
	compare_table(d, a, b, "global", ksm_snap_global_fields, &a->global, &b->global);
	compare_table(d, a, b, "knobs", ksm_snap_knob_fields, &a->knobs, &b->knobs);
	compare_procs(d, a, b);
	compare_table(d, a, b, "sharing", ksm_snap_sharing_fields, &a->sharing,
		      &b->sharing);
}

static void report_unmatched(struct diff *d, const char *file,
			     const struct ksm_snapshot *r)
{
	d->ndiff++;
	printf("%s:%u: record for trace line %u ", file, r->src_line, r->line);
	if (r->label && r->label[0])
		printf("(label %s)", r->label);
	else
		printf("(no label)");
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
	bool opts = true;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *pat = NULL;

		if (opts && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
			usage(stdout);
			return KSMSIM_EXIT_OK;
		}
		if (opts && !strcmp(arg, "--")) {
			opts = false;
			continue;
		}
		if (opts && !strcmp(arg, "--ignore")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ksmsim diff: --ignore needs a FIELD\n");
				return KSMSIM_EXIT_USAGE;
			}
			pat = argv[++i];
		} else if (opts && !strncmp(arg, "--ignore=", 9)) {
			pat = arg + 9;
		} else if (opts && arg[0] == '-' && arg[1]) {
			fprintf(stderr, "ksmsim diff: unknown option '%s'\n", arg);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		} else {
			if (nfiles == 2) {
				fprintf(stderr, "ksmsim diff: too many files\n");
				usage(stderr);
				return KSMSIM_EXIT_USAGE;
			}
			files[nfiles++] = arg;
			continue;
		}
		if (!pattern_valid(pat)) {
			fprintf(stderr, "ksmsim diff: --ignore %s: not a field of the snapshot record\n",
				pat);
			return KSMSIM_EXIT_USAGE;
		}
		if (d.nignore == MAX_IGNORES) {
			fprintf(stderr, "ksmsim diff: at most %d --ignore options\n", MAX_IGNORES);
			return KSMSIM_EXIT_USAGE;
		}
		d.ignore[d.nignore++] = pat;
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

	for (size_t i = 0; i < na && i < nb; i++)
		compare_record(&d, &ra[i], &rb[i]);
	if (na != nb) {
		d.ndiff++;
		printf("%s: record count: %zu != %zu\n", d.name_b, na, nb);
		for (size_t i = nb; i < na; i++)
			report_unmatched(&d, d.name_a, &ra[i]);
		for (size_t i = na; i < nb; i++)
			report_unmatched(&d, d.name_b, &rb[i]);
	}
	ksm_snapshot_array_free(ra, na);
	ksm_snapshot_array_free(rb, nb);
	fflush(stdout);
	return d.ndiff ? KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
}
