// SPDX-License-Identifier: MIT
/*
 * DOC: Snapshot records — writer and strict reader
 *
 * The writer prints a struct ksm_snapshot as exactly the record of
 * docs/trace-format.md: one line, no spaces, keys in record order, taken
 * from the field tables below so that the order lives in one place.
 *
 * The reader is a small recursive-descent JSON parser that knows the
 * record's shape.  It is strict where a lenient reader would hide a
 * producer's bug — every key exactly once, no unknown key, integers that
 * are integers (no "1.0", no "1e3"), int64 range, valid UTF-8 in strings,
 * the "sizes" array as long as "groups" says — and lenient only where
 * JSON itself is (whitespace between tokens, member order).  Every error
 * carries the line and the 1-based byte column where it was found.
 *
 * A line holds a snapshot record or a migrate record (line, label,
 * migrate); a record that mixes the two is an error.  A migrate record's
 * mappings must be sorted by process then address, each once, include
 * the migrated page's own mapping, and give a node to every mapping of
 * the old or new frame and none (-1) to a mapping of nothing.
 */
#include "ksmsim/snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define FIELD(st, type, m) { #m, type, offsetof(st, m), 0, 0, 0, 0 }

const struct ksm_snap_field ksm_snap_sharing_fields[] = {
	FIELD(struct ksm_sharing, KSM_SNAP_INT, mapped),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, zero_pfn),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, ksm_pfns),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, ksm_mapped),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, groups),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, grouped),
	FIELD(struct ksm_sharing, KSM_SNAP_HASH, hash),
	FIELD(struct ksm_sharing, KSM_SNAP_SIZES, sizes),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field ksm_snap_migrate_fields[] = {
	FIELD(struct ksm_migrate_rec, KSM_SNAP_NAME, proc),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_ADDR, addr),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_BOOL, ksm),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_BOOL, moved),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_INT, target_node),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_MAPPINGS, mappings),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field ksm_snap_mapping_fields[] = {
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_NAME, proc),
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_ADDR, addr),
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_FRAME, frame),
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_NODE, node),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field ksm_snap_expect_failed_fields[] = {
	FIELD(struct ksm_expect_failed_rec, KSM_SNAP_TEXT, field),
	FIELD(struct ksm_expect_failed_rec, KSM_SNAP_TEXT, want),
	FIELD(struct ksm_expect_failed_rec, KSM_SNAP_TEXT, got),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const char *ksm_record_kind_name(enum ksm_record_kind k)
{
	return k == KSM_RECORD_MIGRATE ? "migrate" :
	       k == KSM_RECORD_EXPECT_FAILED ? "expect_failed" : "snapshot";
}

/* Not written: what `expect migrate.NAME` reads (ksm_migrate_summarize). */
const struct ksm_snap_field ksm_snap_migrate_summary_fields[] = {
	FIELD(struct ksm_migrate_summary, KSM_SNAP_BOOL, moved),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_BOOL, ksm),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, mappings),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, on_old),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, on_new),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, target_node),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

static const char *const frame_names[] = {
	[KSM_FRAME_OLD] = "old",
	[KSM_FRAME_NEW] = "new",
	[KSM_FRAME_OTHER] = "other",
	[KSM_FRAME_NONE] = "none",
};

const char *ksm_migrate_frame_name(enum ksm_migrate_frame f)
{
	if ((unsigned)f >= sizeof(frame_names) / sizeof(frame_names[0]))
		return NULL;
	return frame_names[f];
}

static int frame_parse(const char *s, enum ksm_migrate_frame *out)
{
	for (unsigned i = 0; i < sizeof(frame_names) / sizeof(frame_names[0]); i++) {
		if (!strcmp(s, frame_names[i])) {
			*out = (enum ksm_migrate_frame)i;
			return 0;
		}
	}
	return -1;
}

void ksm_migrate_summarize(const struct ksm_migrate_rec *m,
			   struct ksm_migrate_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->moved = m->moved;
	out->ksm = m->ksm;
	out->mappings = (int64_t)m->nmappings;
	out->target_node = m->target_node;
	for (size_t i = 0; i < m->nmappings; i++) {
		out->on_old += m->mappings[i].frame == KSM_FRAME_OLD;
		out->on_new += m->mappings[i].frame == KSM_FRAME_NEW;
	}
}

