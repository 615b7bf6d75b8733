/* SPDX-License-Identifier: MIT */
/*
 * DOC: ksmsim-kernel-replay — internal interfaces
 *
 * The replayer runs a ksmtrace v1 file against the live KSM of the machine.
 * One controller process (this program) reads the trace and drives:
 *
 *  - workers: one real process per trace process, each executing the
 *    mapping and page operations of its trace process as real system
 *    calls (worker.c), commanded over a pipe pair (proto.c);
 *  - ksmd: through /sys/kernel/mm/ksm, stopped while operations are
 *    applied and run batch by batch while the trace scans (ksmd.c);
 *  - observation: /sys counters, /proc/PID/ksm_stat, /proc/PID/maps,
 *    /proc/PID/pagemap and /proc/kpageflags (procfs.c, observe.c).
 *
 * Around it: the settings of /sys/kernel/mm/ksm are saved at start and
 * restored at exit, also on error and on SIGINT/SIGTERM (knobs.c), and an
 * exclusive lock keeps two replays from driving KSM at once (lock.c).
 *
 * Files, one job each:
 *   main.c        options, start-up checks, order of set-up and tear-down
 *   lock.c        the exclusive lock (flock), waiting or refusing
 *   foreign.c     other processes with memory registered with KSM
 *   guardian.c    the process that restores the settings if we die
 *   knobs.c       /sys/kernel/mm/ksm: read, write, save, restore, journal
 *   ksmd.c        stepping ksmd: exact rounds and batches, LRU drain
 *   procfs.c      /proc readers: ksm_stat, maps, pagemap, kpageflags
 *   proto.c       the controller<->worker messages and their I/O
 *   worker.c      the worker process: executes one request at a time
 *   controller.c  the process table: spawn, fork, exit, requests
 *   ranges.c      which address ranges of a process are the trace's
 *   observe.c     snapshot records and expect checks
 *   migrate.c     `migrate P ADDR` with move_pages(2), and its record
 *   replay.c      applies the trace, command by command
 *   batch.c       many traces: one replay process each, outputs per trace
 *   guest.c       --guest: boot a guest kernel under QEMU, replay inside
 *   initramfs.c   the guest's initramfs (cpio "newc"), made in memory
 *   guest_init.c  PID 1 inside the guest: mount, run the batch, power off
 */
#ifndef KSMSIM_KERNEL_REPLAY_H
#define KSMSIM_KERNEL_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ksmsim/diag.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/trace.h"

#define KR_PAGE_SIZE 4096ULL
#define KR_SYSFS_DIR "/sys/kernel/mm/ksm"
#define KR_DEFAULT_LOCK "/run/ksmsim-kernel-replay.lock"

/* Exit statuses of the program. */
enum {
	KR_EXIT_OK = 0,
	KR_EXIT_EXPECT = 1,   /* the trace ran; an expect failed           */
	KR_EXIT_START = 2,    /* could not start: usage, trace, permission, lock */
	KR_EXIT_REPLAY = 3,   /* the replay stopped on an error            */
	KR_EXIT_SIGNAL = 128, /* + signal number                           */
};

/* Set by the signal handler; every wait loop checks it. */
extern volatile sig_atomic_t kr_stop_signal;

/* ---- ranges.c ---- */

struct kr_range {
	uint64_t start, end; /* [start, end), page aligned */
};

/* A sorted set of disjoint, non-adjacent ranges. */
struct kr_ranges {
	struct kr_range *v;
	size_t n, cap;
};

void kr_ranges_add(struct kr_ranges *r, uint64_t start, uint64_t end);
void kr_ranges_remove(struct kr_ranges *r, uint64_t start, uint64_t end);
void kr_ranges_copy(struct kr_ranges *dst, const struct kr_ranges *src);
bool kr_ranges_overlaps(const struct kr_ranges *r, uint64_t start, uint64_t end);
void kr_ranges_free(struct kr_ranges *r);

/* ---- knobs.c ---- */

/*
 * kr_sysfs_read() - the text of /sys/kernel/mm/ksm/NAME, trailing newline
 * removed; for advisor_mode the bracketed choice ("none").
 * Return: 0 or -errno.
 */
int kr_sysfs_read(const char *name, char *buf, size_t size);
int kr_sysfs_read_i64(const char *name, int64_t *out);
/* kr_sysfs_write() - write @value to NAME.  Return: 0 or -errno. */
int kr_sysfs_write(const char *name, const char *value);
int kr_sysfs_write_u64(const char *name, uint64_t value);

