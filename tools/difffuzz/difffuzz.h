/* SPDX-License-Identifier: MIT */
/*
 * DOC: ksmsim-difffuzz — the simulator against a real kernel
 *
 * The pieces (docs/difffuzz.md tells the whole story):
 *
 *  gen.c      random ksmtrace v1 traces that both sides accept, built on a
 *             live simulated machine so that every command applies;
 *  sim.c      a trace replayed in-process by the library's replayer, the
 *             way `ksmsim replay --snapshots` does it;
 *  backend.c  a batch of traces replayed by ksmsim-kernel-replay (batch
 *             mode `--out-dir DIR TRACE...`, on the host or in a guest, or
 *             one invocation per trace where batch mode is missing);
 *  compare.c  two outcomes judged: exit status, error position, snapshot
 *             records field by field (the library's snapshot diff);
 *  shrink.c   ddmin over the command lines of a disagreement, candidates
 *             sent to the backend in batches;
 *  main.c     the loop: traces generated or read, replayed, judged, shrunk;
 *  options.c  the flags (run.h: the run's options and figures);
 *  files.c    --out made and tried, each case's files written whole;
 *  summary.c  the figures at the end, as text or JSON;
 *  util.c     the clock, writing files, other KSM users, output tails.
 */
#ifndef KSMSIM_DIFFFUZZ_H
#define KSMSIM_DIFFFUZZ_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Exit statuses of ksmsim-difffuzz. */
enum {
	FZ_EXIT_OK = 0,        /* every trace agreed                        */
	FZ_EXIT_DISAGREE = 1,  /* some trace disagreed (cases written)      */
	FZ_EXIT_USAGE = 2,     /* bad flags, unwritable --out               */
	FZ_EXIT_INFRA = 3,     /* the backend failed in mid-run             */
	FZ_EXIT_SKIP = 77,     /* the kernel replayer cannot run here       */
	FZ_EXIT_SIGNAL = 128,  /* + N: interrupted by signal N              */
};

/* Set by the signal handler; every loop and wait looks at it. */
extern volatile sig_atomic_t fz_stop_signal;

/* ---- command lines ---- */

struct fz_lines {
	char **v;
	size_t n, cap;
};

void fz_lines_push(struct fz_lines *l, const char *s);
void fz_lines_free(struct fz_lines *l);
/* "ksmtrace 1\n" + "# @comment\n" (if any) + every line kept by @keep. */
char *fz_lines_text(const struct fz_lines *l, const bool *keep, const char *comment,
		    size_t *len);
/* The command lines of a trace text (blank and comment-only lines and the
 * header left out). */
void fz_lines_from_text(struct fz_lines *l, const char *text);

/* ---- generation (gen.c) ---- */

/*
 * fz_generate() - trace number @index of @seed, @steps random commands
 * after a prologue (`set` of the knobs, `spawn a`, usually something to
 * merge), ending with `snapshot end`; in @refused_pct percent of the
 * traces one command the simulator refuses comes before that snapshot;
 * after each step, with @migrate_pct percent, a `migrate` of a mapped page
 * (a kernel with two NUMA nodes is needed to replay those: a guest).
 * The same arguments give the same bytes.  @ncmds gets the number of
 * commands.  Returns the owned text.
 */
char *fz_generate(uint64_t seed, unsigned index, unsigned steps, unsigned refused_pct,
		  unsigned migrate_pct, unsigned *ncmds, size_t *len);

/* "fz-SEED-NNNN" */
void fz_trace_name(char *buf, size_t len, uint64_t seed, unsigned index);

/* ---- outcomes ---- */

enum fz_status {
	FZ_ST_OK,      /* ran to the end                                  */
	FZ_ST_EXPECT,  /* an expect failed                                */
	FZ_ST_ERROR,   /* a command could not be applied (position known) */
	FZ_ST_BROKEN,  /* simulator: an invariant of the model broke      */
	FZ_ST_START,   /* kernel replayer: could not start (exit 2)       */
	FZ_ST_SIGNAL,  /* kernel replayer: killed or interrupted          */
	FZ_ST_MISSING, /* kernel replayer: no result for this trace       */
	FZ_ST_OTHER,   /* any other exit status                           */
};

const char *fz_status_name(enum fz_status st);

struct fz_outcome {
	enum fz_status st;
	int rc;            /* exit status: the replayer's, or `ksmsim replay`'s */
	unsigned line, col; /* where the error is, 0 if unknown or none */
	char msg[512];     /* the error's message, "" if none           */
	char *jsonl;       /* snapshot records (owned), NULL if none    */
	size_t jsonl_len;
	char *log;         /* stderr of the run (owned), NULL if none   */
	size_t log_len;
};

void fz_outcome_free(struct fz_outcome *o);

/* ---- the simulator side (sim.c) ---- */

/*
 * fz_sim_run() - replay @text (named @name, as in diagnostics) on a new
 * simulated machine of kernel @sim_kernel ("baseline" or "lpi", set as
 * `sim.kernel` before the first command) with the model's invariants
 * checked at the end, as `ksmsim replay --snapshots` does.
 */
void fz_sim_run(const char *name, const char *text, size_t len, const char *sim_kernel,
		struct fz_outcome *out);

/* ---- the kernel side (backend.c) ---- */

enum fz_backend_mode {
	FZ_BACKEND_AUTO,   /* batch mode if the replayer has it        */
	FZ_BACKEND_BATCH,  /* ksmsim-kernel-replay --out-dir DIR T...  */
	FZ_BACKEND_SINGLE, /* ksmsim-kernel-replay --snapshots F T     */
};

