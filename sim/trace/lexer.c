// SPDX-License-Identifier: MIT
/*
 * DOC: ksmtrace lexer
 *
 * Lines, characters, words and numbers of a ksmtrace file (see lexer.h
 * and docs/trace-format.md, "Lexical rules").  Everything here is one
 * pass over the bytes, so parsing stays linear in the size of the trace
 * whatever the input looks like.
 */
#include "trace/lexer.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

void tlex_line_free(struct tlex_line *l)
{
	free(l->w);
	l->w = NULL;
	l->n = l->cap = 0;
}

/*
 * Length of the well-formed UTF-8 sequence at @s (at most @len bytes
 * available), or 0 if it is not one.  Overlong forms, surrogates and
 * values above U+10FFFF are not well formed.
 */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char b = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
		*cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		*cp = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;	/* overlong */
		if (b == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		*cp = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;	/* overlong */
		if (b == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char c = s[i];

		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = (*cp << 6) | (c & 0x3f);
	}
	return n;
}

static unsigned col_next(unsigned col)
{
	return col < UINT_MAX ? col + 1 : col;
}

int tlex_bad_control(unsigned char b, const char *file, unsigned lineno,
		       unsigned col, struct ksm_diag *err)
{
	if (b == 0)
		return ksm_diag_set(err, file, lineno, col,
				    "NUL character is not allowed in a trace");
	if (b == '\r')
		return ksm_diag_set(err, file, lineno, col,
				    "carriage return is only allowed right before the end of a line");
	return ksm_diag_set(err, file, lineno, col,
			    "control character U+%04X is not allowed", b);
}

static void push_word(struct tlex_line *out, const char *s, unsigned col)
{
	struct tlex_word *w;

	ARRAY_GROW(out->w, out->cap, out->n + 1, 8);
	w = &out->w[out->n++];
	w->s = s;
	w->len = 0;
	w->col = col;
	w->ascii = true;
}

int tlex_split(const char *s, size_t len, unsigned lineno, const char *file,
	       struct tlex_line *out, struct ksm_diag *err)
{
	const unsigned char *u = (const unsigned char *)s;
	bool comment = false, inword = false;
	unsigned col = 1;
	size_t i = 0;

	out->n = 0;
	out->lineno = lineno;
	/*
	 * The whole line is checked, comment included: a trace is UTF-8
	 * text, and a stray control byte in a comment is as suspicious as
	 * one in a command.
	 */
	while (i < len) {
		unsigned char b = u[i];
		size_t n = 1;
		uint32_t cp = b;

		if (b < 0x80) {
			if ((b < 0x20 && b != '\t') || b == 0x7f)
				return tlex_bad_control(b, file, lineno, col, err);
		} else {
			n = utf8_seq(u + i, len - i, &cp);
			if (!n)
				return ksm_diag_set(err, file, lineno, col,
						    "invalid UTF-8 byte 0x%02x", b);
			if (cp < 0xa0)	/* C1 controls U+0080..U+009F */
				return ksm_diag_set(err, file, lineno, col,
						    "control character U+%04X is not allowed",
						    (unsigned)cp);
		}
		if (comment) {
			/* only checking characters */
		} else if (b == '#') {
			comment = true;
			inword = false;
		} else if (b == ' ' || b == '\t') {
			inword = false;
		} else {
			if (!inword)
				push_word(out, s + i, col);
			inword = true;
			out->w[out->n - 1].len += n;
			if (b >= 0x80)
				out->w[out->n - 1].ascii = false;
		}
		i += n;
		col = col_next(col);
	}
	return 0;
}

unsigned tlex_col(const struct tlex_word *w, size_t off)
{
	size_t chars = 0, i;

	if (w->ascii) {
		chars = off;
	} else {
		/* Count the bytes that start a character. */
		for (i = 0; i < off && i < w->len; i++)
			if (((unsigned char)w->s[i] & 0xc0) != 0x80)
				chars++;
	}
	if (chars >= UINT_MAX - w->col)
		return UINT_MAX;
	return w->col + (unsigned)chars;
}

struct tlex_word tlex_sub(const struct tlex_word *w, size_t off, size_t len)
{
	struct tlex_word sub;

	sub.s = w->s + off;
	sub.len = len;
	sub.col = tlex_col(w, off);
	sub.ascii = w->ascii;
	return sub;
}

bool tlex_is(const struct tlex_word *w, const char *lit)
{
	size_t n = strlen(lit);

	return w->len == n && memcmp(w->s, lit, n) == 0;
}

static int digit_value(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Digits only, in @base; a bad digit beats an overflow. */
static enum tlex_num read_digits(const char *s, size_t len, unsigned base,
				 uint64_t *out)
{
	bool overflow = false;
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return TLEX_NUM_SYNTAX;
	for (i = 0; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return TLEX_NUM_SYNTAX;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		v = v * base + (uint64_t)d;
	}
	if (overflow)
		return TLEX_NUM_OVERFLOW;
	*out = v;
	return TLEX_NUM_OK;
}

/* A number without sign: decimal, or hex after "0x". */
static enum tlex_num read_unsigned(const char *s, size_t len, uint64_t *out)
{
	if (len >= 2 && s[0] == '0' && s[1] == 'x')
		return read_digits(s + 2, len - 2, 16, out);
	return read_digits(s, len, 10, out);
}

enum tlex_num tlex_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t dummy;

	if (len && (s[0] == '+' || s[0] == '-')) {
		/* Say "no sign" only when a number follows the sign. */
		if (read_unsigned(s + 1, len - 1, &dummy) == TLEX_NUM_SYNTAX)
			return TLEX_NUM_SYNTAX;
		return TLEX_NUM_SIGN;
	}
	return read_unsigned(s, len, out);
}

const char *tlex_quote(const struct tlex_word *w, char buf[TLEX_QUOTE_MAX])
{
	const size_t max = 40;
	size_t n = w->len;

	if (n > max) {
		n = max;
		/* Do not cut a character in two. */
		while (n && ((unsigned char)w->s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, w->s, n);
	if (n < w->len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}
