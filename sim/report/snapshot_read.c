// SPDX-License-Identifier: MIT
/*
 * DOC: Snapshot records — the strict reader
 *
 * Reads one record line into a struct ksm_snapshot, knowing the record's
 * shape.  It is strict where a lenient reader would hide a producer's bug
 * — every key exactly once, no unknown key, integers that are integers
 * (no "1.0", no "1e3"), int64 range, no negative count (only the
 * KSM_F_SIGNED fields may be negative), valid UTF-8 in strings, the
 * "sizes" array as long as "groups" says — and lenient only where JSON
 * itself is (whitespace between tokens, member order).  Every error
 * carries the line and the 1-based byte column where it was found.
 *
 * A line holds a snapshot record, a migrate record (line, label, migrate)
 * or a failed expect's record (line, label, expect_failed); a record that
 * mixes them is an error.  A migrate record's mappings must be sorted by
 * process then address, each once, include the migrated page's own
 * mapping, and give a node to every mapping of the old or new frame and
 * none (-1) to a mapping of nothing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/snapshot_internal.h"
#include "core/array.h"
#include "report/snapshot_json.h"

/* An object described by a field table. */
struct table_ctx {
	const char *where;      /* "global", "procs.a", ...           */
	const struct ksm_snap_field *tab;
	void *base;
	uint32_t seen;          /* bit i: tab[i] was read              */
	int64_t nsizes;         /* entries read into a SIZES member    */
	size_t sizes_pos;
};

/* A string (an int) member's value, and where it starts, for messages. */
static int string_at(struct jp *p, const char *what, char **s, size_t *at)
{
	jp_ws(p);
	*at = p->pos;
	return jp_parse_string(p, s, what);
}

static int int_at(struct jp *p, const char *what, int64_t *v, size_t *at)
{
	jp_ws(p);
	*at = p->pos;
	return jp_parse_int(p, v, what);
}

