// SPDX-License-Identifier: MIT
/*
 * DOC: ksmtrace v1 parser
 *
 * Turns the words the lexer finds on each line into struct trace_cmd
 * (include/ksmsim/trace.h), checking everything that can be checked from
 * the text alone, and stops at the first problem with a diagnostic that
 * points at the exact word (or the part of a word) at fault.  Every
 * message the parser can produce is listed in docs/trace-format.md; keep
 * that list in step with this file.
 *
 * A command is parsed into a local struct and appended to the trace only
 * when complete, so that a failure half-way through a line has exactly
 * one thing to free.  Running out of memory is a diagnostic like any
 * other.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace/parser_internal.h"

static const char *const cmd_names[TC__COUNT] = {
	[TC_SET] = "set",	  [TC_SPAWN] = "spawn",
	[TC_FORK] = "fork",	  [TC_EXIT] = "exit",
	[TC_MMAP] = "mmap",	  [TC_MUNMAP] = "munmap",
	[TC_MPROTECT] = "mprotect", [TC_MREMAP] = "mremap",
	[TC_MADVISE] = "madvise", [TC_PRCTL] = "prctl",
	[TC_WRITE] = "write",	  [TC_READ] = "read",
	[TC_SCAN] = "scan",	  [TC_EXPECT] = "expect",
	[TC_SNAPSHOT] = "snapshot", [TC_CHECK] = "check",
	[TC_RMAP] = "rmap",	  [TC_DOT] = "dot",
	[TC_MIGRATE] = "migrate",
};

static const char *const prot_names[] = {
	[TPROT_NONE] = "none", [TPROT_R] = "r", [TPROT_RW] = "rw",
};

static const char *const advice_names[] = {
	[TADV_MERGEABLE] = "mergeable",
	[TADV_UNMERGEABLE] = "unmergeable",
	[TADV_DONTNEED] = "dontneed",
};

static const char *const scan_unit_names[] = {
	[TSCAN_ROUNDS] = "rounds", [TSCAN_BATCHES] = "batches",
};

static const char *const dot_names[] = {
	[TDOT_STABLE] = "stable",     [TDOT_UNSTABLE] = "unstable",
	[TDOT_ANON_VMA] = "anon_vma", [TDOT_MM] = "mm",
	[TDOT_RMAP] = "rmap",	      [TDOT_ALL] = "all",
};

static const char *name_of(const char *const *tab, size_t n, unsigned i)
{
	return i < n ? tab[i] : NULL;
}

const char *trace_cmd_name(enum trace_cmd_kind kind)
{
	return name_of(cmd_names, ARRAY_SIZE(cmd_names), (unsigned)kind);
}

const char *trace_prot_name(enum trace_prot prot)
{
	return name_of(prot_names, ARRAY_SIZE(prot_names), (unsigned)prot);
}

const char *trace_advice_name(enum trace_advice advice)
{
	return name_of(advice_names, ARRAY_SIZE(advice_names),
		       (unsigned)advice);
}

const char *trace_scan_unit_name(enum trace_scan_unit unit)
{
	return name_of(scan_unit_names, ARRAY_SIZE(scan_unit_names),
		       (unsigned)unit);
}

const char *trace_dot_what_name(enum trace_dot_what what)
{
	return name_of(dot_names, ARRAY_SIZE(dot_names), (unsigned)what);
}

/* Index of @w in table @tab of @n names (NULLs skipped), or -1. */
int tparse_lookup(const struct tlex_word *w, const char *const *tab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i] && tlex_is(w, tab[i]))
			return (int)i;
	return -1;
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

int tparse_oom(struct parser *p)
{
	return tparse_err(p, 0, "out of memory");
}

/* --- Numbers, names, addresses ----------------------------------------- */

