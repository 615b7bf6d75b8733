/* SPDX-License-Identifier: MIT */
/*
 * DOC: Knobs, counters and per-process stats — the one description
 *
 * The files of /sys/kernel/mm/ksm/ (knobs and global counters) and of
 * /proc/PID/ksm_stat are described once, here: one struct each, and one
 * field table each (ksm_snap_knob_fields, ksm_snap_global_fields,
 * ksm_snap_proc_fields) giving every field's name — the kernel's file or
 * key name, verbatim, which is also its key in the snapshot record and
 * its name in a trace's `set` and `expect` — its JSON type, where it
 * lives in the struct, and for knobs the values a write accepts, the
 * value at boot and the rules a write obeys (flags).
 *
 * Driven by these tables: the simulator's knob writes and their
 * validation (sim/ksm/knobs.c), the defaults of a new machine and of the
 * kernel replayer, the snapshot record's writer, reader and differ
 * (sim/report/snapshot_*.c), `expect`'s field lookup, the kernel
 * replayer's reading of /sys/kernel/mm/ksm and /proc/PID/ksm_stat and its
 * knob writes and restores.  A knob or counter added to a struct and its
 * table is parsed, validated, defaulted, written, read, compared and
 * looked up everywhere.
 *
 * The tables are in record order: the knobs in the order of `set`'s list
 * in docs/trace-format.md, the counters sorted, the per-process fields as
 * the record lists them.  This header depends on nothing but the C
 * library, so every layer can include it.
 */
#ifndef KSMSIM_KSM_FIELDS_H
#define KSMSIM_KSM_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/advisor.h"

/*
 * The knobs of /sys/kernel/mm/ksm/.  Numbers are uint64_t, which is the
 * kernel's unsigned long on the LP64 machines the simulator runs on; the
 * snapshot record carries them as JSON integers (int64 range).
 */
struct ksm_knobs {
	uint64_t run;                  /* 0 stop, 1 merge, 2 unmerge      */
	uint64_t pages_to_scan;
	uint64_t sleep_millisecs;
	uint64_t smart_scan;           /* 0 or 1 */
	uint64_t max_page_sharing;
	uint64_t use_zero_pages;       /* 0 or 1 */
	uint64_t stable_node_chains_prune_millisecs;
	uint64_t merge_across_nodes;   /* 0 or 1 */
	enum ksm_advisor_mode advisor_mode;
	uint64_t advisor_target_scan_time; /* seconds */
	uint64_t advisor_min_pages_to_scan;
	uint64_t advisor_max_pages_to_scan;
	uint64_t advisor_max_cpu;          /* percent */
};

/* The global counters of /sys/kernel/mm/ksm/, sorted by name. */
struct ksm_counters {
	int64_t full_scans;         /* kernel value; run=2 resets it to 0   */
	int64_t general_profit;     /* signed                                */
	int64_t ksm_zero_pages;
	int64_t pages_scanned;      /* the replayers count it from the start */
	int64_t pages_shared;
	int64_t pages_sharing;
	int64_t pages_skipped;      /* the replayers count it from the start */
	int64_t pages_unshared;
	int64_t pages_volatile;
	int64_t stable_node_chains;
	int64_t stable_node_dups;
};

/* /proc/PID/ksm_stat of one process, in record order. */
struct ksm_proc_stat {
	int64_t ksm_rmap_items;
	int64_t ksm_merging_pages;
	int64_t ksm_zero_pages;
	int64_t ksm_process_profit; /* signed */
	bool ksm_merge_any;         /* "yes"/"no" in ksm_stat */
	bool ksm_mergeable;
};

#define KSM_SNAP_NAME_MAX 32 /* longest process name, as in the trace format */

/* One live process in a snapshot: ksm_stat plus what its page tables show. */
struct ksm_snap_proc {
	char name[KSM_SNAP_NAME_MAX + 1];
	struct ksm_proc_stat stat;
	int64_t vmas;     /* VMAs of the process (trace mappings only)  */
	int64_t mapped;   /* present pages                               */
	int64_t zero_pfn; /* present pages that map the shared zero page */
};