static int parse_sizes(struct jp *p, struct table_ctx *t, int64_t **out)
{
	int64_t *v = NULL;
	size_t n = 0, cap = 0;
	char what[96];

	snprintf(what, sizeof(what), "%s.sizes", t->where);
	t->sizes_pos = p->pos;
	if (jp_expect_char(p, '[', "to open sizes"))
		return -1;
	if (jp_peek(p) == ']') {
		p->pos++;
		goto done;
	}
	for (;;) {
		int64_t x;
		size_t at;

		if (int_at(p, what, &x, &at))
			goto fail;
		if (x < 2) {
			jp_fail_at(p, at, "group size %" PRId64 " in %s (groups have two or more pairs)",
				x, what);
			goto fail;
		}
		ARRAY_GROW(v, cap, n + 1, 16);
		v[n++] = x;
		if (jp_peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (jp_peek(p) == ']') {
			p->pos++;
			break;
		}
		jp_fail_at(p, p->pos, "expected ',' or ']' in %s, found %s", what, jp_describe(p));
		goto fail;
	}
done:
	free(*out);
	*out = v;
	t->nsizes = (int64_t)n;
	return 0;
fail:
	free(v);
	return -1;
}

static bool valid_proc_name(const char *s);
static int parse_table(struct jp *p, const char *where,
		       const struct ksm_snap_field *tab, void *base,
		       int64_t *nsizes, size_t *sizes_pos);

/* An address: "0x" and lower-case hex digits without leading zeros. */
static int parse_addr(struct jp *p, uint64_t *out, const char *what)
{
	size_t at, n;
	uint64_t v = 0;
	bool ok;
	char *s;

	if (string_at(p, what, &s, &at))
		return -1;
	n = strlen(s);
	ok = n > 2 && n <= 18 && s[0] == '0' && s[1] == 'x' && (s[2] != '0' || n == 3);
	for (size_t k = 2; ok && k < n; k++) {
		if (s[k] >= '0' && s[k] <= '9')
			v = v << 4 | (uint64_t)(s[k] - '0');
		else if (s[k] >= 'a' && s[k] <= 'f')
			v = v << 4 | (uint64_t)(s[k] - 'a' + 10);
		else
			ok = false;
	}
	free(s);
	if (!ok)
		return jp_fail_at(p, at, "%s must be \"0x\" and lower-case hex digits without leading zeros",
			       what);
	*out = v;
	return 0;
}

/*
 * The mappings of a migrate record: objects of ksm_snap_mapping_fields,
 * sorted by proc then addr, each (proc, addr) once; "none" maps no node
 * (-1) and "old" or "new" always one.
 */
static int parse_mappings(struct jp *p, const char *where, struct ksm_migrate_rec *rec)
{
	struct ksm_migrate_mapping *v = NULL;
	size_t n = 0, cap = 0;
	char what[96];

	if (jp_expect_char(p, '[', "to open mappings"))
		return -1;
	if (jp_peek(p) == ']') {
		p->pos++;
		goto done;
	}
	for (;;) {
		struct ksm_migrate_mapping *e;
		size_t at;

		ARRAY_GROW(v, cap, n + 1, 8);
		e = &v[n];
		memset(e, 0, sizeof(*e));
		snprintf(what, sizeof(what), "%s.mappings[%zu]", where, n);
		jp_ws(p);
		at = p->pos;
		if (parse_table(p, what, ksm_snap_mapping_fields, e, NULL, NULL))
			goto fail;
		if (n && ksm_snap_mapping_cmp(&v[n - 1], e) >= 0) {
			jp_fail_at(p, at, "%s (%s:0x%" PRIx64 ") is not after %s:0x%" PRIx64
				" (mappings are sorted by proc, then addr, each once)",
				what, e->proc, e->addr, v[n - 1].proc, v[n - 1].addr);
			goto fail;
		}
		if (e->frame == KSM_FRAME_NONE && e->node != -1) {
			jp_fail_at(p, at, "%s.node must be -1 when frame is \"none\"", what);
			goto fail;
		}
		if ((e->frame == KSM_FRAME_OLD || e->frame == KSM_FRAME_NEW) && e->node < 0) {
			jp_fail_at(p, at, "%s.node must be a node (0 or more) when frame is \"%s\"",
				what, ksm_migrate_frame_name(e->frame));
			goto fail;
		}
		n++;
		if (jp_peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (jp_peek(p) == ']') {
			p->pos++;
			break;
		}
		jp_fail_at(p, p->pos, "expected ',' or ']' in %s.mappings, found %s", where,
			jp_describe(p));
		goto fail;
	}
done:
	free(rec->mappings);
	rec->mappings = v;
	rec->nmappings = n;
	return 0;
fail:
	free(v);
	return -1;
}

static int table_member(struct jp *p, void *ctx, const char *key, size_t keypos)
{
	struct table_ctx *t = ctx;
	char what[128];
	unsigned i;
	char *m;

	for (i = 0; t->tab[i].name; i++)
		if (!strcmp(t->tab[i].name, key))
			break;
	if (!t->tab[i].name)
		return jp_fail_at(p, keypos, "unknown key \"%s\" in %s", key, t->where);
	if (t->seen & (1u << i))
		return jp_fail_at(p, keypos, "duplicate key \"%s\" in %s", key, t->where);
	t->seen |= 1u << i;
	snprintf(what, sizeof(what), "%s.%s", t->where, key);
	m = (char *)t->base + t->tab[i].offset;
	switch (t->tab[i].type) {
	case KSM_SNAP_INT: {
		int64_t v;
		size_t at;

		if (int_at(p, what, &v, &at))
			return -1;
		/*
		 * Only the profits are signed; a negative count is a
		 * producer's bug worth stopping at.
		 */
		if (v < 0 && !(t->tab[i].flags & KSM_F_SIGNED))
			return jp_fail_at(p, at, "negative value for %s", what);
		*(int64_t *)m = v;
		return 0;
	}
	case KSM_SNAP_BOOL:
		return jp_parse_bool(p, (bool *)m, what);
	case KSM_SNAP_ADVISOR: {
		char *s;
		size_t at;
		int r;

		if (string_at(p, what, &s, &at))
			return -1;
		r = ksm_advisor_mode_parse(s, (enum ksm_advisor_mode *)m);
		if (r)
			jp_fail_at(p, at, "%s must be \"none\" or \"scan-time\", not \"%s\"",
				what, s);
		free(s);
		return r;
	}
	case KSM_SNAP_HASH: {
		char *s;
		size_t at;
		uint64_t h = 0;

		if (string_at(p, what, &s, &at))
			return -1;
		if (strlen(s) != 16) {
			free(s);
			return jp_fail_at(p, at, "%s must be 16 lower-case hex digits", what);
		}
		for (int k = 0; k < 16; k++) {
			char c = s[k];

			h <<= 4;
			if (c >= '0' && c <= '9') {
				h |= (uint64_t)(c - '0');
			} else if (c >= 'a' && c <= 'f') {
				h |= (uint64_t)(c - 'a' + 10);
			} else {
				free(s);
				return jp_fail_at(p, at + 1 + (size_t)k,
					       "%s must be 16 lower-case hex digits", what);
			}
		}
		free(s);
		*(uint64_t *)m = h;
		return 0;
	}
	case KSM_SNAP_SIZES:
		return parse_sizes(p, t, (int64_t **)m);
	case KSM_SNAP_NAME: {
		char *s;
		size_t at;

		if (string_at(p, what, &s, &at))
			return -1;
		if (!valid_proc_name(s)) {
			jp_fail_at(p, at, "invalid process name \"%s\" in %s", s, what);
			free(s);
			return -1;
		}
		snprintf(m, KSM_SNAP_NAME_MAX + 1, "%s", s);
		free(s);
		return 0;
	}
	case KSM_SNAP_ADDR:
		return parse_addr(p, (uint64_t *)m, what);
	case KSM_SNAP_FRAME: {
		char *s;
		size_t at;
		int r;

		if (string_at(p, what, &s, &at))
			return -1;
		r = ksm_snap_frame_parse(s, (enum ksm_migrate_frame *)m);
		if (r)
			jp_fail_at(p, at, "%s must be \"old\", \"new\", \"other\" or \"none\", not \"%s\"",
				what, s);
		free(s);
		return r;
	}
	case KSM_SNAP_NODE: {
		int64_t v;
		size_t at;

		if (int_at(p, what, &v, &at))
			return -1;
		if (v < -1)
			return jp_fail_at(p, at, "%s must be a node (0 or more), or -1 for none", what);
		*(int64_t *)m = v;
		return 0;
	}
	case KSM_SNAP_MAPPINGS:
		return parse_mappings(p, t->where, (struct ksm_migrate_rec *)t->base);
	case KSM_SNAP_TEXT: {
		char *s;
		size_t at;

		if (string_at(p, what, &s, &at))
			return -1;
		if (strlen(s) > KSM_SNAP_TEXT_MAX) {
			free(s);
			return jp_fail_at(p, at, "%s is longer than %d bytes", what, KSM_SNAP_TEXT_MAX);
		}
		snprintf(m, KSM_SNAP_TEXT_MAX + 1, "%s", s);
		free(s);
		return 0;
	}
	}
	return -1;
}

/* Parse a table object and insist on every key; @closing for "missing". */
static int parse_table(struct jp *p, const char *where,
		       const struct ksm_snap_field *tab, void *base,
		       int64_t *nsizes, size_t *sizes_pos)
{
	struct table_ctx t = { .where = where, .tab = tab, .base = base };

	if (jp_parse_object(p, where, table_member, &t))
		return -1;
	for (unsigned i = 0; tab[i].name; i++)
		if (!(t.seen & (1u << i)))
			return jp_fail_at(p, p->pos - 1, "missing key \"%s\" in %s",
				       tab[i].name, where);
	if (nsizes)
		*nsizes = t.nsizes;
	if (sizes_pos)
		*sizes_pos = t.sizes_pos;
	return 0;
}

static bool valid_proc_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KSM_SNAP_NAME_MAX)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

struct record_ctx {
	struct ksm_snapshot *s;
	uint32_t seen;
	size_t cap;
};

enum { R_LINE, R_LABEL, R_GLOBAL, R_KNOBS, R_PROCS, R_SHARING, R_MIGRATE,
       R_EXPECT_FAILED, R__COUNT };
static const char *const record_keys[R__COUNT] = {
	"line", "label", "global", "knobs", "procs", "sharing", "migrate",
	"expect_failed",
};
/*
 * The keys of each kind beyond line and label: a snapshot record has the
 * four objects, a migrate record "migrate", a failed expect's record
 * "expect_failed".
 */
#define R_SNAPSHOT_KEYS ((1u << R_GLOBAL) | (1u << R_KNOBS) | (1u << R_PROCS) | \
			 (1u << R_SHARING))
