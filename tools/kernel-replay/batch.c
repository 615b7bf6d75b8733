// SPDX-License-Identifier: MIT
/*
 * DOC: Batches — many traces, one after the other, one output set each
 *
 *   ksmsim-kernel-replay [OPTIONS] --out-dir DIR TRACE...
 *
 * Each trace is replayed by a fresh copy of this program (fork + exec of
 * the same binary with the batch's options and `--snapshots`), so every
 * replay starts from the state the single-trace mode guarantees: its own
 * lock, saved and restored settings, workers and signal handling.  For a
 * trace NAME.trace the batch writes
 *
 *   DIR/NAME.jsonl  the snapshot records, only when the replay ran to its
 *                   end (the replay writes it through NAME.jsonl.tmp)
 *   DIR/NAME.rc     the replay's exit status, decimal, one line
 *   DIR/NAME.log    what the replay wrote to stderr
 *
 * The same loop is the guest's init (guest_init.c): inside a booted guest
 * kernel it replays the traces shared from the host.  Names must be
 * unique within a batch; the batch stops early only on a signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kr.h"

const char *kr_trace_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".trace"))
		n -= 6;
	if (n >= len)
		n = len - 1;
	memcpy(buf, base, n);
	buf[n] = '\0';
	return buf;
}

int kr_batch_check(char *const *traces, size_t n, struct ksm_diag *err)
{
	char a[NAME_MAX + 1], b[NAME_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		if (!*kr_trace_name(traces[i], a, sizeof(a)))
			return ksm_diag_set(err, traces[i], 0, 0, "a trace needs a file name");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(a, kr_trace_name(traces[j], b, sizeof(b))))
				return ksm_diag_set(err, traces[i], 0, 0,
						    "two traces of the batch are named %s (the other is %s); "
						    "outputs are named after the trace", a, traces[j]);
	}
	return 0;
}

/* Write @text to @path through a temporary file. */
int kr_write_small_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f;
	int ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int run_one(const struct kr_batch *b, const char *trace, const char *name)
{
	char jsonl[PATH_MAX], log[PATH_MAX], rc[PATH_MAX], text[32];
	char **argv;
	size_t k = 0;
	int status, code;
	pid_t pid;

	snprintf(jsonl, sizeof(jsonl), "%s/%s.jsonl", b->out_dir, name);
	snprintf(log, sizeof(log), "%s/%s.log", b->out_dir, name);
	snprintf(rc, sizeof(rc), "%s/%s.rc", b->out_dir, name);
	unlink(jsonl);
	unlink(rc);

	argv = calloc(b->npass + 5, sizeof(*argv));
	if (!argv)
		return -1;
	argv[k++] = (char *)b->self;
	for (size_t i = 0; i < b->npass; i++)
		argv[k++] = b->pass[i];
	argv[k++] = "--snapshots";
	argv[k++] = jsonl;
	argv[k++] = (char *)trace;
	argv[k] = NULL;

	pid = fork();
	if (pid < 0) {
		free(argv);
		return -1;
	}
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(fd, 2) < 0)
			_exit(KR_EXIT_START);
		execv(b->self, argv);
		dprintf(2, "ksmsim-kernel-replay: cannot run %s: %s\n", b->self, strerror(errno));
		_exit(KR_EXIT_START);
	}
	free(argv);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : KR_EXIT_SIGNAL + WTERMSIG(status);
	/*
	 * As a guest's init we inherit every orphan, the replay's guardian
	 * among them (it exits when the replay does): reap what has ended.
	 */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	snprintf(text, sizeof(text), "%d\n", code);
	if (kr_write_small_file(rc, text))
		return -1;
	return code;
}

/*
 * Return: the batch's status (0, or the first failing replay's status, or
 * 128+N after signal N), or -1 with @err set when a replay could not be
 * run at all.
 */
int kr_batch_run(const struct kr_batch *b, struct ksm_diag *err)
{
	char name[NAME_MAX + 1];
	int first_bad = 0;

	if (mkdir(b->out_dir, 0755) && errno != EEXIST)
		return ksm_diag_set(err, b->out_dir, 0, 0, "cannot create the output folder: %s",
				    strerror(errno));
	for (size_t i = 0; i < b->n && !kr_stop_signal; i++) {
		int code;

		kr_trace_name(b->traces[i], name, sizeof(name));
		code = run_one(b, b->traces[i], name);
		if (code < 0)
			return ksm_diag_set(err, b->out_dir, 0, 0, "cannot run the replay of %s: %s",
					    b->traces[i], strerror(errno));
		if (b->progress)
			b->progress(b->progress_ctx, i + 1, b->n, name, code);
		if (code && !first_bad)
			first_bad = code;
	}
	if (kr_stop_signal)
		return KR_EXIT_SIGNAL + kr_stop_signal;
	return first_bad;
}
