// SPDX-License-Identifier: MIT
/*
 * DOC: Stepping ksmd exactly
 *
 * ksmd is a kernel thread that runs batches on its own schedule.  To make
 * a replay deterministic the replayer keeps it stopped (run=0) while trace
 * operations are applied and lets it run exactly one batch at a time while
 * the trace scans.  The kernel loop (mm/ksm.c, ksm_scan_thread) is:
 *
 *	for (;;) {
 *		lock ksm_thread_mutex
 *		if (run has MERGE && slots exist) ksm_do_scan(pages_to_scan)
 *		unlock
 *		if (still should run)
 *			(B) sleep sleep_millisecs, or until sleep_millisecs is
 *			    written with a value other than the one read
 *		else
 *			(A) sleep until run gets MERGE
 *	}
 *
 * Facts this relies on (code of 6.18, and measured on it):
 *  - writing run takes ksm_thread_mutex, so "run=0" returns only after a
 *    batch in progress has finished;
 *  - writing run=1 wakes ksmd in (A) but not in (B); writing
 *    sleep_millisecs with a *different* value wakes it in (B), the same
 *    value does not;
 *  - a batch ends early at the end of a round (scan_get_next_rmap_item
 *    returns NULL after seqnr++), so it never crosses a round boundary;
 *  - a batch with pages_to_scan=0 does nothing at all;
 *  - pages_scanned and pages_skipped never reset; run=2 resets full_scans.
 *
 * Parked state, between steps: run=0, pages_to_scan=0 (when the advisor is
 * off), sleep_millisecs a long park value P, and ksmd asleep in (A).  To
 * get there after a batch: pages_to_scan=0, run=0 (waits for the batch),
 * wait until ksmd's task state is S (it is then inside (A) or (B); in (B)
 * it has already read P), then write P' != P, which moves it from (B) to
 * (A) and does nothing in (A).  The park values alternate between two
 * long sleeps, so every toggle is a change.
 *
 * One step (one batch): drain the per-CPU LRU batches, set pages_to_scan
 * to the budget, write run=1 — exactly one batch starts — and poll the
 * counters until the batch is over: full_scans moved (the round ended) or
 * pages_scanned grew by the budget.  Then park.
 *
 *  scan rounds=N   N steps, each with a budget so large that the batch
 *                  runs to the end of the round: each must advance
 *                  full_scans by exactly 1.  With the advisor on,
 *                  pages_to_scan is the advisor's and cannot be written;
 *                  the steps then run its batches until the round ends.
 *  scan batches=N  N steps with the trace's pages_to_scan as the budget.
 *
 * Checks that nothing slipped in: every step compares pages_scanned,
 * pages_skipped and full_scans with their values at the end of the last
 * step before it starts, and so does every observation; a step must end
 * with full_scans +1 (rounds) or with pages_scanned +budget or full_scans
 * +1 (batches).  Any other movement is an error, not a silent mismatch.
 *
 * LRU drain: a freshly faulted page sits in a per-CPU LRU batch holding
 * an extra reference, and write_protect_page() refuses a page with an
 * unexpected reference, so without a drain merges vary from run to run.
 * ksmd drains at the start of each round, but pages faulted since (a
 * `scan batches` in mid-round) would still be pinned.  migrate_pages(2)
 * of the replayer itself with from == to nodes moves nothing but calls
 * lru_cache_disable(), which drains every CPU's batches; it runs before
 * every step, and before every `migrate` (migrate.c).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kr.h"

#define PARK_MS 3600000u           /* ksmd's sleep between steps: an hour */
#define ROUND_BUDGET 1000000000u   /* pages_to_scan for a whole-round batch */
#define IDLE_TIMEOUT_MS 5000       /* no counter moved for this long: stuck */
#define STATE_TIMEOUT_MS 10000

static pid_t ksmd_pid;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static int wr(const char *name, const char *value, struct ksm_diag *err)
{
	int r = kr_sysfs_write(name, value);

	if (r)
		return ksm_diag_set(err, NULL, 0, 0, "cannot write %s/%s=%s: %s",
				    KR_SYSFS_DIR, name, value, strerror(-r));
	return 0;
}

