/* SPDX-License-Identifier: MIT */
/* What the record model (snapshot.c) gives its reader (snapshot_read.c). */
#ifndef KSMSIM_REPORT_SNAPSHOT_INTERNAL_H
#define KSMSIM_REPORT_SNAPSHOT_INTERNAL_H

#include "ksmsim/snapshot.h"

/* Parse "old", "new", "other", "none"; 0 or -1. */
int ksm_snap_frame_parse(const char *s, enum ksm_migrate_frame *out);

/* Record order of mappings: process name (byte order), then address. */
int ksm_snap_mapping_cmp(const struct ksm_migrate_mapping *a,
			 const struct ksm_migrate_mapping *b);

#endif /* KSMSIM_REPORT_SNAPSHOT_INTERNAL_H */
