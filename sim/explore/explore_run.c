// SPDX-License-Identifier: MIT
/*
 * DOC: Running a search: in this process, on --jobs workers, or a shard
 *
 * The search is a list of tasks (explore.h); a shard K of N runs the
 * tasks whose number is K modulo N.  One process runs them in order and
 * merges each as it ends, writing a failure's trace as soon as it is
 * found.  With --jobs J the process forks J workers; worker w runs the
 * w-th, (w+J)-th, ... of the tasks and sends each result as a line of
 * JSON on its pipe; the parent merges them in task order as they become
 * contiguous, so the report is byte for byte the one-process report.
 * A worker stops at its first failure (without --keep-going; its later
 * tasks come after it) and the parent ends every worker once the merge
 * has reached that failure.
 *
 * Signals: the workers inherit the handler, so a Ctrl-C (sent to the
 * whole process group) stops each at its next command or sequence, and
 * the parent forwards a signal sent to it alone.  Each worker then sends
 * the task it was in, marked interrupted, and exits; the parent merges
 * what it received in task order, skipping the tasks never run, and
 * reports the search interrupted.  Progress is the parent's: the merged
 * figures plus those of the results received out of order, updated as
 * each task ends.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/json_parse.h"
#include "explore/explore_internal.h"
#include "ksmsim/diag.h"
#include "ksmsim/explore.h"

struct plan {
	unsigned long ntasks, first, step, count; /* the shard's tasks: first + p * step */
};

static unsigned long task_at(const struct plan *pl, unsigned long p)
{
	return pl->first + p * pl->step;
}

static int run_task(struct explore_ctx *c, bool exhaustive)
{
	return exhaustive ? explore_exhaustive_task(c) : explore_random_task(c);
}

/* Does the search end after @t, for this process or worker? */
static bool task_ends(const struct explore_opts *o, const struct explore_task *t)
{
	return t->r.interrupted || (t->r.failures && !o->keep_going);
}