static int wr_u64(const char *name, uint64_t v, struct ksm_diag *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return wr(name, buf, err);
}

int kr_read_counters(struct kr_counters *c, struct ksm_diag *err)
{
	int r;

	if ((r = kr_sysfs_read_i64("full_scans", &c->full_scans)) ||
	    (r = kr_sysfs_read_i64("pages_scanned", &c->pages_scanned)) ||
	    (r = kr_sysfs_read_i64("pages_skipped", &c->pages_skipped)))
		return ksm_diag_set(err, NULL, 0, 0, "cannot read %s counters: %s",
				    KR_SYSFS_DIR, strerror(-r));
	return 0;
}

/* The pid of the ksmd kernel thread. */
static pid_t find_ksmd(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char path[64], comm[32];
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "ksmd\n")) {
			char ppath[64], stat[512];
			FILE *s;

			/* a kernel thread: child of kthreadd (pid 2) */
			snprintf(ppath, sizeof(ppath), "/proc/%.20s/stat", de->d_name);
			s = fopen(ppath, "r");
			if (s && fgets(stat, sizeof(stat), s)) {
				char *rp = strrchr(stat, ')');
				int ppid = 0;
				char st;

				if (rp && sscanf(rp + 1, " %c %d", &st, &ppid) == 2 && ppid == 2)
					found = (pid_t)atoi(de->d_name);
			}
			if (s)
				fclose(s);
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* ksmd's scheduler state letter (R, S, D, ...), or 0. */
static char ksmd_state(void)
{
	char path[64], buf[512], *rp;
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)ksmd_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (k <= 0)
		return 0;
	buf[k] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp[2] : 0;
}

/* Wait until ksmd sleeps in one of its two waits (see the DOC). */
static int wait_ksmd_asleep(struct ksm_diag *err)
{
	int64_t deadline = now_ms() + STATE_TIMEOUT_MS;

	for (;;) {
		char s = ksmd_state();

		if (s == 'S')
			return 0;
		if (now_ms() > deadline)
			return ksm_diag_set(err, NULL, 0, 0,
					    "ksmd (pid %ld) did not go back to sleep (state %c)",
					    (long)ksmd_pid, s ? s : '?');
		pause_us(50);
	}
}

/* Park ksmd in (A): run is 0 already. */
static int park(struct kr_ksmd *k, struct ksm_diag *err)
{
	if (wait_ksmd_asleep(err))
		return -1;
	k->park_ms = k->park_ms == PARK_MS ? PARK_MS + 1 : PARK_MS;
	return wr_u64("sleep_millisecs", k->park_ms, err);
}

/* Drain every CPU's LRU batches (see the DOC); also before migrate. */
void kr_drain_lru(struct kr_ksmd *k)
{
	unsigned long mask[16] = { 0 };
	char buf[256];
	const char *s;
	int fd;
	ssize_t n;

	if (!k->drain)
		return;
	fd = open("/sys/devices/system/node/online", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		mask[0] = 1; /* no NUMA information: node 0 */
	} else {
		buf[n] = '\0';
		/* "0" or "0-3,5" */
		for (s = buf; *s && *s != '\n';) {
			char *end;
			long a = strtol(s, &end, 10), b = a;

			if (end == s)
				break;
			if (*end == '-')
				b = strtol(end + 1, &end, 10);
			for (long i = a; i <= b && i < (long)(sizeof(mask) * 8); i++)
				mask[i / (8 * sizeof(long))] |= 1UL << (i % (8 * sizeof(long)));
			s = *end == ',' ? end + 1 : end;
		}
	}
	if (syscall(SYS_migrate_pages, 0, sizeof(mask) * 8, mask, mask) < 0) {
		fprintf(stderr, "ksmsim-kernel-replay: migrate_pages: %s; per-CPU LRU "
			"batches are not drained, merges may vary\n", strerror(errno));
		k->drain = false;
	}
}

