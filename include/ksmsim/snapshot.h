/* SPDX-License-Identifier: MIT */
/*
 * DOC: Snapshot records — the JSON Lines shape shared by every producer
 *
 * `snapshot [LABEL]` writes one record (docs/trace-format.md, "The
 * snapshot record").  The simulator and the real-kernel replayer
 * (tools/kernel-replay) fill the same struct ksm_snapshot and print it
 * with the same writer, so their outputs can be compared byte for byte or,
 * with `ksmsim diff`, field by field.
 *
 * The record, one line, keys in this order:
 *
 *   {"line":N,"label":"L",
 *    "global":{ the 11 counters of /sys/kernel/mm/ksm, sorted },
 *    "knobs":{ the 13 knobs in `set` order },
 *    "procs":{"NAME":{ 4 numbers + 2 booleans of ksm_stat,
 *                      "vmas","mapped","zero_pfn" }, ... sorted by NAME},
 *    "sharing":{"mapped","zero_pfn","ksm_pfns","ksm_mapped","groups",
 *               "grouped","hash":"16 hex digits","sizes":[ascending]}}
 *
 * Field tables (ksm_snap_*_fields[]) describe each object's members in
 * record order with their JSON type and where they live in the structs.
 * The writer, the reader and `ksmsim diff` are all driven by these
 * tables, so a field added here is written, read and compared everywhere.
 *
 * The reader is strict about shape: every key present exactly once, no
 * unknown key, integers where integers belong (no fraction, no exponent,
 * within int64), booleans where booleans belong, one record per line.  It
 * accepts JSON whitespace between tokens and keys in any order (JSON
 * objects are unordered; the writer's order is a property of the writer).
 * Errors are reported as FILE:LINE:COLUMN through struct ksm_diag.
 *
 * The sharing partition (ksm_sharing_compute) turns the (process, address,
 * physical page) pairs of every present page into the "sharing" object,
 * including the FNV-1a 64 hash of the partition's canonical text.  It
 * sorts, so it handles millions of pairs in O(n log n).
 *
 * The stream holds a second kind of record, written by `migrate P ADDR`
 * (docs/trace-format.md, "The migrate record"):
 *
 *   {"line":N,"label":"",
 *    "migrate":{"proc":"P","addr":"0xADDR","ksm":B,"moved":B,
 *               "target_node":N,
 *               "mappings":[{"proc":"P","addr":"0xADDR",
 *                            "frame":"old|new|other|none","node":N},
 *                           ... sorted by proc, then addr]}}
 *
 * It describes frames relatively (the frame mapped before, the one mapped
 * after, another, none), never by PFN, so a simulator's record and a real
 * kernel's compare.
 *
 * A third kind records an `expect` pair that failed, one record per pair,
 * where the replay stopped (or, with --keep-going, went on), so that the
 * records before it are kept and the failure is in the stream too:
 *
 *   {"line":N,"label":"",
 *    "expect_failed":{"field":"NAME","want":"V","got":"V"}}
 *
 * NAME is the pair's name as the trace writes it (pages_sharing,
 * b.vmas, sharing.groups, migrate.moved), the values as `expect` prints
 * them.  struct ksm_snapshot carries one kind (@kind); the members of the
 * other kinds stay zero.
 *
 * Ownership: a struct ksm_snapshot owns its label, its procs array, its
 * sharing.sizes array and its migrate.mappings array;
 * ksm_snapshot_free() releases them.
 */
#ifndef KSMSIM_SNAPSHOT_H
#define KSMSIM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ksmsim/diag.h"
#include "ksmsim/ksm_fields.h"

/*
 * The "global", "knobs" and "procs" objects are struct ksm_counters,
 * struct ksm_knobs and struct ksm_snap_proc, described with their field
 * tables in ksmsim/ksm_fields.h.
 */

/* The physical sharing partition (see ksm_sharing_compute()). */
struct ksm_sharing {
	int64_t mapped;     /* pairs (present pages of live processes)   */
	int64_t zero_pfn;   /* pairs mapping the shared zero page        */
	int64_t ksm_pfns;   /* distinct KSM pages mapped                 */
	int64_t ksm_mapped; /* pairs mapping a KSM page                  */
	int64_t groups;     /* physical pages mapped by two or more pairs */
	int64_t grouped;    /* pairs in those groups (sum of sizes)      */
	uint64_t hash;      /* FNV-1a 64 of the canonical text           */
	int64_t *sizes;     /* group sizes ascending, @groups entries (owned) */
};

/* What a mapping of the migrated page maps after the migration. */
enum ksm_migrate_frame {
	KSM_FRAME_OLD,   /* "old": the frame it mapped before (the page stayed) */
	KSM_FRAME_NEW,   /* "new": the frame P:ADDR maps now, a different one   */
	KSM_FRAME_OTHER, /* "other": some other frame (the zero page too)       */
	KSM_FRAME_NONE,  /* "none": nothing is mapped there now                 */
};

