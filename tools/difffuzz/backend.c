// SPDX-License-Identifier: MIT
/*
 * DOC: The kernel's side: batches of traces through ksmsim-kernel-replay
 *
 * The unit of work is a batch: a folder of traces, each NAME.trace, and
 * for each an outcome (exit status, error position, snapshot records,
 * stderr).  Two ways to get it:
 *
 *  - batch mode, when the replayer offers it (its --help mentions
 *    --out-dir) or --backend batch says so:
 *
 *      ksmsim-kernel-replay [--guest G] --out-dir OUT T1.trace T2.trace ...
 *
 *    which writes OUT/NAME.rc (exit status), OUT/NAME.log (stderr) and,
 *    for a replay that ran to its end, OUT/NAME.jsonl.  Its own exit
 *    status is 0, the first failing trace's status, or 3 with nothing
 *    written when the infrastructure failed (a guest that did not boot).
 *    One invocation — one guest boot — serves the whole batch.
 *  - one invocation per trace (host only), for replayers without batch
 *    mode: `ksmsim-kernel-replay --wait S --snapshots OUT/NAME.jsonl T`,
 *    stderr kept as OUT/NAME.log.
 *
 * The replayer runs as our child, in our process group: a Ctrl-C reaches
 * it too and it restores the KSM settings itself.  A signal sent to us
 * alone is passed on to it; either way we wait for it to end before
 * anything is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/file.h"
#include "difffuzz.h"

/* ---- running the replayer ---- */

/*
 * We are a child subreaper (main.c), so processes the replayer leaves
 * behind — its workers, still dying when it exits — come back to us: wait
 * until they are gone (up to 5 s), so that the next batch, and the check
 * for other KSM users, never see them.
 */
