// SPDX-License-Identifier: MIT
/*
 * DOC: Snapshot records — the JSON tokens of a line
 *
 * A small recursive-descent JSON reader for one record line
 * (snapshot_json.h): strings (escapes, surrogate pairs, valid UTF-8, no
 * NUL), integers (no fraction, no exponent, no leading zero, int64
 * range), booleans and objects, each error with its 1-based byte column.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/snapshot_json.h"
#include "core/array.h"

int jp_fail_at(struct jp *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(p->err, p->file, p->line, (unsigned)pos + 1, fmt, ap);
	va_end(ap);
	return -1;
}

void jp_ws(struct jp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\r' || p->s[p->pos] == '\n'))
		p->pos++;
}

int jp_peek(struct jp *p)
{
	jp_ws(p);
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

const char *jp_describe(struct jp *p)
{
	int c = jp_peek(p);

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

int jp_expect_char(struct jp *p, char c, const char *context)
{
	if (jp_peek(p) != (unsigned char)c)
		return jp_fail_at(p, p->pos, "expected '%c' %s, found %s", c, context,
			       jp_describe(p));
	p->pos++;
	return 0;
}

/* Growable byte buffer for decoded strings. */
struct sbuf {
	char *b;
	size_t n, cap;
};

/* Running out of memory ends the program (core/alloc.h). */
static void sbuf_put(struct sbuf *sb, const char *src, size_t n)
{
	ARRAY_GROW(sb->b, sb->cap, sb->n + n + 1, 32);
	memcpy(sb->b + sb->n, src, n);
	sb->n += n;
	sb->b[sb->n] = '\0';
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
		return jp_fail_at(p, at, "truncated \\u escape");
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
			return jp_fail_at(p, at + i, "invalid hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

/* A JSON string; *@out is owned by the caller (also on failure: NULL). */
int jp_parse_string(struct jp *p, char **out, const char *what)
{
	struct sbuf sb = { 0 };
	size_t start;

	*out = NULL;
	if (jp_peek(p) != '"')
		return jp_fail_at(p, p->pos, "expected a string for %s, found %s",
			       what, jp_describe(p));
	start = p->pos++;
	sbuf_put(&sb, "", 0);
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len) {
			free(sb.b);
			return jp_fail_at(p, start, "unterminated string");
		}
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			free(sb.b);
			return jp_fail_at(p, p->pos, "control character in a string (escape it)");
		}
		if (c == '\\') {
			char e, enc[4];
			uint32_t cp;
			const char *rep = NULL;

			if (p->pos + 1 >= p->len) {
				free(sb.b);
				return jp_fail_at(p, p->pos, "truncated escape");
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
				return jp_fail_at(p, p->pos, "invalid escape '\\%c'", e);
			}
			if (rep) {
				sbuf_put(&sb, rep, 1);
				p->pos += 2;
				continue;
			}
			if (hex4(p, p->pos + 2, &cp)) {
				free(sb.b);
				return -1;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(sb.b);
				return jp_fail_at(p, p->pos, "unpaired low surrogate in \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo;

				if (p->pos + 12 > p->len || p->s[p->pos + 6] != '\\' ||
				    p->s[p->pos + 7] != 'u') {
					free(sb.b);
					return jp_fail_at(p, p->pos, "unpaired high surrogate in \\u escape");
				}
				if (hex4(p, p->pos + 8, &lo)) {
					free(sb.b);
					return -1;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					free(sb.b);
					return jp_fail_at(p, p->pos + 6, "expected a low surrogate");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p->pos += 6;
			}
			if (cp == 0) {
				free(sb.b);
				return jp_fail_at(p, p->pos, "NUL character in a string");
			}
			sbuf_put(&sb, enc, utf8_encode(cp, enc));
			p->pos += 6;
			continue;
		}
		{
			size_t n = utf8_valid((const unsigned char *)p->s + p->pos,
					      p->len - p->pos);

			if (!n) {
				free(sb.b);
				return jp_fail_at(p, p->pos, "invalid UTF-8 in a string");
			}
			sbuf_put(&sb, p->s + p->pos, n);
			p->pos += n;
		}
	}
	*out = sb.b;
	return 0;
}

int jp_parse_int(struct jp *p, int64_t *out, const char *what)
{
	size_t start;
	bool neg = false;
	uint64_t v = 0;
	uint64_t limit;

	if (jp_peek(p) < 0 || (p->s[p->pos] != '-' &&
			    (p->s[p->pos] < '0' || p->s[p->pos] > '9')))
		return jp_fail_at(p, p->pos, "expected an integer for %s, found %s",
			       what, jp_describe(p));
	start = p->pos;
	if (p->s[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return jp_fail_at(p, start, "expected an integer for %s", what);
	if (p->s[p->pos] == '0' && p->pos + 1 < p->len &&
	    p->s[p->pos + 1] >= '0' && p->s[p->pos + 1] <= '9')
		return jp_fail_at(p, start, "leading zero in an integer for %s", what);
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		unsigned d = (unsigned)(p->s[p->pos] - '0');

		if (v > (limit - d) / 10)
			return jp_fail_at(p, start, "integer out of range for %s", what);
		v = v * 10 + d;
		p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == '.' || p->s[p->pos] == 'e' ||
				p->s[p->pos] == 'E'))
		return jp_fail_at(p, start, "expected an integer for %s, found a fraction or exponent",
			       what);
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int jp_parse_bool(struct jp *p, bool *out, const char *what)
{
	jp_ws(p);
	if (p->len - p->pos >= 4 && !memcmp(p->s + p->pos, "true", 4)) {
		*out = true;
		p->pos += 4;
	} else if (p->len - p->pos >= 5 && !memcmp(p->s + p->pos, "false", 5)) {
		*out = false;
		p->pos += 5;
	} else {
		return jp_fail_at(p, p->pos, "expected true or false for %s, found %s",
			       what, jp_describe(p));
	}
	if (p->pos < p->len && ((p->s[p->pos] >= 'a' && p->s[p->pos] <= 'z') ||
				(p->s[p->pos] >= '0' && p->s[p->pos] <= '9')))
		return jp_fail_at(p, p->pos, "unexpected characters after a boolean");
	return 0;
}

/*
 * Walk the members of an object: calls @member for each key with the
 * parser positioned at the value.  @where names the object in messages.
 */
int jp_parse_object(struct jp *p, const char *where,
			int (*member)(struct jp *p, void *ctx, const char *key,
				      size_t keypos),
			void *ctx)
{
	if (jp_peek(p) != '{')
		return jp_fail_at(p, p->pos, "expected an object for %s, found %s",
			       where, jp_describe(p));
	p->pos++;
	if (jp_peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		char *key;
		size_t keypos;
		int r;

		if (jp_peek(p) != '"')
			return jp_fail_at(p, p->pos, "expected a key in %s, found %s",
				       where, jp_describe(p));
		keypos = p->pos;
		if (jp_parse_string(p, &key, "a key"))
			return -1;
		if (jp_expect_char(p, ':', "after a key")) {
			free(key);
			return -1;
		}
		r = member(p, ctx, key, keypos);
		free(key);
		if (r)
			return -1;
		if (jp_peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (jp_peek(p) == '}') {
			p->pos++;
			return 0;
		}
		return jp_fail_at(p, p->pos, "expected ',' or '}' in %s, found %s",
			       where, jp_describe(p));
	}
}