#define R_KIND_KEYS (R_SNAPSHOT_KEYS | (1u << R_MIGRATE) | (1u << R_EXPECT_FAILED))

/* The keys of the kind @key belongs to (0 for line and label). */
static uint32_t kind_keys(unsigned key)
{
	if (R_SNAPSHOT_KEYS & (1u << key))
		return R_SNAPSHOT_KEYS;
	if (key == R_MIGRATE || key == R_EXPECT_FAILED)
		return 1u << key;
	return 0;
}

static int proc_member(struct jp *p, void *ctx, const char *key, size_t keypos)
{
	struct record_ctx *r = ctx;
	struct ksm_snapshot *s = r->s;
	struct ksm_snap_proc *pr;
	char where[64];

	if (!valid_proc_name(key))
		return jp_fail_at(p, keypos, "invalid process name \"%s\" in procs", key);
	for (size_t i = 0; i < s->nprocs; i++)
		if (!strcmp(s->procs[i].name, key))
			return jp_fail_at(p, keypos, "duplicate process \"%s\" in procs", key);
	ARRAY_GROW(s->procs, r->cap, s->nprocs + 1, 8);
	pr = &s->procs[s->nprocs++];
	memset(pr, 0, sizeof(*pr));
	snprintf(pr->name, sizeof(pr->name), "%s", key);
	snprintf(where, sizeof(where), "procs.%s", key);
	return parse_table(p, where, ksm_snap_proc_fields, pr, NULL, NULL);
}

