// SPDX-License-Identifier: MIT
/*
 * DOC: Labels of the Graphviz pictures: escaping and the label builder
 *
 * Labels are escStrings, whose backslashes are escapes: text goes through
 * dot_escape() (the struct dot_label builder does it for every piece of
 * formatted text), and only the line ends — \n centred, \l left-justified —
 * are written as escapes on purpose, by dl_line(), dl_linel() and
 * dl_raw().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

size_t dot_escape(char *out, size_t outlen, const char *text)
{
	size_t need = 0, used = 0;
	bool room = outlen > 0;

	for (const char *p = text; *p; p++) {
		size_t n = *p == '\\' ? 2 : 1;

		/* Stop at the first thing that does not fit: a prefix of the
		 * escaped text, never half of a doubled backslash. */
		if (room && used + n < outlen) {
			if (n == 2)
				out[used++] = '\\';
			out[used++] = *p;
		} else {
			room = false;
		}
		need += n;
	}
	if (outlen)
		out[used] = '\0';
	return need;
}

static void dl_reserve(struct dot_label *l, size_t more)
{
	if (l->len + more + 1 <= l->cap)
		return;
	while (l->len + more + 1 > l->cap)
		l->cap = l->cap ? 2 * l->cap : 256;
	l->s = xrealloc(l->s, l->cap);
}

void dl_reset(struct dot_label *l)
{
	dl_reserve(l, 0);
	l->len = 0;
	l->s[0] = '\0';
}

void dl_free(struct dot_label *l)
{
	free(l->s);
	memset(l, 0, sizeof(*l));
}

static void dl_vprintf(struct dot_label *l, const char *fmt, va_list ap)
{
	char small[256], *text = small;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(small)) {
		text = xmalloc((size_t)n + 1);
		vsnprintf(text, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	n = (int)dot_escape(NULL, 0, text);
	dl_reserve(l, (size_t)n);
	dot_escape(l->s + l->len, (size_t)n + 1, text);
	l->len += (size_t)n;
	if (text != small)
		free(text);
}

void dl_raw(struct dot_label *l, const char *esc)
{
	size_t n = strlen(esc);

	dl_reserve(l, n);
	memcpy(l->s + l->len, esc, n + 1);
	l->len += n;
}

void dl_printf(struct dot_label *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vprintf(l, fmt, ap);
	va_end(ap);
}

void dl_line(struct dot_label *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vprintf(l, fmt, ap);
	va_end(ap);
	dl_raw(l, "\\n");
}

void dl_linel(struct dot_label *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vprintf(l, fmt, ap);
	va_end(ap);
	dl_raw(l, "\\l");
}

void dl_lines(struct dot_label *l, const char *text)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");

		dl_line(l, "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
	}
}