struct fz_backend {
	char replayer[PATH_MAX];
	const char *guest;          /* NULL: the host                   */
	enum fz_backend_mode mode;  /* resolved by fz_backend_start()   */
	unsigned wait_secs;         /* --wait for the host's lock       */
	bool has_wait;              /* the replayer has --wait          */
	bool has_allow_foreign;     /* the replayer has --allow-foreign */
	char workdir[PATH_MAX];     /* our temporary folder             */
	unsigned long batches;      /* batches run                      */
	unsigned long replays;      /* traces replayed                  */
	double seconds;             /* time spent in the backend        */
	char why[2048];             /* the last failure, for the user   */
	char foreign[1024];         /* other KSM users right after the last
				     * batch (host), "" if none         */
	bool quiet;                 /* no messages on stderr            */
	bool ignore_others;         /* do not look for other KSM users  */
	pid_t child;                /* running replayer, 0 if none      */
};

/*
 * fz_backend_start() - check that @b->replayer exists and can run here
 * (`--probe`, on the host), and resolve FZ_BACKEND_AUTO.  Needs
 * @b->workdir.  Return: 0, or -1 with @b->why set (the caller exits 77).
 */
int fz_backend_start(struct fz_backend *b);

struct fz_job {
	char name[64];        /* NAME of NAME.trace                   */
	char path[PATH_MAX];  /* the trace file                       */
	struct fz_outcome out;
};

struct fz_batch {
	char dir[PATH_MAX];
	struct fz_job *jobs;
	size_t n, cap;
};

/* A new batch folder under the work folder.  0 or -1 (@b->why). */
int fz_batch_begin(struct fz_backend *b, struct fz_batch *bt);
/* Write trace @name (@text) into the batch.  0 or -1 (@b->why). */
int fz_batch_add(struct fz_backend *b, struct fz_batch *bt, const char *name,
		 const char *text, size_t len);
/*
 * fz_backend_run() - replay every trace of @bt; each job's outcome is
 * filled.  On the host it first waits (up to @b->wait_secs) until no
 * other process is registered with KSM, and afterwards notes in
 * @b->foreign any that came meanwhile.  Return: 0; -1 the infrastructure
 * failed, or other KSM users stayed (@b->why); -2 interrupted by a signal
 * (fz_stop_signal).
 */
int fz_backend_run(struct fz_backend *b, struct fz_batch *bt);
/* Remove the batch's files and folder, free the outcomes. */
void fz_batch_end(struct fz_batch *bt);

/*
 * fz_foreign_ksm_users() - processes (other than this one) registered with
 * the host's KSM now, as "PID (comm)" joined by ", " in @buf.  Between
 * batches none of ours exists, so any is someone else's — a QEMU guest
 * with mergeable RAM, a workload — whose pages ksmd scans and counts too.
 * Return: how many.
 */
int fz_foreign_ksm_users(char *buf, size_t len);

/* Remove a folder and everything in it (no symlinks followed). */
void fz_rmtree(const char *path);

/* ---- comparison (compare.c) ---- */

struct fz_ignore {
	const char *v[64];
	size_t n;
};

struct fz_verdict {
	bool agree;
	char group[160];    /* the kind of the first difference, for grouping and shrinking:
			     * "status:ok/error", "error-position", "procs.*.vmas", ... */
	char field[160];    /* the first difference's field as written           */
	unsigned trace_line; /* trace line of that record or error, 0 if none     */
	char label[80];     /* label of that record                              */
	char sim_value[256], kernel_value[256];
	char *diff;         /* every difference, one line each (owned), or NULL  */
	size_t ndiff;       /* lines in @diff                                    */
};

void fz_compare(const char *name, const struct fz_outcome *sim, const struct fz_outcome *ker,
		const struct fz_ignore *ign, struct fz_verdict *v);
void fz_verdict_free(struct fz_verdict *v);

/* ---- shrinking (shrink.c) ---- */

struct fz_shrink {
	struct fz_backend *backend;
	const char *sim_kernel;
	const struct fz_ignore *ign;
	const char *name;        /* of the original trace                    */
	const char *want;        /* the verdict group to keep                */
	unsigned confirm;        /* replays of the original that must repeat it */
	bool sim_must_pass;      /* candidates must replay on the simulator  */
	/* Otherwise, the simulator must stop as it did on the original: with
	 * status @sim_st at the command whose text is @sim_err_line. */
	enum fz_status sim_st;
	const char *sim_err_line;
	void (*progress)(void *ctx, size_t from, size_t now, unsigned long tried);
	void *ctx;
	/* results */
	unsigned long candidates; /* replayed on the kernel                */
	unsigned long sim_only;   /* dropped by the simulator alone         */
	unsigned long batches;
	bool confirmed;           /* the kernel repeated the original's result */
	bool interrupted;
	bool infra_failed;
};

/*
 * fz_shrink_run() - ddmin over @l's lines; on return @l holds the
 * smallest set found that still disagrees as @s->want (at worst the
 * original).  Return: 0, -1 infrastructure failure, -2 interrupted
 * (@l then holds the best found so far).
 */
int fz_shrink_run(struct fz_shrink *s, struct fz_lines *l);

/* ---- small helpers (backend.c) ---- */
double fz_now(void);
/* snprintf that may truncate (paths and messages are cut, never overrun). */
void fz_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- small utilities (util.c) ---- */

/* @len bytes to @path (created or truncated; for the work folder). */
int fz_write_all(const char *path, const char *text, size_t len);
/* The last @max bytes of @text, from a line start, trimmed, into @buf. */
void fz_tail_of(const char *text, size_t len, char *buf, size_t size, size_t max);

#endif /* KSMSIM_DIFFFUZZ_H */
