// SPDX-License-Identifier: MIT
/*
 * DOC: The guardian — nothing is left behind when the controller dies
 *
 * The controller restores the KSM settings itself on every exit it sees
 * (normal end, error, SIGINT/SIGTERM/SIGHUP/SIGQUIT).  It cannot on
 * SIGKILL, an OOM kill or a crash, and KSM would be left running with the
 * replay's parked values (pages_to_scan 10^9 or 0, sleep_millisecs an
 * hour) until the next replay read the journal.  So before the first
 * setting is changed the controller starts a guardian:
 *
 *  - a grandchild (the child in between exits at once), so it is nobody's
 *    worker and the controller's reaping of orphans never waits for it;
 *  - its own session (setsid): SIGINT/SIGHUP/SIGQUIT/SIGTERM sent to the
 *    controller's process group do not reach it, and it ignores them
 *    anyway, so a Ctrl-C cannot kill it before it can act;
 *  - stdin and stdout /dev/null, stderr kept only if it is a terminal
 *    (otherwise /dev/kmsg, so its message lands in the kernel log): it
 *    never holds a caller's pipe open, and `$(ksmsim-kernel-replay ...)`
 *    sees end of file when the controller ends;
 *  - it keeps a copy of the lock's open file, so the lock (one flock on
 *    one open file description) lasts until it has finished: no other
 *    replay can save the half-restored settings as its own;
 *  - it waits on a pipe whose only writer is the controller (close-on-
 *    exec, and workers close every descriptor they inherit).
 *
 * End of file on the pipe means the controller is gone: the guardian
 * kills the processes it was told of (QEMU of --guest) and waits for them,
 * restores every saved setting unless they already read back as saved,
 * removes the journal once they are restored, removes the guest's job
 * folder, and exits.  A normal end sends "dismiss" first: the controller
 * has restored the settings itself, and the guardian exits without
 * acting; the controller waits for it to be gone.  If the guardian itself
 * is killed, the journal is still there for the next replay.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/array.h"
#include "kr.h"

#define GUARD_MAX_WATCH 8
#define GUARD_WAIT_MS 10000

struct guard_msg {
	char op; /* 'w' watch pid, 'x' dismiss */
	int32_t pid;
};

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

void kr_rm_tree(const char *path)
{
	if (path && *path)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Wait until @pidfd's process has ended, up to @ms. */
static void wait_pidfd(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
}

/* Where the guardian's messages go: the terminal, or the kernel log. */
static void setup_fds(int *rfd, int *lock_fd)
{
	int msg = -1, nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	int r = fcntl(*rfd, F_DUPFD_CLOEXEC, 10);
	int l = *lock_fd >= 0 ? fcntl(*lock_fd, F_DUPFD_CLOEXEC, 10) : -1;

	if (isatty(2))
		msg = fcntl(2, F_DUPFD_CLOEXEC, 10);
	else
		msg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(msg >= 0 ? msg : nul, 2);
	}
	/* Only the pipe and the lock stay, as 3 and 4. */
	if (r >= 0)
		dup2(r, 3);
	if (l >= 0)
		dup2(l, 4);
	if (syscall(SYS_close_range, 5U, ~0U, 0U))
		for (int fd = 5; fd < 65536; fd++)
			close(fd);
	*rfd = 3;
	*lock_fd = l >= 0 ? 4 : -1;
}