/* Every writable setting, as found at start. */
#define KR_MAX_SETTINGS 48
struct kr_settings {
	size_t n;
	struct {
		char name[64];
		char value[64];
	} v[KR_MAX_SETTINGS];
};

int kr_settings_save(struct kr_settings *s, struct ksm_diag *err);
/*
 * kr_settings_restore() - put every saved setting back: run=2 first (which
 * unmerges everything and empties the stable tree, so max_page_sharing and
 * merge_across_nodes can be written), the other settings in dependency
 * order, sleep_millisecs (which wakes ksmd to its saved rhythm), and run
 * last.  Failures are printed to stderr and restoring goes on.
 * With @keep_merges (other KSM users are present): stop ksmd with run=0
 * instead of run=2, so their merged pages stay merged; run=2 is written
 * only when max_page_sharing or merge_across_nodes must change and the
 * kernel refuses while pages are shared (then a message says so).
 * Return: 0, or -1 if any setting could not be restored.
 */
int kr_settings_restore(const struct kr_settings *s, bool keep_merges);
/* kr_settings_equal() - does every saved setting read back as saved? */
bool kr_settings_equal(const struct kr_settings *s);
/* The journal: the saved settings on disk, for a replay that was killed. */
int kr_journal_write(const char *path, const struct kr_settings *s,
		     struct ksm_diag *err);
int kr_journal_read(const char *path, struct kr_settings *s);
void kr_journal_remove(const char *path);
/* Can we write the settings?  Return: 0, or -1 with a reason in @err. */
int kr_settings_check_writable(struct ksm_diag *err);

/* ---- foreign.c ---- */

/* A process (not ours) with memory registered with KSM. */
struct kr_ksm_user {
	pid_t pid;
	char comm[32];
	int64_t rmap_items, merging_pages;
	bool mergeable, merge_any; /* ksm_stat, where the kernel prints them */
	long mg_vmas;              /* smaps VmFlags "mg" (kernels without ksm_mergeable) */
};

#define KR_MAX_FOREIGN 16
struct kr_foreign {
	size_t n;                          /* users found (v holds the first 16) */
	struct kr_ksm_user v[KR_MAX_FOREIGN];
	size_t unreadable;                 /* ksm_stat we could not read      */
	bool used_smaps;                   /* this kernel lacks ksm_mergeable */
	/* Global counters at the scan, and their rmap items no visible
	 * process holds (another PID namespace, or left by exited ones). */
	int64_t pages_shared, pages_sharing, pages_unshared, pages_volatile;
	int64_t unexplained;
	bool ksmd_running;   /* run=1: unexplained items belong to live mms */
};

/* kr_foreign_scan() - every process but @self with KSM-registered memory. */
void kr_foreign_scan(struct kr_foreign *f, pid_t self);
/* Users found, or unexplained items while ksmd runs (see foreign.c). */
bool kr_foreign_any(const struct kr_foreign *f);
/* One line per user (and one for unexplained counters), each after @prefix. */
void kr_foreign_print(FILE *out, const char *prefix, const struct kr_foreign *f);

/* ---- guardian.c ---- */

/*
 * The guardian: a process forked before the first setting is changed that
 * holds the saved settings and waits on a pipe.  End of file on the pipe
 * (the controller died, however) makes it restore every setting, remove
 * the journal, kill the QEMU it was told of and remove the guest's job
 * folder; kr_guardian_dismiss() makes it exit without acting.
 */
struct kr_guardian {
	pid_t pid;   /* 0: none */
	int fd;      /* our end of its pipe */
};

struct kr_guardian_job {
	const struct kr_settings *settings; /* restore these (NULL: none)      */
	bool keep_merges;                   /* restore without run=2 if possible */
	const char *journal;                /* removed once restored (or NULL) */
	int lock_fd;                        /* held until it is done (or -1)   */
	const char *rm_dir;                 /* removed recursively (or NULL)   */
};

int kr_guardian_start(struct kr_guardian *g, const struct kr_guardian_job *job,
		      struct ksm_diag *err);
/* Tell the guardian of a process to SIGKILL (and wait for) if we die. */
void kr_guardian_watch(struct kr_guardian *g, pid_t pid);
/* Our own tear-down is done: the guardian exits without acting; reaped. */
void kr_guardian_dismiss(struct kr_guardian *g);
/* Remove a folder and everything in it (no symlinks followed). */
void kr_rm_tree(const char *path);

/* ---- lock.c ---- */

/*
 * kr_lock_acquire() - take the exclusive lock at @path, waiting up to
 * @wait_secs (0: do not wait).  Return: the lock fd, or -1 with @err set.
 */
int kr_lock_acquire(const char *path, unsigned wait_secs, struct ksm_diag *err);
void kr_lock_release(int fd);

