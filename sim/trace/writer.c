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
 * The writer trusts its input to be valid, as the parser makes it; it
 * does not re-check names or ranges.
 */
#include "ksmsim/trace.h"

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

static void put_range(struct out *o, uint64_t addr, uint64_t npages)
{
	put_addr(o, addr);
	put(o, " %" PRIu64, npages);
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

/* Everything after the command word. */
static void put_args(struct out *o, const struct trace_cmd *c)
{
	switch (c->kind) {
	case TC_SET:
	case TC_EXPECT:
		put_kvs(o, c);
		break;
	case TC_SPAWN:
	case TC_EXIT:
		put(o, " %s", c->proc[0]);
		break;
	case TC_FORK:
		put(o, " %s %s", c->proc[0], c->proc[1]);
		break;
	case TC_MMAP:
		put(o, " %s", c->proc[0]);
		put_range(o, c->addr, c->npages);
		if (c->prot != TPROT_RW)
			put(o, " %s", trace_prot_name(c->prot));
		break;
	case TC_MUNMAP:
	case TC_READ:
		put(o, " %s", c->proc[0]);
		put_range(o, c->addr, c->npages);
		break;
	case TC_MPROTECT:
		put(o, " %s", c->proc[0]);
		put_range(o, c->addr, c->npages);
		put(o, " %s", trace_prot_name(c->prot));
		break;
	case TC_MREMAP:
		put(o, " %s", c->proc[0]);
		put_range(o, c->addr, c->npages);
		put_range(o, c->addr2, c->npages2);
		break;
	case TC_MADVISE:
		put(o, " %s", c->proc[0]);
		put_range(o, c->addr, c->npages);
		put(o, " %s", trace_advice_name(c->advice));
		break;
	case TC_PRCTL:
		put(o, " %s merge_any=%d", c->proc[0], c->merge_any ? 1 : 0);
		break;
	case TC_WRITE:
		put(o, " %s", c->proc[0]);
		put_range(o, c->addr, c->npages);
		put_content(o, &c->content);
		break;
	case TC_SCAN:
		put(o, " %s=%" PRIu64, trace_scan_unit_name(c->scan_unit),
		    c->scan_count);
		break;
	case TC_SNAPSHOT:
		if (c->label)
			put(o, " %s", c->label);
		break;
	case TC_CHECK:
		break;
	case TC_RMAP:
	case TC_MIGRATE:
		put(o, " %s", c->proc[0]);
		put_addr(o, c->addr);
		break;
	case TC_DOT:
		put_dot(o, c);
		break;
	case TC__COUNT:
		break;
	}
}

int trace_write_cmd(FILE *out, const struct trace_cmd *c)
{
	struct out o = { .f = out };
	const char *name = trace_cmd_name(c->kind);

	if (!name) {
		errno = EINVAL;
		return -1;
	}
	put(&o, "%s", name);
	put_args(&o, c);
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