static int run_here(const struct explore_opts *o, bool exhaustive, const struct plan *pl,
		    struct explore_merge *m, bool sharded,
		    void (*emit)(void *, const struct explore_task *), void *emit_arg)
{
	for (unsigned long p = 0; p < pl->count; p++) {
		struct explore_task t = { .index = task_at(pl, p) };
		/* A shard's failures go into its result, not to files here. */
		struct explore_ctx c = { o, &t, sharded ? NULL : m, m };
		bool end;

		if (run_task(&c, exhaustive)) {
			explore_task_free(&t);
			return -1;
		}
		if (emit)
			emit(emit_arg, &t);
		end = task_ends(o, &t);
		if (explore_merge_add(m, &t))
			end = true;
		explore_task_free(&t);
		if (end)
			break;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* How often a worker tells its parent how far its current task got. */
#define WORKER_TICK_SECONDS 0.2

struct worker_tick {
	FILE *f;
	double last;
};

/*
 * A task can run for minutes (a deep exhaustive prefix): the worker
 * sends its figures so far a few times a second, for the parent's
 * progress line, as {"running": ...} lines between task results.
 */
static void worker_progress(void *arg, const struct explore_report *r)
{
	struct worker_tick *wt = arg;
	double now = now_s();

	if (now - wt->last < WORKER_TICK_SECONDS)
		return;
	wt->last = now;
	fprintf(wt->f, "{\"running\": true, \"traces\": %lu, \"commands\": %lu, \"failures\": %zu}\n",
		r->traces, r->commands, r->failures);
	fflush(wt->f);
}

static void worker(const struct explore_opts *o0, bool exhaustive, const struct plan *pl,
		   unsigned w, unsigned jobs, int fd)
{
	struct explore_opts o = *o0;
	FILE *f = fdopen(fd, "w");
	struct worker_tick wt = { f, now_s() };

	if (!f)
		_exit(3);
	o.progress = o0->progress ? worker_progress : NULL;
	o.progress_arg = &wt;
	for (unsigned long p = w; p < pl->count; p += jobs) {
		struct explore_task t = { .index = task_at(pl, p) };
		struct explore_ctx c = { &o, &t, NULL, NULL };
		bool end;

		if (run_task(&c, exhaustive))
			_exit(3);
		explore_task_write_json(f, &t);
		fputc('\n', f);
		if (fflush(f))
			_exit(4);
		end = task_ends(&o, &t);
		explore_task_free(&t);
		if (end)
			break;
	}
	if (fclose(f))
		_exit(4);
	_exit(0);
}

struct job {
	pid_t pid;
	int fd;
	char *buf;
	size_t n, cap;
	struct explore_report running; /* its current task so far */
};

struct pending {
	struct explore_task *v;
	size_t n, cap;
};

/* Keep @p sorted by task number: results arrive in any order. */
static void pending_insert(struct pending *p, struct explore_task *t)
{
	size_t i = p->n;

	ARRAY_GROW(p->v, p->cap, p->n + 1, 16);
	while (i > 0 && p->v[i - 1].index > t->index) {
		p->v[i] = p->v[i - 1];
		i--;
	}
	p->v[i] = *t;
	p->n++;
}

static void pending_drop_first(struct pending *p)
{
	memmove(p->v, p->v + 1, (p->n - 1) * sizeof(*p->v));
	p->n--;
}

struct parent {
	struct job *job;
	unsigned jobs;
	const struct explore_opts *o;
	const struct plan *pl;
	struct explore_merge *m;
	struct pending pend;
	unsigned long next;          /* the next position to merge */
	bool over;
	void (*emit)(void *, const struct explore_task *);
	void *emit_arg;
};

static void merge_one(struct parent *P, struct explore_task *t)
{
	if (P->emit)
		P->emit(P->emit_arg, t);
	if (explore_merge_add(P->m, t))
		P->over = true;
	explore_task_free(t);
}

/* Merge the results that have become contiguous; progress. */
static void advance(struct parent *P)
{
	const struct explore_opts *o = P->o;

	while (!P->over && P->pend.n && P->next < P->pl->count &&
	       P->pend.v[0].index == task_at(P->pl, P->next)) {
		merge_one(P, &P->pend.v[0]);
		pending_drop_first(&P->pend);
		P->next++;
	}
	if (o->progress) {
		struct explore_report sum = *explore_merge_report(P->m);

		for (size_t i = 0; i < P->pend.n; i++) {
			sum.traces += P->pend.v[i].r.traces;
			sum.commands += P->pend.v[i].r.commands;
			sum.failures += P->pend.v[i].r.failures;
		}
		for (unsigned w = 0; w < P->jobs; w++) {
			sum.traces += P->job[w].running.traces;
			sum.commands += P->job[w].running.commands;
			sum.failures += P->job[w].running.failures;
		}
		o->progress(o->progress_arg, &sum);
	}
}

/* Complete lines of @j's buffer: task results.  -1 on a bad one. */
static int take_lines(struct parent *P, struct job *j)
{
	char *start = j->buf, *nl;

	while ((nl = memchr(start, '\n', j->n - (size_t)(start - j->buf)))) {
		struct json_value v;
		struct explore_task t;
		struct ksm_diag err = { 0 };
		const struct json_value *run;
		uint64_t n[3];

		if (json_parse("worker", start, (size_t)(nl - start), &v, &err))
			goto bad;
		run = json_get(&v, "running");
		if (run) {
			if (json_u64(json_get(&v, "traces"), &n[0]) ||
			    json_u64(json_get(&v, "commands"), &n[1]) ||
			    json_u64(json_get(&v, "failures"), &n[2])) {
				ksm_diag_set(&err, "worker", v.line, v.col, "bad progress line");
				goto bad;
			}
			j->running.traces = (unsigned long)n[0];
			j->running.commands = (unsigned long)n[1];
			j->running.failures = (size_t)n[2];
			json_free(&v);
			start = nl + 1;
			continue;
		}
		if (explore_task_from_json("worker", &v, &t, &err)) {
bad:
			json_free(&v);
			fprintf(stderr, "ksmsim explore: a worker's result: %s:%u:%u: %s\n", err.file,
				err.line, err.col, err.msg);
			return -1;
		}
		json_free(&v);
		memset(&j->running, 0, sizeof(j->running));
		pending_insert(&P->pend, &t);
		start = nl + 1;
	}
	j->n -= (size_t)(start - j->buf);
	memmove(j->buf, start, j->n);
	advance(P);
	return 0;
}

static int run_jobs(const struct explore_opts *o, bool exhaustive, const struct plan *pl,
		    unsigned jobs, struct explore_merge *m,
		    void (*emit)(void *, const struct explore_task *), void *emit_arg)
{
	struct job *job = xcalloc(jobs, sizeof(*job));
	struct pollfd *fds = xcalloc(jobs, sizeof(*fds));
	struct parent P = { .job = job, .o = o, .pl = pl, .m = m, .emit = emit,
			    .emit_arg = emit_arg };
	unsigned open_fds = 0, started = 0;
	int forwarded = 0, ret = 0;
	bool died = false;

	fflush(stdout);
	fflush(stderr);
	for (unsigned w = 0; w < jobs; w++) {
		int fd[2];

		if (pipe(fd)) {
			perror("ksmsim explore: pipe");
			ret = -1;
			break;
		}
		job[w].pid = fork();
		if (job[w].pid < 0) {
			perror("ksmsim explore: fork");
			close(fd[0]);
			close(fd[1]);
			ret = -1;
			break;
		}
		if (!job[w].pid) {
			for (unsigned k = 0; k < w; k++)
				close(job[k].fd);
			close(fd[0]);
			worker(o, exhaustive, pl, w, jobs, fd[1]);
		}
		close(fd[1]);
		job[w].fd = fd[0];
		started++;
		P.jobs = started;
		open_fds++;
	}
	while (ret == 0 && open_fds && !P.over) {
		unsigned n = 0;

		/* A signal sent to the parent alone: pass it on, once. */
		if (o->stop && *o->stop && !forwarded) {
			forwarded = *o->stop;
			for (unsigned w = 0; w < started; w++)
				kill(job[w].pid, forwarded);
		}
		for (unsigned w = 0; w < started; w++)
			if (job[w].fd >= 0) {
				fds[n].fd = job[w].fd;
				fds[n].events = POLLIN;
				fds[n].revents = 0;
				n++;
			}
		/* Not forever: a signal may come just before poll() is entered. */
		if (poll(fds, n, 200) < 0) {
			if (errno == EINTR)
				continue;
			perror("ksmsim explore: poll");
			ret = -1;
			break;
		}
		for (unsigned w = 0, k = 0; w < started && ret == 0; w++) {
			ssize_t got;

			if (job[w].fd < 0)
				continue;
			if (!fds[k++].revents)
				continue;
			ARRAY_GROW(job[w].buf, job[w].cap, job[w].n + 65536, 65536);
			got = read(job[w].fd, job[w].buf + job[w].n, job[w].cap - job[w].n);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(job[w].fd);
				job[w].fd = -1;
				open_fds--;
				continue;
			}
			job[w].n += (size_t)got;
			if (take_lines(&P, &job[w]))
				ret = -1;
		}
	}
	/* The merge reached a failure (or went wrong): the rest is not needed. */
	for (unsigned w = 0; w < started; w++) {
		int status;

		if (P.over || ret)
			kill(job[w].pid, SIGKILL);
		if (job[w].fd >= 0)
			close(job[w].fd);
		while (waitpid(job[w].pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!P.over && !ret && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			died = true;
		free(job[w].buf);
	}
	if (!ret && !P.over && P.next < pl->count) {
		bool interrupted = forwarded || (o->stop && *o->stop);

		for (size_t i = 0; i < P.pend.n; i++)
			if (P.pend.v[i].r.interrupted)
				interrupted = true;
		if (died || !interrupted) {
			fprintf(stderr, "ksmsim explore: a worker ended before its tasks were done\n");
			ret = -1;
		} else {
			/* Interrupted: what was searched, in task order, gaps skipped. */
			while (P.pend.n && !P.over) {
				merge_one(&P, &P.pend.v[0]);
				pending_drop_first(&P.pend);
			}
			explore_merge_interrupted(m, forwarded ? forwarded : *o->stop);
		}
	}
	for (size_t i = 0; i < P.pend.n; i++)
		explore_task_free(&P.pend.v[i]);
	free(P.pend.v);
	free(job);
	free(fds);
	return ret;
}

int explore_run(const struct explore_opts *o, bool exhaustive, struct explore_report *rep,
		void (*emit)(void *arg, const struct explore_task *t), void *emit_arg)
{
	struct plan pl = { .ntasks = explore_ntasks(o, exhaustive), .first = o->shard,
			   .step = o->shards ? o->shards : 1 };
	bool sharded = o->shards > 0;
	struct explore_merge *m;
	unsigned jobs = o->jobs ? o->jobs : 1;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (exhaustive && (!o->depth || o->depth > EXPLORE_MAX_DEPTH))
		return -1;
	if (sharded && o->shard >= o->shards)
		return -1;
	pl.count = pl.ntasks > pl.first ? (pl.ntasks - pl.first + pl.step - 1) / pl.step : 0;
	if (jobs > pl.count)
		jobs = pl.count ? (unsigned)pl.count : 1;
	m = explore_merge_new(o, exhaustive, !sharded);
	if (jobs > 1)
		ret = run_jobs(o, exhaustive, &pl, jobs, m, emit, emit_arg);
	else
		ret = run_here(o, exhaustive, &pl, m, sharded, emit, emit_arg);
	if (ret) {
		explore_merge_finish(m, rep);
		explore_report_free(rep);
		return -1;
	}
	return explore_merge_finish(m, rep);
}

int explore_random(const struct explore_opts *o, struct explore_report *rep)
{
	return explore_run(o, false, rep, NULL, NULL);
}

int explore_exhaustive(const struct explore_opts *o, struct explore_report *rep)
{
	return explore_run(o, true, rep, NULL, NULL);
}