static int record_member(struct jp *p, void *ctx, const char *key, size_t keypos)
{
	struct record_ctx *r = ctx;
	struct ksm_snapshot *s = r->s;
	unsigned i;

	for (i = 0; i < R__COUNT; i++)
		if (!strcmp(record_keys[i], key))
			break;
	if (i == R__COUNT)
		return jp_fail_at(p, keypos, "unknown key \"%s\" in the record", key);
	if (r->seen & (1u << i))
		return jp_fail_at(p, keypos, "duplicate key \"%s\" in the record", key);
	if (kind_keys(i) && (r->seen & R_KIND_KEYS & ~kind_keys(i))) {
		unsigned other = R_GLOBAL;

		while (!(r->seen & R_KIND_KEYS & ~kind_keys(i) & (1u << other)))
			other++;
		return jp_fail_at(p, keypos, "key \"%s\" in a record that has \"%s\" "
			       "(a record is a snapshot, a migrate or an expect_failed record)",
			       key, record_keys[other]);
	}
	r->seen |= 1u << i;
	switch (i) {
	case R_LINE: {
		int64_t v;
		size_t at;

		if (int_at(p, "line", &v, &at))
			return -1;
		if (v < 0 || v > (int64_t)UINT32_MAX)
			return jp_fail_at(p, at, "line out of range");
		s->line = (unsigned)v;
		return 0;
	}
	case R_LABEL:
		free(s->label);
		return jp_parse_string(p, &s->label, "label");
	case R_GLOBAL:
		return parse_table(p, "global", ksm_snap_global_fields, &s->global,
				   NULL, NULL);
	case R_KNOBS:
		return parse_table(p, "knobs", ksm_snap_knob_fields, &s->knobs,
				   NULL, NULL);
	case R_PROCS:
		return jp_parse_object(p, "procs", proc_member, r);
	case R_SHARING: {
		/* Set by parse_table() on success; initialised because gcc -O3
		 * cannot see that through its error paths. */
		int64_t nsizes = 0;
		size_t at = 0;

		if (parse_table(p, "sharing", ksm_snap_sharing_fields, &s->sharing,
				&nsizes, &at))
			return -1;
		/* The struct keeps one count for both; they must agree. */
		if (nsizes != s->sharing.groups)
			return jp_fail_at(p, at, "sharing.sizes has %" PRId64
				       " entries but sharing.groups is %" PRId64,
				       nsizes, s->sharing.groups);
		return 0;
	}
	case R_MIGRATE: {
		struct ksm_migrate_rec *m = &s->migrate;
		bool own = false;
		size_t at;

		jp_ws(p);
		at = p->pos;
		s->kind = KSM_RECORD_MIGRATE;
		if (parse_table(p, "migrate", ksm_snap_migrate_fields, m, NULL, NULL))
			return -1;
		for (size_t k = 0; k < m->nmappings && !own; k++)
			own = !strcmp(m->mappings[k].proc, m->proc) && m->mappings[k].addr == m->addr;
		if (!own)
			return jp_fail_at(p, at, "migrate.mappings lacks %s:0x%" PRIx64
				       ", the mapping the page was migrated through", m->proc, m->addr);
		return 0;
	}
	case R_EXPECT_FAILED:
		s->kind = KSM_RECORD_EXPECT_FAILED;
		return parse_table(p, "expect_failed", ksm_snap_expect_failed_fields,
				   &s->expect_failed, NULL, NULL);
	}
	return -1;
}

