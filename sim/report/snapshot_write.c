// SPDX-License-Identifier: MIT
/*
 * DOC: Snapshot records — the writer
 *
 * Prints a struct ksm_snapshot as exactly the record of
 * docs/trace-format.md: one line, no spaces, keys in record order, taken
 * from the field tables so that the order lives in one place.
 */
#include <inttypes.h>

#include "core/json.h"
#include "ksmsim/snapshot.h"

/*
 * Members of one object from its table; the braces are the caller's.
 * @sh: the sharing object a SIZES member counts by; a MAPPINGS member is
 * the mappings of @base, a struct ksm_migrate_rec.
 */
static void write_fields(FILE *out, const struct ksm_snap_field *tab,
			 const void *base, const struct ksm_sharing *sh)
{
	for (const struct ksm_snap_field *f = tab; f->name; f++) {
		const char *m = (const char *)base + f->offset;

		fprintf(out, "%s\"%s\":", f == tab ? "" : ",", f->name);
		switch (f->type) {
		case KSM_SNAP_INT:
			fprintf(out, "%" PRId64, *(const int64_t *)m);
			break;
		case KSM_SNAP_BOOL:
			fputs(*(const bool *)m ? "true" : "false", out);
			break;
		case KSM_SNAP_ADVISOR: {
			const char *name = ksm_advisor_mode_name(*(const enum ksm_advisor_mode *)m);

			json_string(out, name ? name : "none");
			break;
		}
		case KSM_SNAP_HASH:
			fprintf(out, "\"%016" PRIx64 "\"", *(const uint64_t *)m);
			break;
		case KSM_SNAP_SIZES:
			fputc('[', out);
			for (int64_t i = 0; sh && i < sh->groups; i++)
				fprintf(out, "%s%" PRId64, i ? "," : "", sh->sizes[i]);
			fputc(']', out);
			break;
		case KSM_SNAP_NAME:
		case KSM_SNAP_TEXT:
			json_string(out, m);
			break;
		case KSM_SNAP_ADDR:
			fprintf(out, "\"0x%" PRIx64 "\"", *(const uint64_t *)m);
			break;
		case KSM_SNAP_FRAME: {
			const char *name = ksm_migrate_frame_name(*(const enum ksm_migrate_frame *)m);

			json_string(out, name ? name : "none");
			break;
		}
		case KSM_SNAP_NODE:
			fprintf(out, "%" PRId64, *(const int64_t *)m);
			break;
		case KSM_SNAP_MAPPINGS: {
			const struct ksm_migrate_rec *rec = base;

			fputc('[', out);
			for (size_t i = 0; i < rec->nmappings; i++) {
				fputs(i ? ",{" : "{", out);
				write_fields(out, ksm_snap_mapping_fields, &rec->mappings[i], NULL);
				fputc('}', out);
			}
			fputc(']', out);
			break;
		}
		}
	}
}

int ksm_snapshot_write(FILE *out, const struct ksm_snapshot *s)
{
	fprintf(out, "{\"line\":%u,\"label\":", s->line);
	json_string(out, s->label ? s->label : "");
	if (s->kind == KSM_RECORD_MIGRATE) {
		fputs(",\"migrate\":{", out);
		write_fields(out, ksm_snap_migrate_fields, &s->migrate, NULL);
		fputs("}}\n", out);
		return ferror(out) ? -1 : 0;
	}
	if (s->kind == KSM_RECORD_EXPECT_FAILED) {
		fputs(",\"expect_failed\":{", out);
		write_fields(out, ksm_snap_expect_failed_fields, &s->expect_failed, NULL);
		fputs("}}\n", out);
		return ferror(out) ? -1 : 0;
	}
	fputs(",\"global\":{", out);
	write_fields(out, ksm_snap_global_fields, &s->global, NULL);
	fputs("},\"knobs\":{", out);
	write_fields(out, ksm_snap_knob_fields, &s->knobs, NULL);
	fputs("},\"procs\":{", out);
	for (size_t i = 0; i < s->nprocs; i++) {
		if (i)
			fputc(',', out);
		json_string(out, s->procs[i].name);
		fputs(":{", out);
		write_fields(out, ksm_snap_proc_fields, &s->procs[i], NULL);
		fputc('}', out);
	}
	fputs("},\"sharing\":{", out);
	write_fields(out, ksm_snap_sharing_fields, &s->sharing, &s->sharing);
	fputs("}}\n", out);
	return ferror(out) ? -1 : 0;
}

