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
#include "ksmsim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "trace/lexer.h"


/* --- Name tables -------------------------------------------------------- */

/* In the order of the "knobs" object of the snapshot record. */
const char *const trace_knob_names[] = {
	"run",
	"pages_to_scan",
	"sleep_millisecs",
	"smart_scan",
	"max_page_sharing",
	"use_zero_pages",
	"stable_node_chains_prune_millisecs",
	"merge_across_nodes",
	"advisor_mode",
	"advisor_target_scan_time",
	"advisor_min_pages_to_scan",
	"advisor_max_pages_to_scan",
	"advisor_max_cpu",
	NULL
};

/* What values each knob takes; same order as trace_knob_names. */
enum knob_type {
	KNOB_U64,		/* any number that fits in 64 bits */
	KNOB_BOOL,		/* 0 or 1 */
	KNOB_RUN,		/* 0, 1 or 2 */
	KNOB_ADVISOR_MODE,	/* none or scan-time */
};

static const enum knob_type knob_types[] = {
	KNOB_RUN, KNOB_U64, KNOB_U64, KNOB_BOOL, KNOB_U64, KNOB_BOOL,
	KNOB_U64, KNOB_BOOL, KNOB_ADVISOR_MODE, KNOB_U64, KNOB_U64,
	KNOB_U64, KNOB_U64,
};

_Static_assert(ARRAY_SIZE(knob_types) + 1 == ARRAY_SIZE(trace_knob_names),
	       "one type per knob");

/* Sorted, as the "global" object of the snapshot record. */
const char *const trace_global_counter_names[] = {
	"full_scans",
	"general_profit",
	"ksm_zero_pages",
	"pages_scanned",
	"pages_shared",
	"pages_sharing",
	"pages_skipped",
	"pages_unshared",
	"pages_volatile",
	"stable_node_chains",
	"stable_node_dups",
	NULL
};

const char *const trace_proc_counter_names[] = {
	"ksm_rmap_items",
	"ksm_merging_pages",
	"ksm_zero_pages",
	"ksm_process_profit",
	NULL
};

/* The per-process object of the snapshot record, key for key. */
const char *const trace_proc_field_names[] = {
	"ksm_rmap_items",
	"ksm_merging_pages",
	"ksm_zero_pages",
	"ksm_process_profit",
	"ksm_merge_any",
	"ksm_mergeable",
	"vmas",
	"mapped",
	"zero_pfn",
	NULL
};

/* The "sharing" object of the snapshot record, without "sizes". */
const char *const trace_sharing_field_names[] = {
	"mapped",
	"zero_pfn",
	"ksm_pfns",
	"ksm_mapped",
	"groups",
	"grouped",
	"hash",
	NULL
};

/*
 * What `expect migrate.FIELD` checks of the last migrate record
 * (struct ksm_migrate_summary): booleans moved and ksm, then counts.
 */
const char *const trace_migrate_field_names[] = {
	"moved",
	"ksm",
	"mappings",
	"on_old",
	"on_new",
	"target_node",
	NULL
};

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
static int lookup(const struct tlex_word *w, const char *const *tab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i] && tlex_is(w, tab[i]))
			return (int)i;
	return -1;
}

/* Same for a NULL-terminated table. */
static int lookup_nt(const struct tlex_word *w, const char *const *tab)
{
	int i;

	for (i = 0; tab[i]; i++)
		if (tlex_is(w, tab[i]))
			return i;
	return -1;
}

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

/* --- Parser state and diagnostics -------------------------------------- */

struct parser {
	const char *file;	/* name in diagnostics */
	struct ksm_diag *err;
	struct tlex_line line;	/* words of the current line */
	unsigned header_line;	/* of "ksmtrace 1"; 0 before it */
};

/* The i-th word of the current line (0 is the command). */
static const struct tlex_word *word(const struct parser *p, size_t i)
{
	return &p->line.w[i];
}

/* Number of arguments after the command word. */
static size_t nargs(const struct parser *p)
{
	return p->line.n - 1;
}

