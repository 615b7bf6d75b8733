// SPDX-License-Identifier: MIT
/*
 * DOC: Field-by-field comparison of snapshot streams
 *
 * The comparison `ksmsim diff` prints and `ksmsim-difffuzz` judges by
 * (include/ksmsim/snapshot_diff.h).  Driven by the field tables of
 * snapshot.h, so a field added there is compared here too.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ksmsim/snapshot_diff.h"

#define SIZES_INLINE 16 /* longer sizes arrays are summarised */

struct cmp {
	const struct ksm_snapdiff_opts *o;
	unsigned long ndiff;
};

/* ---- field paths and patterns ---- */

/*
 * A field path is dotted components, where a component may be followed
 * by bracketed keys: migrate.mappings[c:0x100000000000].frame is
 * "migrate", "mappings", [c:0x100000000000], "frame".
 */
#define PATH_MAX_COMP 6

struct path {
	size_t n;
	char c[PATH_MAX_COMP][80];
	bool key[PATH_MAX_COMP]; /* component was in brackets */
};

/* 0, or -1 if @s is not a well-formed path. */
static int split(const char *s, struct path *p)
{
	p->n = 0;
	for (;;) {
		size_t len = strcspn(s, ".[]");

		if (!len || p->n == PATH_MAX_COMP || len >= sizeof(p->c[0]))
			return -1;
		snprintf(p->c[p->n], sizeof(p->c[0]), "%.*s", (int)len, s);
		p->key[p->n++] = false;
		s += len;
		while (*s == '[') {
			len = strcspn(s + 1, "[]");
			if (!len || s[1 + len] != ']' || p->n == PATH_MAX_COMP ||
			    len >= sizeof(p->c[0]))
				return -1;
			snprintf(p->c[p->n], sizeof(p->c[0]), "%.*s", (int)len, s + 1);
			p->key[p->n++] = true;
			s += len + 2;
		}
		if (!*s)
			return 0;
		if (*s != '.')
			return -1;
		s++;
	}
}

/* Is component @i of @p a plain name that is "*" or in @tab? */
static bool name_in(const struct path *p, size_t i, const struct ksm_snap_field *tab)
{
	return !p->key[i] && (!strcmp(p->c[i], "*") || ksm_field_find(tab, p->c[i]));
}

bool ksm_snapdiff_pattern_valid(const char *pat)
{
	struct path p;
	const char *c0;
	size_t n;

	if (split(pat, &p))
		return false;
	n = p.n;
	c0 = p.c[0];
	for (size_t i = 0; i < n; i++)
		if (p.key[i] && !(!strcmp(c0, "migrate") && i == 2))
			return false; /* keys only index migrate.mappings */
	if (!strcmp(c0, "line") || !strcmp(c0, "label"))
		return n == 1;
	if (!strcmp(c0, "global") || !strcmp(c0, "knobs") || !strcmp(c0, "sharing")) {
		const struct ksm_snap_field *tab = c0[0] == 'g' ? ksm_snap_global_fields :
			c0[0] == 'k' ? ksm_snap_knob_fields : ksm_snap_sharing_fields;

		return n == 1 || (n == 2 && name_in(&p, 1, tab));
	}
	if (!strcmp(c0, "procs"))
		return n <= 2 || (n == 3 && name_in(&p, 2, ksm_snap_proc_fields));
	if (!strcmp(c0, "expect_failed"))
		return n == 1 || (n == 2 && name_in(&p, 1, ksm_snap_expect_failed_fields));
	if (!strcmp(c0, "migrate")) {
		/* migrate, migrate.F, migrate.mappings[P:ADDR], ...[P:ADDR].F */
		if (n >= 2 && !name_in(&p, 1, ksm_snap_migrate_fields))
			return false;
		if (n >= 3 && (!p.key[2] || (strcmp(p.c[1], "mappings") && strcmp(p.c[1], "*"))))
			return false;
		return n <= 3 || (n == 4 && name_in(&p, 3, ksm_snap_mapping_fields));
	}
	return false;
}

/* Does @pat cover @field (equal, or a prefix ending at a component)? */
static bool pattern_covers(const char *pat, const char *field)
{
	struct path pp, fp;

	if (split(pat, &pp) || split(field, &fp) || pp.n > fp.n)
		return false;
	for (size_t i = 0; i < pp.n; i++)
		if (pp.key[i] != fp.key[i] || (strcmp(pp.c[i], "*") && strcmp(pp.c[i], fp.c[i])))
			return false;
	return true;
}

bool ksm_snapdiff_ignored(const char *const *pats, size_t n, const char *field)
{
	for (size_t i = 0; i < n; i++)
		if (pattern_covers(pats[i], field))
			return true;
	return false;
}

static bool ignored(const struct cmp *d, const char *field)
{
	return ksm_snapdiff_ignored(d->o->ignore, d->o->nignore, field);
}

