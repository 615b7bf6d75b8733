// SPDX-License-Identifier: MIT
#include "core/json_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/array.h"

struct jp {
	const char *name, *p, *end;
	unsigned line;
	const char *line_start;
	struct ksm_diag *err;
};

static unsigned col(const struct jp *j)
{
	return (unsigned)(j->p - j->line_start) + 1;
}

static int fail(struct jp *j, const char *msg)
{
	ksm_diag_set(j->err, j->name, j->line, col(j), "%s", msg);
	return -1;
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end) {
		if (*j->p == '\n') {
			j->line++;
			j->line_start = j->p + 1;
		} else if (*j->p != ' ' && *j->p != '\t' && *j->p != '\r') {
			return;
		}
		j->p++;
	}
}

static bool word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return false;
	j->p += n;
	return true;
}

static int hex4(struct jp *j, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++, j->p++) {
		char c = j->p < j->end ? *j->p : 0;

		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out |= (unsigned)(c - 'A' + 10);
		else
			return fail(j, "\\u needs four hexadecimal digits");
	}
	return 0;
}

static void put_utf8(char **buf, size_t *n, size_t *cap, unsigned c)
{
	ARRAY_GROW(*buf, *cap, *n + 5, 64);
	if (c < 0x80) {
		(*buf)[(*n)++] = (char)c;
	} else if (c < 0x800) {
		(*buf)[(*n)++] = (char)(0xc0 | (c >> 6));
		(*buf)[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		(*buf)[(*n)++] = (char)(0xe0 | (c >> 12));
		(*buf)[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		(*buf)[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else {
		(*buf)[(*n)++] = (char)(0xf0 | (c >> 18));
		(*buf)[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		(*buf)[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		(*buf)[(*n)++] = (char)(0x80 | (c & 0x3f));
	}
}

static int string(struct jp *j, char **out)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;

	j->p++; /* the opening quote */
	for (;;) {
		unsigned char c;

		if (j->p >= j->end) {
			free(buf);
			return fail(j, "unterminated string");
		}
		c = (unsigned char)*j->p;
		if (c == '"')
			break;
		if (c < 0x20) {
			free(buf);
			return fail(j, "control character in a string");
		}
		if (c != '\\') {
			ARRAY_GROW(buf, cap, n + 1, 64);
			buf[n++] = (char)c;
			j->p++;
			continue;
		}
		j->p++;
		c = j->p < j->end ? (unsigned char)*j->p : 0;
		if (c == 'u') {
			unsigned u, lo;

			j->p++;
			if (hex4(j, &u)) {
				free(buf);
				return -1;
			}
			/* A surrogate pair is one code point. */
			if (u >= 0xd800 && u < 0xdc00 && word(j, "\\u")) {
				if (hex4(j, &lo)) {
					free(buf);
					return -1;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(&buf, &n, &cap, u);
			continue;
		}
		{
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *k = c ? strchr(from, c) : NULL;

			if (!k) {
				free(buf);
				return fail(j, "unknown escape in a string");
			}
			ARRAY_GROW(buf, cap, n + 1, 64);
			buf[n++] = to[k - from];
			j->p++;
		}
	}
	j->p++;
	ARRAY_GROW(buf, cap, n + 1, 64);
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int value(struct jp *j, struct json_value *v, unsigned depth);

static int container(struct jp *j, struct json_value *v, unsigned depth, bool object)
{
	size_t cap = 0, kcap = 0;
	char close = object ? '}' : ']';

	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		skip_ws(j);
		ARRAY_GROW(v->v, cap, v->n + 1, 8);
		memset(&v->v[v->n], 0, sizeof(v->v[v->n]));
		if (object) {
			ARRAY_GROW(v->keys, kcap, v->n + 1, 8);
			v->keys[v->n] = NULL;
			if (j->p >= j->end || *j->p != '"')
				return fail(j, "expected a key (a string)");
			if (string(j, &v->keys[v->n]))
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return fail(j, "expected ':' after a key");
			j->p++;
			skip_ws(j);
		}
		v->n++;
		if (value(j, &v->v[v->n - 1], depth + 1))
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		return fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int number(struct jp *j, struct json_value *v)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return fail(j, "expected a value");
	while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
		j->p++;
	v->type = JSON_NUMBER;
	v->s = xmalloc((size_t)(j->p - s) + 1);
	memcpy(v->s, s, (size_t)(j->p - s));
	v->s[j->p - s] = '\0';
	return 0;
}

static int value(struct jp *j, struct json_value *v, unsigned depth)
{
	skip_ws(j);
	v->line = j->line;
	v->col = col(j);
	if (depth > JSON_MAX_DEPTH)
		return fail(j, "nested too deeply");
	if (j->p >= j->end)
		return fail(j, "expected a value, found the end");
	switch (*j->p) {
	case '{':
		v->type = JSON_OBJECT;
		return container(j, v, depth, true);
	case '[':
		v->type = JSON_ARRAY;
		return container(j, v, depth, false);
	case '"':
		v->type = JSON_STRING;
		return string(j, &v->s);
	}
	if (word(j, "true") || word(j, "false")) {
		v->type = JSON_BOOL;
		v->b = j->p[-1] == 'e' && j->p[-2] == 'u';
		return 0;
	}
	if (word(j, "null")) {
		v->type = JSON_NULL;
		return 0;
	}
	return number(j, v);
}

int json_parse(const char *name, const char *text, size_t len, struct json_value *out,
	       struct ksm_diag *err)
{
	struct jp j = { name, text, text + len, 1, text, err };

	memset(out, 0, sizeof(*out));
	if (value(&j, out, 0))
		goto bad;
	skip_ws(&j);
	if (j.p < j.end) {
		fail(&j, "text after the end of the document");
		goto bad;
	}
	return 0;
bad:
	json_free(out);
	return -1;
}

void json_free(struct json_value *v)
{
	for (size_t i = 0; i < v->n; i++) {
		json_free(&v->v[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->v);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i] && !strcmp(obj->keys[i], key))
			return &obj->v[i];
	return NULL;
}

int json_u64(const struct json_value *v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (!v || v->type != JSON_NUMBER || v->s[0] < '0' || v->s[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(v->s, &end, 10);
	if (*end || errno)
		return -1;
	*out = x;
	return 0;
}
