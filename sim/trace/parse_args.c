// SPDX-License-Identifier: MIT
/*
 * DOC: The argument kinds of the parser
 *
 * One reader per argument kind of the command table
 * (include/ksmsim/trace_cmds.h): tparse_arg() reads word @i of the line
 * as the kind the command's row gives it and fills its field of struct
 * trace_cmd.  CONTENT is in parse_content.c, the names of knobs and
 * counters that `set` and `expect` pairs take in parse_names.c.  Every
 * message is listed in docs/trace-format.md.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "trace/parser_internal.h"

/* --- The words of the small enums ---------------------------------------- */

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

/* --- Numbers, names, addresses ----------------------------------------- */

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

static int parse_prot(struct parser *p, const struct tlex_word *w,
		      enum trace_prot *prot)
{
	int i = tparse_choice(p, w, prot_names, ARRAY_SIZE(prot_names), "PROT",
			      "rw, r or none");

	if (i < 0)
		return -1;
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

/* --- ADVICE, merge_any, scan ------------------------------------------- */

static int parse_advice(struct parser *p, const struct tlex_word *w,
			enum trace_advice *advice)
{
	int i = tparse_choice(p, w, advice_names, ARRAY_SIZE(advice_names), "ADVICE",
			      "mergeable, unmergeable or dontneed");

	if (i < 0)
		return -1;
	*advice = (enum trace_advice)i;
	return 0;
}

static int parse_merge_any(struct parser *p, const struct tlex_word *w,
			   bool *merge_any)
{
	struct tlex_word name, value;
	struct quotes q;
	uint64_t v;

	if (split_kv(p, w, "merge_any=0|1", &name, &value))
		return -1;
	if (!tlex_is(&name, "merge_any"))
		return tparse_err(p, name.col,
			    "unknown prctl setting '%s' (expected merge_any=0|1)",
			    tlex_quote(&name, q.a));
	if (tlex_u64(value.s, value.len, &v) != TLEX_NUM_OK || v > 1)
		return tparse_err(p, value.col, "merge_any must be 0 or 1, got '%s'",
			    tlex_quote(&value, q.a));
	*merge_any = v;
	return 0;
}

static int parse_scan(struct parser *p, const struct tlex_word *w,
		      struct trace_cmd *c)
{
	struct tlex_word name, value;
	int i;

	if (split_kv(p, w, "rounds=N or batches=N", &name, &value))
		return -1;
	i = tparse_choice(p, &name, scan_unit_names, ARRAY_SIZE(scan_unit_names),
			  "scan unit", "rounds=N or batches=N");
	if (i < 0)
		return -1;
	c->scan_unit = (enum trace_scan_unit)i;
	if (tparse_num(p, &value, scan_unit_names[i], &c->scan_count))
		return -1;
	if (!c->scan_count)
		return tparse_err(p, value.col, "%s must be at least 1",
			    scan_unit_names[i]);
	return 0;
}

/* --- set and expect ----------------------------------------------------- */

/* Fill @kv's strings and positions from @name and @value. */
static void kv_init(struct parser *p, struct trace_kv *kv,
		    const struct tlex_word *name, const struct tlex_word *value)
{
	kv->name = xstrndup(name->s, name->len);
	kv->text = xstrndup(value->s, value->len);
	kv->name_pos.line = p->line.lineno;
	kv->name_pos.col = name->col;
	kv->value_pos.line = p->line.lineno;
	kv->value_pos.col = value->col;
}

/* set and expect: one pair per argument from word @first on, in order. */
static int parse_pairs(struct parser *p, struct trace_cmd *c, size_t first,
		       bool knobs)
{
	size_t n = nargs(p) + 1 - first, i;

	/* Zeroed: a failure half-way leaves the array safe to free. */
	c->kvs = xcalloc(n, sizeof(*c->kvs));
	c->nkvs = n;
	for (i = 0; i < n; i++) {
		struct trace_kv *kv = &c->kvs[i];
		struct tlex_word name, value;

		if (split_kv(p, word(p, first + i), "NAME=VALUE", &name, &value))
			return -1;
		kv_init(p, kv, &name, &value);
		if (knobs ? tparse_knob(p, kv, &name, &value) :
			    tparse_counter(p, kv, &name, &value))
			return -1;
	}
	return 0;
}

/* --- snapshot and dot --------------------------------------------------- */

static bool is_label_char(char c)
{
	return is_name_char(c) || c == '.' || c == ':' || c == '-';
}

static int parse_label(struct parser *p, const struct tlex_word *w,
		       struct trace_cmd *c)
{
	struct quotes q;
	size_t i;

	for (i = 0; i < w->len; i++)
		if (!is_label_char(w->s[i]))
			return tparse_err(p, w->col,
				    "invalid snapshot label '%s' (allowed: letters, digits, '_', '.', ':', '-')",
				    tlex_quote(w, q.a));
	c->label = xstrndup(w->s, w->len);
	return 0;
}

/* WHAT is word 1: dot has no other argument kind. */
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
	int i = tparse_choice(p, w, dot_names, ARRAY_SIZE(dot_names), "dot target",
			      "stable, unstable, all, mm, anon_vma or rmap");

	if (i < 0)
		return -1;
	if (got != want[i])
		return tparse_err(p, got < want[i] ? w->col : word(p, want[i] + 2)->col,
			    "dot %s takes %s, got %zu argument%s",
			    dot_names[i], usage[i], got, got == 1 ? "" : "s");
	c->dot_what = (enum trace_dot_what)i;
	if (want[i] > 1 && tparse_proc(p, word(p, 2), c->proc[0]))
		return -1;
	if (want[i] > 2 && parse_addr(p, word(p, 3), "ADDR", &c->addr))
		return -1;
	f = word(p, p->line.n - 1);
	c->dot_file = xstrndup(f->s, f->len);
	return 0;
}

/* --- Dispatch by kind --------------------------------------------------- */

int tparse_arg(struct parser *p, struct trace_cmd *c, const struct trace_arg *a,
	       size_t i)
{
	const struct tlex_word *w = word(p, i);

	switch (a->kind) {
	case TARG_PROC:
	case TARG_NEW_PROC:
		return tparse_proc(p, w, c->proc[0]);
	case TARG_CHILD:
		return tparse_proc(p, w, c->proc[1]);
	case TARG_ADDR:
		return parse_addr(p, w, a->role, &c->addr);
	case TARG_NPAGES:
		return parse_npages(p, w, a->role, c->addr, &c->npages);
	case TARG_NEW_ADDR:
		return parse_addr(p, w, a->role, &c->addr2);
	case TARG_NEW_NPAGES:
		return parse_npages(p, w, a->role, c->addr2, &c->npages2);
	case TARG_PROT:
		return parse_prot(p, w, &c->prot);
	case TARG_ADVICE:
		return parse_advice(p, w, &c->advice);
	case TARG_MERGE_ANY:
		return parse_merge_any(p, w, &c->merge_any);
	case TARG_CONTENT:
		return tparse_content(p, w, c->npages, &c->content);
	case TARG_SCAN:
		return parse_scan(p, w, c);
	case TARG_KNOBS:
		return parse_pairs(p, c, i, true);
	case TARG_COUNTERS:
		return parse_pairs(p, c, i, false);
	case TARG_LABEL:
		return parse_label(p, w, c);
	case TARG_DOT:
		return parse_dot(p, c);
	}
	return tparse_err(p, w->col, "internal error: unknown argument kind");
}
