// SPDX-License-Identifier: MIT
/*
 * DOC: Snapshot records — the record model
 *
 * The field tables of the record's own objects (sharing, migrate and its
 * mappings, expect_failed, and the migrate summary `expect` reads; those
 * of global, knobs and procs are in sim/core/ksm_fields.c), the names of
 * the record kinds and frames, the record order of processes and
 * mappings, and freeing.  Writing is snapshot_write.c, reading
 * snapshot_json.c (JSON tokens), snapshot_read.c (the record's shape) and
 * snapshot_stream.c (JSON Lines), comparing snapshot_diff.c.
 */
#include <stdlib.h>
#include <string.h>

#include "report/snapshot_internal.h"

#define FIELD(st, type, m) { #m, type, offsetof(st, m), 0, 0, 0, 0 }

const struct ksm_snap_field ksm_snap_sharing_fields[] = {
	FIELD(struct ksm_sharing, KSM_SNAP_INT, mapped),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, zero_pfn),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, ksm_pfns),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, ksm_mapped),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, groups),
	FIELD(struct ksm_sharing, KSM_SNAP_INT, grouped),
	FIELD(struct ksm_sharing, KSM_SNAP_HASH, hash),
	FIELD(struct ksm_sharing, KSM_SNAP_SIZES, sizes),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field ksm_snap_migrate_fields[] = {
	FIELD(struct ksm_migrate_rec, KSM_SNAP_NAME, proc),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_ADDR, addr),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_BOOL, ksm),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_BOOL, moved),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_INT, target_node),
	FIELD(struct ksm_migrate_rec, KSM_SNAP_MAPPINGS, mappings),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field ksm_snap_mapping_fields[] = {
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_NAME, proc),
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_ADDR, addr),
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_FRAME, frame),
	FIELD(struct ksm_migrate_mapping, KSM_SNAP_NODE, node),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const struct ksm_snap_field ksm_snap_expect_failed_fields[] = {
	FIELD(struct ksm_expect_failed_rec, KSM_SNAP_TEXT, field),
	FIELD(struct ksm_expect_failed_rec, KSM_SNAP_TEXT, want),
	FIELD(struct ksm_expect_failed_rec, KSM_SNAP_TEXT, got),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

const char *ksm_record_kind_name(enum ksm_record_kind k)
{
	return k == KSM_RECORD_MIGRATE ? "migrate" :
	       k == KSM_RECORD_EXPECT_FAILED ? "expect_failed" : "snapshot";
}

/* Not written: what `expect migrate.NAME` reads (ksm_migrate_summarize). */
const struct ksm_snap_field ksm_snap_migrate_summary_fields[] = {
	FIELD(struct ksm_migrate_summary, KSM_SNAP_BOOL, moved),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_BOOL, ksm),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, mappings),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, on_old),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, on_new),
	FIELD(struct ksm_migrate_summary, KSM_SNAP_INT, target_node),
	{ NULL, 0, 0, 0, 0, 0, 0 }
};

static const char *const frame_names[] = {
	[KSM_FRAME_OLD] = "old",
	[KSM_FRAME_NEW] = "new",
	[KSM_FRAME_OTHER] = "other",
	[KSM_FRAME_NONE] = "none",
};

const char *ksm_migrate_frame_name(enum ksm_migrate_frame f)
{
	if ((unsigned)f >= sizeof(frame_names) / sizeof(frame_names[0]))
		return NULL;
	return frame_names[f];
}

int ksm_snap_frame_parse(const char *s, enum ksm_migrate_frame *out)
{
	for (unsigned i = 0; i < sizeof(frame_names) / sizeof(frame_names[0]); i++) {
		if (!strcmp(s, frame_names[i])) {
			*out = (enum ksm_migrate_frame)i;
			return 0;
		}
	}
	return -1;
}

void ksm_migrate_summarize(const struct ksm_migrate_rec *m,
			   struct ksm_migrate_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->moved = m->moved;
	out->ksm = m->ksm;
	out->mappings = (int64_t)m->nmappings;
	out->target_node = m->target_node;
	for (size_t i = 0; i < m->nmappings; i++) {
		out->on_old += m->mappings[i].frame == KSM_FRAME_OLD;
		out->on_new += m->mappings[i].frame == KSM_FRAME_NEW;
	}
}

int ksm_snap_mapping_cmp(const struct ksm_migrate_mapping *a,
		       const struct ksm_migrate_mapping *b)
{
	int c = strcmp(a->proc, b->proc);

	if (c)
		return c;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int mapping_qsort_cmp(const void *a, const void *b)
{
	return ksm_snap_mapping_cmp(a, b);
}

void ksm_migrate_sort(struct ksm_migrate_rec *m)
{
	if (m->nmappings > 1)
		qsort(m->mappings, m->nmappings, sizeof(*m->mappings), mapping_qsort_cmp);
}

static int proc_cmp(const void *pa, const void *pb)
{
	const struct ksm_snap_proc *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

void ksm_snapshot_sort_procs(struct ksm_snapshot *s)
{
	if (s->nprocs > 1)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), proc_cmp);
}

void ksm_snapshot_free(struct ksm_snapshot *s)
{
	free(s->label);
	free(s->procs);
	ksm_sharing_free(&s->sharing);
	free(s->migrate.mappings);
	memset(s, 0, sizeof(*s));
}

void ksm_snapshot_array_free(struct ksm_snapshot *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ksm_snapshot_free(&a[i]);
	free(a);
}

