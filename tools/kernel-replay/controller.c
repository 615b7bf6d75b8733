// SPDX-License-Identifier: MIT
/*
 * DOC: The controller's process table
 *
 * One entry per live trace process: its worker's pid, a pidfd (to see it
 * exit whoever its parent is), its pipe pair, and the trace's ranges in it.
 *
 *  spawn  the controller forks a worker (which runs kr_worker_run) on a
 *         fresh pipe pair; the new worker says hello when it is ready.
 *  fork   the parent's worker makes the child's pipe pair, forks, and
 *         reports the child's pid and its own fd numbers of the pipes'
 *         controller ends; the controller copies those with pidfd_getfd(2),
 *         tells the parent to close its copies (FORK_DONE) and waits for
 *         the child's hello on the new pipe.  The child is a true fork of
 *         the parent's process: copy-on-write pages, anon_vma chains and
 *         KSM registration are the kernel's own.
 *  exit   the worker _exits; the controller waits on the pidfd until the
 *         process is gone — its address space is torn down by then, since
 *         exit_mm() runs before the exit is signalled — and reaps it when
 *         it is the controller's child (spawned workers, and orphans: the
 *         controller is a child subreaper).
 *
 * A worker that dies or stops answering is an error of the replay; the
 * table is torn down with SIGKILL by kr_ctl_kill_all().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/array.h"
#include "kr.h"

#define EXIT_TIMEOUT_MS 10000

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_getfd(int pidfd, int fd)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

struct kr_proc *kr_ctl_find(struct kr_ctl *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->procs[i].name, name))
			return &c->procs[i];
	return NULL;
}

static struct kr_proc *add_proc(struct kr_ctl *c, const char *name, pid_t pid)
{
	struct kr_proc *p;

	ARRAY_GROW(c->procs, c->cap, c->n + 1, 16);
	p = &c->procs[c->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->pid = pid;
	p->pidfd = -1;
	p->cmd_fd = -1;
	p->rep_fd = -1;
	return p;
}

static void close_proc(struct kr_proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->cmd_fd >= 0)
		close(p->cmd_fd);
	if (p->rep_fd >= 0)
		close(p->rep_fd);
	kr_ranges_free(&p->ranges);
	p->pidfd = p->cmd_fd = p->rep_fd = -1;
}

static void remove_proc(struct kr_ctl *c, struct kr_proc *p)
{
	size_t i = (size_t)(p - c->procs);

	close_proc(p);
	memmove(&c->procs[i], &c->procs[i + 1], (c->n - i - 1) * sizeof(*p));
	c->n--;
}

static int read_reply(struct kr_proc *p, struct kr_rep *rep, struct ksm_diag *err)
{
	int r = kr_read_full(p->rep_fd, rep, sizeof(*rep));

	if (r == 0)
		return 0;
	if (kr_stop_signal)
		return ksm_diag_set(err, NULL, 0, 0, "interrupted");
	return ksm_diag_set(err, NULL, 0, 0, "worker of %s (pid %ld) %s", p->name,
			    (long)p->pid, r == 1 ? "died" : strerror(errno));
}

static int expect_hello(struct kr_proc *p, struct ksm_diag *err)
{
	struct kr_rep rep;

	if (read_reply(p, &rep, err))
		return -1;
	if (rep.op != KR_OP_HELLO || rep.pid != p->pid)
		return ksm_diag_set(err, NULL, 0, 0, "worker of %s: protocol error", p->name);
	p->pidfd = pidfd_open(p->pid);
	if (p->pidfd < 0)
		return ksm_diag_set(err, NULL, 0, 0, "pidfd_open(%ld): %s", (long)p->pid,
				    strerror(errno));
	return 0;
}

int kr_ctl_spawn(struct kr_ctl *c, const char *name, struct ksm_diag *err)
{
	int cmd[2], rep[2];
	struct kr_proc *p;
	pid_t pid;

	if (pipe2(cmd, O_CLOEXEC))
		return ksm_diag_set(err, NULL, 0, 0, "pipe: %s", strerror(errno));
	if (pipe2(rep, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return ksm_diag_set(err, NULL, 0, 0, "pipe: %s", strerror(errno));
	}
	/* The child must not inherit buffered output it would never write. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(cmd[0]);
		close(cmd[1]);
		close(rep[0]);
		close(rep[1]);
		return ksm_diag_set(err, NULL, 0, 0, "fork: %s", strerror(e));
	}
	if (pid == 0)
		kr_worker_run(cmd[0], rep[1], name, c->self);
	close(cmd[0]);
	close(rep[1]);
	p = add_proc(c, name, pid);
	p->cmd_fd = cmd[1];
	p->rep_fd = rep[0];
	return expect_hello(p, err);
}

int kr_ctl_request(struct kr_ctl *c, struct kr_proc *p, const struct kr_req *req,
		   const void *payload, size_t plen, struct kr_rep *rep,
		   struct ksm_diag *err)
{
	(void)c;
	if (kr_write_full(p->cmd_fd, req, sizeof(*req)) ||
	    (plen && kr_write_full(p->cmd_fd, payload, plen))) {
		if (kr_stop_signal)
			return ksm_diag_set(err, NULL, 0, 0, "interrupted");
		return ksm_diag_set(err, NULL, 0, 0, "worker of %s (pid %ld): %s", p->name,
				    (long)p->pid, strerror(errno));
	}
	if (read_reply(p, rep, err))
		return -1;
	if (rep->op != req->op)
		return ksm_diag_set(err, NULL, 0, 0, "worker of %s: protocol error", p->name);
	return 0;
}

int kr_ctl_fork(struct kr_ctl *c, struct kr_proc *parent, const char *child,
		struct ksm_diag *err)
{
	struct kr_req req;
	struct kr_rep rep, done;
	struct kr_proc *p;
	size_t pi = (size_t)(parent - c->procs);
	int cmd_fd, rep_fd;

	memset(&req, 0, sizeof(req));
	req.op = KR_OP_FORK;
	snprintf(req.name, sizeof(req.name), "%s", child);
	if (kr_ctl_request(c, parent, &req, NULL, 0, &rep, err))
		return -1;
	if (rep.err)
		return ksm_diag_set(err, NULL, 0, 0, "%s: %s", rep.what, strerror(rep.err));

	/* Take the controller's ends out of the parent worker. */
	cmd_fd = pidfd_getfd(parent->pidfd, rep.fds[0]);
	rep_fd = cmd_fd < 0 ? -1 : pidfd_getfd(parent->pidfd, rep.fds[1]);
	/* Entered before anything else can fail, so that kill_all finds it. */
	p = add_proc(c, child, (pid_t)rep.pid);
	parent = &c->procs[pi]; /* add_proc may have moved the table */
	p->cmd_fd = cmd_fd;
	p->rep_fd = rep_fd;
	if (cmd_fd < 0 || rep_fd < 0)
		return ksm_diag_set(err, NULL, 0, 0, "pidfd_getfd: %s", strerror(errno));
	memset(&req, 0, sizeof(req));
	req.op = KR_OP_FORK_DONE;
	if (kr_ctl_request(c, parent, &req, NULL, 0, &done, err))
		return -1;
	p = kr_ctl_find(c, child);
	if (expect_hello(p, err))
		return -1;
	kr_ranges_copy(&p->ranges, &c->procs[pi].ranges);
	return 0;
}