int ksm_snapshot_parse(const char *file, unsigned line, const char *text,
		       size_t len, struct ksm_snapshot *out,
		       struct ksm_diag *err)
{
	struct jp p = { .file = file, .line = line, .s = text, .len = len, .err = err };
	struct record_ctx r = { .s = out };

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len)) {
		size_t at = (size_t)((const char *)memchr(text, '\0', len) - text);

		return jp_fail_at(&p, at, "NUL byte in the line");
	}
	if (jp_parse_object(&p, "the record", record_member, &r))
		goto fail;
	for (unsigned i = 0; i < R__COUNT; i++) {
		/* line and label always; then the keys of the record's kind,
		 * a snapshot's when no key says which. */
		uint32_t kind = R_SNAPSHOT_KEYS;

		for (unsigned k = 0; k < R__COUNT; k++)
			if (r.seen & R_KIND_KEYS & (1u << k))
				kind = kind_keys(k);
		bool needed = !kind_keys(i) || (kind & (1u << i));

		if (needed && !(r.seen & (1u << i))) {
			jp_fail_at(&p, p.pos - 1, "missing key \"%s\" in the record",
				record_keys[i]);
			goto fail;
		}
	}
	if (jp_peek(&p) >= 0) {
		jp_fail_at(&p, p.pos, "unexpected characters after the record");
		goto fail;
	}
	ksm_snapshot_sort_procs(out);
	out->src_line = line;
	return 0;
fail:
	ksm_snapshot_free(out);
	return -1;
}

