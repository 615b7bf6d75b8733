/* SPDX-License-Identifier: MIT */
/*
 * DOC: ksmtrace v1 — parsed form
 *
 * The lexer and parser (sim/trace/lexer.c, sim/trace/parser.c) turn the text
 * of a ksmtrace v1 file (docs/trace-format.md) into a struct trace: an array
 * of struct trace_cmd, one per command line, each remembering where every
 * argument stood so that later stages (the replayer, the kernel replayer)
 * can report "FILE:LINE:COLUMN: message" about the exact argument at fault.
 *
 * The parser checks everything that can be checked from the text alone:
 * the header, command names, argument counts and forms, number syntax and
 * range, page alignment, process-name syntax, knob names, counter names,
 * CONTENT forms.  It does not know which processes are alive or what is
 * mapped: those checks belong to whoever applies the commands.
 *
 * The writer (sim/trace/writer.c) prints a struct trace back to text that
 * parses to an equal struct trace (positions aside).  Both follow the
 * command table (include/ksmsim/trace_cmds.h), one row per command.
 *
 * Ownership: a struct trace owns every string and array it points to;
 * trace_free() releases them all.
 */
#ifndef KSMSIM_TRACE_H
#define KSMSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ksmsim/diag.h"

#define TRACE_NAME_MAX 32 /* longest process name, in bytes */

/*
 * Limits the parser enforces on addresses and ranges (docs/trace-format.md):
 * ADDR is a multiple of TRACE_PAGE_SIZE, at least TRACE_ADDR_MIN (Linux's
 * default mmap_min_addr) and ADDR + NPAGES * TRACE_PAGE_SIZE <=
 * TRACE_ADDR_END (the x86-64 47-bit user address space, TASK_SIZE).
 */
#define TRACE_PAGE_SIZE 4096ULL
#define TRACE_ADDR_MIN 0x10000ULL
#define TRACE_ADDR_END 0x800000000000ULL
#define TRACE_LIST_MAX 4096 /* most entries in a list=A,B,... CONTENT */

enum trace_cmd_kind {
	TC_SET,       /* set NAME=VALUE...                       */
	TC_SPAWN,     /* spawn P                                 */
	TC_FORK,      /* fork PARENT CHILD                       */
	TC_EXIT,      /* exit P                                  */
	TC_MMAP,      /* mmap P ADDR NPAGES [PROT]               */
	TC_MUNMAP,    /* munmap P ADDR NPAGES                    */
	TC_MPROTECT,  /* mprotect P ADDR NPAGES PROT             */
	TC_MREMAP,    /* mremap P OLD NPAGES NEW NPAGES          */
	TC_MADVISE,   /* madvise P ADDR NPAGES ADVICE            */
	TC_PRCTL,     /* prctl P merge_any=0|1                   */
	TC_WRITE,     /* write P ADDR NPAGES CONTENT             */
	TC_READ,      /* read P ADDR NPAGES                      */
	TC_SCAN,      /* scan rounds=N | batches=N               */
	TC_EXPECT,    /* expect NAME=VALUE...                    */
	TC_SNAPSHOT,  /* snapshot [LABEL]                        */
	TC_CHECK,     /* check                                   */
	TC_RMAP,      /* rmap P ADDR                             */
	TC_DOT,       /* dot WHAT [P ADDR | P] FILE              */
	TC_MIGRATE,   /* migrate P ADDR (simulator addition)     */
	TC__COUNT
};

/* Protection of a mapping (the trace's PROT argument). */
enum trace_prot {
	TPROT_NONE, /* "none" */
	TPROT_R,    /* "r"    */
	TPROT_RW,   /* "rw"   */
};

enum trace_advice {
	TADV_MERGEABLE,   /* "mergeable"   MADV_MERGEABLE   */
	TADV_UNMERGEABLE, /* "unmergeable" MADV_UNMERGEABLE */
	TADV_DONTNEED,    /* "dontneed"    MADV_DONTNEED    */
};