__attribute__((format(printf, 3, 4)))
static int perr(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(p->err, p->file, p->line.lineno, col, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(struct parser *p)
{
	return perr(p, 0, "out of memory");
}

/* Quote buffers: messages quote at most two words. */
struct quotes {
	char a[TLEX_QUOTE_MAX];
	char b[TLEX_QUOTE_MAX];
};

/* --- Numbers, names, addresses ----------------------------------------- */

/* Read @w as a number; @role names it in messages ("NPAGES", "run"). */
static int parse_num(struct parser *p, const struct tlex_word *w,
		     const char *role, uint64_t *out)
{
	struct quotes q;

	switch (tlex_u64(w->s, w->len, out)) {
	case TLEX_NUM_OK:
		return 0;
	case TLEX_NUM_SIGN:
		return perr(p, w->col, "%s must be a number without sign, got '%s'",
			    role, tlex_quote(w, q.a));
	case TLEX_NUM_OVERFLOW:
		return perr(p, w->col, "number %s does not fit in 64 bits",
			    tlex_quote(w, q.a));
	case TLEX_NUM_SYNTAX:
		break;
	}
	return perr(p, w->col, "expected a number for %s, got '%s'", role,
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
static int parse_proc(struct parser *p, const struct tlex_word *w,
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
		return perr(p, w->col,
			    "process name longer than %d characters",
			    TRACE_NAME_MAX);
	memcpy(out, w->s, w->len);
	out[w->len] = '\0';
	return 0;
bad:
	return perr(p, w->col, "invalid process name '%s'",
		    tlex_quote(w, q.a));
}

/* ADDR: page aligned, mappable, inside the user address space. */
static int parse_addr(struct parser *p, const struct tlex_word *w,
		      const char *role, uint64_t *addr)
{
	struct quotes q;

	if (parse_num(p, w, role, addr))
		return -1;
	if (*addr % TRACE_PAGE_SIZE)
		return perr(p, w->col,
			    "address %s is not page aligned (4096 bytes)",
			    tlex_quote(w, q.a));
	if (*addr < TRACE_ADDR_MIN)
		return perr(p, w->col,
			    "address %s is below the lowest mappable address 0x10000 (mmap_min_addr 65536)",
			    tlex_quote(w, q.a));
	if (*addr >= TRACE_ADDR_END)
		return perr(p, w->col,
			    "address %s is beyond the user address space (which ends at 0x800000000000)",
			    tlex_quote(w, q.a));
	return 0;
}

/* NPAGES after an ADDR already checked: at least 1, range in bounds. */
static int parse_npages(struct parser *p, const struct tlex_word *w,
			const char *role, uint64_t addr, uint64_t *npages)
{
	if (parse_num(p, w, role, npages))
		return -1;
	if (*npages == 0)
		return perr(p, w->col, "%s must be at least 1", role);
	/* addr < TRACE_ADDR_END, so this cannot overflow. */
	if (*npages > (TRACE_ADDR_END - addr) / TRACE_PAGE_SIZE)
		return perr(p, w->col,
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
	int i = lookup(w, prot_names, ARRAY_SIZE(prot_names));

	if (i < 0)
		return perr(p, w->col,
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
		return perr(p, w->col, "expected %s, got '%s'", form,
			    tlex_quote(w, q.a));
	off = (size_t)(eq - w->s);
	*name = tlex_sub(w, 0, off);
	*value = tlex_sub(w, off + 1, w->len - off - 1);
	if (!off)
		return perr(p, w->col, "missing name before '='");
	if (!value->len)
		return perr(p, value->col, "missing value after '%s='",
			    tlex_quote(name, q.a));
	return 0;
}

/* --- Commands ------------------------------------------------------------ */

static int parse_spawn_exit(struct parser *p, struct trace_cmd *c)
{
	return parse_proc(p, word(p, 1), c->proc[0]);
}

static int parse_fork(struct parser *p, struct trace_cmd *c)
{
	if (parse_proc(p, word(p, 1), c->proc[0]) ||
	    parse_proc(p, word(p, 2), c->proc[1]))
		return -1;
	if (strcmp(c->proc[0], c->proc[1]) == 0)
		return perr(p, word(p, 2)->col,
			    "CHILD '%s' is the same process as PARENT",
			    c->proc[1]);
	return 0;
}

static int parse_mmap(struct parser *p, struct trace_cmd *c)
{
	if (parse_proc(p, word(p, 1), c->proc[0]) ||
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
	if (parse_proc(p, word(p, 1), c->proc[0]))
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
	if (parse_proc(p, word(p, 1), c->proc[0]) ||
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
	i = lookup(w, advice_names, ARRAY_SIZE(advice_names));
	if (i < 0)
		return perr(p, w->col,
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

	if (parse_proc(p, word(p, 1), c->proc[0]) ||
	    split_kv(p, word(p, 2), "merge_any=0|1", &name, &value))
		return -1;
	if (!tlex_is(&name, "merge_any"))
		return perr(p, name.col,
			    "unknown prctl setting '%s' (expected merge_any=0|1)",
			    tlex_quote(&name, q.a));
	if (tlex_u64(value.s, value.len, &v) != TLEX_NUM_OK || v > 1)
		return perr(p, value.col, "merge_any must be 0 or 1, got '%s'",
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
	i = lookup(&name, scan_unit_names, ARRAY_SIZE(scan_unit_names));
	if (i < 0)
		return perr(p, name.col,
			    "unknown scan unit '%s' (expected rounds=N or batches=N)",
			    tlex_quote(&name, q.a));
	c->scan_unit = (enum trace_scan_unit)i;
	if (parse_num(p, &value, scan_unit_names[i], &c->scan_count))
		return -1;
	if (!c->scan_count)
		return perr(p, value.col, "%s must be at least 1",
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
	return perr(p, w->col,
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
		return perr(p, v->col, "mod takes K,BASE, got '%s'",
			    tlex_quote(v, q.a));
	off = (size_t)(comma - v->s);
	k = tlex_sub(v, 0, off);
	base = tlex_sub(v, off + 1, v->len - off - 1);
	if (parse_num(p, &k, "K", &ct->a))
		return -1;
	if (!ct->a)
		return perr(p, k.col, "K must be at least 1");
	if (parse_num(p, &base, "BASE", &ct->b))
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

			return perr(p, extra.col,
				    "list has more than %d entries",
				    TRACE_LIST_MAX);
		}
		n++;
	}
	ct->list = tlex_realloc(NULL, n * sizeof(*ct->list));
	if (!ct->list)
		return oom(p);
	ct->kind = TCONT_LIST;
	for (i = 0; i < n; i++) {
		const char *comma = memchr(v->s + start, ',', v->len - start);
		size_t end = comma ? (size_t)(comma - v->s) : v->len;
		struct tlex_word e = tlex_sub(v, start, end - start);

		if (!e.len)
			return perr(p, e.col, "empty entry in list");
		if (parse_num(p, &e, "list entry", &ct->list[i]))
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
		form = lookup(&key, forms, ARRAY_SIZE(forms));
	}
	if (form < 0)
		return perr(p, w->col,
			    "unknown CONTENT '%s' (expected token=N, seq=N, mod=K,BASE, list=A,B,... or zero)",
			    tlex_quote(w, q.a));
	v = tlex_sub(w, key.len + 1, w->len - key.len - 1);
	if (!v.len)
		return perr(p, v.col, "missing value after '%s='",
			    forms[form]);
	switch (form) {
	case 0:
		ct->kind = TCONT_TOKEN;
		return parse_num(p, &v, "token", &ct->a);
	case 1:
		ct->kind = TCONT_SEQ;
		if (parse_num(p, &v, "seq", &ct->a))
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
		return oom(p);
	kv->name_pos.line = p->line.lineno;
	kv->name_pos.col = name->col;
	kv->value_pos.line = p->line.lineno;
	kv->value_pos.col = value->col;
	return 0;
}

/* A value that must be one of the numbers 0..@max. */
static int parse_small(struct parser *p, const struct tlex_word *v,
		       const char *name, uint64_t max, const char *choice,
		       uint64_t *out)
{
	struct quotes q;

	if (tlex_u64(v->s, v->len, out) != TLEX_NUM_OK || *out > max)
		return perr(p, v->col, "%s must be %s, got '%s'", name, choice,
			    tlex_quote(v, q.a));
	return 0;
}

static int parse_knob(struct parser *p, struct trace_kv *kv,
		      const struct tlex_word *name,
		      const struct tlex_word *v)
{
	struct quotes q;
	int i;

	if (name->len >= 4 && memcmp(name->s, "sim.", 4) == 0) {
		if (name->len == 4)
			return perr(p, name->col,
				    "incomplete knob name 'sim.' (expected sim.NAME)");
		/* Free text; the simulator validates it. */
		kv->kind = TKV_SIM;
		kv->is_num = tlex_u64(v->s, v->len, &kv->num) == TLEX_NUM_OK;
		if (!kv->is_num)
			kv->num = 0;
		return 0;
	}
	i = lookup_nt(name, trace_knob_names);
	if (i < 0)
		return perr(p, name->col, "unknown knob '%s'",
			    tlex_quote(name, q.a));
	kv->kind = TKV_KNOB;
	kv->index = (unsigned)i;
	kv->is_num = true;
	switch (knob_types[i]) {
	case KNOB_RUN:
		return parse_small(p, v, trace_knob_names[i], 2, "0, 1 or 2",
				   &kv->num);
	case KNOB_BOOL:
		return parse_small(p, v, trace_knob_names[i], 1, "0 or 1",
				   &kv->num);
	case KNOB_ADVISOR_MODE:
		kv->is_num = false;
		if (tlex_is(v, "none") || tlex_is(v, "scan-time"))
			return 0;
		return perr(p, v->col,
			    "advisor_mode must be none or scan-time, got '%s'",
			    tlex_quote(v, q.a));
	case KNOB_U64:
		break;
	}
	return parse_num(p, v, trace_knob_names[i], &kv->num);
}

/* true/yes/1 or false/no/0. */
static int parse_bool_value(struct parser *p, const struct trace_kv *kv,
			    const struct tlex_word *v, uint64_t *out)
{
	struct quotes q;

	if (tlex_is(v, "true") || tlex_is(v, "yes") || tlex_is(v, "1")) {
		*out = 1;
		return 0;
	}
	if (tlex_is(v, "false") || tlex_is(v, "no") || tlex_is(v, "0")) {
		*out = 0;
		return 0;
	}
	return perr(p, v->col,
		    "%s must be true or false (or yes/no, 1/0), got '%s'",
		    kv->name, tlex_quote(v, q.a));
}

/* A signed counter: an optional '-', then a number; fits in int64_t. */
static int parse_signed_value(struct parser *p, const struct trace_kv *kv,
			      const struct tlex_word *v, uint64_t *out)
{
	bool neg = v->len && v->s[0] == '-';
	struct tlex_word mag = tlex_sub(v, neg, v->len - neg);
	struct quotes q;

	switch (tlex_u64(mag.s, mag.len, out)) {
	case TLEX_NUM_OK:
		break;
	case TLEX_NUM_OVERFLOW:
		return perr(p, v->col, "number %s does not fit in 64 bits",
			    tlex_quote(v, q.a));
	default:
		return perr(p, v->col, "expected a number for %s, got '%s'",
			    kv->name, tlex_quote(v, q.a));
	}
	if (*out > (uint64_t)INT64_MAX + neg)
		return perr(p, v->col,
			    "%s does not fit in a signed 64-bit number",
			    tlex_quote(v, q.a));
	if (neg)
		*out = 0 - *out;	/* two's complement */
	return 0;
}

/* sharing.hash: exactly 16 hex digits, as the snapshot prints it. */
static int parse_hash_value(struct parser *p, const struct tlex_word *v,
			    uint64_t *out)
{
	struct quotes q;
	char buf[19] = "0x";

	if (v->len == 16) {
		memcpy(buf + 2, v->s, 16);
		if (tlex_u64(buf, 18, out) == TLEX_NUM_OK)
			return 0;
	}
	return perr(p, v->col, "sharing.hash must be 16 hex digits, got '%s'",
		    tlex_quote(v, q.a));
}

/* Classify an expect NAME: global, sharing.field, migrate.field or P.field. */
static int parse_counter_name(struct parser *p, struct trace_kv *kv,
			      const struct tlex_word *name)
{
	const char *dot = memchr(name->s, '.', name->len);
	struct tlex_word prefix, field;
	struct quotes q;
	int i;

	if (!dot) {
		i = lookup_nt(name, trace_global_counter_names);
		if (i < 0)
			return perr(p, name->col, "unknown counter '%s'",
				    tlex_quote(name, q.a));
		kv->kind = TKV_GLOBAL;
		kv->index = (unsigned)i;
		return 0;
	}
	prefix = tlex_sub(name, 0, (size_t)(dot - name->s));
	field = tlex_sub(name, prefix.len + 1, name->len - prefix.len - 1);
	if (!prefix.len)
		return perr(p, name->col, "missing process name before '.'");
	if (!field.len)
		return perr(p, field.col, "missing counter name after '%s.'",
			    tlex_quote(&prefix, q.a));
	/* "sharing." always means the snapshot's sharing object. */
	if (tlex_is(&prefix, "sharing")) {
		i = lookup_nt(&field, trace_sharing_field_names);
		if (i < 0)
			return perr(p, field.col,
				    "unknown sharing counter '%s'",
				    tlex_quote(&field, q.a));
		kv->kind = TKV_SHARING;
		kv->index = (unsigned)i;
		return 0;
	}
	/* "migrate." always means the outcome of the last migrate. */
	if (tlex_is(&prefix, "migrate")) {
		i = lookup_nt(&field, trace_migrate_field_names);
		if (i < 0)
			return perr(p, field.col,
				    "unknown migrate counter '%s'",
				    tlex_quote(&field, q.a));
		kv->kind = TKV_MIGRATE;
		kv->index = (unsigned)i;
		return 0;
	}
	if (parse_proc(p, &prefix, kv->proc))
		return -1;
	i = lookup_nt(&field, trace_proc_field_names);
	if (i < 0)
		return perr(p, field.col, "unknown process counter '%s'",
			    tlex_quote(&field, q.a));
	kv->kind = TKV_PROC;
	kv->index = (unsigned)i;
	return 0;
}

static bool field_is(const struct trace_kv *kv, enum trace_kv_kind kind,
		     const char *const *tab, const char *name)
{
	return kv->kind == kind && strcmp(tab[kv->index], name) == 0;
}

static int parse_counter(struct parser *p, struct trace_kv *kv,
			 const struct tlex_word *name,
			 const struct tlex_word *v)
{
	if (parse_counter_name(p, kv, name))
		return -1;
	kv->is_num = true;
	if (field_is(kv, TKV_PROC, trace_proc_field_names, "ksm_merge_any") ||
	    field_is(kv, TKV_PROC, trace_proc_field_names, "ksm_mergeable") ||
	    field_is(kv, TKV_MIGRATE, trace_migrate_field_names, "moved") ||
	    field_is(kv, TKV_MIGRATE, trace_migrate_field_names, "ksm"))
		return parse_bool_value(p, kv, v, &kv->num);
	if (field_is(kv, TKV_GLOBAL, trace_global_counter_names,
		     "general_profit") ||
	    field_is(kv, TKV_PROC, trace_proc_field_names,
		     "ksm_process_profit"))
		return parse_signed_value(p, kv, v, &kv->num);
	if (field_is(kv, TKV_SHARING, trace_sharing_field_names, "hash"))
		return parse_hash_value(p, v, &kv->num);
	return parse_num(p, v, kv->name, &kv->num);
}

/* set and expect: one pair per argument, kept in order. */
static int parse_kvs(struct parser *p, struct trace_cmd *c)
{
	size_t n = nargs(p), i;

	if (n > SIZE_MAX / sizeof(*c->kvs))
		return oom(p);
	c->kvs = tlex_realloc(NULL, n * sizeof(*c->kvs));
	if (!c->kvs)
		return oom(p);
	memset(c->kvs, 0, n * sizeof(*c->kvs));
	c->nkvs = n;
	for (i = 0; i < n; i++) {
		struct trace_kv *kv = &c->kvs[i];
		struct tlex_word name, value;

		if (split_kv(p, word(p, i + 1), "NAME=VALUE", &name, &value) ||
		    kv_init(p, kv, &name, &value))
			return -1;
		if (c->kind == TC_SET ? parse_knob(p, kv, &name, &value) :
					parse_counter(p, kv, &name, &value))
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
			return perr(p, w->col,
				    "invalid snapshot label '%s' (allowed: letters, digits, '_', '.', ':', '-')",
				    tlex_quote(w, q.a));
	c->label = tlex_strndup(w->s, w->len);
	return c->label ? 0 : oom(p);
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
	if (parse_proc(p, word(p, 1), c->proc[0]))
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
	int i = lookup(w, dot_names, ARRAY_SIZE(dot_names));

	if (i < 0)
		return perr(p, w->col,
			    "unknown dot target '%s' (expected stable, unstable, all, mm, anon_vma or rmap)",
			    tlex_quote(w, q.a));
	if (got != want[i])
		return perr(p, got < want[i] ? w->col : word(p, want[i] + 2)->col,
			    "dot %s takes %s, got %zu argument%s",
			    dot_names[i], usage[i], got, got == 1 ? "" : "s");
	c->dot_what = (enum trace_dot_what)i;
	if (want[i] > 1 && parse_proc(p, word(p, 2), c->proc[0]))
		return -1;
	if (want[i] > 2 && parse_page(p, word(p, 3), &c->addr))
		return -1;
	f = word(p, p->line.n - 1);
	c->dot_file = tlex_strndup(f->s, f->len);
	return c->dot_file ? 0 : oom(p);
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
	return perr(p, n < d->min ? word(p, 0)->col : word(p, d->max + 1)->col,
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
static int parse_command(struct parser *p, struct trace_cmd *out)
{
	const struct tlex_word *w = word(p, 0);
	struct trace_cmd c;
	struct quotes q;
	int kind = lookup(w, cmd_names, ARRAY_SIZE(cmd_names));

	if (kind < 0) {
		if (tlex_is(w, "ksmtrace"))
			return perr(p, w->col,
				    "header 'ksmtrace' repeated (the header is line %u)",
				    p->header_line);
		return perr(p, w->col, "unknown command '%s'",
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

static int parse_header(struct parser *p)
{
	const struct tlex_word *w = word(p, 0), *v;
	struct quotes q;
	uint64_t version;
	enum tlex_num r;

	if (!tlex_is(w, "ksmtrace"))
		return perr(p, w->col, "expected header 'ksmtrace 1'");
	if (p->line.n < 2)
		return perr(p, tlex_col(w, w->len),
			    "missing version after 'ksmtrace' (expected 'ksmtrace 1')");
	v = word(p, 1);
	r = tlex_u64(v->s, v->len, &version);
	if (r == TLEX_NUM_SYNTAX || r == TLEX_NUM_SIGN)
		return perr(p, v->col,
			    "invalid ksmtrace version '%s' (expected 'ksmtrace 1')",
			    tlex_quote(v, q.a));
	if (r != TLEX_NUM_OK || version != 1)
		return perr(p, v->col, "unsupported ksmtrace version %s",
			    tlex_quote(v, q.a));
	if (p->line.n > 2)
		return perr(p, word(p, 2)->col,
			    "unexpected '%s' after the header 'ksmtrace 1'",
			    tlex_quote(word(p, 2), q.a));
	p->header_line = p->line.lineno;
	return 0;
}

/* --- Streams ------------------------------------------------------------ */

struct trace_stream {
	char *file;		/* name in diagnostics (owned)        */
	int fd;			/* -1: a text in memory               */
	bool close_fd;		/* opened here (not stdin)            */
	bool regular;		/* a regular file: can be read again  */
	struct tlex_reader in;
	struct parser p;
};

static struct trace_stream *stream_new(const char *name, struct ksm_diag *err)
{
	struct trace_stream *s = tlex_realloc(NULL, sizeof(*s));

	if (!s) {
		ksm_diag_set(err, name, 0, 0, "out of memory");
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->file = tlex_strndup(name, strlen(name));
	if (!s->file) {
		free(s);
		ksm_diag_set(err, name, 0, 0, "out of memory");
		return NULL;
	}
	s->p.file = s->file;
	return s;
}

int trace_stream_open_string(const char *name, const char *text, size_t len,
			     struct trace_stream **out, struct ksm_diag *err)
{
	struct trace_stream *s = stream_new(name ? name : "", err);

	*out = s;
	if (!s)
		return -1;
	tlex_reader_init(&s->in, text, len, s->file);
	s->regular = true;
	return 0;
}

static int cannot_read(const char *path, int errnum, struct ksm_diag *err)
{
	return ksm_diag_set(err, path, 0, 0, "cannot read: %s",
			    strerror(errnum));
}

int trace_stream_open(const char *path, struct trace_stream **out,
		      struct ksm_diag *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct trace_stream *s;
	struct stat st;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return cannot_read(name, errno, err);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			close(fd);
		return cannot_read(name, EISDIR, err);
	}
	s = stream_new(name, err);
	if (!s || tlex_reader_open_fd(&s->in, fd, s->file, err)) {
		if (!is_stdin)
			close(fd);
		if (s)
			free(s->file);
		free(s);
		return -1;
	}
	s->fd = fd;
	s->close_fd = !is_stdin;
	s->regular = S_ISREG(st.st_mode);
	*out = s;
	return 0;
}

const char *trace_stream_file(const struct trace_stream *s)
{
	return s->file;
}

unsigned trace_stream_header_line(const struct trace_stream *s)
{
	return s->p.header_line;
}

int trace_stream_next(struct trace_stream *s, struct trace_cmd *c,
		      struct ksm_diag *err)
{
	struct parser *p = &s->p;
	const char *text;
	size_t n;
	int r;

	memset(c, 0, sizeof(*c));
	p->err = err;
	for (;;) {
		r = tlex_reader_next(&s->in, &text, &n, err);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (tlex_split(text, n, s->in.lineno, p->file, &p->line, err))
			return -1;
		if (!p->line.n)
			continue;	/* blank or comment only */
		if (!p->header_line) {
			if (parse_header(p))
				return -1;
			continue;
		}
		return parse_command(p, c) ? -1 : 1;
	}
	if (!p->header_line) {
		p->line.lineno = 1;
		return perr(p, 1, "expected header 'ksmtrace 1', found end of file");
	}
	return 0;
}

int trace_stream_check(struct trace_stream *s, struct ksm_diag *err)
{
	struct trace_cmd c;
	int r;

	if (!s->regular)
		return 0;
	while ((r = trace_stream_next(s, &c, err)) > 0)
		trace_cmd_free(&c);
	if (r < 0)
		return -1;
	if (tlex_reader_rewind(&s->in))
		return cannot_read(s->file, errno ? errno : ESPIPE, err);
	s->p.header_line = 0;
	return 1;
}

void trace_stream_close(struct trace_stream *s)
{
	if (!s)
		return;
	tlex_line_free(&s->p.line);
	tlex_reader_free(&s->in);
	if (s->close_fd)
		close(s->fd);
	free(s->file);
	free(s);
}

/* --- Whole traces ------------------------------------------------------- */

/* Read every command of @s into @out (whose file name is set). */
static int parse_all(struct trace_stream *s, struct trace *out,
		     struct ksm_diag *err)
{
	size_t cap = 0;
	struct trace_cmd c;
	int r;

	while ((r = trace_stream_next(s, &c, err)) > 0) {
		if (tlex_grow((void **)&out->cmds, &cap, out->ncmds + 1,
			      sizeof(*out->cmds))) {
			unsigned line = c.argpos[0].line;

			trace_cmd_free(&c);
			return ksm_diag_set(err, s->file, line, 0, "out of memory");
		}
		out->cmds[out->ncmds++] = c;
	}
	out->header_line = s->p.header_line;
	return r;
}

int trace_parse_string(const char *name, const char *text, size_t len,
		       struct trace *out, struct ksm_diag *err)
{
	struct trace_stream *s;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!name)
		name = "";
	out->file = tlex_strndup(name, strlen(name));
	if (!out->file)
		return ksm_diag_set(err, name, 0, 0, "out of memory");
	if (trace_stream_open_string(name, text, text ? len : 0, &s, err)) {
		trace_free(out);
		return -1;
	}
	ret = parse_all(s, out, err);
	trace_stream_close(s);
	if (ret)
		trace_free(out);
	return ret;
}

int trace_parse_file(const char *path, struct trace *out,
		     struct ksm_diag *err)
{
	struct trace_stream *s;
	int ret;

	memset(out, 0, sizeof(*out));
	if (trace_stream_open(path, &s, err))
		return -1;
	out->file = tlex_strndup(s->file, strlen(s->file));
	if (!out->file) {
		ret = ksm_diag_set(err, s->file, 0, 0, "out of memory");
	} else {
		ret = parse_all(s, out, err);
	}
	trace_stream_close(s);
	if (ret)
		trace_free(out);
	return ret;
}
