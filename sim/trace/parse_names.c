// SPDX-License-Identifier: MIT
/*
 * DOC: Knob and counter names of the format, and how their values parse
 *
 * The names `set` and `expect` accept (include/ksmsim/trace.h) and the
 * parsing of a NAME=VALUE pair's value by what NAME names: a knob of
 * `set` (tparse_knob()) or a counter or field of `expect`
 * (tparse_counter()).  Kept apart from the rest of the parser so that
 * one description of knobs and counters can replace this file alone.
 */
#include <inttypes.h>
#include <string.h>

#include "ksmsim/ksm_fields.h"
#include "trace/parser_internal.h"

/*
 * The names, in the order of the record's objects.  What each name's value
 * is — its type, its choices, its sign — comes from the one description
 * of knobs and counters (include/ksmsim/ksm_fields.h), whose rows are in
 * the same order; test_ksm_fields checks that the names agree.
 */

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

/* A value that must be one of the numbers 0..@max. */
static int parse_small(struct parser *p, const struct tlex_word *v,
		       const char *name, uint64_t max, const char *choice,
		       uint64_t *out)
{
	struct quotes q;

	if (tlex_u64(v->s, v->len, out) != TLEX_NUM_OK || *out > max)
		return tparse_err(p, v->col, "%s must be %s, got '%s'", name, choice,
			    tlex_quote(v, q.a));
	return 0;
}

int tparse_knob(struct parser *p, struct trace_kv *kv,
		      const struct tlex_word *name,
		      const struct tlex_word *v)
{
	const struct ksm_snap_field *f;
	struct quotes q;
	int i;

	if (name->len >= 4 && memcmp(name->s, "sim.", 4) == 0) {
		if (name->len == 4)
			return tparse_err(p, name->col,
				    "incomplete knob name 'sim.' (expected sim.NAME)");
		/* Free text; the simulator validates it. */
		kv->kind = TKV_SIM;
		kv->is_num = tlex_u64(v->s, v->len, &kv->num) == TLEX_NUM_OK;
		if (!kv->is_num)
			kv->num = 0;
		return 0;
	}
	i = tparse_lookup_nt(name, trace_knob_names);
	if (i < 0)
		return tparse_err(p, name->col, "unknown knob '%s'",
			    tlex_quote(name, q.a));
	kv->kind = TKV_KNOB;
	kv->index = (unsigned)i;
	kv->is_num = true;
	f = &ksm_snap_knob_fields[i];
	if (f->type == KSM_SNAP_ADVISOR) {
		kv->is_num = false;
		if (tlex_is(v, "none") || tlex_is(v, "scan-time"))
			return 0;
		return tparse_err(p, v->col,
			    "advisor_mode must be none or scan-time, got '%s'",
			    tlex_quote(v, q.a));
	}
	/* A knob of few values (run, the 0/1 knobs) is checked here; the
	 * others take any 64-bit number, and the machine enforces their
	 * bounds as the kernel's sysfs store does. */
	if (ksm_knob_choices(f))
		return parse_small(p, v, f->name, f->max, ksm_knob_choices(f), &kv->num);
	return tparse_num(p, v, trace_knob_names[i], &kv->num);
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
	return tparse_err(p, v->col,
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
		return tparse_err(p, v->col, "number %s does not fit in 64 bits",
			    tlex_quote(v, q.a));
	default:
		return tparse_err(p, v->col, "expected a number for %s, got '%s'",
			    kv->name, tlex_quote(v, q.a));
	}
	if (*out > (uint64_t)INT64_MAX + neg)
		return tparse_err(p, v->col,
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
	return tparse_err(p, v->col, "sharing.hash must be 16 hex digits, got '%s'",
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
		i = tparse_lookup_nt(name, trace_global_counter_names);
		if (i < 0)
			return tparse_err(p, name->col, "unknown counter '%s'",
				    tlex_quote(name, q.a));
		kv->kind = TKV_GLOBAL;
		kv->index = (unsigned)i;
		return 0;
	}
	prefix = tlex_sub(name, 0, (size_t)(dot - name->s));
	field = tlex_sub(name, prefix.len + 1, name->len - prefix.len - 1);
	if (!prefix.len)
		return tparse_err(p, name->col, "missing process name before '.'");
	if (!field.len)
		return tparse_err(p, field.col, "missing counter name after '%s.'",
			    tlex_quote(&prefix, q.a));
	/* "sharing." always means the snapshot's sharing object. */
	if (tlex_is(&prefix, "sharing")) {
		i = tparse_lookup_nt(&field, trace_sharing_field_names);
		if (i < 0)
			return tparse_err(p, field.col,
				    "unknown sharing counter '%s'",
				    tlex_quote(&field, q.a));
		kv->kind = TKV_SHARING;
		kv->index = (unsigned)i;
		return 0;
	}
	/* "migrate." always means the outcome of the last migrate. */
	if (tlex_is(&prefix, "migrate")) {
		i = tparse_lookup_nt(&field, trace_migrate_field_names);
		if (i < 0)
			return tparse_err(p, field.col,
				    "unknown migrate counter '%s'",
				    tlex_quote(&field, q.a));
		kv->kind = TKV_MIGRATE;
		kv->index = (unsigned)i;
		return 0;
	}
	if (tparse_proc(p, &prefix, kv->proc))
		return -1;
	i = tparse_lookup_nt(&field, trace_proc_field_names);
	if (i < 0)
		return tparse_err(p, field.col, "unknown process counter '%s'",
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

int tparse_counter(struct parser *p, struct trace_kv *kv,
			 const struct tlex_word *name,
			 const struct tlex_word *v)
{
	const struct ksm_snap_field *f;

	if (parse_counter_name(p, kv, name))
		return -1;
	kv->is_num = true;
	/* The counters' and per-process fields' rows say what they hold. */
	f = kv->kind == TKV_GLOBAL ? &ksm_snap_global_fields[kv->index] :
	    kv->kind == TKV_PROC ? &ksm_snap_proc_fields[kv->index] : NULL;
	if ((f && f->type == KSM_SNAP_BOOL) ||
	    field_is(kv, TKV_MIGRATE, trace_migrate_field_names, "moved") ||
	    field_is(kv, TKV_MIGRATE, trace_migrate_field_names, "ksm"))
		return parse_bool_value(p, kv, v, &kv->num);
	if (f && (f->flags & KSM_F_SIGNED))
		return parse_signed_value(p, kv, v, &kv->num);
	if (field_is(kv, TKV_SHARING, trace_sharing_field_names, "hash"))
		return parse_hash_value(p, v, &kv->num);
	return tparse_num(p, v, kv->name, &kv->num);
}