enum trace_scan_unit {
	TSCAN_ROUNDS,  /* scan rounds=N  */
	TSCAN_BATCHES, /* scan batches=N */
};

/* What `dot` draws. */
enum trace_dot_what {
	TDOT_STABLE,   /* dot stable FILE           */
	TDOT_UNSTABLE, /* dot unstable FILE         */
	TDOT_ANON_VMA, /* dot anon_vma P ADDR FILE  */
	TDOT_MM,       /* dot mm P FILE             */
	TDOT_RMAP,     /* dot rmap P ADDR FILE      */
	TDOT_ALL,      /* dot all FILE              */
};

/* A CONTENT argument of `write`: which 64-bit token page i receives. */
enum trace_content_kind {
	TCONT_TOKEN, /* token=N     -> N               */
	TCONT_SEQ,   /* seq=N       -> N + i           */
	TCONT_MOD,   /* mod=K,BASE  -> BASE + (i mod K) */
	TCONT_LIST,  /* list=A,B,.. -> list[i mod len] */
	TCONT_ZERO,  /* zero        -> 0               */
};

struct trace_content {
	enum trace_content_kind kind;
	uint64_t a;       /* TOKEN: N; SEQ: N; MOD: K (>= 1) */
	uint64_t b;       /* MOD: BASE                        */
	uint64_t *list;   /* LIST: the entries (owned)        */
	size_t nlist;     /* LIST: at least 1                 */
};

/*
 * Position of something in the trace text; both 1-based.  Columns count
 * characters (Unicode code points), a tab counting as one.
 */
struct trace_pos {
	unsigned line;
	unsigned col;
};

/* What the NAME of a NAME=VALUE pair names; index is into which table. */
enum trace_kv_kind {
	TKV_KNOB,    /* set: trace_knob_names[index]                      */
	TKV_SIM,     /* set: a sim.* name (index 0), checked by the sim   */
	TKV_GLOBAL,  /* expect: trace_global_counter_names[index]         */
	TKV_PROC,    /* expect: P.field, trace_proc_field_names[index]    */
	TKV_SHARING, /* expect: sharing.field, trace_sharing_field_names  */
	TKV_MIGRATE, /* expect: migrate.field, trace_migrate_field_names  */
};

/*
 * A NAME=VALUE pair of `set` or `expect`.  The value is kept both as text
 * (exactly as written) and, when it is a valid number, as a number:
 * `set advisor_mode=scan-time` has a string value, most others a numeric
 * one.  For `expect`, is_num is always true: booleans (true/false/yes/
 * no/1/0) are 1 or 0, the signed counters (general_profit,
 * P.ksm_process_profit) are stored as two's complement (read them as
 * int64_t), and sharing.hash holds the value of its 16 hex digits
 * (migrate.moved and migrate.ksm are booleans too).
 */
struct trace_kv {
	char *name;                  /* owned; e.g. "pages_to_scan", "a.ksm_rmap_items", "sim.kernel" */
	char *text;                  /* owned; the value as written        */
	bool is_num;                 /* text parsed as a decimal/hex number */
	uint64_t num;                /* valid when is_num                  */
	struct trace_pos name_pos;   /* where NAME starts                  */
	struct trace_pos value_pos;  /* where VALUE starts (after '=')     */
	enum trace_kv_kind kind;     /* what NAME names                    */
	unsigned index;              /* into the table of @kind            */
	char proc[TRACE_NAME_MAX + 1]; /* TKV_PROC: the P of P.field      */
};

/*
 * Index of an argument position in trace_cmd.argpos[]: 0 is the command
 * word, 1 the first argument after it, and so on.  For example in
 * "mremap P OLD OLDN NEW NEWN" argpos[3] is where OLDN starts, and in
 * "dot anon_vma P ADDR FILE" argpos[4] is where FILE starts.  Only the
 * first TRACE_MAX_ARGS words are recorded (set and expect may have more;
 * their pairs carry their own positions).
 */