/* Wait until @p's process has exited (its pidfd polls readable). */
static int wait_gone(struct kr_proc *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

	for (;;) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r > 0)
			return 0;
		if (r == 0)
			return -1;
		if (errno != EINTR || kr_stop_signal)
			return -1;
	}
}

void kr_ctl_reap(struct kr_ctl *c)
{
	(void)c;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int kr_ctl_exit(struct kr_ctl *c, struct kr_proc *p, struct ksm_diag *err)
{
	struct kr_req req;

	memset(&req, 0, sizeof(req));
	req.op = KR_OP_EXIT;
	if (kr_write_full(p->cmd_fd, &req, sizeof(req)))
		return ksm_diag_set(err, NULL, 0, 0, "worker of %s: %s", p->name,
				    strerror(errno));
	if (wait_gone(p, EXIT_TIMEOUT_MS))
		return ksm_diag_set(err, NULL, 0, 0, "worker of %s (pid %ld) did not exit",
				    p->name, (long)p->pid);
	remove_proc(c, p);
	kr_ctl_reap(c);
	return 0;
}

void kr_ctl_kill_all(struct kr_ctl *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->procs[i].pid > 0)
			kill(c->procs[i].pid, SIGKILL);
	for (size_t i = 0; i < c->n; i++) {
		if (c->procs[i].pidfd >= 0)
			wait_gone(&c->procs[i], EXIT_TIMEOUT_MS);
		close_proc(&c->procs[i]);
	}
	c->n = 0;
	/* Reap what is ours; forked workers' zombies go with their parents. */
	for (int tries = 0; tries < 100; tries++) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r < 0)
			break;
		if (r == 0)
			usleep(10000);
	}
	free(c->procs);
	c->procs = NULL;
	c->cap = 0;
}
