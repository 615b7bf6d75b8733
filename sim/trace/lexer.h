/* SPDX-License-Identifier: MIT */
/*
 * DOC: ksmtrace lexer (internal to sim/trace)
 *
 * The lexer knows about characters, lines and words, nothing about
 * commands.  It cuts the trace text into lines (LF, with an optional CR
 * before it), checks that a line is clean UTF-8 text without control
 * characters, drops the comment, and splits what is left into words
 * separated by runs of spaces and tabs.  Every word remembers its 1-based
 * column, counted in characters (Unicode code points; a tab is one
 * column), so that the parser can point at it.
 *
 * It also reads numbers (decimal, or hexadecimal after "0x") with an
 * overflow check.  Memory comes from core's helpers (core/alloc.h,
 * core/array.h): running out of it ends the program, as everywhere else.
 */
#ifndef KSMSIM_TRACE_LEXER_H
#define KSMSIM_TRACE_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ksmsim/diag.h"
#include "ksmsim/trace.h"

/* One word of a line; @s points into the trace text (not terminated). */
struct tlex_word {
	const char *s;
	size_t len;
	unsigned col;	/* 1-based column of s[0] */
	bool ascii;	/* every byte < 0x80: byte offsets are columns */
};

/* The words of one line.  The array is reused from line to line. */
struct tlex_line {
	struct tlex_word *w;
	size_t n;
	size_t cap;
	unsigned lineno;	/* 1-based */
	unsigned end_col;	/* column just past the last word */
};

/*
 * The longest line a trace may hold, in bytes, not counting its LF (a CR
 * before the LF counts).  The reader never holds more than one line, so
 * this bounds its memory (about twice this) whatever the input.
 */
#define TLEX_LINE_MAX TRACE_LINE_MAX

/*
 * Reader of the lines of a trace (sim/trace/input.c): from a file
 * descriptor, read in chunks into a buffer that holds one line at most,
 * or from a text held in memory.  Every byte is checked as it arrives
 * (see tlex_reader_next()), so a bad byte is reported without reading
 * further: /dev/zero fails at its first byte.
 */
struct tlex_reader {
	const char *file;	/* name in diagnostics (not owned) */
	int fd;			/* -1: all the text is in data[]   */
	off_t origin;		/* offset of fd at the start, or -1 */
	const char *data;	/* own, or the caller's text       */
	char *own;		/* the buffer when reading a file  */
	size_t cap;		/* size of own                     */
	size_t start, end;	/* unread bytes: data[start..end)  */
	bool eof;		/* nothing more to read after end  */
	bool started;		/* byte order mark looked at       */
	unsigned lineno;	/* number of the line last returned */
};

/* A reader of @len bytes at @text (not copied; must outlive @r). */
void tlex_reader_init(struct tlex_reader *r, const char *text, size_t len,
		      const char *file);

/*
 * tlex_reader_open_fd() - a reader of @fd (not closed by the reader).
 */
void tlex_reader_open_fd(struct tlex_reader *r, int fd, const char *file);

/* Start again from the first byte (@fd must be seekable).  0 or -1. */
int tlex_reader_rewind(struct tlex_reader *r);

/*
 * tlex_reader_next() - the next line, without its LF (a CR right before
 * the LF is dropped too); valid until the next call.  A UTF-8 byte order
 * mark at the very start is skipped.  The characters of the line are
 * checked as they are read (docs/trace-format.md, "Lexical rules"): a
 * NUL, a control character, malformed UTF-8, a stray CR, or a line longer
 * than TLEX_LINE_MAX is an error at its line and column, found before
 * anything after it is read.
 * Return: 1 (a line), 0 (end of input), -1 (@err set).
 */
int tlex_reader_next(struct tlex_reader *r, const char **s, size_t *len,
		     struct ksm_diag *err);

void tlex_reader_free(struct tlex_reader *r);

/*
 * tlex_split() - check the characters of line @s and split it into words.
 * @file: the name used in a diagnostic.
 * Return: 0, or -1 with @err set (a bad character).
 */
int tlex_split(const char *s, size_t len, unsigned lineno, const char *file,
	       struct tlex_line *out, struct ksm_diag *err);

void tlex_line_free(struct tlex_line *l);

/* Diagnose the ASCII control character @b (NUL, CR, ...) at @col; -1. */
int tlex_bad_control(unsigned char b, const char *file, unsigned lineno,
		     unsigned col, struct ksm_diag *err);

/* Column of byte @off of @w (counting characters, not bytes). */
unsigned tlex_col(const struct tlex_word *w, size_t off);

/* The part of @w from byte @off to byte @off + @len. */
struct tlex_word tlex_sub(const struct tlex_word *w, size_t off, size_t len);

/* Does @w hold exactly the text @lit? */
bool tlex_is(const struct tlex_word *w, const char *lit);

enum tlex_num {
	TLEX_NUM_OK,
	TLEX_NUM_SYNTAX,	/* not a number at all (empty, bad digit) */
	TLEX_NUM_SIGN,		/* starts with '+' or '-' */
	TLEX_NUM_OVERFLOW,	/* well formed but above 2^64 - 1 */
};

/*
 * tlex_u64() - read @s[0..@len) as a whole number: decimal digits, or
 * "0x" and hex digits of either case.  Leading zeros are allowed (and
 * never mean octal).  Linear in @len, whatever the leading zeros.
 */
enum tlex_num tlex_u64(const char *s, size_t len, uint64_t *out);

/*
 * tlex_quote() - @w as text fit to quote in a message: at most about 40
 * characters, cut at a character boundary and ended with "..." when
 * longer.  Returns @buf.
 */
#define TLEX_QUOTE_MAX 64
const char *tlex_quote(const struct tlex_word *w, char buf[TLEX_QUOTE_MAX]);

#endif /* KSMSIM_TRACE_LEXER_H */