/* ---- procfs.c ---- */

/* /proc/PID/ksm_stat into @sp->stat (the KSM_F_PROCFS fields). */
int kr_read_ksm_stat(pid_t pid, struct ksm_snap_proc *sp, struct ksm_diag *err);
/* VMAs of @pid that overlap @r. */
int kr_count_vmas(pid_t pid, const struct kr_ranges *r, int64_t *out,
		  struct ksm_diag *err);

/* Page-level view: opened once for the whole replay. */
struct kr_pageinfo {
	int kpageflags_fd;
	uint64_t zero_pfn; /* the shared zero page, found at start */
};

int kr_pageinfo_open(struct kr_pageinfo *pi, struct ksm_diag *err);
void kr_pageinfo_close(struct kr_pageinfo *pi);
/*
 * kr_collect_pages() - append a ksm_page_ref for every present page of
 * @pid within @r to *@refs (grown as needed); counts its mapped and
 * zero-page entries into *@mapped and *@zero.
 */
int kr_collect_pages(struct kr_pageinfo *pi, pid_t pid, const char *name,
		     const struct kr_ranges *r, struct ksm_page_ref **refs,
		     size_t *n, size_t *cap, int64_t *mapped, int64_t *zero,
		     struct ksm_diag *err);

/* ---- ksmd.c ---- */

struct kr_counters {
	int64_t full_scans, pages_scanned, pages_skipped;
};

struct kr_ksmd {
	int64_t base_full;        /* full_scans at start (0 after any run=2) */
	int64_t base_scanned;     /* pages_scanned when the replay started */
	int64_t base_skipped;     /* pages_skipped when the replay started */
	unsigned park_ms;         /* sleep_millisecs ksmd sleeps between steps */
	struct kr_counters last;  /* after the last step; nothing may move them */
	bool drain;               /* drain per-CPU LRU batches before batches */
	bool verbose;
	uint64_t batches;         /* batches run so far (statistics) */
};

/*
 * kr_ksmd_start() - bring KSM to the replay's starting state: run=2 (all
 * unmerged, full_scans=0), every knob at its 6.18 default, ksmd parked;
 * record the base of the never-resetting counters.
 */
int kr_ksmd_start(struct kr_ksmd *k, bool keep_merges, struct ksm_diag *err);
/*
 * kr_ksmd_scan() - `scan rounds=N` (@rounds) or `scan batches=N`: run
 * ksmd one batch at a time with ksmd stopped in between.  @pages_to_scan
 * is the trace's (used for batches; rounds run one batch per round when
 * the advisor is off).  Return: 0, or -1 with @err (without location).
 */
int kr_ksmd_scan(struct kr_ksmd *k, bool rounds, uint64_t count,
		 uint64_t pages_to_scan, bool advisor, struct ksm_diag *err);
/*
 * kr_ksmd_check_quiet() - check that ksmd did nothing since the last step
 * (pages_scanned, pages_skipped, full_scans unchanged).
 */
int kr_ksmd_check_quiet(struct kr_ksmd *k, struct ksm_diag *err);
/*
 * kr_drain_lru() - drain every CPU's LRU batches, unless --no-drain (or
 * the call failed once, which is reported once).
 */
void kr_drain_lru(struct kr_ksmd *k);
/* kr_ksmd_pid() - the ksmd kernel thread's pid, found by kr_ksmd_start(). */
pid_t kr_ksmd_pid(void);
/* kr_ksmd_resync() - accept the counters as they are now (after run=2). */
int kr_ksmd_resync(struct kr_ksmd *k, struct ksm_diag *err);
int kr_read_counters(struct kr_counters *c, struct ksm_diag *err);

/* ---- proto.c ---- */

enum kr_op {
	KR_OP_HELLO,     /* (reply only) a new worker is ready          */
	KR_OP_PING,
	KR_OP_MMAP,      /* addr, npages, arg=prot                        */
	KR_OP_MUNMAP,    /* addr, npages                                  */
	KR_OP_MPROTECT,  /* addr, npages, arg=prot                        */
	KR_OP_MREMAP,    /* addr, npages -> addr2, npages2                */
	KR_OP_MADVISE,   /* addr, npages, arg=advice                      */
	KR_OP_PRCTL,     /* arg=merge_any                                 */
	KR_OP_WRITE,     /* addr, npages=ntokens; tokens follow           */
	KR_OP_READ,      /* addr, npages                                  */
	KR_OP_FORK,      /* name = the child's                            */
	KR_OP_FORK_DONE, /* the controller has its ends: close them       */
	KR_OP_EXIT,      /* no reply: the worker exits                    */
};