#define TRACE_MAX_ARGS 8

struct trace_cmd {
	enum trace_cmd_kind kind;
	struct trace_pos argpos[TRACE_MAX_ARGS]; /* unused slots are {0,0} */
	unsigned nargs;                          /* words incl. the command */

	/* Process names: proc[0] is P or PARENT, proc[1] is CHILD. */
	char proc[2][TRACE_NAME_MAX + 1];

	uint64_t addr;     /* ADDR, or OLD_ADDR for mremap              */
	uint64_t npages;   /* NPAGES, or OLD_NPAGES for mremap          */
	uint64_t addr2;    /* mremap NEW_ADDR                           */
	uint64_t npages2;  /* mremap NEW_NPAGES                         */

	enum trace_prot prot;          /* mmap (default rw), mprotect    */
	enum trace_advice advice;      /* madvise                        */
	bool merge_any;                /* prctl merge_any=0|1            */
	struct trace_content content;  /* write                          */

	enum trace_scan_unit scan_unit; /* scan                          */
	uint64_t scan_count;            /* scan: N (>= 1)                */

	struct trace_kv *kvs;  /* set, expect (owned array, in order)    */
	size_t nkvs;

	char *label;           /* snapshot label (owned) or NULL         */

	enum trace_dot_what dot_what; /* dot                             */
	char *dot_file;               /* dot FILE (owned)                */
};

struct trace {
	char *file;             /* name used in diagnostics (owned)      */
	struct trace_cmd *cmds; /* owned array                            */
	size_t ncmds;
	unsigned header_line;   /* line of "ksmtrace 1"                   */
};

/*
 * trace_parse_string() - parse a whole trace held in memory.
 * @name: file name to use in diagnostics (copied).
 * @text, @len: the text; it need not be NUL-terminated; a NUL byte in it
 *              is an error.
 * @out: filled on success; left empty (safe to trace_free) on failure.
 * @err: on failure, where and what.
 * Return: 0 or -1.
 */
int trace_parse_string(const char *name, const char *text, size_t len,
		       struct trace *out, struct ksm_diag *err);

/*
 * trace_parse_file() - read @path and parse it.  An unreadable file (or a
 * directory) is reported as "PATH: cannot read: <strerror>" (line and
 * column 0).  "-" reads stdin, named "<stdin>" in diagnostics.
 */
int trace_parse_file(const char *path, struct trace *out,
		     struct ksm_diag *err);

/* trace_free() - release everything @t owns; @t is left empty. */
void trace_free(struct trace *t);

/*
 * Streams: a trace read one command at a time, in bounded memory.
 *
 * The reader holds one line at most (TRACE_LINE_MAX bytes) and the parser
 * one command, so a trace of any length is read in constant memory; each
 * byte is checked as it is read, so a bad one is reported at its position
 * before anything after it is read.  trace_parse_file() and
 * trace_parse_string() are loops over a stream that keep every command.
 */
#define TRACE_LINE_MAX (1u << 20) /* longest line, in bytes, without its LF */

struct trace_stream;

/*
 * trace_stream_open() - open @path ("-": stdin, named "<stdin>").  An
 * unreadable file or a directory is "PATH: cannot read: <strerror>".
 * Return: 0 with *@out set, or -1 with @err set.
 */
int trace_stream_open(const char *path, struct trace_stream **out,
		      struct ksm_diag *err);

/* The same over @len bytes of @text (not copied: it must outlive *@out). */
int trace_stream_open_string(const char *name, const char *text, size_t len,
			     struct trace_stream **out, struct ksm_diag *err);

/*
 * trace_stream_next() - the next command into @c (the caller frees it
 * with trace_cmd_free()).  Return: 1 (a command), 0 (end of the trace),
 * -1 (@err set: the first problem, as trace_parse_string() reports it;
 * the stream may only be closed then).
 */
