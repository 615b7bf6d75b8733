/* SPDX-License-Identifier: MIT */
/*
 * DOC: What the parser's files share (internal to sim/trace)
 *
 * The parser is split by job: the command line and its dispatch
 * (parser.c), the argument kinds (parse_args.c, parse_content.c), the
 * knob and counter names of `set` and `expect` (parse_names.c), streams
 * and whole traces (stream.c).  They share the parser's state, its
 * diagnostics and the readers of the words every argument kind uses.
 */
#ifndef KSMSIM_TRACE_PARSER_INTERNAL_H
#define KSMSIM_TRACE_PARSER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/array.h"
#include "ksmsim/trace.h"
#include "ksmsim/trace_cmds.h"
#include "trace/lexer.h"


struct parser {
	const char *file;	/* name in diagnostics */
	struct ksm_diag *err;
	struct tlex_line line;	/* words of the current line */
	unsigned header_line;	/* of "ksmtrace 1"; 0 before it */
};

/* The i-th word of the current line (0 is the command). */
static inline const struct tlex_word *word(const struct parser *p, size_t i)
{
	return &p->line.w[i];
}

/* Number of arguments after the command word. */
static inline size_t nargs(const struct parser *p)
{
	return p->line.n - 1;
}

/* A diagnostic at column @col of the current line; returns -1. */
__attribute__((format(printf, 3, 4)))
int tparse_err(struct parser *p, unsigned col, const char *fmt, ...);

/* Quote buffers: messages quote at most two words. */
struct quotes {
	char a[TLEX_QUOTE_MAX];
	char b[TLEX_QUOTE_MAX];
};

/* Index of @w in table @tab of @n names (NULLs skipped), or -1. */
int tparse_lookup(const struct tlex_word *w, const char *const *tab, size_t n);
/*
 * tparse_choice() - tparse_lookup(), and for a word that is none of them
 * the diagnostic "unknown WHAT 'WORD' (expected EXPECTED)" at the word.
 * Returns the index, or -1 after the diagnostic.
 */
int tparse_choice(struct parser *p, const struct tlex_word *w, const char *const *tab,
		  size_t n, const char *what, const char *expected);
/* Same for a NULL-terminated table. */
int tparse_lookup_nt(const struct tlex_word *w, const char *const *tab);

/* Read @w as a number; @role names it in messages ("NPAGES", "run"). */
int tparse_num(struct parser *p, const struct tlex_word *w, const char *role,
	       uint64_t *out);
/* A process name: [A-Za-z_][A-Za-z0-9_]*, at most TRACE_NAME_MAX bytes. */
int tparse_proc(struct parser *p, const struct tlex_word *w,
		char out[TRACE_NAME_MAX + 1]);

/* parse_names.c: the value of a `set` pair (a knob), of an `expect` pair. */
int tparse_knob(struct parser *p, struct trace_kv *kv,
		const struct tlex_word *name, const struct tlex_word *v);
int tparse_counter(struct parser *p, struct trace_kv *kv,
		   const struct tlex_word *name, const struct tlex_word *v);

/* parse_args.c: word @i of the line as argument kind @a, into @c. */
int tparse_arg(struct parser *p, struct trace_cmd *c, const struct trace_arg *a,
	       size_t i);
/* parse_content.c: the CONTENT @w of a write of @npages pages. */
int tparse_content(struct parser *p, const struct tlex_word *w,
		   uint64_t npages, struct trace_content *ct);

/* parser.c: the header line, a command line (into *@out, freed on failure). */
int tparse_header(struct parser *p);
int tparse_command(struct parser *p, struct trace_cmd *out);

#endif /* KSMSIM_TRACE_PARSER_INTERNAL_H */