pid_t kr_ksmd_pid(void)
{
	return ksmd_pid;
}

int kr_ksmd_resync(struct kr_ksmd *k, struct ksm_diag *err)
{
	return kr_read_counters(&k->last, err);
}

int kr_ksmd_check_quiet(struct kr_ksmd *k, struct ksm_diag *err)
{
	struct kr_counters c;

	if (kr_read_counters(&c, err))
		return -1;
	if (c.full_scans != k->last.full_scans || c.pages_scanned != k->last.pages_scanned ||
	    c.pages_skipped != k->last.pages_skipped)
		return ksm_diag_set(err, NULL, 0, 0,
				    "ksmd worked outside a scan step (full_scans %" PRId64 "->%" PRId64
				    ", pages_scanned %" PRId64 "->%" PRId64 ", pages_skipped %" PRId64
				    "->%" PRId64 "): is something else driving KSM?",
				    k->last.full_scans, c.full_scans, k->last.pages_scanned,
				    c.pages_scanned, k->last.pages_skipped, c.pages_skipped);
	return 0;
}

/*
 * Write a setting that needs an empty stable tree; with other users'
 * merges kept, run=2 is the last resort (said so).
 */
static int wr_tree_knob(const char *name, const char *value, bool *unmerged,
			struct ksm_diag *err)
{
	int r = kr_sysfs_write(name, value);

	if (r == -EBUSY && !*unmerged) {
		fprintf(stderr, "ksmsim-kernel-replay: %s/%s=%s needs every KSM page unmerged: "
			"writing run=2, which unmerges the other KSM users' pages too\n",
			KR_SYSFS_DIR, name, value);
		*unmerged = true;
		if (wr("run", "2", err))
			return -1;
		r = kr_sysfs_write(name, value);
	}
	if (r == -ENOENT && !strcmp(name, "merge_across_nodes"))
		return 0; /* it exists only on NUMA kernels */
	if (r)
		return ksm_diag_set(err, NULL, 0, 0, "cannot write %s/%s=%s: %s", KR_SYSFS_DIR,
				    name, value, strerror(-r));
	return 0;
}

int kr_ksmd_start(struct kr_ksmd *k, bool keep_merges, struct ksm_diag *err)
{
	struct ksm_knobs d;
	bool unmerged = !keep_merges;
	char v[32];

	ksmd_pid = find_ksmd();
	if (!ksmd_pid)
		return ksm_diag_set(err, NULL, 0, 0, "cannot find the ksmd kernel thread");
	ksm_knobs_default(&d);
	/*
	 * Unmerge everything and reset full_scans; ksmd stops merging.  With
	 * other KSM users (--allow-foreign) only stop ksmd: their merges stay,
	 * and full_scans is counted from here.
	 */
	if (wr("run", keep_merges ? "0" : "2", err) || wr("advisor_mode", "none", err))
		return -1;
#define DEF(name) (snprintf(v, sizeof(v), "%" PRIu64, d.name), wr(#name, v, err))
	if (DEF(advisor_target_scan_time) || DEF(advisor_min_pages_to_scan) ||
	    DEF(advisor_max_pages_to_scan) || DEF(advisor_max_cpu) ||
	    DEF(use_zero_pages) || DEF(smart_scan) ||
	    DEF(stable_node_chains_prune_millisecs))
		return -1;
#undef DEF
	/* With the tree empty (run=2) these can change. */
	snprintf(v, sizeof(v), "%" PRIu64, d.max_page_sharing);
	if (wr_tree_knob("max_page_sharing", v, &unmerged, err) ||
	    wr_tree_knob("merge_across_nodes", "1", &unmerged, err))
		return -1;
	k->park_ms = PARK_MS;
	if (wr("pages_to_scan", "0", err) || wr_u64("sleep_millisecs", k->park_ms, err) ||
	    wr("run", "0", err) || park(k, err))
		return -1;
	if (kr_read_counters(&k->last, err))
		return -1;
	k->base_full = k->last.full_scans;
	k->base_scanned = k->last.pages_scanned;
	k->base_skipped = k->last.pages_skipped;
	return 0;
}

