// SPDX-License-Identifier: MIT
/*
 * DOC: ksmtrace v1 writer
 *
 * Prints a struct trace back as text in one canonical form: single spaces
 * between words, addresses in lower-case hex with "0x", every other
 * number in decimal, PROT left out of mmap when it is the default rw,
 * NAME=VALUE values, labels and FILE names exactly as written.  Values of
 * NAME=VALUE pairs are copied as text rather than reprinted from their
 * numbers because the text is part of the parsed form ("yes" and "1" are
 * different texts for the same number), and copying it is what makes
 * parse(write(t)) equal to t.
 *
 * Each argument is written by its kind in the command table
 * (include/ksmsim/trace_cmds.h), as the parser reads it.  The writer
 * trusts its input to be valid, as the parser makes it; it does not
 * re-check names or ranges.
 */
#include "ksmsim/trace.h"
#include "ksmsim/trace_cmds.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

/* A stream and whether any write to it failed so far. */
struct out {
	FILE *f;
	int err;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(o->f, fmt, ap) < 0)
		o->err = -1;
	va_end(ap);
}

static void put_addr(struct out *o, uint64_t addr)
{
	put(o, " 0x%" PRIx64, addr);
}

static void put_content(struct out *o, const struct trace_content *ct)
{
	size_t i;

	switch (ct->kind) {
	case TCONT_TOKEN:
		put(o, " token=%" PRIu64, ct->a);
		break;
	case TCONT_SEQ:
		put(o, " seq=%" PRIu64, ct->a);
		break;
	case TCONT_MOD:
		put(o, " mod=%" PRIu64 ",%" PRIu64, ct->a, ct->b);
		break;
	case TCONT_LIST:
		put(o, " list=");
		for (i = 0; i < ct->nlist; i++)
			put(o, "%s%" PRIu64, i ? "," : "", ct->list[i]);
		break;
	case TCONT_ZERO:
		put(o, " zero");
		break;
	}
}

static void put_kvs(struct out *o, const struct trace_cmd *c)
{
	size_t i;

	for (i = 0; i < c->nkvs; i++) {
		const struct trace_kv *kv = &c->kvs[i];

		/* A hand-built pair may carry only its number. */
		if (kv->text)
			put(o, " %s=%s", kv->name, kv->text);
		else
			put(o, " %s=%" PRIu64, kv->name, kv->num);
	}
}

static void put_dot(struct out *o, const struct trace_cmd *c)
{
	put(o, " %s", trace_dot_what_name(c->dot_what));
	switch (c->dot_what) {
	case TDOT_ANON_VMA:
	case TDOT_RMAP:
		put(o, " %s", c->proc[0]);
		put_addr(o, c->addr);
		break;
	case TDOT_MM:
		put(o, " %s", c->proc[0]);
		break;
	case TDOT_STABLE:
	case TDOT_UNSTABLE:
	case TDOT_ALL:
		break;
	}
	put(o, " %s", c->dot_file ? c->dot_file : "");
}

/* Argument @i of @c, of kind @a: a space, then its text. */
static void put_arg(struct out *o, const struct trace_cmd *c,
		    const struct trace_cmd_info *d, size_t i)
{
	switch (d->args[i].kind) {
	case TARG_PROC:
	case TARG_NEW_PROC:
		put(o, " %s", c->proc[0]);
		break;
	case TARG_CHILD:
		put(o, " %s", c->proc[1]);
		break;
	case TARG_ADDR:
		put_addr(o, c->addr);
		break;
	case TARG_NPAGES:
		put(o, " %" PRIu64, c->npages);
		break;
	case TARG_NEW_ADDR:
		put_addr(o, c->addr2);
		break;
	case TARG_NEW_NPAGES:
		put(o, " %" PRIu64, c->npages2);
		break;
	case TARG_PROT:
		/* An optional PROT is left out when it is the default. */
		if (i >= d->min_args && c->prot == TPROT_RW)
			break;
		put(o, " %s", trace_prot_name(c->prot));
		break;
	case TARG_ADVICE:
		put(o, " %s", trace_advice_name(c->advice));
		break;
	case TARG_MERGE_ANY:
		put(o, " merge_any=%d", c->merge_any ? 1 : 0);
		break;
	case TARG_CONTENT:
		put_content(o, &c->content);
		break;
	case TARG_SCAN:
		put(o, " %s=%" PRIu64, trace_scan_unit_name(c->scan_unit),
		    c->scan_count);
		break;
	case TARG_KNOBS:
	case TARG_COUNTERS:
		put_kvs(o, c);
		break;
	case TARG_LABEL:
		if (c->label)
			put(o, " %s", c->label);
		break;
	case TARG_DOT:
		put_dot(o, c);
		break;
	}
}

int trace_write_cmd(FILE *out, const struct trace_cmd *c)
{
	struct out o = { .f = out };
	const struct trace_cmd_info *d = trace_cmd_info(c->kind);

	if (!d) {
		errno = EINVAL;
		return -1;
	}
	put(&o, "%s", d->name);
	for (size_t i = 0; i < d->nargs; i++)
		put_arg(&o, c, d, i);
	return o.err;
}

int trace_write(FILE *out, const struct trace *t)
{
	size_t i;

	if (fputs("ksmtrace 1\n", out) == EOF)
		return -1;
	for (i = 0; i < t->ncmds; i++)
		if (trace_write_cmd(out, &t->cmds[i]) ||
		    fputc('\n', out) == EOF)
			return -1;
	return 0;
}