/* Record order of mappings: process name (byte order), then address. */
static int mapping_cmp(const struct ksm_migrate_mapping *a,
		       const struct ksm_migrate_mapping *b)
{
	int c = strcmp(a->proc, b->proc);

	if (c)
		return c;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int mapping_qsort_cmp(const void *a, const void *b)
{
	return mapping_cmp(a, b);
}

void ksm_migrate_sort(struct ksm_migrate_rec *m)
{
	if (m->nmappings > 1)
		qsort(m->mappings, m->nmappings, sizeof(*m->mappings), mapping_qsort_cmp);
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/*
 * Members of one object from its table; the braces are the caller's.
 * @sh: the sharing object a SIZES member counts by; a MAPPINGS member is
 * the mappings of @base, a struct ksm_migrate_rec.
 */
static void write_fields(FILE *out, const struct ksm_snap_field *tab,
			 const void *base, const struct ksm_sharing *sh)
{
	for (const struct ksm_snap_field *f = tab; f->name; f++) {
		const char *m = (const char *)base + f->offset;

		fprintf(out, "%s\"%s\":", f == tab ? "" : ",", f->name);
		switch (f->type) {
		case KSM_SNAP_INT:
			fprintf(out, "%" PRId64, *(const int64_t *)m);
			break;
		case KSM_SNAP_BOOL:
			fputs(*(const bool *)m ? "true" : "false", out);
			break;
		case KSM_SNAP_ADVISOR: {
			const char *name = ksm_advisor_mode_name(*(const enum ksm_advisor_mode *)m);

			json_string(out, name ? name : "none");
			break;
		}
		case KSM_SNAP_HASH:
			fprintf(out, "\"%016" PRIx64 "\"", *(const uint64_t *)m);
			break;
		case KSM_SNAP_SIZES:
			fputc('[', out);
			for (int64_t i = 0; sh && i < sh->groups; i++)
				fprintf(out, "%s%" PRId64, i ? "," : "", sh->sizes[i]);
			fputc(']', out);
			break;
		case KSM_SNAP_NAME:
		case KSM_SNAP_TEXT:
			json_string(out, m);
			break;
		case KSM_SNAP_ADDR:
			fprintf(out, "\"0x%" PRIx64 "\"", *(const uint64_t *)m);
			break;
		case KSM_SNAP_FRAME: {
			const char *name = ksm_migrate_frame_name(*(const enum ksm_migrate_frame *)m);

			json_string(out, name ? name : "none");
			break;
		}
		case KSM_SNAP_NODE:
			fprintf(out, "%" PRId64, *(const int64_t *)m);
			break;
		case KSM_SNAP_MAPPINGS: {
			const struct ksm_migrate_rec *rec = base;

			fputc('[', out);
			for (size_t i = 0; i < rec->nmappings; i++) {
				fputs(i ? ",{" : "{", out);
				write_fields(out, ksm_snap_mapping_fields, &rec->mappings[i], NULL);
				fputc('}', out);
			}
			fputc(']', out);
			break;
		}
		}
	}
}

int ksm_snapshot_write(FILE *out, const struct ksm_snapshot *s)
{
	fprintf(out, "{\"line\":%u,\"label\":", s->line);
	json_string(out, s->label ? s->label : "");
	if (s->kind == KSM_RECORD_MIGRATE) {
		fputs(",\"migrate\":{", out);
		write_fields(out, ksm_snap_migrate_fields, &s->migrate, NULL);
		fputs("}}\n", out);
		return ferror(out) ? -1 : 0;
	}
	if (s->kind == KSM_RECORD_EXPECT_FAILED) {
		fputs(",\"expect_failed\":{", out);
		write_fields(out, ksm_snap_expect_failed_fields, &s->expect_failed, NULL);
		fputs("}}\n", out);
		return ferror(out) ? -1 : 0;
	}
	fputs(",\"global\":{", out);
	write_fields(out, ksm_snap_global_fields, &s->global, NULL);
	fputs("},\"knobs\":{", out);
	write_fields(out, ksm_snap_knob_fields, &s->knobs, NULL);
	fputs("},\"procs\":{", out);
	for (size_t i = 0; i < s->nprocs; i++) {
		if (i)
			fputc(',', out);
		json_string(out, s->procs[i].name);
		fputs(":{", out);
		write_fields(out, ksm_snap_proc_fields, &s->procs[i], NULL);
		fputc('}', out);
	}
	fputs("},\"sharing\":{", out);
	write_fields(out, ksm_snap_sharing_fields, &s->sharing, &s->sharing);
	fputs("}}\n", out);
	return ferror(out) ? -1 : 0;
}

static int proc_cmp(const void *pa, const void *pb)
{
	const struct ksm_snap_proc *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

void ksm_snapshot_sort_procs(struct ksm_snapshot *s)
{
	if (s->nprocs > 1)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), proc_cmp);
}

void ksm_snapshot_free(struct ksm_snapshot *s)
{
	free(s->label);
	free(s->procs);
	ksm_sharing_free(&s->sharing);
	free(s->migrate.mappings);
	memset(s, 0, sizeof(*s));
}

void ksm_snapshot_array_free(struct ksm_snapshot *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ksm_snapshot_free(&a[i]);
	free(a);
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

struct jp {
	const char *file;
	unsigned line;
	const char *s;
	size_t len;
	size_t pos;
	struct ksm_diag *err;
};

__attribute__((format(printf, 3, 4)))
static int fail_at(struct jp *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(p->err, p->file, p->line, (unsigned)pos + 1, fmt, ap);
	va_end(ap);
	return -1;
}

static void ws(struct jp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\r' || p->s[p->pos] == '\n'))
		p->pos++;
}

static int peek(struct jp *p)
{
	ws(p);
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static const char *describe(struct jp *p)
{
	int c = peek(p);

	if (c < 0)
		return "the end of the line";
	if (c == '"')
		return "a string";
	if (c == '{')
		return "an object";
	if (c == '[')
		return "an array";
	if (c == '-' || (c >= '0' && c <= '9'))
		return "a number";
	if (c == 't' || c == 'f')
		return "a boolean";
	if (c == 'n')
		return "null";
	return "an unexpected character";
}

static int expect_char(struct jp *p, char c, const char *context)
{
	if (peek(p) != (unsigned char)c)
		return fail_at(p, p->pos, "expected '%c' %s, found %s", c, context,
			       describe(p));
	p->pos++;
	return 0;
}

/* Growable byte buffer for decoded strings. */
struct sbuf {
	char *b;
	size_t n, cap;
};

static int sbuf_put(struct sbuf *sb, const char *src, size_t n)
{
	if (sb->n + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 32;
		char *t;

		while (cap < sb->n + n + 1)
			cap *= 2;
		t = realloc(sb->b, cap);
		if (!t)
			return -1;
		sb->b = t;
		sb->cap = cap;
	}
	memcpy(sb->b + sb->n, src, n);
	sb->n += n;
	sb->b[sb->n] = '\0';
	return 0;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int hex4(struct jp *p, size_t at, uint32_t *out)
{
	uint32_t v = 0;

	if (at + 4 > p->len)
		return fail_at(p, at, "truncated \\u escape");
	for (size_t i = 0; i < 4; i++) {
		char c = p->s[at + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail_at(p, at + i, "invalid hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

/* A JSON string; *@out is owned by the caller (also on failure: NULL). */
static int parse_string(struct jp *p, char **out, const char *what)
{
	struct sbuf sb = { 0 };
	size_t start;

	*out = NULL;
	if (peek(p) != '"')
		return fail_at(p, p->pos, "expected a string for %s, found %s",
			       what, describe(p));
	start = p->pos++;
	if (sbuf_put(&sb, "", 0))
		goto oom;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len) {
			free(sb.b);
			return fail_at(p, start, "unterminated string");
		}
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			free(sb.b);
			return fail_at(p, p->pos, "control character in a string (escape it)");
		}
		if (c == '\\') {
			char e, enc[4];
			uint32_t cp;
			const char *rep = NULL;

			if (p->pos + 1 >= p->len) {
				free(sb.b);
				return fail_at(p, p->pos, "truncated escape");
			}
			e = p->s[p->pos + 1];
			switch (e) {
			case '"': rep = "\""; break;
			case '\\': rep = "\\"; break;
			case '/': rep = "/"; break;
			case 'b': rep = "\b"; break;
			case 'f': rep = "\f"; break;
			case 'n': rep = "\n"; break;
			case 'r': rep = "\r"; break;
			case 't': rep = "\t"; break;
			case 'u':
				break;
			default:
				free(sb.b);
				return fail_at(p, p->pos, "invalid escape '\\%c'", e);
			}
			if (rep) {
				if (sbuf_put(&sb, rep, 1))
					goto oom;
				p->pos += 2;
				continue;
			}
			if (hex4(p, p->pos + 2, &cp)) {
				free(sb.b);
				return -1;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(sb.b);
				return fail_at(p, p->pos, "unpaired low surrogate in \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo;

				if (p->pos + 12 > p->len || p->s[p->pos + 6] != '\\' ||
				    p->s[p->pos + 7] != 'u') {
					free(sb.b);
					return fail_at(p, p->pos, "unpaired high surrogate in \\u escape");
				}
				if (hex4(p, p->pos + 8, &lo)) {
					free(sb.b);
					return -1;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					free(sb.b);
					return fail_at(p, p->pos + 6, "expected a low surrogate");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p->pos += 6;
			}
			if (cp == 0) {
				free(sb.b);
				return fail_at(p, p->pos, "NUL character in a string");
			}
			if (sbuf_put(&sb, enc, utf8_encode(cp, enc)))
				goto oom;
			p->pos += 6;
			continue;
		}
		{
			size_t n = utf8_valid((const unsigned char *)p->s + p->pos,
					      p->len - p->pos);

			if (!n) {
				free(sb.b);
				return fail_at(p, p->pos, "invalid UTF-8 in a string");
			}
			if (sbuf_put(&sb, p->s + p->pos, n))
				goto oom;
			p->pos += n;
		}
	}
	*out = sb.b;
	return 0;
oom:
	free(sb.b);
	return fail_at(p, p->pos, "out of memory");
}

static int parse_int(struct jp *p, int64_t *out, const char *what)
{
	size_t start;
	bool neg = false;
	uint64_t v = 0;
	uint64_t limit;

	if (peek(p) < 0 || (p->s[p->pos] != '-' &&
			    (p->s[p->pos] < '0' || p->s[p->pos] > '9')))
		return fail_at(p, p->pos, "expected an integer for %s, found %s",
			       what, describe(p));
	start = p->pos;
	if (p->s[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return fail_at(p, start, "expected an integer for %s", what);
	if (p->s[p->pos] == '0' && p->pos + 1 < p->len &&
	    p->s[p->pos + 1] >= '0' && p->s[p->pos + 1] <= '9')
		return fail_at(p, start, "leading zero in an integer for %s", what);
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		unsigned d = (unsigned)(p->s[p->pos] - '0');

		if (v > (limit - d) / 10)
			return fail_at(p, start, "integer out of range for %s", what);
		v = v * 10 + d;
		p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == '.' || p->s[p->pos] == 'e' ||
				p->s[p->pos] == 'E'))
		return fail_at(p, start, "expected an integer for %s, found a fraction or exponent",
			       what);
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int parse_bool(struct jp *p, bool *out, const char *what)
{
	ws(p);
	if (p->len - p->pos >= 4 && !memcmp(p->s + p->pos, "true", 4)) {
		*out = true;
		p->pos += 4;
	} else if (p->len - p->pos >= 5 && !memcmp(p->s + p->pos, "false", 5)) {
		*out = false;
		p->pos += 5;
	} else {
		return fail_at(p, p->pos, "expected true or false for %s, found %s",
			       what, describe(p));
	}
	if (p->pos < p->len && ((p->s[p->pos] >= 'a' && p->s[p->pos] <= 'z') ||
				(p->s[p->pos] >= '0' && p->s[p->pos] <= '9')))
		return fail_at(p, p->pos, "unexpected characters after a boolean");
	return 0;
}

/*
 * Walk the members of an object: calls @member for each key with the
 * parser positioned at the value.  @where names the object in messages.
 */
static int parse_object(struct jp *p, const char *where,
			int (*member)(struct jp *p, void *ctx, const char *key,
				      size_t keypos),
			void *ctx)
{
	if (peek(p) != '{')
		return fail_at(p, p->pos, "expected an object for %s, found %s",
			       where, describe(p));
	p->pos++;
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		char *key;
		size_t keypos;
		int r;

		if (peek(p) != '"')
			return fail_at(p, p->pos, "expected a key in %s, found %s",
				       where, describe(p));
		keypos = p->pos;
		if (parse_string(p, &key, "a key"))
			return -1;
		if (expect_char(p, ':', "after a key")) {
			free(key);
			return -1;
		}
		r = member(p, ctx, key, keypos);
		free(key);
		if (r)
			return -1;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == '}') {
			p->pos++;
			return 0;
		}
		return fail_at(p, p->pos, "expected ',' or '}' in %s, found %s",
			       where, describe(p));
	}
}

/* An object described by a field table. */
struct table_ctx {
	const char *where;      /* "global", "procs.a", ...           */
	const struct ksm_snap_field *tab;
	void *base;
	uint32_t seen;          /* bit i: tab[i] was read              */
	int64_t nsizes;         /* entries read into a SIZES member    */
	size_t sizes_pos;
};

static int parse_sizes(struct jp *p, struct table_ctx *t, int64_t **out)
{
	int64_t *v = NULL;
	size_t n = 0, cap = 0;
	char what[96];

	snprintf(what, sizeof(what), "%s.sizes", t->where);
	t->sizes_pos = p->pos;
	if (expect_char(p, '[', "to open sizes"))
		return -1;
	if (peek(p) == ']') {
		p->pos++;
		goto done;
	}
	for (;;) {
		int64_t x;
		size_t at;

		ws(p);
		at = p->pos;
		if (parse_int(p, &x, what))
			goto fail;
		if (x < 2) {
			fail_at(p, at, "group size %" PRId64 " in %s (groups have two or more pairs)",
				x, what);
			goto fail;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			int64_t *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				fail_at(p, p->pos, "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = x;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']') {
			p->pos++;
			break;
		}
		fail_at(p, p->pos, "expected ',' or ']' in %s, found %s", what, describe(p));
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

	ws(p);
	at = p->pos;
	if (parse_string(p, &s, what))
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
		return fail_at(p, at, "%s must be \"0x\" and lower-case hex digits without leading zeros",
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

	if (expect_char(p, '[', "to open mappings"))
		return -1;
	if (peek(p) == ']') {
		p->pos++;
		goto done;
	}
	for (;;) {
		struct ksm_migrate_mapping *e;
		size_t at;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct ksm_migrate_mapping *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				fail_at(p, p->pos, "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		e = &v[n];
		memset(e, 0, sizeof(*e));
		snprintf(what, sizeof(what), "%s.mappings[%zu]", where, n);
		ws(p);
		at = p->pos;
		if (parse_table(p, what, ksm_snap_mapping_fields, e, NULL, NULL))
			goto fail;
		if (n && mapping_cmp(&v[n - 1], e) >= 0) {
			fail_at(p, at, "%s (%s:0x%" PRIx64 ") is not after %s:0x%" PRIx64
				" (mappings are sorted by proc, then addr, each once)",
				what, e->proc, e->addr, v[n - 1].proc, v[n - 1].addr);
			goto fail;
		}
		if (e->frame == KSM_FRAME_NONE && e->node != -1) {
			fail_at(p, at, "%s.node must be -1 when frame is \"none\"", what);
			goto fail;
		}
		if ((e->frame == KSM_FRAME_OLD || e->frame == KSM_FRAME_NEW) && e->node < 0) {
			fail_at(p, at, "%s.node must be a node (0 or more) when frame is \"%s\"",
				what, ksm_migrate_frame_name(e->frame));
			goto fail;
		}
		n++;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']') {
			p->pos++;
			break;
		}
		fail_at(p, p->pos, "expected ',' or ']' in %s.mappings, found %s", where,
			describe(p));
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
		return fail_at(p, keypos, "unknown key \"%s\" in %s", key, t->where);
	if (t->seen & (1u << i))
		return fail_at(p, keypos, "duplicate key \"%s\" in %s", key, t->where);
	t->seen |= 1u << i;
	snprintf(what, sizeof(what), "%s.%s", t->where, key);
	m = (char *)t->base + t->tab[i].offset;
	switch (t->tab[i].type) {
	case KSM_SNAP_INT: {
		int64_t v;
		size_t at;

		ws(p);
		at = p->pos;
		if (parse_int(p, &v, what))
			return -1;
		/*
		 * Only the profits are signed; a negative count is a
		 * producer's bug worth stopping at.
		 */
		if (v < 0 && !(t->tab[i].flags & KSM_F_SIGNED))
			return fail_at(p, at, "negative value for %s", what);
		*(int64_t *)m = v;
		return 0;
	}
	case KSM_SNAP_BOOL:
		return parse_bool(p, (bool *)m, what);
	case KSM_SNAP_ADVISOR: {
		char *s;
		size_t at;
		int r;

		ws(p);
		at = p->pos;
		if (parse_string(p, &s, what))
			return -1;
		r = ksm_advisor_mode_parse(s, (enum ksm_advisor_mode *)m);
		if (r)
			fail_at(p, at, "%s must be \"none\" or \"scan-time\", not \"%s\"",
				what, s);
		free(s);
		return r;
	}
	case KSM_SNAP_HASH: {
		char *s;
		size_t at;
		uint64_t h = 0;

		ws(p);
		at = p->pos;
		if (parse_string(p, &s, what))
			return -1;
		if (strlen(s) != 16) {
			free(s);
			return fail_at(p, at, "%s must be 16 lower-case hex digits", what);
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
				return fail_at(p, at + 1 + (size_t)k,
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

		ws(p);
		at = p->pos;
		if (parse_string(p, &s, what))
			return -1;
		if (!valid_proc_name(s)) {
			fail_at(p, at, "invalid process name \"%s\" in %s", s, what);
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

		ws(p);
		at = p->pos;
		if (parse_string(p, &s, what))
			return -1;
		r = frame_parse(s, (enum ksm_migrate_frame *)m);
		if (r)
			fail_at(p, at, "%s must be \"old\", \"new\", \"other\" or \"none\", not \"%s\"",
				what, s);
		free(s);
		return r;
	}
	case KSM_SNAP_NODE: {
		int64_t v;
		size_t at;

		ws(p);
		at = p->pos;
		if (parse_int(p, &v, what))
			return -1;
		if (v < -1)
			return fail_at(p, at, "%s must be a node (0 or more), or -1 for none", what);
		*(int64_t *)m = v;
		return 0;
	}
	case KSM_SNAP_MAPPINGS:
		return parse_mappings(p, t->where, (struct ksm_migrate_rec *)t->base);
	case KSM_SNAP_TEXT: {
		char *s;
		size_t at;

		ws(p);
		at = p->pos;
		if (parse_string(p, &s, what))
			return -1;
		if (strlen(s) > KSM_SNAP_TEXT_MAX) {
			free(s);
			return fail_at(p, at, "%s is longer than %d bytes", what, KSM_SNAP_TEXT_MAX);
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

	if (parse_object(p, where, table_member, &t))
		return -1;
	for (unsigned i = 0; tab[i].name; i++)
		if (!(t.seen & (1u << i)))
			return fail_at(p, p->pos - 1, "missing key \"%s\" in %s",
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
		return fail_at(p, keypos, "invalid process name \"%s\" in procs", key);
	for (size_t i = 0; i < s->nprocs; i++)
		if (!strcmp(s->procs[i].name, key))
			return fail_at(p, keypos, "duplicate process \"%s\" in procs", key);
	if (s->nprocs == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 8;
		struct ksm_snap_proc *t = realloc(s->procs, ncap * sizeof(*t));

		if (!t)
			return fail_at(p, keypos, "out of memory");
		s->procs = t;
		r->cap = ncap;
	}
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
		return fail_at(p, keypos, "unknown key \"%s\" in the record", key);
	if (r->seen & (1u << i))
		return fail_at(p, keypos, "duplicate key \"%s\" in the record", key);
	if (kind_keys(i) && (r->seen & R_KIND_KEYS & ~kind_keys(i))) {
		unsigned other = R_GLOBAL;

		while (!(r->seen & R_KIND_KEYS & ~kind_keys(i) & (1u << other)))
			other++;
		return fail_at(p, keypos, "key \"%s\" in a record that has \"%s\" "
			       "(a record is a snapshot, a migrate or an expect_failed record)",
			       key, record_keys[other]);
	}
	r->seen |= 1u << i;
	switch (i) {
	case R_LINE: {
		int64_t v;
		size_t at;

		ws(p);
		at = p->pos;
		if (parse_int(p, &v, "line"))
			return -1;
		if (v < 0 || v > (int64_t)UINT32_MAX)
			return fail_at(p, at, "line out of range");
		s->line = (unsigned)v;
		return 0;
	}
	case R_LABEL:
		free(s->label);
		return parse_string(p, &s->label, "label");
	case R_GLOBAL:
		return parse_table(p, "global", ksm_snap_global_fields, &s->global,
				   NULL, NULL);
	case R_KNOBS:
		return parse_table(p, "knobs", ksm_snap_knob_fields, &s->knobs,
				   NULL, NULL);
	case R_PROCS:
		return parse_object(p, "procs", proc_member, r);
	case R_SHARING: {
		int64_t nsizes;
		size_t at;

		if (parse_table(p, "sharing", ksm_snap_sharing_fields, &s->sharing,
				&nsizes, &at))
			return -1;
		/* The struct keeps one count for both; they must agree. */
		if (nsizes != s->sharing.groups)
			return fail_at(p, at, "sharing.sizes has %" PRId64
				       " entries but sharing.groups is %" PRId64,
				       nsizes, s->sharing.groups);
		return 0;
	}
	case R_MIGRATE: {
		struct ksm_migrate_rec *m = &s->migrate;
		bool own = false;
		size_t at;

		ws(p);
		at = p->pos;
		s->kind = KSM_RECORD_MIGRATE;
		if (parse_table(p, "migrate", ksm_snap_migrate_fields, m, NULL, NULL))
			return -1;
		for (size_t k = 0; k < m->nmappings && !own; k++)
			own = !strcmp(m->mappings[k].proc, m->proc) && m->mappings[k].addr == m->addr;
		if (!own)
			return fail_at(p, at, "migrate.mappings lacks %s:0x%" PRIx64
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

		return fail_at(&p, at, "NUL byte in the line");
	}
	if (parse_object(&p, "the record", record_member, &r))
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
			fail_at(&p, p.pos - 1, "missing key \"%s\" in the record",
				record_keys[i]);
			goto fail;
		}
	}
	if (peek(&p) >= 0) {
		fail_at(&p, p.pos, "unexpected characters after the record");
		goto fail;
	}
	ksm_snapshot_sort_procs(out);
	out->src_line = line;
	return 0;
fail:
	ksm_snapshot_free(out);
	return -1;
}

static int read_all(const char *path, char **buf, size_t *len,
		    struct ksm_diag *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, n = 0;
	char *b;

	if (!f)
		return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
	b = malloc(cap);
	if (!b)
		goto oom;
	for (;;) {
		size_t k = fread(b + n, 1, cap - n, f);

		n += k;
		if (n < cap) {
			if (ferror(f)) {
				int e = errno;

				free(b);
				if (f != stdin)
					fclose(f);
				return ksm_diag_set(err, path, 0, 0, "cannot read: %s",
						    strerror(e ? e : EIO));
			}
			break;
		}
		{
			char *t = realloc(b, cap * 2);

			if (!t)
				goto oom;
			b = t;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	*buf = b;
	*len = n;
	return 0;
oom:
	free(b);
	if (f != stdin)
		fclose(f);
	return ksm_diag_set(err, path, 0, 0, "out of memory");
}

int ksm_snapshot_read_file(const char *path, struct ksm_snapshot **out,
			   size_t *n, struct ksm_diag *err)
{
	struct ksm_snapshot *recs = NULL;
	size_t nrec = 0, cap = 0, len = 0, pos = 0;
	unsigned line = 0;
	char *buf = NULL;

	*out = NULL;
	*n = 0;
	if (read_all(path, &buf, &len, err))
		return -1;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		line++;
		if (end == pos) {
			ksm_diag_set(err, path, line, 1, "empty line (expected a snapshot record)");
			goto fail;
		}
		if (nrec == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct ksm_snapshot *t = realloc(recs, ncap * sizeof(*t));

			if (!t) {
				ksm_diag_set(err, path, line, 0, "out of memory");
				goto fail;
			}
			recs = t;
			cap = ncap;
		}
		if (ksm_snapshot_parse(path, line, buf + pos, end - pos, &recs[nrec], err))
			goto fail;
		nrec++;
		pos = end + 1;
	}
	free(buf);
	*out = recs;
	*n = nrec;
	return 0;
fail:
	free(buf);
	ksm_snapshot_array_free(recs, nrec);
	return -1;
}