/* ---- values ---- */

static void report(struct cmp *d, const struct ksm_snapshot *a,
		   const struct ksm_snapshot *b, const char *field,
		   const char *va, const char *vb)
{
	d->ndiff++;
	if (d->o->on_diff)
		d->o->on_diff(d->o->ctx, a, b, field, va, vb);
}

/*
 * While merging two sorted lists: the element compared @c (< 0: only in
 * A's, > 0: only in B's) is reported as present on one side, absent on
 * the other, and that side's index moves on.
 */
static void report_one_side(struct cmp *d, const struct ksm_snapshot *a,
			    const struct ksm_snapshot *b, const char *field, int c,
			    size_t *i, size_t *j)
{
	if (!ignored(d, field))
		report(d, a, b, field, c < 0 ? "present" : "absent",
		       c < 0 ? "absent" : "present");
	if (c < 0)
		(*i)++;
	else
		(*j)++;
}

/*
 * Field @f of the object at @base as the differ prints it: as the record
 * writes it (strings and the hash quoted), or with @o->expect_values as
 * `expect` writes it (ksm_snapshot_format_value()).
 */
static void format_value(const struct ksm_snapdiff_opts *o, char *buf, size_t size,
			 const struct ksm_snap_field *f, const void *base)
{
	const char *m = (const char *)base + f->offset;
	uint64_t v = ksm_field_u64(f, base);

	if (o->expect_values) {
		ksm_snapshot_format_value(f, v, buf, size);
		return;
	}
	switch (f->type) {
	case KSM_SNAP_INT:
	case KSM_SNAP_NODE:
		snprintf(buf, size, "%" PRId64, (int64_t)v);
		break;
	case KSM_SNAP_BOOL:
		snprintf(buf, size, "%s", v ? "true" : "false");
		break;
	case KSM_SNAP_ADVISOR: {
		const char *s = ksm_advisor_mode_name((enum ksm_advisor_mode)v);

		snprintf(buf, size, "\"%s\"", s ? s : "?");
		break;
	}
	case KSM_SNAP_HASH:
		snprintf(buf, size, "\"%016" PRIx64 "\"", v);
		break;
	case KSM_SNAP_SIZES:
	case KSM_SNAP_MAPPINGS:
		buf[0] = '\0'; /* handled by compare_sizes(), compare_mappings() */
		break;
	case KSM_SNAP_NAME:
	case KSM_SNAP_TEXT:
		snprintf(buf, size, "\"%s\"", m);
		break;
	case KSM_SNAP_ADDR:
		snprintf(buf, size, "\"0x%" PRIx64 "\"", v);
		break;
	case KSM_SNAP_FRAME: {
		const char *s = ksm_migrate_frame_name(*(const enum ksm_migrate_frame *)m);

		snprintf(buf, size, "\"%s\"", s ? s : "?");
		break;
	}
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

static void compare_sizes(struct cmp *d, const struct ksm_snapshot *ra,
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

static void compare_mappings(struct cmp *d, const struct ksm_snapshot *ra,
			     const struct ksm_snapshot *rb);

static void compare_table(struct cmp *d, const struct ksm_snapshot *ra,
			  const struct ksm_snapshot *rb, const char *prefix,
			  const struct ksm_snap_field *tab, const void *a,
			  const void *b)
{
	for (const struct ksm_snap_field *f = tab; f->name; f++) {
		char field[160], va[128], vb[128];

		snprintf(field, sizeof(field), "%s.%s", prefix, f->name);
		if (ignored(d, field))
			continue;
		if (f->type == KSM_SNAP_SIZES) {
			compare_sizes(d, ra, rb);
			continue;
		}
		if (f->type == KSM_SNAP_MAPPINGS) {
			compare_mappings(d, ra, rb);
			continue;
		}
		format_value(d->o, va, sizeof(va), f, a);
		format_value(d->o, vb, sizeof(vb), f, b);
		if (strcmp(va, vb))
			report(d, ra, rb, field, va, vb);
	}
}

static void compare_procs(struct cmp *d, const struct ksm_snapshot *a,
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
			report_one_side(d, a, b, field, c, &i, &j);
			continue;
		}
		snprintf(field, sizeof(field), "procs.%s", a->procs[i].name);
		compare_table(d, a, b, field, ksm_snap_proc_fields, &a->procs[i],
			      &b->procs[j]);
		i++;
		j++;
	}
}

/*
 * The mappings of two migrate records, matched by (proc, addr) — both are
 * sorted that way — so one mapping more or less is one line, not a shift
 * of every index after it.  The key fields are equal by construction;
 * frame and node are compared.
 */
static void compare_mappings(struct cmp *d, const struct ksm_snapshot *ra,
			     const struct ksm_snapshot *rb)
{
	const struct ksm_migrate_rec *a = &ra->migrate, *b = &rb->migrate;
	size_t i = 0, j = 0;

	while (i < a->nmappings || j < b->nmappings) {
		const struct ksm_migrate_mapping *x = i < a->nmappings ? &a->mappings[i] : NULL;
		const struct ksm_migrate_mapping *y = j < b->nmappings ? &b->mappings[j] : NULL;
		const struct ksm_migrate_mapping *k;
		char field[128];
		int c;

		if (!x)
			c = 1;
		else if (!y)
			c = -1;
		else if ((c = strcmp(x->proc, y->proc)) == 0)
			c = x->addr < y->addr ? -1 : x->addr > y->addr;
		k = c <= 0 ? x : y;
		snprintf(field, sizeof(field), "migrate.mappings[%s:0x%" PRIx64 "]", k->proc,
			 k->addr);
		if (c) {
			report_one_side(d, ra, rb, field, c, &i, &j);
			continue;
		}
		for (const struct ksm_snap_field *f = ksm_snap_mapping_fields; f->name; f++) {
			char path[160], va[64], vb[64];

			if (f->type == KSM_SNAP_NAME || f->type == KSM_SNAP_ADDR)
				continue; /* the key */
			snprintf(path, sizeof(path), "%s.%s", field, f->name);
			if (ignored(d, path))
				continue;
			format_value(d->o, va, sizeof(va), f, x);
			format_value(d->o, vb, sizeof(vb), f, y);
			if (strcmp(va, vb))
				report(d, ra, rb, path, va, vb);
		}
		i++;
		j++;
	}
}


static void compare_record(struct cmp *d, const struct ksm_snapshot *a,
			   const struct ksm_snapshot *b)
{
	if (a->kind != b->kind) {
		/* Nothing else compares: the records say different things. */
		report(d, a, b, "record kind", ksm_record_kind_name(a->kind),
		       ksm_record_kind_name(b->kind));
		return;
	}
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
	if (a->kind == KSM_RECORD_MIGRATE) {
		compare_table(d, a, b, "migrate", ksm_snap_migrate_fields, &a->migrate,
			      &b->migrate);
		return;
	}
	if (a->kind == KSM_RECORD_EXPECT_FAILED) {
		compare_table(d, a, b, "expect_failed", ksm_snap_expect_failed_fields,
			      &a->expect_failed, &b->expect_failed);
		return;
	}
	compare_table(d, a, b, "global", ksm_snap_global_fields, &a->global, &b->global);
	compare_table(d, a, b, "knobs", ksm_snap_knob_fields, &a->knobs, &b->knobs);
	compare_procs(d, a, b);
	compare_table(d, a, b, "sharing", ksm_snap_sharing_fields, &a->sharing,
		      &b->sharing);
}

unsigned long ksm_snapdiff_fields(const char *prefix, const struct ksm_snap_field *tab,
				  const void *a, const void *b,
				  const struct ksm_snapdiff_opts *o)
{
	struct cmp d = { .o = o };

	compare_table(&d, NULL, NULL, prefix, tab, a, b);
	return d.ndiff;
}

unsigned long ksm_snapdiff_compare(const struct ksm_snapshot *a, size_t na,
				   const struct ksm_snapshot *b, size_t nb,
				   const struct ksm_snapdiff_opts *o)
{
	struct cmp d = { .o = o };
	/* --ignore migrate (expect_failed) leaves the migrate (failed
	 * expect) records out of both streams. */
	bool skip = ignored(&d, "migrate"), skip_ef = ignored(&d, "expect_failed");
	size_t i = 0, j = 0, ka = 0, kb = 0;

#define KEPT(r) ((!skip || (r).kind != KSM_RECORD_MIGRATE) && \
		 (!skip_ef || (r).kind != KSM_RECORD_EXPECT_FAILED))
	for (size_t k = 0; k < na; k++)
		ka += KEPT(a[k]);
	for (size_t k = 0; k < nb; k++)
		kb += KEPT(b[k]);
	for (;;) {
		while (i < na && !KEPT(a[i]))
			i++;
		while (j < nb && !KEPT(b[j]))
			j++;
		if (i == na || j == nb)
			break;
		compare_record(&d, &a[i++], &b[j++]);
	}
	if (ka != kb) {
		d.ndiff++;
		if (o->on_count)
			o->on_count(o->ctx, ka, kb);
		for (; i < na; i++) {
			if (!KEPT(a[i]))
				continue;
			d.ndiff++;
			if (o->on_unmatched)
				o->on_unmatched(o->ctx, false, &a[i]);
		}
		for (; j < nb; j++) {
			if (!KEPT(b[j]))
				continue;
			d.ndiff++;
			if (o->on_unmatched)
				o->on_unmatched(o->ctx, true, &b[j]);
		}
	}
#undef KEPT
	return d.ndiff;
}