/* Read @w as a number; @role names it in messages ("NPAGES", "run"). */
int tparse_num(struct parser *p, const struct tlex_word *w,
		     const char *role, uint64_t *out)
{
	struct quotes q;

	switch (tlex_u64(w->s, w->len, out)) {
	case TLEX_NUM_OK:
		return 0;
	case TLEX_NUM_SIGN:
		return tparse_err(p, w->col, "%s must be a number without sign, got '%s'",
			    role, tlex_quote(w, q.a));
	case TLEX_NUM_OVERFLOW:
		return tparse_err(p, w->col, "number %s does not fit in 64 bits",
			    tlex_quote(w, q.a));
	case TLEX_NUM_SYNTAX:
		break;
	}
	return tparse_err(p, w->col, "expected a number for %s, got '%s'", role,
		    tlex_quote(w, q.a));
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* A process name: [A-Za-z_][A-Za-z0-9_]*, at most TRACE_NAME_MAX bytes. */
int tparse_proc(struct parser *p, const struct tlex_word *w,
		      char out[TRACE_NAME_MAX + 1])
{
	struct quotes q;
	size_t i;

	if (!w->len || !is_name_start(w->s[0]))
		goto bad;
	for (i = 1; i < w->len; i++)
		if (!is_name_char(w->s[i]))
			goto bad;
	if (w->len > TRACE_NAME_MAX)
		return tparse_err(p, w->col,
			    "process name longer than %d characters",
			    TRACE_NAME_MAX);
	memcpy(out, w->s, w->len);
	out[w->len] = '\0';
	return 0;
bad:
	return tparse_err(p, w->col, "invalid process name '%s'",
		    tlex_quote(w, q.a));
}

/* ADDR: page aligned, mappable, inside the user address space. */
static int parse_addr(struct parser *p, const struct tlex_word *w,
		      const char *role, uint64_t *addr)
{
	struct quotes q;

	if (tparse_num(p, w, role, addr))
		return -1;
	if (*addr % TRACE_PAGE_SIZE)
		return tparse_err(p, w->col,
			    "address %s is not page aligned (4096 bytes)",
			    tlex_quote(w, q.a));
	if (*addr < TRACE_ADDR_MIN)
		return tparse_err(p, w->col,
			    "address %s is below the lowest mappable address 0x10000 (mmap_min_addr 65536)",
			    tlex_quote(w, q.a));
	if (*addr >= TRACE_ADDR_END)
		return tparse_err(p, w->col,
			    "address %s is beyond the user address space (which ends at 0x800000000000)",
			    tlex_quote(w, q.a));
	return 0;
}

/* NPAGES after an ADDR already checked: at least 1, range in bounds. */
static int parse_npages(struct parser *p, const struct tlex_word *w,
			const char *role, uint64_t addr, uint64_t *npages)
{
	if (tparse_num(p, w, role, npages))
		return -1;
	if (*npages == 0)
		return tparse_err(p, w->col, "%s must be at least 1", role);
	/* addr < TRACE_ADDR_END, so this cannot overflow. */
	if (*npages > (TRACE_ADDR_END - addr) / TRACE_PAGE_SIZE)
		return tparse_err(p, w->col,
			    "range 0x%" PRIx64 " + %" PRIu64
			    " pages goes beyond the user address space (which ends at 0x800000000000)",
			    addr, *npages);
	return 0;
}

/* ADDR NPAGES at words @i and @i + 1. */
static int parse_range(struct parser *p, size_t i, const char *arole,
		       const char *nrole, uint64_t *addr, uint64_t *npages)
{
	if (parse_addr(p, word(p, i), arole, addr))
		return -1;
	return parse_npages(p, word(p, i + 1), nrole, *addr, npages);
}

static int parse_prot(struct parser *p, const struct tlex_word *w,
		      enum trace_prot *prot)
{
	struct quotes q;
	int i = tparse_lookup(w, prot_names, ARRAY_SIZE(prot_names));

	if (i < 0)
		return tparse_err(p, w->col,
			    "unknown PROT '%s' (expected rw, r or none)",
			    tlex_quote(w, q.a));
	*prot = (enum trace_prot)i;
	return 0;
}

/*
 * Split NAME=VALUE at the first '='.  @form describes the expected shape
 * for the message when there is no '=' at all.
 */
static int split_kv(struct parser *p, const struct tlex_word *w,
		    const char *form, struct tlex_word *name,
		    struct tlex_word *value)
{
	const char *eq = memchr(w->s, '=', w->len);
	struct quotes q;
	size_t off;

	if (!eq)
		return tparse_err(p, w->col, "expected %s, got '%s'", form,
			    tlex_quote(w, q.a));
	off = (size_t)(eq - w->s);
	*name = tlex_sub(w, 0, off);
	*value = tlex_sub(w, off + 1, w->len - off - 1);
	if (!off)
		return tparse_err(p, w->col, "missing name before '='");
	if (!value->len)
		return tparse_err(p, value->col, "missing value after '%s='",
			    tlex_quote(name, q.a));
	return 0;
}

/* --- Commands ------------------------------------------------------------ */

static int parse_spawn_exit(struct parser *p, struct trace_cmd *c)
{
	return tparse_proc(p, word(p, 1), c->proc[0]);
}

static int parse_fork(struct parser *p, struct trace_cmd *c)
{
	if (tparse_proc(p, word(p, 1), c->proc[0]) ||
	    tparse_proc(p, word(p, 2), c->proc[1]))
		return -1;
	if (strcmp(c->proc[0], c->proc[1]) == 0)
		return tparse_err(p, word(p, 2)->col,
			    "CHILD '%s' is the same process as PARENT",
			    c->proc[1]);
	return 0;
}

static int parse_mmap(struct parser *p, struct trace_cmd *c)
{
	if (tparse_proc(p, word(p, 1), c->proc[0]) ||
	    parse_range(p, 2, "ADDR", "NPAGES", &c->addr, &c->npages))
		return -1;
	c->prot = TPROT_RW;
	if (nargs(p) == 4)
		return parse_prot(p, word(p, 4), &c->prot);
	return 0;
}

/* munmap and read: P ADDR NPAGES. */
static int parse_p_range(struct parser *p, struct trace_cmd *c)
{
	if (tparse_proc(p, word(p, 1), c->proc[0]))
		return -1;
	return parse_range(p, 2, "ADDR", "NPAGES", &c->addr, &c->npages);
}

static int parse_mprotect(struct parser *p, struct trace_cmd *c)
{
	if (parse_p_range(p, c))
		return -1;
	return parse_prot(p, word(p, 4), &c->prot);
}

static int parse_mremap(struct parser *p, struct trace_cmd *c)
{
	if (tparse_proc(p, word(p, 1), c->proc[0]) ||
	    parse_range(p, 2, "OLD_ADDR", "OLD_NPAGES", &c->addr, &c->npages))
		return -1;
	return parse_range(p, 4, "NEW_ADDR", "NEW_NPAGES", &c->addr2,
			   &c->npages2);
}

static int parse_madvise(struct parser *p, struct trace_cmd *c)
{
	const struct tlex_word *w = word(p, 4);
	struct quotes q;
	int i;

	if (parse_p_range(p, c))
		return -1;
	i = tparse_lookup(w, advice_names, ARRAY_SIZE(advice_names));
	if (i < 0)
		return tparse_err(p, w->col,
			    "unknown ADVICE '%s' (expected mergeable, unmergeable or dontneed)",
			    tlex_quote(w, q.a));
	c->advice = (enum trace_advice)i;
	return 0;
}

static int parse_prctl(struct parser *p, struct trace_cmd *c)
{
	struct tlex_word name, value;
	struct quotes q;
	uint64_t v;

	if (tparse_proc(p, word(p, 1), c->proc[0]) ||
	    split_kv(p, word(p, 2), "merge_any=0|1", &name, &value))
		return -1;
	if (!tlex_is(&name, "merge_any"))
		return tparse_err(p, name.col,
			    "unknown prctl setting '%s' (expected merge_any=0|1)",
			    tlex_quote(&name, q.a));
	if (tlex_u64(value.s, value.len, &v) != TLEX_NUM_OK || v > 1)
		return tparse_err(p, value.col, "merge_any must be 0 or 1, got '%s'",
			    tlex_quote(&value, q.a));
	c->merge_any = v;
	return 0;
}

static int parse_scan(struct parser *p, struct trace_cmd *c)
{
	struct tlex_word name, value;
	struct quotes q;
	int i;

	if (split_kv(p, word(p, 1), "rounds=N or batches=N", &name, &value))
		return -1;
	i = tparse_lookup(&name, scan_unit_names, ARRAY_SIZE(scan_unit_names));
	if (i < 0)
		return tparse_err(p, name.col,
			    "unknown scan unit '%s' (expected rounds=N or batches=N)",
			    tlex_quote(&name, q.a));
	c->scan_unit = (enum trace_scan_unit)i;
	if (tparse_num(p, &value, scan_unit_names[i], &c->scan_count))
		return -1;
	if (!c->scan_count)
		return tparse_err(p, value.col, "%s must be at least 1",
			    scan_unit_names[i]);
	return 0;
}

/* --- CONTENT ------------------------------------------------------------ */

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
	ct->list = tlex_realloc(NULL, n * sizeof(*ct->list));
	if (!ct->list)
		return tparse_oom(p);
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

static int parse_content(struct parser *p, const struct tlex_word *w,
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

static int parse_write(struct parser *p, struct trace_cmd *c)
{
	if (parse_p_range(p, c))
		return -1;
	return parse_content(p, word(p, 4), c->npages, &c->content);
}

/* --- set and expect ----------------------------------------------------- */

/*
 * Fill @kv's strings and positions from @name and @value.  The array of
 * pairs was zeroed, so a failure here leaves it safe to free.
 */
static int kv_init(struct parser *p, struct trace_kv *kv,
		   const struct tlex_word *name, const struct tlex_word *value)
{
	kv->name = tlex_strndup(name->s, name->len);
	kv->text = tlex_strndup(value->s, value->len);
	if (!kv->name || !kv->text)
		return tparse_oom(p);
	kv->name_pos.line = p->line.lineno;
	kv->name_pos.col = name->col;
	kv->value_pos.line = p->line.lineno;
	kv->value_pos.col = value->col;
	return 0;
}

/* set and expect: one pair per argument, kept in order. */
static int parse_kvs(struct parser *p, struct trace_cmd *c)
{
	size_t n = nargs(p), i;

	if (n > SIZE_MAX / sizeof(*c->kvs))
		return tparse_oom(p);
	c->kvs = tlex_realloc(NULL, n * sizeof(*c->kvs));
	if (!c->kvs)
		return tparse_oom(p);
	memset(c->kvs, 0, n * sizeof(*c->kvs));
	c->nkvs = n;
	for (i = 0; i < n; i++) {
		struct trace_kv *kv = &c->kvs[i];
		struct tlex_word name, value;

		if (split_kv(p, word(p, i + 1), "NAME=VALUE", &name, &value) ||
		    kv_init(p, kv, &name, &value))
			return -1;
		if (c->kind == TC_SET ? tparse_knob(p, kv, &name, &value) :
					tparse_counter(p, kv, &name, &value))
			return -1;
	}
	return 0;
}

/* --- snapshot, check, rmap, dot ----------------------------------------- */

static bool is_label_char(char c)
{
	return is_name_char(c) || c == '.' || c == ':' || c == '-';
}

static int parse_snapshot(struct parser *p, struct trace_cmd *c)
{
	const struct tlex_word *w;
	struct quotes q;
	size_t i;

	if (nargs(p) == 0)
		return 0;
	w = word(p, 1);
	for (i = 0; i < w->len; i++)
		if (!is_label_char(w->s[i]))
			return tparse_err(p, w->col,
				    "invalid snapshot label '%s' (allowed: letters, digits, '_', '.', ':', '-')",
				    tlex_quote(w, q.a));
	c->label = tlex_strndup(w->s, w->len);
	return c->label ? 0 : tparse_oom(p);
}

static int parse_check(struct parser *p, struct trace_cmd *c)
{
	(void)p;
	(void)c;
	return 0;
}

/* ADDR of a single page (rmap, dot anon_vma, dot rmap). */
static int parse_page(struct parser *p, const struct tlex_word *w,
		      uint64_t *addr)
{
	return parse_addr(p, w, "ADDR", addr);
}

static int parse_rmap(struct parser *p, struct trace_cmd *c)
{
	if (tparse_proc(p, word(p, 1), c->proc[0]))
		return -1;
	return parse_page(p, word(p, 2), &c->addr);
}

static int parse_dot(struct parser *p, struct trace_cmd *c)
{
	static const char *const usage[] = {
		[TDOT_STABLE] = "FILE",	      [TDOT_UNSTABLE] = "FILE",
		[TDOT_ANON_VMA] = "P ADDR FILE", [TDOT_MM] = "P FILE",
		[TDOT_RMAP] = "P ADDR FILE",  [TDOT_ALL] = "FILE",
	};
	static const size_t want[] = {
		[TDOT_STABLE] = 1, [TDOT_UNSTABLE] = 1, [TDOT_ANON_VMA] = 3,
		[TDOT_MM] = 2,	   [TDOT_RMAP] = 3,	[TDOT_ALL] = 1,
	};
	const struct tlex_word *w = word(p, 1), *f;
	size_t got = nargs(p) - 1;	/* after WHAT */
	struct quotes q;
	int i = tparse_lookup(w, dot_names, ARRAY_SIZE(dot_names));

	if (i < 0)
		return tparse_err(p, w->col,
			    "unknown dot target '%s' (expected stable, unstable, all, mm, anon_vma or rmap)",
			    tlex_quote(w, q.a));
	if (got != want[i])
		return tparse_err(p, got < want[i] ? w->col : word(p, want[i] + 2)->col,
			    "dot %s takes %s, got %zu argument%s",
			    dot_names[i], usage[i], got, got == 1 ? "" : "s");
	c->dot_what = (enum trace_dot_what)i;
	if (want[i] > 1 && tparse_proc(p, word(p, 2), c->proc[0]))
		return -1;
	if (want[i] > 2 && parse_page(p, word(p, 3), &c->addr))
		return -1;
	f = word(p, p->line.n - 1);
	c->dot_file = tlex_strndup(f->s, f->len);
	return c->dot_file ? 0 : tparse_oom(p);
}

/* --- Dispatch ------------------------------------------------------------ */

struct cmd_desc {
	const char *usage;	/* argument forms, for count errors */
	size_t min, max;	/* arguments after the command word */
	int (*parse)(struct parser *p, struct trace_cmd *c);
};

static const struct cmd_desc cmds[TC__COUNT] = {
	[TC_SET] = { "NAME=VALUE [NAME=VALUE ...]", 1, SIZE_MAX, parse_kvs },
	[TC_SPAWN] = { "P", 1, 1, parse_spawn_exit },
	[TC_FORK] = { "PARENT CHILD", 2, 2, parse_fork },
	[TC_EXIT] = { "P", 1, 1, parse_spawn_exit },
	[TC_MMAP] = { "P ADDR NPAGES [PROT]", 3, 4, parse_mmap },
	[TC_MUNMAP] = { "P ADDR NPAGES", 3, 3, parse_p_range },
	[TC_MPROTECT] = { "P ADDR NPAGES PROT", 4, 4, parse_mprotect },
	[TC_MREMAP] = { "P OLD_ADDR OLD_NPAGES NEW_ADDR NEW_NPAGES", 5, 5,
			parse_mremap },
	[TC_MADVISE] = { "P ADDR NPAGES ADVICE", 4, 4, parse_madvise },
	[TC_PRCTL] = { "P merge_any=0|1", 2, 2, parse_prctl },
	[TC_WRITE] = { "P ADDR NPAGES CONTENT", 4, 4, parse_write },
	[TC_READ] = { "P ADDR NPAGES", 3, 3, parse_p_range },
	[TC_SCAN] = { "rounds=N or batches=N", 1, 1, parse_scan },
	[TC_EXPECT] = { "NAME=VALUE [NAME=VALUE ...]", 1, SIZE_MAX,
			parse_kvs },
	[TC_SNAPSHOT] = { "[LABEL]", 0, 1, parse_snapshot },
	[TC_CHECK] = { "no arguments", 0, 0, parse_check },
	[TC_RMAP] = { "P ADDR", 2, 2, parse_rmap },
	[TC_DOT] = { "WHAT [P [ADDR]] FILE", 1, SIZE_MAX, parse_dot },
	[TC_MIGRATE] = { "P ADDR", 2, 2, parse_rmap },
};

static int check_nargs(struct parser *p, enum trace_cmd_kind kind)
{
	const struct cmd_desc *d = &cmds[kind];
	size_t n = nargs(p);

	if (n >= d->min && n <= d->max)
		return 0;
	/* Too few: point at the command; too many: at the first extra. */
	return tparse_err(p, n < d->min ? word(p, 0)->col : word(p, d->max + 1)->col,
		    "%s takes %s, got %zu argument%s", cmd_names[kind],
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

/* Parse the current line into *@out (freed again on failure). */
int tparse_command(struct parser *p, struct trace_cmd *out)
{
	const struct tlex_word *w = word(p, 0);
	struct trace_cmd c;
	struct quotes q;
	int kind = tparse_lookup(w, cmd_names, ARRAY_SIZE(cmd_names));

	if (kind < 0) {
		if (tlex_is(w, "ksmtrace"))
			return tparse_err(p, w->col,
				    "header 'ksmtrace' repeated (the header is line %u)",
				    p->header_line);
		return tparse_err(p, w->col, "unknown command '%s'",
			    tlex_quote(w, q.a));
	}
	if (check_nargs(p, (enum trace_cmd_kind)kind))
		return -1;
	memset(&c, 0, sizeof(c));
	c.kind = (enum trace_cmd_kind)kind;
	record_positions(p, &c);
	if (cmds[kind].parse(p, &c)) {
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