/* One (process, address) that mapped the page before the migration. */
struct ksm_migrate_mapping {
	char proc[KSM_SNAP_NAME_MAX + 1];
	uint64_t addr;
	enum ksm_migrate_frame frame; /* after the migration                 */
	int64_t node; /* NUMA node of what it maps after; -1: nothing, or the
		       * zero page (which has no node to report)              */
};

/* The outcome of `migrate P ADDR`. */
struct ksm_migrate_rec {
	char proc[KSM_SNAP_NAME_MAX + 1]; /* P                                */
	uint64_t addr;                    /* ADDR                             */
	bool ksm;                         /* the page was a KSM page          */
	bool moved;                       /* it moved to target_node          */
	int64_t target_node;              /* where the migration sent it      */
	struct ksm_migrate_mapping *mappings; /* owned; sorted by proc (byte
					       * order), then addr; P:ADDR is
					       * one of them                  */
	size_t nmappings;
};

#define KSM_SNAP_TEXT_MAX 80 /* longest expect_failed string */

/* An `expect` pair that failed. */
struct ksm_expect_failed_rec {
	char field[KSM_SNAP_TEXT_MAX + 1]; /* the pair's name           */
	char want[KSM_SNAP_TEXT_MAX + 1];  /* the value the trace wants */
	char got[KSM_SNAP_TEXT_MAX + 1];   /* the value there was       */
};

enum ksm_record_kind {
	KSM_RECORD_SNAPSHOT, /* `snapshot`, `expect`: global .. sharing */
	KSM_RECORD_MIGRATE,  /* `migrate`: line, label, migrate         */
	KSM_RECORD_EXPECT_FAILED, /* a failed `expect` pair: line, label,
				   * expect_failed                      */
};

struct ksm_snapshot {
	enum ksm_record_kind kind;
	unsigned line;               /* trace line of the command            */
	char *label;                 /* owned; "" when the command had none  */
	struct ksm_counters global;
	struct ksm_knobs knobs;
	struct ksm_snap_proc *procs; /* owned; sorted by name (byte order)   */
	size_t nprocs;
	struct ksm_sharing sharing;
	struct ksm_migrate_rec migrate; /* KSM_RECORD_MIGRATE only           */
	struct ksm_expect_failed_rec expect_failed; /* KSM_RECORD_EXPECT_FAILED only */
	/* Not part of the record: where the reader found it (0 otherwise). */
	unsigned src_line;
};

/*
 * What `expect migrate.FIELD=V` checks: a summary of the last migrate
 * record (ksm_snap_migrate_summary_fields names the fields).
 */
struct ksm_migrate_summary {
	bool moved;          /* moved                                        */
	bool ksm;            /* ksm                                          */
	int64_t mappings;    /* entries of mappings                          */
	int64_t on_old;      /* ... whose frame is "old"                     */
	int64_t on_new;      /* ... whose frame is "new"                     */
	int64_t target_node; /* target_node                                  */
};

/*
 * NULL-name-terminated tables of the record's own objects, in record
 * order (those of global, knobs and procs are in ksmsim/ksm_fields.h).
 */
extern const struct ksm_snap_field ksm_snap_sharing_fields[]; /* struct ksm_sharing     */
extern const struct ksm_snap_field ksm_snap_migrate_fields[]; /* struct ksm_migrate_rec */
extern const struct ksm_snap_field ksm_snap_mapping_fields[]; /* struct ksm_migrate_mapping */
extern const struct ksm_snap_field ksm_snap_migrate_summary_fields[]; /* struct ksm_migrate_summary */
extern const struct ksm_snap_field ksm_snap_expect_failed_fields[]; /* struct ksm_expect_failed_rec */

/* ksm_record_kind_name() - "snapshot", "migrate", "expect_failed". */
const char *ksm_record_kind_name(enum ksm_record_kind k);

/* "old", "new", "other", "none"; NULL for an out-of-range value. */
const char *ksm_migrate_frame_name(enum ksm_migrate_frame f);

/* ksm_migrate_summarize() - what `expect migrate.*` sees of @m. */
void ksm_migrate_summarize(const struct ksm_migrate_rec *m,
			   struct ksm_migrate_summary *out);

/*
 * ksm_migrate_sort() - sort @m->mappings by process name (byte order),
 * then address, as the record lists them.
 */
void ksm_migrate_sort(struct ksm_migrate_rec *m);

/*
 * ksm_snapshot_write() - print @s as one JSON Lines record (with the final
 * newline), keys in record order, no spaces; a snapshot or a migrate
 * record as @s->kind says.  Procs and mappings are printed in array
 * order: keep them sorted (ksm_snapshot_sort_procs(), ksm_migrate_sort()).
 * Return: 0, or -1 if writing to @out failed.
 */
