// SPDX-License-Identifier: MIT
/*
 * DOC: ksmtrace v1 parser: the command line
 *
 * Turns the words the lexer finds on each line into struct trace_cmd
 * (include/ksmsim/trace.h), checking everything that can be checked from
 * the text alone, and stops at the first problem with a diagnostic that
 * points at the exact word (or the part of a word) at fault.  Every
 * message the parser can produce is listed in docs/trace-format.md; keep
 * that list in step with this file.
 *
 * This file finds the command's row in the command table
 * (sim/trace/cmd_table.c), checks the number of arguments against it,
 * reads each argument as the kind the row gives it (parse_args.c), left
 * to right, and runs the row's check.  A word that names no row is an
 * unknown command: there is nothing to call.
 *
 * A command is parsed into a local struct and appended to the trace only
 * when complete, so that a failure half-way through a line has exactly
 * one thing to free.  Running out of memory ends the program
 * (core/alloc.h): it is not a fault of the trace.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "ksmsim/trace_cmds.h"
#include "trace/parser_internal.h"

/* Index of @w in table @tab of @n names (NULLs skipped), or -1. */
int tparse_lookup(const struct tlex_word *w, const char *const *tab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i] && tlex_is(w, tab[i]))
			return (int)i;
	return -1;
}

int tparse_choice(struct parser *p, const struct tlex_word *w, const char *const *tab,
		  size_t n, const char *what, const char *expected)
{
	struct quotes q;
	int i = tparse_lookup(w, tab, n);

	if (i < 0)
		return tparse_err(p, w->col, "unknown %s '%s' (expected %s)", what,
				  tlex_quote(w, q.a), expected);
	return i;
}

int tparse_lookup_nt(const struct tlex_word *w, const char *const *tab)
{
	int i;

	for (i = 0; tab[i]; i++)
		if (tlex_is(w, tab[i]))
			return i;
	return -1;
}

/* --- Diagnostics -------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
int tparse_err(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(p->err, p->file, p->line.lineno, col, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- Commands ----------------------------------------------------------- */

static int check_nargs(struct parser *p, const struct trace_cmd_info *d)
{
	size_t n = nargs(p);

	if (n >= d->min_args && n <= d->max_args)
		return 0;
	/* Too few: point at the command; too many: at the first extra. */
	return tparse_err(p, n < d->min_args ? word(p, 0)->col : word(p, d->max_args + 1)->col,
		    "%s takes %s, got %zu argument%s", d->name,
		    d->usage, n, n == 1 ? "" : "s");
}

static void record_positions(const struct parser *p, struct trace_cmd *c)
{
	size_t i;

	c->nargs = p->line.n < UINT_MAX ? (unsigned)p->line.n : UINT_MAX;
	for (i = 0; i < p->line.n && i < TRACE_MAX_ARGS; i++) {
		c->argpos[i].line = p->line.lineno;
		c->argpos[i].col = p->line.w[i].col;
	}
}

/* The arguments of @c, as the kinds of row @d say. */
static int parse_args(struct parser *p, const struct trace_cmd_info *d,
		      struct trace_cmd *c)
{
	char msg[KSM_DIAG_MSG_MAX];
	unsigned at = 0;
	size_t i;

	for (i = 0; i < d->nargs; i++)
		if (d->args[i].kind == TARG_PROT)
			c->prot = TPROT_RW;	/* PROT left out */
	for (i = 0; i < d->nargs && i < nargs(p); i++)
		if (tparse_arg(p, c, &d->args[i], i + 1))
			return -1;
	if (!d->check || !d->check(c, &at, msg, sizeof(msg)))
		return 0;
	return tparse_err(p, word(p, at < p->line.n ? at : 0)->col, "%s", msg);
}

/* Parse the current line into *@out (freed again on failure). */
int tparse_command(struct parser *p, struct trace_cmd *out)
{
	const struct tlex_word *w = word(p, 0);
	const struct trace_cmd_info *d;
	struct trace_cmd c;
	struct quotes q;
	int kind = trace_cmd_lookup(w->s, w->len);

	if (kind < 0) {
		if (tlex_is(w, "ksmtrace"))
			return tparse_err(p, w->col,
				    "header 'ksmtrace' repeated (the header is line %u)",
				    p->header_line);
		return tparse_err(p, w->col, "unknown command '%s'",
			    tlex_quote(w, q.a));
	}
	d = trace_cmd_info((enum trace_cmd_kind)kind);
	if (check_nargs(p, d))
		return -1;
	memset(&c, 0, sizeof(c));
	c.kind = (enum trace_cmd_kind)kind;
	record_positions(p, &c);
	if (parse_args(p, d, &c)) {
		trace_cmd_free(&c);
		return -1;
	}
	*out = c;
	return 0;
}

int tparse_header(struct parser *p)
{
	const struct tlex_word *w = word(p, 0), *v;
	struct quotes q;
	uint64_t version;
	enum tlex_num r;

	if (!tlex_is(w, "ksmtrace"))
		return tparse_err(p, w->col, "expected header 'ksmtrace 1'");
	if (p->line.n < 2)
		return tparse_err(p, tlex_col(w, w->len),
			    "missing version after 'ksmtrace' (expected 'ksmtrace 1')");
	v = word(p, 1);
	r = tlex_u64(v->s, v->len, &version);
	if (r == TLEX_NUM_SYNTAX || r == TLEX_NUM_SIGN)
		return tparse_err(p, v->col,
			    "invalid ksmtrace version '%s' (expected 'ksmtrace 1')",
			    tlex_quote(v, q.a));
	if (r != TLEX_NUM_OK || version != 1)
		return tparse_err(p, v->col, "unsupported ksmtrace version %s",
			    tlex_quote(v, q.a));
	if (p->line.n > 2)
		return tparse_err(p, word(p, 2)->col,
			    "unexpected '%s' after the header 'ksmtrace 1'",
			    tlex_quote(word(p, 2), q.a));
	p->header_line = p->line.lineno;
	return 0;
}
