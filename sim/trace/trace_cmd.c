// SPDX-License-Identifier: MIT
/*
 * DOC: Parsed commands: page tokens, freeing, comparing
 *
 * What every user of struct trace_cmd (include/ksmsim/trace.h) needs
 * besides the parser: the token a page of a `write` receives, and
 * releasing and comparing commands and traces.
 */
#include <stdlib.h>
#include <string.h>

#include "ksmsim/trace.h"

/* --- Content tokens ---------------------------------------------------- */

uint64_t trace_content_token(const struct trace_content *c, uint64_t i)
{
	switch (c->kind) {
	case TCONT_TOKEN:
		return c->a;
	case TCONT_SEQ:
		return c->a + i;	/* unsigned: wraps modulo 2^64 */
	case TCONT_MOD:
		return c->a ? c->b + i % c->a : c->b;
	case TCONT_LIST:
		return c->nlist ? c->list[i % c->nlist] : 0;
	case TCONT_ZERO:
		break;
	}
	return 0;
}

/* --- Freeing and comparing --------------------------------------------- */

void trace_cmd_free(struct trace_cmd *c)
{
	size_t i;

	for (i = 0; i < c->nkvs; i++) {
		free(c->kvs[i].name);
		free(c->kvs[i].text);
	}
	free(c->kvs);
	free(c->content.list);
	free(c->label);
	free(c->dot_file);
	c->kvs = NULL;
	c->nkvs = 0;
	c->content.list = NULL;
	c->content.nlist = 0;
	c->label = NULL;
	c->dot_file = NULL;
}

void trace_free(struct trace *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncmds; i++)
		trace_cmd_free(&t->cmds[i]);
	free(t->cmds);
	free(t->file);
	memset(t, 0, sizeof(*t));
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool kv_equal(const struct trace_kv *a, const struct trace_kv *b)
{
	return str_eq(a->name, b->name) && str_eq(a->text, b->text) &&
	       a->is_num == b->is_num && a->num == b->num &&
	       a->kind == b->kind && a->index == b->index &&
	       strcmp(a->proc, b->proc) == 0;
}

static bool content_equal(const struct trace_content *a,
			  const struct trace_content *b)
{
	if (a->kind != b->kind || a->a != b->a || a->b != b->b ||
	    a->nlist != b->nlist)
		return false;
	return a->nlist == 0 ||
	       memcmp(a->list, b->list, a->nlist * sizeof(*a->list)) == 0;
}

bool trace_cmd_equal(const struct trace_cmd *a, const struct trace_cmd *b)
{
	size_t i;

	if (a->kind != b->kind || strcmp(a->proc[0], b->proc[0]) ||
	    strcmp(a->proc[1], b->proc[1]) || a->addr != b->addr ||
	    a->npages != b->npages || a->addr2 != b->addr2 ||
	    a->npages2 != b->npages2 || a->prot != b->prot ||
	    a->advice != b->advice || a->merge_any != b->merge_any ||
	    !content_equal(&a->content, &b->content) ||
	    a->scan_unit != b->scan_unit || a->scan_count != b->scan_count ||
	    a->nkvs != b->nkvs || !str_eq(a->label, b->label) ||
	    a->dot_what != b->dot_what || !str_eq(a->dot_file, b->dot_file))
		return false;
	for (i = 0; i < a->nkvs; i++)
		if (!kv_equal(&a->kvs[i], &b->kvs[i]))
			return false;
	return true;
}

bool trace_equal(const struct trace *a, const struct trace *b)
{
	size_t i;

	if (a->ncmds != b->ncmds)
		return false;
	for (i = 0; i < a->ncmds; i++)
		if (!trace_cmd_equal(&a->cmds[i], &b->cmds[i]))
			return false;
	return true;
}