int ksm_snapshot_write(FILE *out, const struct ksm_snapshot *s);

/* ksm_snapshot_sort_procs() - sort @s->procs by name, byte order. */
void ksm_snapshot_sort_procs(struct ksm_snapshot *s);

/*
 * ksm_snapshot_parse() - read one record from @text (@len bytes, no
 * newline; need not be NUL-terminated).  @file and @line only label
 * diagnostics; columns are 1-based byte offsets into @text.
 * @out is filled on success and left empty (safe to free) on failure.
 * Return: 0, or -1 with @err set.
 */
int ksm_snapshot_parse(const char *file, unsigned line, const char *text,
		       size_t len, struct ksm_snapshot *out,
		       struct ksm_diag *err);

/*
 * ksm_snapshot_read_file() - read every record of a JSON Lines file ("-"
 * is stdin).  Every line must hold one record; a missing final newline is
 * accepted, an empty line is not.  On success *@out is an owned array of
 * *@n records (src_line set), to free with ksm_snapshot_array_free().
 * Return: 0, or -1 with @err set (an unreadable file is "PATH: cannot
 * read: <strerror>").
 */
int ksm_snapshot_read_file(const char *path, struct ksm_snapshot **out,
			   size_t *n, struct ksm_diag *err);

/* ksm_snapshot_free() - release what @s owns; @s is left empty. */
void ksm_snapshot_free(struct ksm_snapshot *s);
void ksm_snapshot_array_free(struct ksm_snapshot *a, size_t n);

/*
 * Sharing partition.
 *
 * Every present page of every live process is one struct ksm_page_ref:
 * the pair (process name, address) and the physical page it maps.  Pairs
 * that map the same @phys form a group; groups of one are dropped.  The
 * canonical text lists the groups sorted by their first pair, each group's
 * pairs sorted by name (byte order) then address, each pair written
 * NAME:ADDR (ADDR lower-case hex, no 0x, no leading zeros), pairs joined by
 * ',' and each group ended by ';'.  The hash is FNV-1a 64 of that text.
 */
struct ksm_page_ref {
	const char *name; /* process name (not owned; must outlive the call) */
	uint64_t addr;    /* virtual address of the page                     */
	uint64_t phys;    /* physical page identity (a PFN, or any id)       */
	bool zero;        /* @phys is the shared zero page                   */
	bool ksm;         /* @phys is a KSM page                             */
};

#define KSM_FNV1A64_INIT 0xcbf29ce484222325ULL
#define KSM_FNV1A64_PRIME 0x100000001b3ULL

/* ksm_fnv1a64() - continue an FNV-1a 64 hash @h over @n bytes at @p. */
uint64_t ksm_fnv1a64(uint64_t h, const void *p, size_t n);

/*
 * ksm_sharing_compute() - fill @out from @n pairs.  Reorders @refs (it
 * sorts them by physical page).  @out->sizes is allocated (NULL when there
 * are no groups).  Running out of memory ends the program (exit 3).
 * Return: 0.
 */
int ksm_sharing_compute(struct ksm_page_ref *refs, size_t n,
			struct ksm_sharing *out);

/*
 * ksm_sharing_write_text() - print the canonical text of the partition of
 * @refs (reordered as by ksm_sharing_compute()) to @out, without a newline.
 * For debugging and tests; the hash is of exactly these bytes.
 * Return: 0, or -1 on a write error.
 */
int ksm_sharing_write_text(FILE *out, struct ksm_page_ref *refs, size_t n);

struct trace_kv;

/*
 * ksm_snapshot_lookup() - the value of the field an `expect` pair names
 * (a global counter, P.field or sharing.field) in @s, or (migrate.field)
 * in @mig, the summary of the last migrate record (NULL before the first
 * migrate), as 64 bits (signed fields in two's complement, booleans 0/1,
 * the hash as its number).
 * Return: 0 with *@value and *@field set; -1 if @kv names no field of the
 * record; -2 if it names a process that is not in @s; -3 if it names a
 * migrate field and @mig is NULL.
 */
int ksm_snapshot_lookup(const struct ksm_snapshot *s,
			const struct ksm_migrate_summary *mig,
			const struct trace_kv *kv, uint64_t *value,
			const struct ksm_snap_field **field);

/* ksm_snapshot_format_value() - @v as `expect` writes it for field @f. */
void ksm_snapshot_format_value(const struct ksm_snap_field *f, uint64_t v,
			       char *buf, size_t len);

/* ksm_sharing_free() - release @s->sizes. */
void ksm_sharing_free(struct ksm_sharing *s);

#endif /* KSMSIM_SNAPSHOT_H */