#define KR_WRITE_CHUNK 512 /* tokens per WRITE request */

struct kr_req {
	uint32_t op;
	uint32_t arg;
	uint64_t addr, npages, addr2, npages2;
	char name[TRACE_NAME_MAX + 1];
};

struct kr_rep {
	int32_t err;       /* 0, or the errno of the call that failed     */
	uint32_t op;
	uint64_t addr;     /* the faulting page of a WRITE/READ           */
	int64_t pid;       /* FORK: the child's pid                       */
	int32_t fds[2];    /* FORK: parent's fds of the child's pipes     */
	char what[96];     /* the call that failed, e.g. "madvise(MADV_NOHUGEPAGE)" */
};

int kr_write_full(int fd, const void *buf, size_t n);
/* Return: 0, 1 at end of file before any byte, -1 on error (errno). */
int kr_read_full(int fd, void *buf, size_t n);

/* ---- worker.c ---- */

/*
 * kr_worker_run() - become a freshly spawned worker (a child of the
 * controller, pid @controller) for trace process @name: @cmd_fd/@rep_fd
 * are its channel.  Never returns.  Forked workers start inside a
 * worker's FORK request instead (worker.c).
 */
__attribute__((noreturn))
void kr_worker_run(int cmd_fd, int rep_fd, const char *name, pid_t controller);

/* ---- controller.c ---- */

struct kr_proc {
	char name[TRACE_NAME_MAX + 1];
	pid_t pid;
	int pidfd;
	int cmd_fd, rep_fd;
	struct kr_ranges ranges; /* the trace's mappings in this process */
};

struct kr_ctl {
	struct kr_proc *procs;   /* live processes, in creation order */
	size_t n, cap;
	pid_t self;
	bool verbose;
};

struct kr_proc *kr_ctl_find(struct kr_ctl *c, const char *name);
int kr_ctl_spawn(struct kr_ctl *c, const char *name, struct ksm_diag *err);
int kr_ctl_fork(struct kr_ctl *c, struct kr_proc *parent, const char *child,
		struct ksm_diag *err);
int kr_ctl_exit(struct kr_ctl *c, struct kr_proc *p, struct ksm_diag *err);
/*
 * kr_ctl_request() - send @req (and @payload bytes) to @p and wait for its
 * reply.  A failed call is returned in @rep (rep->err != 0), not as -1;
 * -1 means the worker itself failed (died, protocol error).
 */
int kr_ctl_request(struct kr_ctl *c, struct kr_proc *p, const struct kr_req *req,
		   const void *payload, size_t plen, struct kr_rep *rep,
		   struct ksm_diag *err);
/* kr_ctl_kill_all() - SIGKILL every worker and reap them. */
void kr_ctl_kill_all(struct kr_ctl *c);
void kr_ctl_reap(struct kr_ctl *c);

/* ---- migrate.c ---- */

#define KR_MAX_NODES 1024

/*
 * kr_numa_nodes() - the NUMA nodes with memory (a migration's possible
 * targets), ascending, at most @max of them in @nodes.  A machine without
 * NUMA information has one, node 0.  Return: how many.
 */
size_t kr_numa_nodes(int *nodes, size_t max);
/*
 * kr_numa_prefer_first() - on a machine with several NUMA nodes, make
 * the replay's memory (and its workers', which inherit it) prefer the
 * first node with memory, as the simulator allocates every page on node
 * 0.  A failure is reported and the replay goes on.
 */
void kr_numa_prefer_first(bool verbose);

struct kr_state;

/*
 * kr_migrate() - `migrate P ADDR`: move_pages(2) of the page @p maps at
 * @addr to the next node, and the migrate record of trace line @line
 * that describes it (include/ksmsim/snapshot.h).  *@ret is move_pages's
 * return value (0 moved, > 0 not moved).  Free @out with
 * ksm_snapshot_free() (also safe after an error).
 * Return: 0, or -1 with @err (without location) and *@arg the word of the
 * command at fault (2: ADDR maps no page, or the zero page; 0 otherwise).
 */
int kr_migrate(struct kr_state *st, struct kr_proc *p, uint64_t addr, unsigned line,
	       struct ksm_snapshot *out, unsigned *arg, long *ret, struct ksm_diag *err);

/* ---- observe.c ---- */

/* The knobs as the trace set them (what a snapshot reports). */
struct kr_state {
	struct ksm_knobs knobs;
	struct kr_ctl *ctl;
	struct kr_ksmd *ksmd;
	struct kr_pageinfo *pi;
};

int kr_observe(struct kr_state *st, unsigned line, const char *label,
	       struct ksm_snapshot *out, struct ksm_diag *err);

