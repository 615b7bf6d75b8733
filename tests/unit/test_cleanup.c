// SPDX-License-Identifier: MIT
/*
 * core/cleanup.c: the table of temporary files and its way-out handlers.
 * The signal and out-of-memory paths of the whole program are tested by
 * the scripts in tests/cleanup; here the table's own rules.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/outfile.h"

static char dir[] = "/tmp/ksmsim-cleanup-XXXXXX";

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void path_of(char *buf, size_t n, int i)
{
	snprintf(buf, n, "%s/f%d", dir, i);
}

/* Registered files go on cleanup_remove_all(); unregistered ones stay. */
static void test_remove_all(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	int sa, sb;

	(void)state;
	path_of(a, sizeof(a), 1);
	path_of(b, sizeof(b), 2);
	sa = cleanup_register(a);
	sb = cleanup_register(b);
	assert_true(sa >= 0 && sb >= 0 && sa != sb);
	touch(a);
	touch(b);
	cleanup_unregister(sb);
	cleanup_remove_all();
	assert_false(exists(a));
	assert_true(exists(b));
	/* Removed once: a file of that name made later is not touched. */
	touch(a);
	cleanup_remove_all();
	assert_true(exists(a));
	unlink(a);
	unlink(b);
	cleanup_unregister(-1);
	cleanup_unregister(CLEANUP_SLOTS);
}

/* The table is fixed: a full table and an over-long path are refused. */
static void test_limits(void **state)
{
	int slot[CLEANUP_SLOTS];
	char p[PATH_MAX + 8];

	(void)state;
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		path_of(p, sizeof(p), i);
		slot[i] = cleanup_register(p);
		assert_true(slot[i] >= 0);
	}
	errno = 0;
	assert_int_equal(cleanup_register("x"), -1);
	assert_int_equal(errno, EMFILE);
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		cleanup_unregister(slot[i]);
	memset(p, 'a', PATH_MAX);
	p[PATH_MAX] = '\0';
	errno = 0;
	assert_int_equal(cleanup_register(p), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

/* A forked child that exits leaves its parent's files alone. */
static void test_fork_child(void **state)
{
	char a[PATH_MAX];
	int s, status;
	pid_t pid;

	(void)state;
	path_of(a, sizeof(a), 3);
	s = cleanup_register(a);
	touch(a);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cleanup_remove_all();
		exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(exists(a));
	unlink(a);
	cleanup_unregister(s);
}

/*
 * An outfile's temporary name is gone after exit() (the out-of-memory
 * path) and after a fatal signal, which the process still dies of.
 */
static void test_outfile_ways_out(void **state)
{
	/* Under ASan, SIGSEGV and SIGBUS go on to its handler (which reports
	 * and exits 1), as cleanup.c passes them to the previous action. */
	static const int sigs[] = { 0, SIGTERM, SIGABRT, SIGHUP,
#ifndef KSMSIM_SANITIZE
				    SIGSEGV, SIGBUS,
#endif
	};
	char out[PATH_MAX], tmp[PATH_MAX + 32];

	(void)state;
	path_of(out, sizeof(out), 4);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int fds[2], status;
		pid_t pid;
		char c;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct outfile o;
			struct ksm_diag d;

			/* CMocka catches the fatal signals itself; ksmsim's
			 * main() starts with the default actions. */
			for (size_t k = 1; k < sizeof(sigs) / sizeof(sigs[0]); k++)
				signal(sigs[k], SIG_DFL);
			cleanup_install_signals();
			if (outfile_open(&o, out, &d))
				_exit(90);
			fputs("half", o.f);
			fflush(o.f);
			/* Tell the parent the file exists, then die. */
			if (write(fds[1], "x", 1) != 1)
				_exit(91);
			if (!sigs[i])
				exit(3);
			raise(sigs[i]);
			_exit(92);
		}
		close(fds[1]);
		assert_int_equal(read(fds[0], &c, 1), 1);
		close(fds[0]);
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)pid);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (sigs[i]) {
			assert_true(WIFSIGNALED(status));
			assert_int_equal(WTERMSIG(status), sigs[i]);
		} else {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 3);
		}
		assert_false(exists(tmp));
		assert_false(exists(out));
	}
}

/* Ignored signals (nohup, background jobs) stay ignored. */
static void test_ignored_stays_ignored(void **state)
{
	struct sigaction sa;
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGHUP, SIG_IGN);
		cleanup_install_signals();
		sigaction(SIGHUP, NULL, &sa);
		_exit(sa.sa_handler == SIG_IGN ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_all),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fork_child),
		cmocka_unit_test(test_outfile_ways_out),
		cmocka_unit_test(test_ignored_stays_ignored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
