// SPDX-License-Identifier: MIT
/*
 * DOC: Reading one field of a snapshot record by its `expect` name
 *
 * `expect` names a field of the snapshot record: a global counter
 * (`pages_shared`), a process's field (`a.vmas`) or a field of the
 * sharing partition (`sharing.groups`); or a field of the summary of the
 * last migrate record (`migrate.moved`, struct ksm_migrate_summary).
 * Both replayers — the simulator's and the real kernel's — evaluate
 * expect lines against a snapshot and that summary with this one
 * function, so a name means the same thing to both.
 */
#include <inttypes.h>
#include <string.h>

#include "ksmsim/snapshot.h"
#include "ksmsim/trace.h"

int ksm_snapshot_lookup(const struct ksm_snapshot *s,
			const struct ksm_migrate_summary *mig,
			const struct trace_kv *kv, uint64_t *value,
			const struct ksm_snap_field **field)
{
	const struct ksm_snap_field *f = NULL;
	const char *name = kv->name, *dot = strchr(name, '.');
	const void *obj = NULL;

	switch (kv->kind) {
	case TKV_GLOBAL:
		f = ksm_field_find(ksm_snap_global_fields, name);
		obj = &s->global;
		break;
	case TKV_SHARING:
		f = ksm_field_find(ksm_snap_sharing_fields, dot + 1);
		obj = &s->sharing;
		break;
	case TKV_PROC:
		for (size_t i = 0; i < s->nprocs && !obj; i++)
			if (!strcmp(s->procs[i].name, kv->proc))
				obj = &s->procs[i];
		if (!obj)
			return -2;
		f = ksm_field_find(ksm_snap_proc_fields, dot + 1);
		break;
	case TKV_MIGRATE:
		if (!mig)
			return -3;
		f = ksm_field_find(ksm_snap_migrate_summary_fields, dot + 1);
		obj = mig;
		break;
	case TKV_KNOB:
	case TKV_SIM:
		break;
	}
	if (!f)
		return -1;
	switch (f->type) {
	case KSM_SNAP_BOOL:
	case KSM_SNAP_HASH:
	case KSM_SNAP_ADVISOR:
	case KSM_SNAP_INT:
	case KSM_SNAP_NODE:
		*value = ksm_field_u64(f, obj);
		break;
	case KSM_SNAP_SIZES:
	case KSM_SNAP_NAME:
	case KSM_SNAP_ADDR:
	case KSM_SNAP_FRAME:
	case KSM_SNAP_MAPPINGS:
	case KSM_SNAP_TEXT:
		return -1; /* not in any table expect reads */
	}
	*field = f;
	return 0;
}

void ksm_snapshot_format_value(const struct ksm_snap_field *f, uint64_t v,
			       char *buf, size_t len)
{
	if (f->type == KSM_SNAP_BOOL)
		snprintf(buf, len, "%s", v ? "true" : "false");
	else if (f->type == KSM_SNAP_HASH)
		snprintf(buf, len, "%016" PRIx64, v);
	else
		snprintf(buf, len, "%" PRId64, (int64_t)v);
}