int trace_stream_next(struct trace_stream *s, struct trace_cmd *c,
		      struct ksm_diag *err);

/*
 * trace_stream_check() - parse the whole trace first, so that a syntax
 * error is found before any command is applied, then start again at its
 * beginning.  Only a regular file or a text in memory can be read twice.
 * Return: 1 checked and rewound; 0 not possible (a pipe, a device: the
 * trace is checked as it is consumed); -1 an error (@err set).
 */
int trace_stream_check(struct trace_stream *s, struct ksm_diag *err);

/* The name used in diagnostics; the line of the header (0 before it). */
const char *trace_stream_file(const struct trace_stream *s);
unsigned trace_stream_header_line(const struct trace_stream *s);

void trace_stream_close(struct trace_stream *s);

/* trace_cmd_free() - release what @c owns; @c is left without them. */
void trace_cmd_free(struct trace_cmd *c);

/*
 * trace_cmd_equal() - are @a and @b the same command?  Every field is
 * compared except where things stood in the text (argpos, nargs and the
 * positions of NAME=VALUE pairs).  trace_equal() compares two traces
 * command by command (the file name and header line aside).
 */
bool trace_cmd_equal(const struct trace_cmd *a, const struct trace_cmd *b);
bool trace_equal(const struct trace *a, const struct trace *b);

/*
 * trace_write() - print @t as ksmtrace v1 text: a header, then one
 * canonical line per command (numbers that are addresses in lower-case
 * hex, every other number in decimal, NAME=VALUE values and labels as
 * written).  Parsing the output gives commands equal to @t's, as
 * trace_equal() sees them, provided @t is valid (as the parser makes it).
 * Return: 0, or -1 if writing to @out failed or a command kind is out of
 * range (errno EINVAL).
 */
int trace_write(FILE *out, const struct trace *t);

/* trace_write_cmd() - print one command (no newline). */
int trace_write_cmd(FILE *out, const struct trace_cmd *c);

/*
 * trace_cmd_name() - the command word of @kind ("mmap", "scan", ...);
 * NULL if @kind is out of range.  Likewise the words of the other enums.
 */
const char *trace_cmd_name(enum trace_cmd_kind kind);
const char *trace_prot_name(enum trace_prot prot);
const char *trace_advice_name(enum trace_advice advice);
const char *trace_scan_unit_name(enum trace_scan_unit unit);
const char *trace_dot_what_name(enum trace_dot_what what);

/*
 * trace_content_token() - the token page @i of a write receives
 * (docs/trace-format.md, "Page contents").  The parser guarantees that no
 * token of the pages of a write wraps past 2^64 - 1; for other @i the
 * sums wrap modulo 2^64.  A MOD with K 0 gives BASE, an empty LIST 0.
 */
uint64_t trace_content_token(const struct trace_content *c, uint64_t i);

/*
 * Knob and counter names known to the format (not the sim.* ones, which
 * the simulator validates itself).  NULL-terminated arrays, in the order
 * of the snapshot record.  trace_proc_counter_names are the four numbers
 * of /proc/PID/ksm_stat; trace_proc_field_names are every per-process
 * field `expect` accepts (the same four first, then ksm_merge_any,
 * ksm_mergeable, vmas, mapped, zero_pfn); trace_sharing_field_names are
 * the fields of the snapshot's "sharing" object `expect` accepts;
 * trace_migrate_field_names those of the last migrate's outcome.
 */
extern const char *const trace_knob_names[];
extern const char *const trace_global_counter_names[];
extern const char *const trace_proc_counter_names[];
extern const char *const trace_proc_field_names[];
extern const char *const trace_sharing_field_names[];
extern const char *const trace_migrate_field_names[];

#endif /* KSMSIM_TRACE_H */