/*
 * One batch.  @budget: pages it may scan (ROUND_BUDGET: to the end of the
 * round); 0 with @advisor: the advisor's current pages_to_scan.
 */
static int step(struct kr_ksmd *k, uint64_t budget, bool advisor, bool round,
		struct ksm_diag *err)
{
	struct kr_counters c0, c, prev;
	int64_t idle_since;
	const char *why = NULL;
	int64_t dfull, dscan;

	if (kr_ksmd_check_quiet(k, err))
		return -1;
	kr_drain_lru(k);
	c0 = k->last;
	if (advisor) {
		int64_t p;

		if (kr_sysfs_read_i64("pages_to_scan", &p))
			return ksm_diag_set(err, NULL, 0, 0, "cannot read pages_to_scan");
		budget = (uint64_t)p;
	} else if (wr_u64("pages_to_scan", budget, err)) {
		return -1;
	}
	if (wr("run", "1", err))
		return -1;

	prev = c0;
	idle_since = now_ms();
	for (;;) {
		if (kr_read_counters(&c, err))
			break;
		if (c.full_scans != c0.full_scans ||
		    (uint64_t)(c.pages_scanned - c0.pages_scanned) >= budget)
			break;
		if (c.pages_scanned != prev.pages_scanned || c.pages_skipped != prev.pages_skipped) {
			prev = c;
			idle_since = now_ms();
		} else if (now_ms() - idle_since > IDLE_TIMEOUT_MS) {
			why = "ksmd made no progress for 5 s: no process is registered with KSM";
			break;
		}
		if (kr_stop_signal) {
			why = "interrupted";
			break;
		}
		pause_us(100);
	}

	/* Park whatever happened; errors from here on win over @why. */
	if ((!advisor && wr("pages_to_scan", "0", err)) || wr("run", "0", err) ||
	    park(k, err) || kr_read_counters(&c, err))
		return -1;
	k->last = c;
	k->batches++;
	if (why)
		return ksm_diag_set(err, NULL, 0, 0, "%s", why);

	dfull = c.full_scans - c0.full_scans;
	dscan = c.pages_scanned - c0.pages_scanned;
	if (k->verbose)
		fprintf(stderr, "ksmsim-kernel-replay: batch %" PRIu64 ": scanned %" PRId64
			", skipped %" PRId64 ", full_scans %" PRId64 "\n", k->batches, dscan,
			c.pages_skipped - c0.pages_skipped, c.full_scans);
	if (dfull < 0 || dfull > 1 || (uint64_t)dscan > budget ||
	    (round && !advisor && dfull != 1) ||
	    (dfull == 0 && (uint64_t)dscan != budget))
		return ksm_diag_set(err, NULL, 0, 0,
				    "not one batch: full_scans +%" PRId64 ", pages_scanned +%" PRId64
				    " with a budget of %" PRIu64, dfull, dscan, budget);
	return 0;
}

int kr_ksmd_scan(struct kr_ksmd *k, bool rounds, uint64_t count,
		 uint64_t pages_to_scan, bool advisor, struct ksm_diag *err)
{
	if (!rounds) {
		/* A batch of zero pages does nothing: nothing to run. */
		for (uint64_t i = 0; i < count && (advisor || pages_to_scan); i++)
			if (step(k, pages_to_scan, advisor, false, err))
				return -1;
		return 0;
	}
	if (!advisor && !pages_to_scan)
		return ksm_diag_set(err, NULL, 0, 0,
				    "scan rounds with pages_to_scan=0 never ends a round");
	for (uint64_t i = 0; i < count; i++) {
		int64_t start = k->last.full_scans;

		/* With the advisor, a round can take several of its batches. */
		do {
			if (step(k, advisor ? 0 : ROUND_BUDGET, advisor, true, err))
				return -1;
		} while (k->last.full_scans == start);
	}
	return 0;
}
