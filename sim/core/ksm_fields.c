// SPDX-License-Identifier: MIT
/*
 * DOC: The field tables of knobs, counters and per-process stats
 *
 * include/ksmsim/ksm_fields.h says what they drive.  The bounds are what
 * the kernel's *_store() functions in mm/ksm.c accept (kstrtouint's
 * range, max_page_sharing at least 2 and within int, ...); the defaults
 * are Linux 6.18's, except run, which starts at 1 as the trace format
 * says (the kernel boots with 0).
 */
#include "ksmsim/ksm_fields.h"

#include <string.h>

#define NUM(st, m) KSM_SNAP_INT, offsetof(st, m)
#define KNOB(m, flags, min, max, def) \
	{ #m, NUM(struct ksm_knobs, m), flags, min, max, def }

const struct ksm_snap_field ksm_snap_knob_fields[] = {
	KNOB(run, 0, 0, 2, 1),
	KNOB(pages_to_scan, KSM_F_ADVISOR_OWNED, 0, UINT32_MAX, 100),
	KNOB(sleep_millisecs, 0, 0, UINT32_MAX, 20),
	KNOB(smart_scan, 0, 0, 1, 1),
	KNOB(max_page_sharing, KSM_F_EMPTY_TREE, 2, INT32_MAX, 256),
	KNOB(use_zero_pages, 0, 0, 1, 0),
	KNOB(stable_node_chains_prune_millisecs, 0, 0, UINT32_MAX, 2000),
	KNOB(merge_across_nodes, KSM_F_EMPTY_TREE, 0, 1, 1),
	{ "advisor_mode", KSM_SNAP_ADVISOR, offsetof(struct ksm_knobs, advisor_mode), 0,
	  KSM_ADVISOR_NONE, KSM_ADVISOR_SCAN_TIME, KSM_ADVISOR_NONE },
	KNOB(advisor_target_scan_time, 0, 1, UINT64_MAX, 200),
	KNOB(advisor_min_pages_to_scan, 0, 0, UINT64_MAX, 500),
	KNOB(advisor_max_pages_to_scan, 0, 0, UINT64_MAX, 30000),
	KNOB(advisor_max_cpu, 0, 0, UINT64_MAX, 70),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

#define COUNTER(m, flags) { #m, NUM(struct ksm_counters, m), flags, 0, 0, 0 }

const struct ksm_snap_field ksm_snap_global_fields[] = {
	COUNTER(full_scans, 0),
	COUNTER(general_profit, KSM_F_SIGNED),
	COUNTER(ksm_zero_pages, 0),
	COUNTER(pages_scanned, 0),
	COUNTER(pages_shared, 0),
	COUNTER(pages_sharing, 0),
	COUNTER(pages_skipped, 0),
	COUNTER(pages_unshared, 0),
	COUNTER(pages_volatile, 0),
	COUNTER(stable_node_chains, 0),
	COUNTER(stable_node_dups, 0),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

#define STAT(type, m, flags) \
	{ #m, type, offsetof(struct ksm_snap_proc, stat.m), KSM_F_PROCFS | (flags), 0, 0, 0 }
#define PAGES(m) { #m, NUM(struct ksm_snap_proc, m), 0, 0, 0, 0 }

const struct ksm_snap_field ksm_snap_proc_fields[] = {
	STAT(KSM_SNAP_INT, ksm_rmap_items, 0),
	STAT(KSM_SNAP_INT, ksm_merging_pages, 0),
	STAT(KSM_SNAP_INT, ksm_zero_pages, 0),
	STAT(KSM_SNAP_INT, ksm_process_profit, KSM_F_SIGNED),
	STAT(KSM_SNAP_BOOL, ksm_merge_any, 0),
	STAT(KSM_SNAP_BOOL, ksm_mergeable, 0),
	PAGES(vmas),
	PAGES(mapped),
	PAGES(zero_pfn),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field *ksm_field_find(const struct ksm_snap_field *tab,
					    const char *name)
{
	for (; tab->name; tab++)
		if (!strcmp(tab->name, name))
			return tab;
	return NULL;
}

uint64_t ksm_field_u64(const struct ksm_snap_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->offset;

	switch (f->type) {
	case KSM_SNAP_BOOL:
		return *(const bool *)p;
	case KSM_SNAP_ADVISOR:
		return *(const enum ksm_advisor_mode *)p;
	case KSM_SNAP_HASH:
	case KSM_SNAP_ADDR:
		return *(const uint64_t *)p;
	case KSM_SNAP_INT:
	case KSM_SNAP_NODE:
		return (uint64_t)*(const int64_t *)p;
	case KSM_SNAP_SIZES:
	case KSM_SNAP_NAME:
	case KSM_SNAP_FRAME:
	case KSM_SNAP_MAPPINGS:
	case KSM_SNAP_TEXT:
		break;
	}
	return 0;
}

void ksm_knobs_default(struct ksm_knobs *k)
{
	memset(k, 0, sizeof(*k));
	for (const struct ksm_snap_field *f = ksm_snap_knob_fields; f->name; f++) {
		char *p = (char *)k + f->offset;

		if (f->type == KSM_SNAP_ADVISOR)
			*(enum ksm_advisor_mode *)p = (enum ksm_advisor_mode)f->def;
		else
			*(uint64_t *)p = f->def;
	}
}

const char *ksm_knob_choices(const struct ksm_snap_field *f)
{
	if (f->type != KSM_SNAP_INT || f->min)
		return NULL;
	return f->max == 1 ? "0 or 1" : f->max == 2 ? "0, 1 or 2" : NULL;
}

static const char *const advisor_names[] = {
	[KSM_ADVISOR_NONE] = "none",
	[KSM_ADVISOR_SCAN_TIME] = "scan-time",
};

const char *ksm_advisor_mode_name(enum ksm_advisor_mode m)
{
	if ((unsigned)m >= sizeof(advisor_names) / sizeof(advisor_names[0]))
		return NULL;
	return advisor_names[m];
}

int ksm_advisor_mode_parse(const char *s, enum ksm_advisor_mode *out)
{
	for (unsigned i = 0; i < sizeof(advisor_names) / sizeof(advisor_names[0]); i++) {
		if (!strcmp(s, advisor_names[i])) {
			*out = (enum ksm_advisor_mode)i;
			return 0;
		}
	}
	return -1;
}