/* ---- replay.c ---- */

struct kr_options {
	bool foreign;     /* other KSM users were present (--allow-foreign) */
	bool keep_going;
	bool verbose;
	bool no_drain;
};

/*
 * kr_replay() - apply every command of @t; write snapshot records to @out.
 * Return: KR_EXIT_OK, KR_EXIT_EXPECT (expects failed), or KR_EXIT_REPLAY
 * with the error already printed.
 */
int kr_replay(const struct trace *t, struct kr_state *st, FILE *out,
	      const struct kr_options *opt);

/* ---- batch.c ---- */

struct kr_batch {
	const char *self;      /* this program's binary, exec'd once per trace */
	char *const *traces;
	size_t n;
	const char *out_dir;
	char *const *pass;     /* options given to every replay            */
	size_t npass;
	/* Called after each replay (may be NULL). */
	void (*progress)(void *ctx, size_t done, size_t total, const char *name, int code);
	void *progress_ctx;
};

/* NAME of NAME.trace (the last path component without ".trace"). */
const char *kr_trace_name(const char *path, char *buf, size_t len);
/* Every trace of a batch must have its own NAME. */
int kr_batch_check(char *const *traces, size_t n, struct ksm_diag *err);
int kr_batch_run(const struct kr_batch *b, struct ksm_diag *err);
int kr_write_small_file(const char *path, const char *text);

/* ---- initramfs.c ---- */

/*
 * kr_initramfs_write() - write a cpio archive to @path holding the
 * folders a guest init needs, /dev/console, and @init_binary as /init.
 */
int kr_initramfs_write(const char *path, const char *init_binary, struct ksm_diag *err);

/* ---- guest.c ---- */

struct kr_guest_opts {
	const char *kernel;    /* "baseline", "lpi", or a bzImage path     */
	const char *dir;       /* cache of tools/guest/build.sh            */
	const char *accel;     /* "tcg" or "kvm"                           */
	const char *console;   /* keep the guest's console log here, or NULL */
	unsigned timeout;      /* seconds for the whole boot, 0: automatic  */
	bool verbose;
};

/* Default cache folder of tools/guest/build.sh. */
const char *kr_guest_default_dir(char *buf, size_t len);
/* Can a guest be booted (kernel built, qemu, a static replayer)? */
int kr_guest_probe(const struct kr_guest_opts *g, struct ksm_diag *err);
/*
 * kr_guest_run() - replay @traces inside one guest boot.  With @out_dir,
 * as a batch; otherwise the single trace's records go to @snap_path (or
 * stdout) and its stderr to ours.  Returns the exit status.
 */
int kr_guest_run(const struct kr_guest_opts *g, char *const *traces, size_t n,
		 const char *out_dir, const char *snap_path, char *const *pass, size_t npass);

/* guest_outputs.c: a finished guest run's results (JOB/out) taken home. */
/* Copy the file @from to @to (created or truncated; job files, the console log). */
int kr_copy_file(const char *from, const char *to, struct ksm_diag *err);
/* Each trace's NAME.jsonl, NAME.rc and NAME.log into @out_dir. */
int kr_guest_take_batch(const char *job, char *const *traces, size_t n, const char *out_dir,
			struct ksm_diag *err);
/* One trace: its log to stderr, its records to @snap_path (or stdout);
 * returns its exit status. */
int kr_guest_take_single(const char *job, const char *trace, const char *snap_path,
			 struct ksm_diag *err);
/* The batch status the guest wrote in JOB/out/done (and its release), or
 * -1 when the guest never finished. */
int kr_guest_read_done(const char *job, char *release, size_t len);

/* ---- options.c ---- */

/* What the command line asked for (the rest of argv from optind on are
 * the traces). */
struct kr_cmdline {
	struct kr_options opt;
	const char *snap_path;  /* --snapshots FILE, or NULL        */
	const char *lock_path;  /* --lock, KR_DEFAULT_LOCK            */
	unsigned wait_secs;     /* --wait                             */
	bool probe_only, allow_foreign, list_users;
	struct kr_guest_opts guest;
	const char *out_dir;    /* --out-dir DIR, or NULL             */
};

void kr_usage(FILE *out);
/* Parse the options into @cl: -1 go on, else the exit status (--help,
 * --version, or a bad option, said on stderr). */
int kr_parse_args(int argc, char **argv, struct kr_cmdline *cl);

/* ---- guest_init.c ---- */

/* The program is the guest's init (PID 1): never returns. */
void kr_guest_init(void) __attribute__((noreturn));

#endif /* KSMSIM_KERNEL_REPLAY_H */