/* JSON types of record members, for the field tables. */
enum ksm_snap_type {
	KSM_SNAP_INT,     /* int64_t; a knob's uint64_t, read through the
			   * int64_t it shares its bits with             */
	KSM_SNAP_BOOL,    /* bool                                     */
	KSM_SNAP_ADVISOR, /* enum ksm_advisor_mode, written as string */
	KSM_SNAP_HASH,    /* uint64_t, written as "16 hex digits"     */
	KSM_SNAP_SIZES,   /* int64_t *sizes with `groups` entries     */
	KSM_SNAP_NAME,    /* char[KSM_SNAP_NAME_MAX + 1], a process name */
	KSM_SNAP_ADDR,    /* uint64_t, written as "0x" + lower-case hex */
	KSM_SNAP_FRAME,   /* enum ksm_migrate_frame, written as string  */
	KSM_SNAP_NODE,    /* int64_t, a NUMA node or -1                 */
	KSM_SNAP_MAPPINGS, /* the mappings of struct ksm_migrate_rec   */
	KSM_SNAP_TEXT,    /* char[KSM_SNAP_TEXT_MAX + 1], any string  */
};

/* Rules of a field (struct ksm_snap_field.flags). */
enum {
	/* The value may be negative (the profits); other counts may not. */
	KSM_F_SIGNED = 1u << 0,
	/* A line of /proc/PID/ksm_stat (the others come from page tables). */
	KSM_F_PROCFS = 1u << 1,
	/* Knob: changes only while no KSM page is shared and every stable
	 * node can go (EBUSY otherwise). */
	KSM_F_EMPTY_TREE = 1u << 2,
	/* Knob: the scan-time advisor owns it; not writable (EINVAL) while
	 * advisor_mode is not none. */
	KSM_F_ADVISOR_OWNED = 1u << 3,
};

struct ksm_snap_field {
	const char *name;      /* sysfs/procfs name = record key = trace name */
	enum ksm_snap_type type;
	size_t offset;         /* within the object's struct */
	unsigned flags;        /* KSM_F_*                    */
	/* Knobs only: a write accepts min..max (EINVAL otherwise); @def is
	 * the value a replay starts from (Linux 6.18's boot value, but
	 * run=1, the trace format's starting state). */
	uint64_t min, max, def;
};

/* NULL-name-terminated tables, in record order. */
extern const struct ksm_snap_field ksm_snap_knob_fields[];   /* struct ksm_knobs     */
extern const struct ksm_snap_field ksm_snap_global_fields[]; /* struct ksm_counters  */
extern const struct ksm_snap_field ksm_snap_proc_fields[];   /* struct ksm_snap_proc (not name) */

/* ksm_field_find() - the row of @tab named @name, or NULL. */
const struct ksm_snap_field *ksm_field_find(const struct ksm_snap_field *tab,
					    const char *name);

/*
 * ksm_field_u64() - field @f of the object at @obj as 64 bits: signed
 * fields in two's complement, booleans 0/1, enums and the hash as their
 * number.  0 for the members that are not numbers in the record (names,
 * texts, frames, the sizes and mappings arrays).
 */
uint64_t ksm_field_u64(const struct ksm_snap_field *f, const void *obj);

/* ksm_knobs_default() - every knob at its @def (the table's). */
void ksm_knobs_default(struct ksm_knobs *k);

/*
 * ksm_knob_choices() - for a knob whose values are few (run, the 0/1
 * knobs), the trace format's wording of them: "0, 1 or 2", "0 or 1";
 * NULL for the others.
 */
const char *ksm_knob_choices(const struct ksm_snap_field *f);

/* "none" / "scan-time"; NULL for an out-of-range value. */
const char *ksm_advisor_mode_name(enum ksm_advisor_mode m);
/* Parse "none" / "scan-time"; 0 or -1. */
int ksm_advisor_mode_parse(const char *s, enum ksm_advisor_mode *out);

#endif /* KSMSIM_KSM_FIELDS_H */
