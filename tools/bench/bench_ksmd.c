// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-bench-ksmd — the simulator against the real ksmd, round by round
 *
 *   ksmsim-bench-ksmd [--pages N] [--dup-contents K] [--rounds R] [--sim-only]
 *
 * One workload, run on this machine's KSM and on the simulator in the same
 * run: N pages (default 262,144) in one process, the first half holding K
 * contents (default 1,024) in turn, the second half a content each; knobs
 * smart_scan=0, pages_to_scan=100000, sleep_millisecs=0, the rest at
 * Linux 6.18's defaults.  For each of R rounds (default 4: checksums,
 * merging, then steady rounds) it prints the CPU time the round cost ksmd
 * and the simulator, and how many times faster the simulator was.
 *
 * The real kernel: a helper process maps the pages, writes each content as
 * the kernel replayer does (the 64-bit token as 8 big-endian bytes, 512
 * times) and marks them MADV_MERGEABLE.  ksmd is driven batch by batch
 * with the replayer's own stepping (tools/kernel-replay/ksmd.c): parked
 * between batches, each batch pages_to_scan pages, until full_scans moves
 * — one round at a time.  Its CPU time is the ksmd kernel thread's
 * runtime from /proc/PID/schedstat (nanoseconds; utime+stime of
 * /proc/PID/stat, in clock ticks, where schedstat is missing), read
 * before and after the round.  Parking between batches costs wall time,
 * not ksmd CPU time; sleep_millisecs=0 is what the simulator uses.
 *
 * The settings of /sys/kernel/mm/ksm are saved, journalled and restored
 * exactly as ksmsim-kernel-replay does (knobs.c), under its lock (lock.c),
 * with its guardian (guardian.c) restoring them and killing the helper if
 * this program dies.  KSM is left as found: with run=0 it stays stopped.
 *
 * The simulator: the same pages and knobs in one simulated process;
 * its CPU time is this thread's (CLOCK_THREAD_CPUTIME_ID) around
 * ksm_scan_rounds(sim, 1).
 *
 * Without root, without KSM, or with other processes using KSM (their
 * pages would be scanned too), it prints the simulator's figures alone and
 * says why.  A benchmark, not a test: it asserts nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_cli.h"
#include "ksmsim/ksm.h"
#include "ksmsim/sim.h"
#include "kernel-replay/kr.h"

#define PROG "ksmsim-bench-ksmd"
#define BASE 0x100000000000ULL
#define PAGES_TO_SCAN 100000
#define MAX_ROUNDS 64

volatile sig_atomic_t kr_stop_signal; /* kernel-replay/ksmd.c polls it */

static unsigned long npages = 262144, ndup = 1024;