static void __attribute__((noreturn))
guardian_main(int rfd, int ready_fd, const struct kr_guardian_job *job, pid_t controller)
{
	static char errbuf[1024];
	int watched[GUARD_MAX_WATCH];
	size_t nwatched = 0;
	struct sigaction sa;
	int lock_fd = job->lock_fd;
	int32_t me;
	static const int ignored[] = { SIGINT, SIGHUP, SIGQUIT, SIGTERM, SIGPIPE };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		sigaction(ignored[i], &sa, NULL);
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	setsid();
	prctl(PR_SET_NAME, "ksmsim-guardian", 0, 0, 0);
	/* Tell the controller who we are, then hold nothing of its but the pipe. */
	me = (int32_t)getpid();
	if (kr_write_full(ready_fd, &me, sizeof(me)))
		_exit(1);
	close(ready_fd);
	setup_fds(&rfd, &lock_fd);
	setvbuf(stderr, errbuf, _IOLBF, sizeof(errbuf));

	for (;;) {
		struct guard_msg m;
		int r = kr_read_full(rfd, &m, sizeof(m));

		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0)
			break; /* end of file (or a broken pipe): act */
		if (m.op == 'x')
			_exit(0);
		if (m.op == 'w' && nwatched < GUARD_MAX_WATCH) {
			int fd = pidfd_open_((pid_t)m.pid);

			if (fd >= 0)
				watched[nwatched++] = fd;
		}
	}

	for (size_t i = 0; i < nwatched; i++) {
		syscall(SYS_pidfd_send_signal, watched[i], SIGKILL, NULL, 0);
		wait_pidfd(watched[i], GUARD_WAIT_MS);
	}
	if (job->settings && !kr_settings_equal(job->settings)) {
		bool ok = !kr_settings_restore(job->settings, job->keep_merges);

		fprintf(stderr, "ksmsim-kernel-replay: guardian: the replay (pid %ld) ended "
			"without restoring the KSM settings; %s\n", (long)controller,
			ok ? "restored them" : "could NOT restore them all (see the journal)");
		if (ok && job->journal)
			unlink(job->journal);
	} else if (job->settings && job->journal) {
		unlink(job->journal);
	}
	kr_rm_tree(job->rm_dir);
	fflush(stderr);
	_exit(0);
}

int kr_guardian_start(struct kr_guardian *g, const struct kr_guardian_job *job,
		      struct ksm_diag *err)
{
	int p[2], ready[2], status;
	pid_t mid, controller = getpid();
	int32_t gpid = 0;

	g->pid = 0;
	g->fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return ksm_diag_set(err, NULL, 0, 0, "cannot start the guardian: pipe: %s",
				    strerror(errno));
	if (pipe2(ready, O_CLOEXEC)) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		return ksm_diag_set(err, NULL, 0, 0, "cannot start the guardian: pipe: %s",
				    strerror(e));
	}
	fflush(stdout);
	fflush(stderr);
	mid = fork();
	if (mid == 0) {
		/* The child in between: fork the guardian and go. */
		close(p[1]);
		close(ready[0]);
		if (fork() == 0)
			guardian_main(p[0], ready[1], job, controller);
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	if (mid > 0)
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
	if (mid < 0 || kr_read_full(ready[0], &gpid, sizeof(gpid)) || gpid <= 0) {
		int e = mid < 0 ? errno : ECHILD;

		close(ready[0]);
		close(p[1]);
		return ksm_diag_set(err, NULL, 0, 0, "cannot start the guardian: %s",
				    strerror(e));
	}
	close(ready[0]);
	g->pid = (pid_t)gpid;
	g->fd = p[1];
	return 0;
}

void kr_guardian_watch(struct kr_guardian *g, pid_t pid)
{
	struct guard_msg m = { .op = 'w', .pid = (int32_t)pid };

	if (g->fd >= 0 && kr_write_full(g->fd, &m, sizeof(m)))
		fprintf(stderr, "ksmsim-kernel-replay: cannot tell the guardian of pid %ld: %s\n",
			(long)pid, strerror(errno));
}

void kr_guardian_dismiss(struct kr_guardian *g)
{
	struct guard_msg m = { .op = 'x' };
	int pidfd;

	if (g->fd < 0)
		return;
	pidfd = pidfd_open_(g->pid);
	if (kr_write_full(g->fd, &m, sizeof(m)))
		fprintf(stderr, "ksmsim-kernel-replay: cannot dismiss the guardian (pid %ld): %s\n",
			(long)g->pid, strerror(errno));
	close(g->fd);
	g->fd = -1;
	/* It must be gone before we are (it holds the lock too). */
	if (pidfd >= 0) {
		wait_pidfd(pidfd, GUARD_WAIT_MS);
		close(pidfd);
	}
	g->pid = 0;
}
