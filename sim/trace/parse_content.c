// SPDX-License-Identifier: MIT
/*
 * DOC: The CONTENT argument of `write`
 *
 * token=N, seq=N, mod=K,BASE, list=A,B,... or zero
 * (docs/trace-format.md, "CONTENT"), checked so that no page of the
 * range gets a token past 2^64 - 1.
 */
#include <inttypes.h>
#include <string.h>

#include "core/alloc.h"
#include "trace/parser_internal.h"

/*
 * Would some page of the range get a token above 2^64 - 1?  @top is the
 * largest i that is added to @base (i < npages).
 */
static int check_no_wrap(struct parser *p, const struct tlex_word *w,
			 uint64_t base, uint64_t top, uint64_t npages)
{
	struct quotes q;

	if (top <= UINT64_MAX - base)
		return 0;
	return tparse_err(p, w->col,
		    "content '%s' over %" PRIu64
		    " pages goes past the largest token 0xffffffffffffffff",
		    tlex_quote(w, q.a), npages);
}

static int parse_mod(struct parser *p, const struct tlex_word *w,
		     const struct tlex_word *v, struct trace_content *ct,
		     uint64_t npages)
{
	const char *comma = memchr(v->s, ',', v->len);
	struct tlex_word k, base;
	struct quotes q;
	size_t off;

	if (!comma)
		return tparse_err(p, v->col, "mod takes K,BASE, got '%s'",
			    tlex_quote(v, q.a));
	off = (size_t)(comma - v->s);
	k = tlex_sub(v, 0, off);
	base = tlex_sub(v, off + 1, v->len - off - 1);
	if (tparse_num(p, &k, "K", &ct->a))
		return -1;
	if (!ct->a)
		return tparse_err(p, k.col, "K must be at least 1");
	if (tparse_num(p, &base, "BASE", &ct->b))
		return -1;
	ct->kind = TCONT_MOD;
	return check_no_wrap(p, w, ct->b,
			     (ct->a < npages ? ct->a : npages) - 1, npages);
}

static int parse_list(struct parser *p, const struct tlex_word *v,
		      struct trace_content *ct)
{
	size_t n = 1, i, start = 0;

	for (i = 0; i < v->len; i++) {
		if (v->s[i] != ',')
			continue;
		if (n == TRACE_LIST_MAX) {
			struct tlex_word extra = tlex_sub(v, i + 1, 0);

			return tparse_err(p, extra.col,
				    "list has more than %d entries",
				    TRACE_LIST_MAX);
		}
		n++;
	}
	ct->list = xcalloc(n, sizeof(*ct->list));
	ct->kind = TCONT_LIST;
	for (i = 0; i < n; i++) {
		const char *comma = memchr(v->s + start, ',', v->len - start);
		size_t end = comma ? (size_t)(comma - v->s) : v->len;
		struct tlex_word e = tlex_sub(v, start, end - start);

		if (!e.len)
			return tparse_err(p, e.col, "empty entry in list");
		if (tparse_num(p, &e, "list entry", &ct->list[i]))
			return -1;
		ct->nlist = i + 1;
		start = end + 1;
	}
	return 0;
}

int tparse_content(struct parser *p, const struct tlex_word *w,
			 uint64_t npages, struct trace_content *ct)
{
	static const char *const forms[] = { "token", "seq", "mod", "list" };
	const char *eq = memchr(w->s, '=', w->len);
	struct tlex_word key = { 0 }, v;
	struct quotes q;
	int form = -1;

	if (tlex_is(w, "zero")) {
		ct->kind = TCONT_ZERO;
		return 0;
	}
	if (eq) {
		key = tlex_sub(w, 0, (size_t)(eq - w->s));
		form = tparse_lookup(&key, forms, ARRAY_SIZE(forms));
	}
	if (form < 0)
		return tparse_err(p, w->col,
			    "unknown CONTENT '%s' (expected token=N, seq=N, mod=K,BASE, list=A,B,... or zero)",
			    tlex_quote(w, q.a));
	v = tlex_sub(w, key.len + 1, w->len - key.len - 1);
	if (!v.len)
		return tparse_err(p, v.col, "missing value after '%s='",
			    forms[form]);
	switch (form) {
	case 0:
		ct->kind = TCONT_TOKEN;
		return tparse_num(p, &v, "token", &ct->a);
	case 1:
		ct->kind = TCONT_SEQ;
		if (tparse_num(p, &v, "seq", &ct->a))
			return -1;
		return check_no_wrap(p, w, ct->a, npages - 1, npages);
	case 2:
		return parse_mod(p, w, &v, ct, npages);
	default:
		return parse_list(p, &v, ct);
	}
}

