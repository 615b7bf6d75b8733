// SPDX-License-Identifier: MIT
/*
 * DOC: Reading a trace as a stream of checked lines
 *
 * A trace is read in chunks of 64 KiB into a buffer that never holds more
 * than the line being cut (plus what was read after it), so memory stays
 * bounded by TLEX_LINE_MAX whatever the size of the input.  Each byte is
 * checked once, when the scan for the end of its line reaches it: the
 * character rules of docs/trace-format.md ("Lexical rules") are a small
 * state machine (a UTF-8 sequence may straddle two reads, a CR is legal
 * only if an LF follows), so an error is reported at the first bad byte
 * without reading on.  The lexer checks the line again when splitting it
 * into words; that second pass is cheap and keeps tlex_split() correct on
 * its own.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "trace/lexer.h"

#define CHUNK (64u * 1024)

void tlex_reader_init(struct tlex_reader *r, const char *text, size_t len,
		      const char *file)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->fd = -1;
	r->data = text;
	r->end = text ? len : 0;
	r->eof = true;
}

void tlex_reader_open_fd(struct tlex_reader *r, int fd, const char *file)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->fd = fd;
	r->own = xmalloc(CHUNK);
	r->cap = CHUNK;
	r->data = r->own;
	/* Where the trace starts: stdin may have been read from already. */
	r->origin = lseek(fd, 0, SEEK_CUR);
}

int tlex_reader_rewind(struct tlex_reader *r)
{
	if (r->fd >= 0 && (r->origin < 0 || lseek(r->fd, r->origin, SEEK_SET) != r->origin))
		return -1;
	r->start = 0;
	if (r->fd >= 0) {
		r->end = 0;
		r->eof = false;
	}
	r->started = false;
	r->lineno = 0;
	return 0;
}

void tlex_reader_free(struct tlex_reader *r)
{
	free(r->own);
	r->own = NULL;
	r->data = NULL;
}

/*
 * Read more after r->end, first moving the current line (from r->start)
 * to the front.  *@i, an index into the data, moves with it.
 */
static int refill(struct tlex_reader *r, size_t *i, struct ksm_diag *err)
{
	ssize_t n;

	if (r->start) {
		memmove(r->own, r->own + r->start, r->end - r->start);
		*i -= r->start;
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		/* Only a line near TLEX_LINE_MAX gets here: the buffer
		 * stays below 2 * TLEX_LINE_MAX. */
		r->own = xrealloc(r->own, r->cap * 2);
		r->data = r->own;
		r->cap *= 2;
	}
	do
		n = read(r->fd, r->own + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ksm_diag_set(err, r->file, 0, 0, "cannot read: %s",
				    strerror(errno));
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	return 0;
}

/* The UTF-8 sequence being checked: its first byte, column and rules. */
struct utf8_state {
	unsigned need;		/* continuation bytes still to come */
	unsigned char lead;
	unsigned col;
	unsigned char lo, hi;	/* range of the next continuation */
	uint32_t cp;
};

/* Start a sequence at lead byte @b; false if @b cannot start one. */
static bool utf8_start(struct utf8_state *u, unsigned char b, unsigned col)
{
	u->lead = b;
	u->col = col;
	u->lo = 0x80;
	u->hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf) {
		u->need = 1;
		u->cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		u->need = 2;
		u->cp = b & 0x0f;
		if (b == 0xe0)
			u->lo = 0xa0;	/* overlong */
		if (b == 0xed)
			u->hi = 0x9f;	/* surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		u->need = 3;
		u->cp = b & 0x07;
		if (b == 0xf0)
			u->lo = 0x90;	/* overlong */
		if (b == 0xf4)
			u->hi = 0x8f;	/* above U+10FFFF */
	} else {
		return false;
	}
	return true;
}

static int bad_utf8(struct tlex_reader *r, const struct utf8_state *u,
		    struct ksm_diag *err)
{
	return ksm_diag_set(err, r->file, r->lineno, u->col,
			    "invalid UTF-8 byte 0x%02x", u->lead);
}

int tlex_reader_next(struct tlex_reader *r, const char **s, size_t *len,
		     struct ksm_diag *err)
{
	struct utf8_state u = { 0 };
	unsigned col = 1, cr_col = 0;
	size_t i;

	if (!r->started) {
		/* Editors on some systems start UTF-8 files with a BOM; it
		 * is not part of the first line. */
		while (!r->eof && r->end - r->start < 3)
			if (refill(r, &r->start, err))
				return -1;
		if (r->end - r->start >= 3 &&
		    memcmp(r->data + r->start, "\xef\xbb\xbf", 3) == 0)
			r->start += 3;
		r->started = true;
	}
	if (r->start == r->end && r->eof)
		return 0;
	if (r->lineno < UINT_MAX)
		r->lineno++;
	for (i = r->start;; i++) {
		unsigned char b;

		if (i == r->end) {
			if (!r->eof) {
				if (refill(r, &i, err))
					return -1;
				i--;	/* look at data[i] again */
				continue;
			}
			/* The last line, without an LF. */
			if (u.need)
				return bad_utf8(r, &u, err);
			if (cr_col)
				return tlex_bad_control('\r', r->file, r->lineno, cr_col, err);
			*s = r->data + r->start;
			*len = i - r->start;
			r->start = i;
			return 1;
		}
		b = (unsigned char)r->data[i];
		if (u.need) {
			if (b < u.lo || b > u.hi)
				return bad_utf8(r, &u, err);
			u.cp = (u.cp << 6) | (b & 0x3f);
			u.lo = 0x80;
			u.hi = 0xbf;
			if (--u.need == 0 && u.cp < 0xa0)	/* C1 controls */
				return ksm_diag_set(err, r->file, r->lineno, u.col,
						    "control character U+%04X is not allowed",
						    (unsigned)u.cp);
			continue;
		}
		if (b == '\n') {
			*s = r->data + r->start;
			*len = i - r->start - (cr_col ? 1 : 0);
			r->start = i + 1;
			return 1;
		}
		/* A CR is fine only right before the LF. */
		if (cr_col)
			return tlex_bad_control('\r', r->file, r->lineno, cr_col, err);
		if (i - r->start >= TLEX_LINE_MAX)
			return ksm_diag_set(err, r->file, r->lineno, col,
					    "line longer than %u bytes", TLEX_LINE_MAX);
		if (b == '\r') {
			cr_col = col;
		} else if (b < 0x80) {
			if ((b < 0x20 && b != '\t') || b == 0x7f)
				return tlex_bad_control(b, r->file, r->lineno, col, err);
		} else if (!utf8_start(&u, b, col)) {
			return bad_utf8(r, &u, err);
		}
		if (col < UINT_MAX)
			col++;
	}
}