static void reap_orphans(void)
{
	for (int i = 0; i < 500; i++) {
		int st;
		pid_t r = waitpid(-1, &st, WNOHANG);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return; /* ECHILD: none left */
		if (r == 0) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
}

/*
 * Run @argv with stdin from /dev/null and stdout/stderr to the files
 * (NULL: /dev/null).  Returns the exit status (128+N for a signal), -1 if
 * it could not be started (errno set), or -2 if we were interrupted (the
 * child has ended by then).
 */
static int run_child(struct fz_backend *b, char *const argv[], const char *out_path,
		     const char *err_path)
{
	int status, forwarded = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path ? out_path : "/dev/null",
			       O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(err_path ? err_path : "/dev/null",
			       O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		dprintf(2, "ksmsim-difffuzz: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	b->child = pid;
	for (;;) {
		pid_t r = waitpid(pid, &status, 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			b->child = 0;
			return -1;
		}
		if (fz_stop_signal && !forwarded) {
			kill(pid, (int)fz_stop_signal);
			forwarded = 1;
		}
	}
	b->child = 0;
	reap_orphans();
	if (fz_stop_signal)
		return -2;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Run @argv and keep its stdout and stderr (in the work folder). */
static int capture(struct fz_backend *b, char *const argv[], char **out, char **err)
{
	char po[PATH_MAX + 16], pe[PATH_MAX + 16];
	size_t n;
	int rc;

	fz_fmt(po, sizeof(po), "%s/capture.out", b->workdir);
	fz_fmt(pe, sizeof(pe), "%s/capture.err", b->workdir);
	rc = run_child(b, argv, po, pe);
	if (sim_read_file(po, out, &n))
		*out = xstrdup("");
	if (sim_read_file(pe, err, &n))
		*err = xstrdup("");
	unlink(po);
	unlink(pe);
	return rc;
}

int fz_backend_start(struct fz_backend *b)
{
	char *out = NULL, *err = NULL;
	char *argv[6];
	bool guest_probe;
	int rc, k = 0;

	if (access(b->replayer, X_OK)) {
		fz_fmt(b->why, sizeof(b->why), "the kernel replayer %s: %s%s", b->replayer,
			 strerror(errno),
			 errno == ENOENT ? " (build it, or name it with --replayer PATH)" : "");
		return -1;
	}
	/* What this replayer offers: batch mode, --wait, --guest. */
	argv[0] = b->replayer;
	argv[1] = "--help";
	argv[2] = NULL;
	rc = capture(b, argv, &out, &err);
	if (rc == -2)
		goto interrupted;
	if (rc < 0 || rc >= 126) {
		fz_fmt(b->why, sizeof(b->why), "cannot run the kernel replayer %s: %s",
		       b->replayer, rc < 0 ? strerror(errno) : err);
		goto fail;
	}
	if (b->mode == FZ_BACKEND_AUTO)
		b->mode = strstr(out, "--out-dir") ? FZ_BACKEND_BATCH : FZ_BACKEND_SINGLE;
	b->has_wait = strstr(out, "--wait") != NULL;
	b->has_allow_foreign = strstr(out, "--allow-foreign") != NULL;
	guest_probe = b->guest && strstr(out, "--guest") != NULL;
	free(out);
	free(err);
	out = err = NULL;
	if (b->guest && b->mode != FZ_BACKEND_BATCH) {
		fz_fmt(b->why, sizeof(b->why),
		       "--guest needs the kernel replayer's batch mode (--out-dir), which %s "
		       "does not offer", b->replayer);
		return -1;
	}
	if (b->guest && !guest_probe)
		return 0; /* the guest is checked by booting it, with the first batch */
	argv[k++] = b->replayer;
	if (b->guest) {
		argv[k++] = "--guest";
		argv[k++] = (char *)b->guest;
	}
	argv[k++] = "--probe";
	argv[k] = NULL;
	rc = capture(b, argv, &out, &err);
	if (rc == -2)
		goto interrupted;
	if (rc) {
		char t[1024];

		fz_tail_of(err, strlen(err), t, sizeof(t), 900);
		fz_fmt(b->why, sizeof(b->why), "%s --probe: %s", b->replayer,
			 rc < 0 ? strerror(errno) : t[0] ? t : "failed");
		goto fail;
	}
	free(out);
	free(err);
	return 0;
interrupted:
	fz_fmt(b->why, sizeof(b->why), "interrupted");
fail:
	free(out);
	free(err);
	return -1;
}

/* ---- batches ---- */

int fz_batch_begin(struct fz_backend *b, struct fz_batch *bt)
{
	memset(bt, 0, sizeof(*bt));
	fz_fmt(bt->dir, sizeof(bt->dir), "%s/batch-%06lu", b->workdir, b->batches++);
	if (mkdir(bt->dir, 0755)) {
		fz_fmt(b->why, sizeof(b->why), "%s: %s", bt->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int fz_batch_add(struct fz_backend *b, struct fz_batch *bt, const char *name,
		 const char *text, size_t len)
{
	struct fz_job *j;

	ARRAY_GROW(bt->jobs, bt->cap, bt->n + 1, 32);
	j = &bt->jobs[bt->n];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	fz_fmt(j->path, sizeof(j->path), "%s/%s.trace", bt->dir, name);
	if (fz_write_all(j->path, text, len)) {
		fz_fmt(b->why, sizeof(b->why), "%s: %s", j->path, strerror(errno));
		return -1;
	}
	bt->n++;
	return 0;
}

void fz_batch_end(struct fz_batch *bt)
{
	for (size_t i = 0; i < bt->n; i++)
		fz_outcome_free(&bt->jobs[i].out);
	free(bt->jobs);
	fz_rmtree(bt->dir);
	memset(bt, 0, sizeof(*bt));
}

/*
 * The first "…NAME.trace:LINE:COL: message" of @log: where the replay
 * stopped.  Paths may differ (a guest sees its own copy), the name not.
 */
static void find_position(struct fz_outcome *o, const char *name)
{
	char key[80];
	const char *s;

	if (!o->log)
		return;
	snprintf(key, sizeof(key), "%s.trace:", name);
	for (s = strstr(o->log, key); s; s = strstr(s + 1, key)) {
		const char *p = s + strlen(key);
		char *end;
		unsigned long line, col;

		line = strtoul(p, &end, 10);
		if (end == p || *end != ':')
			continue;
		p = end + 1;
		col = strtoul(p, &end, 10);
		if (end == p || *end != ':')
			continue;
		p = end + 1;
		while (*p == ' ')
			p++;
		o->line = (unsigned)line;
		o->col = (unsigned)col;
		end = strchr(p, '\n');
		snprintf(o->msg, sizeof(o->msg), "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
		return;
	}
	/* No position: the first line of the log says what happened. */
	s = o->log;
	{
		const char *nl = strchr(s, '\n');

		snprintf(o->msg, sizeof(o->msg), "%.*s", nl ? (int)(nl - s) : (int)strlen(s), s);
	}
}

static void classify(struct fz_outcome *o, int rc, const char *name)
{
	o->rc = rc;
	if (rc == 0)
		o->st = FZ_ST_OK;
	else if (rc == 1)
		o->st = FZ_ST_EXPECT;
	else if (rc == 2)
		o->st = FZ_ST_START;
	else if (rc == 3)
		o->st = FZ_ST_ERROR;
	else if (rc >= 128)
		o->st = FZ_ST_SIGNAL;
	else
		o->st = FZ_ST_OTHER;
	if (rc)
		find_position(o, name);
	if (o->st == FZ_ST_OK && !o->jsonl) {
		o->st = FZ_ST_MISSING;
		snprintf(o->msg, sizeof(o->msg), "exit 0 but no %s.jsonl", name);
	}
}

static int run_batch_mode(struct fz_backend *b, struct fz_batch *bt)
{
	char outdir[PATH_MAX + 8], logpath[PATH_MAX + 16], wait[16];
	char **argv = xcalloc(bt->n + 8, sizeof(*argv));
	size_t k = 0, found = 0;
	int rc;

	snprintf(wait, sizeof(wait), "%u", b->wait_secs);
	fz_fmt(outdir, sizeof(outdir), "%s/out", bt->dir);
	fz_fmt(logpath, sizeof(logpath), "%s/batch.log", bt->dir);
	if (mkdir(outdir, 0755)) {
		fz_fmt(b->why, sizeof(b->why), "%s: %s", outdir, strerror(errno));
		free(argv);
		return -1;
	}
	argv[k++] = b->replayer;
	if (b->guest) {
		argv[k++] = "--guest";
		argv[k++] = (char *)b->guest;
	} else if (b->has_wait) {
		/* another replay holding the host's lock: wait for it */
		argv[k++] = "--wait";
		argv[k++] = wait;
	}
	/* Other KSM users ignored here: the replayer must not refuse them. */
	if (!b->guest && b->ignore_others && b->has_allow_foreign)
		argv[k++] = "--allow-foreign";
	argv[k++] = "--out-dir";
	argv[k++] = outdir;
	for (size_t i = 0; i < bt->n; i++)
		argv[k++] = bt->jobs[i].path;
	argv[k] = NULL;
	rc = run_child(b, argv, logpath, logpath);
	free(argv);
	if (rc == -2)
		return -2;
	if (rc < 0) {
		fz_fmt(b->why, sizeof(b->why), "cannot run %s: %s", b->replayer, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < bt->n; i++) {
		struct fz_job *j = &bt->jobs[i];
		char path[PATH_MAX + 96], *text, t[1500];
		size_t len;

		fz_fmt(path, sizeof(path), "%s/%s.rc", outdir, j->name);
		if (sim_read_file(path, &text, &len)) {
			j->out.st = FZ_ST_MISSING;
			j->out.rc = -1;
			snprintf(j->out.msg, sizeof(j->out.msg), "no %s.rc from the batch (exit %d)",
				 j->name, rc);
			continue;
		}
		found++;
		j->out.rc = atoi(text);
		free(text);
		fz_fmt(path, sizeof(path), "%s/%s.jsonl", outdir, j->name);
		sim_read_file(path, &j->out.jsonl, &j->out.jsonl_len); /* complete replays only */
		fz_fmt(path, sizeof(path), "%s/%s.log", outdir, j->name);
		sim_read_file(path, &j->out.log, &j->out.log_len);
		classify(&j->out, j->out.rc, j->name);
		if (j->out.st == FZ_ST_START) {
			/*
			 * Our traces always parse: the machine refused (another
			 * KSM user came after our check, the lock, rights).
			 */
			fz_tail_of(j->out.log ? j->out.log : "", j->out.log_len, t, sizeof(t), 1200);
			fz_fmt(b->why, sizeof(b->why), "the kernel replayer could not start "
			       "(exit %d)%s%s", j->out.rc, t[0] ? ": " : "", t);
			return -1;
		}
	}
	if (!found && bt->n) {
		char *log, t[1500];
		size_t len;

		if (sim_read_file(logpath, &log, &len))
			log = xstrdup("");
		fz_tail_of(log, strlen(log), t, sizeof(t), 1200);
		fz_fmt(b->why, sizeof(b->why), "the kernel replayer's batch failed (exit %d)%s%s",
			 rc, t[0] ? ": " : "", t);
		free(log);
		return -1;
	}
	return 0;
}

static int run_single_mode(struct fz_backend *b, struct fz_batch *bt)
{
	char wait[16];

	snprintf(wait, sizeof(wait), "%u", b->wait_secs);
	for (size_t i = 0; i < bt->n; i++) {
		struct fz_job *j = &bt->jobs[i];
		char snaps[PATH_MAX + 80], logp[PATH_MAX + 80];
		char *argv[] = { b->replayer, "--wait", wait, "--snapshots", snaps, j->path, NULL,
				 NULL };
		int rc;

		/* Other KSM users ignored here: the replayer must not refuse them. */
		if (b->ignore_others && b->has_allow_foreign) {
			memmove(argv + 2, argv + 1, 5 * sizeof(argv[0]));
			argv[1] = "--allow-foreign";
		}
		fz_fmt(snaps, sizeof(snaps), "%s/%s.jsonl", bt->dir, j->name);
		fz_fmt(logp, sizeof(logp), "%s/%s.log", bt->dir, j->name);
		rc = run_child(b, argv, NULL, logp);
		if (rc == -2)
			return -2;
		if (rc < 0) {
			fz_fmt(b->why, sizeof(b->why), "cannot run %s: %s", b->replayer,
				 strerror(errno));
			return -1;
		}
		sim_read_file(snaps, &j->out.jsonl, &j->out.jsonl_len);
		sim_read_file(logp, &j->out.log, &j->out.log_len);
		classify(&j->out, rc, j->name);
		b->replays++;
		if (j->out.st == FZ_ST_START || rc >= 126) {
			/* Our traces always parse: the machine refused (lock, rights). */
			char t[1500];

			fz_tail_of(j->out.log ? j->out.log : "", j->out.log_len, t, sizeof(t), 1200);
			fz_fmt(b->why, sizeof(b->why), "the kernel replayer could not start "
				 "(exit %d)%s%s", rc, t[0] ? ": " : "", t);
			return -1;
		}
	}
	return 0;
}

/*
 * On the host, wait (up to --wait) until no other process is registered
 * with KSM: ksmd would scan and count its pages with the trace's.  0, -1
 * they stayed (@b->why), -2 interrupted.
 */
static int wait_quiet(struct fz_backend *b)
{
	double t0 = fz_now();
	bool told = false;

	for (;;) {
		if (!fz_foreign_ksm_users(b->foreign, sizeof(b->foreign)))
			break;
		if (fz_stop_signal)
			return -2;
		if (fz_now() - t0 >= b->wait_secs) {
			fz_fmt(b->why, sizeof(b->why),
			       "other processes are registered with KSM: %s; ksmd would scan and "
			       "count their pages with the traces' (stop them; a QEMU guest needs "
			       "-machine mem-merge=off, or memory backends with merge=off)",
			       b->foreign);
			return -1;
		}
		if (!told && !b->quiet) {
			fprintf(stderr, "[difffuzz] waiting up to %u s for other KSM users to end: "
				"%s\n", b->wait_secs, b->foreign);
			told = true;
		}
		{
			struct timespec ts = { 0, 200 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

int fz_backend_run(struct fz_backend *b, struct fz_batch *bt)
{
	double t0 = fz_now();
	int r;

	b->foreign[0] = '\0';
	if (!b->guest && !b->ignore_others && (r = wait_quiet(b)))
		return r;

	if (b->mode == FZ_BACKEND_BATCH) {
		r = run_batch_mode(b, bt);
		if (!r)
			b->replays += bt->n;
	} else {
		r = run_single_mode(b, bt);
	}
	/* Someone who came while the batch ran shows now (or has gone again). */
	if (!b->guest && !b->ignore_others && !r)
		fz_foreign_ksm_users(b->foreign, sizeof(b->foreign));
	b->seconds += fz_now() - t0;
	return r;
}