/* The content of page @i: K shared contents, then one content a page. */
static uint64_t page_token(const void *ctx, uint64_t i)
{
	(void)ctx;
	if (i < npages / 2)
		return 1 + i % ndup;
	return 0x1000000000ULL + i;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the simulator ---- */

static void must(int ret, const char *what, const struct sim_error *e)
{
	if (ret) {
		fprintf(stderr, PROG ": simulator: %s: %s\n", what, e->msg);
		exit(1);
	}
}

static void run_sim(unsigned rounds, double *cpu)
{
	struct ksm_sim *sim = ksm_sim_create();
	struct sim_error e;
	struct task *t;

	must(ksm_set_knob(sim, "pages_to_scan", "100000", &e), "pages_to_scan", &e);
	must(ksm_set_knob(sim, "sleep_millisecs", "0", &e), "sleep_millisecs", &e);
	must(ksm_set_knob(sim, "smart_scan", "0", &e), "smart_scan", &e);
	must(sim_spawn(sim, "a", &e), "spawn", &e);
	t = sim_find_task(sim, "a");
	must(sim_mmap(sim, t->mm, BASE, npages, SIM_PROT_RW, &e), "mmap", &e);
	must(sim_write(sim, t->mm, BASE, npages, page_token, NULL, &e), "write", &e);
	must(sim_madvise(sim, t->mm, BASE, npages, SIM_MADV_MERGEABLE, &e), "madvise", &e);
	for (unsigned r = 0; r < rounds; r++) {
		double t0 = thread_cpu_s();

		must(ksm_scan_rounds(sim, 1, &e), "scan", &e);
		cpu[r] = thread_cpu_s() - t0;
	}
	ksm_sim_destroy(sim, NULL, 0);
}

/* ---- the real kernel ---- */

/* ksmd's CPU time in seconds: schedstat's runtime, else stat's ticks. */
static double ksmd_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *rp;
	unsigned long long ns, ut, st;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%ld/schedstat", (long)pid);
	f = fopen(path, "r");
	if (f) {
		ok = fscanf(f, "%llu", &ns) == 1;
		fclose(f);
		if (ok)
			return ns / 1e9;
	}
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	rp = ok ? strrchr(buf, ')') : NULL;
	/* after the name: state ppid ... utime (14) stime (15) */
	if (!rp || sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			  &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * The helper: maps and fills the pages, marks them mergeable, says so on
 * @ready, and lives until end of file on @hold (our death or our close).
 */
static void __attribute__((noreturn)) helper(int ready, int hold)
{
	size_t len = npages * KR_PAGE_SIZE;
	unsigned char *p;
	char c = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(10);
	for (unsigned long i = 0; i < npages; i++) {
		uint64_t tok = page_token(NULL, i);
		unsigned char *pg = p + i * KR_PAGE_SIZE;

		for (unsigned b = 0; b < 8; b++)
			pg[b] = (unsigned char)(tok >> (56 - 8 * b));
		for (unsigned off = 8; off < KR_PAGE_SIZE; off *= 2)
			memcpy(pg + off, pg, off);
	}
	if (madvise(p, len, MADV_MERGEABLE))
		_exit(11);
	if (kr_write_full(ready, &c, 1))
		_exit(12);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

struct kernel_run {
	int lock_fd;
	char journal[512];
	struct kr_settings saved;
	struct kr_guardian guardian;
	struct kr_guardian_job gjob;
	pid_t helper;
	int hold_fd;
};

/* Why the kernel cannot be used here, or NULL. */
static const char *kernel_unavailable(struct ksm_diag *err)
{
	if (access(KR_SYSFS_DIR "/run", F_OK))
		return "this kernel has no KSM (" KR_SYSFS_DIR " is missing)";
	if (geteuid() != 0)
		return "not root: /sys/kernel/mm/ksm cannot be written";
	if (kr_settings_check_writable(err))
		return err->msg;
	return NULL;
}

static int kernel_setup(struct kernel_run *kr, struct ksm_diag *err)
{
	struct kr_foreign foreign;
	struct kr_settings leftover;

	kr->lock_fd = kr_lock_acquire(KR_DEFAULT_LOCK, 0, err);
	if (kr->lock_fd < 0)
		return -1;
	snprintf(kr->journal, sizeof(kr->journal), "%s.saved", KR_DEFAULT_LOCK);
	kr_foreign_scan(&foreign, getpid());
	if (kr_foreign_any(&foreign)) {
		kr_lock_release(kr->lock_fd);
		return ksm_diag_set(err, NULL, 0, 0, "other processes have memory registered "
				    "with KSM; ksmd would scan their pages too");
	}
	if (!kr_journal_read(kr->journal, &leftover)) {
		fprintf(stderr, PROG ": %s: a replay did not restore the KSM settings; "
			"restoring them first\n", kr->journal);
		if (kr_settings_restore(&leftover, false)) {
			kr_lock_release(kr->lock_fd);
			return ksm_diag_set(err, NULL, 0, 0, "could not restore %s", kr->journal);
		}
		kr_journal_remove(kr->journal);
	}
	if (kr_settings_save(&kr->saved, err) || kr_journal_write(kr->journal, &kr->saved, err)) {
		kr_journal_remove(kr->journal);
		kr_lock_release(kr->lock_fd);
		return -1;
	}
	kr->gjob.settings = &kr->saved;
	kr->gjob.journal = kr->journal;
	kr->gjob.lock_fd = kr->lock_fd;
	if (kr_guardian_start(&kr->guardian, &kr->gjob, err)) {
		kr_journal_remove(kr->journal);
		kr_lock_release(kr->lock_fd);
		return -1;
	}
	return 0;
}

static int kernel_teardown(struct kernel_run *kr)
{
	int status, failed;

	if (kr->helper > 0) {
		close(kr->hold_fd);
		kill(kr->helper, SIGKILL);
		while (waitpid(kr->helper, &status, 0) < 0 && errno == EINTR)
			;
	}
	failed = kr_settings_restore(&kr->saved, false);
	if (!failed)
		kr_journal_remove(kr->journal);
	else
		fprintf(stderr, PROG ": some KSM settings were not restored; the saved values "
			"are in %s\n", kr->journal);
	kr_guardian_dismiss(&kr->guardian);
	kr_lock_release(kr->lock_fd);
	return failed;
}

static int start_helper(struct kernel_run *kr, struct ksm_diag *err)
{
	int ready[2], hold[2];
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC))
		return ksm_diag_set(err, NULL, 0, 0, "pipe: %s", strerror(errno));
	kr->helper = fork();
	if (kr->helper < 0)
		return ksm_diag_set(err, NULL, 0, 0, "fork: %s", strerror(errno));
	if (kr->helper == 0) {
		close(ready[0]);
		close(hold[1]);
		helper(ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	kr->hold_fd = hold[1];
	kr_guardian_watch(&kr->guardian, kr->helper);
	if (kr_read_full(ready[0], &c, 1)) {
		close(ready[0]);
		return ksm_diag_set(err, NULL, 0, 0, "the helper process could not map and "
				    "fill %lu pages", npages);
	}
	close(ready[0]);
	return 0;
}

/* Rounds on the real ksmd; 0, or -1 with @err. */
static int run_kernel(struct kernel_run *kr, unsigned rounds, double *cpu,
		      struct ksm_diag *err)
{
	struct kr_ksmd k = { .drain = true };
	pid_t ksmd;

	/* run=2, the 6.18 defaults, ksmd parked; then the workload's knob. */
	if (kr_ksmd_start(&k, false, err))
		return -1;
	ksmd = kr_ksmd_pid();
	if (kr_sysfs_write("smart_scan", "0"))
		return ksm_diag_set(err, NULL, 0, 0, "cannot write smart_scan=0");
	if (start_helper(kr, err) || kr_ksmd_resync(&k, err))
		return -1;
	for (unsigned r = 0; r < rounds; r++) {
		int64_t start = k.last.full_scans;
		double t0 = ksmd_cpu_s(ksmd);

		while (k.last.full_scans == start)
			if (kr_ksmd_scan(&k, false, 1, PAGES_TO_SCAN, false, err))
				return -1;
		cpu[r] = ksmd_cpu_s(ksmd) - t0;
		if (t0 < 0 || cpu[r] < 0)
			return ksm_diag_set(err, NULL, 0, 0, "cannot read ksmd's CPU time");
	}
	return 0;
}

static void on_signal(int sig)
{
	kr_stop_signal = sig;
}

static const char *round_name(unsigned r)
{
	return r == 0 ? "1 (checksums)" : r == 1 ? "2 (merge)" : "steady";
}

static const char usage[] =
	"usage: ksmsim-bench-ksmd [--pages N] [--dup-contents K] [--rounds R] [--sim-only]\n"
	"\n"
	"Runs one workload on this machine's KSM and on the simulator and prints,\n"
	"round by round, the CPU time of ksmd and of the simulator and the ratio.\n"
	"N pages (default 262144): the first half in K contents (default 1024),\n"
	"the second half unique; smart_scan=0 pages_to_scan=100000\n"
	"sleep_millisecs=0; R rounds (default 4).  The real kernel needs root and\n"
	"no other KSM users; its settings are saved and restored as\n"
	"ksmsim-kernel-replay does.  Without it (or with --sim-only) the\n"
	"simulator's figures are printed alone, with the reason.  A benchmark,\n"
	"not a test.\n"
	"  --version  the version and git revision\n";

int main(int argc, char **argv)
{
	double sim_cpu[MAX_ROUNDS], k_cpu[MAX_ROUNDS];
	unsigned long rounds = 4, n;
	bool sim_only = false, have_kernel = false;
	const char *why = NULL;
	struct ksm_diag err;
	struct kernel_run kr = { .lock_fd = -1, .hold_fd = -1 };
	struct sigaction sa;
	int64_t rss;
	int status = 0;

	if (bench_help_or_version(argc, argv, PROG, usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--pages")) {
			if (bench_parse_ulong(PROG, "--pages", argv[++i], 2, &npages))
				return 2;
		} else if (i + 1 < argc && !strcmp(argv[i], "--dup-contents")) {
			if (bench_parse_ulong(PROG, "--dup-contents", argv[++i], 1, &ndup))
				return 2;
		} else if (i + 1 < argc && !strcmp(argv[i], "--rounds")) {
			if (bench_parse_ulong(PROG, "--rounds", argv[++i], 1, &n))
				return 2;
			if (n > MAX_ROUNDS) {
				fprintf(stderr, PROG ": --rounds must be at most %d, not %lu\n",
					MAX_ROUNDS, n);
				return 2;
			}
			rounds = n;
		} else if (!strcmp(argv[i], "--sim-only")) {
			sim_only = true;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (ndup > npages / 2) {
		fprintf(stderr, PROG ": --dup-contents %lu is more than half the pages (%lu)\n",
			ndup, npages / 2);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	why = sim_only ? "--sim-only" : kernel_unavailable(&err);
	if (!why) {
		if (kernel_setup(&kr, &err)) {
			why = err.msg;
		} else {
			if (run_kernel(&kr, (unsigned)rounds, k_cpu, &err)) {
				fprintf(stderr, PROG ": real kernel: %s\n", err.msg);
				status = 1;
			} else {
				have_kernel = true;
			}
			if (kernel_teardown(&kr))
				status = 1;
		}
	}
	if (kr_stop_signal) {
		fprintf(stderr, PROG ": interrupted by signal %d; KSM settings restored\n",
			(int)kr_stop_signal);
		return 128 + kr_stop_signal;
	}
	if (status)
		return status;
	run_sim((unsigned)rounds, sim_cpu);

	printf("workload: %lu pages, %lu in %lu contents, %lu unique; smart_scan=0 "
	       "pages_to_scan=%d sleep_millisecs=0\n", npages, npages / 2, ndup,
	       npages - npages / 2, PAGES_TO_SCAN);
	if (!have_kernel)
		printf("real kernel: not measured (%s); simulator only\n", why);
	printf("\n");
	if (have_kernel) {
		printf("| round | ksmd CPU s | simulator CPU s | simulator faster by |\n");
		printf("|---|---:|---:|---:|\n");
		for (unsigned r = 0; r < rounds; r++)
			printf("| %s | %.3f | %.4f | %.1fx |\n", round_name(r), k_cpu[r],
			       sim_cpu[r], sim_cpu[r] > 0 ? k_cpu[r] / sim_cpu[r] : 0.0);
	} else {
		printf("| round | simulator CPU s |\n");
		printf("|---|---:|\n");
		for (unsigned r = 0; r < rounds; r++)
			printf("| %s | %.4f |\n", round_name(r), sim_cpu[r]);
	}
	rss = bench_peak_rss_bytes();
	if (rss > 0)
		printf("\nsimulator: peak RSS %.0f MiB, %.0f bytes a page (this process)\n",
		       rss / 1048576.0, (double)rss / (double)npages);
	return 0;
}
