// SPDX-License-Identifier: MIT
/*
 * The small helpers of sim/core: ARRAY_SIZE, ARRAY_GROW, sim_read_file(),
 * sim_name_index() and SIM_BUG_ON() — which must stop the program even
 * in a build with NDEBUG (Release), so this file defines it.
 */
#ifndef NDEBUG
#define NDEBUG 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/array.h"
#include "core/bug.h"
#include "core/file.h"
#include "core/lookup.h"

static void test_array_size(void **state)
{
	static const int five[5];
	static const char *const names[] = { "a", "b", NULL };

	(void)state;
	assert_int_equal(ARRAY_SIZE(five), 5);
	assert_int_equal(ARRAY_SIZE(names), 3);
}

static void test_array_grow(void **state)
{
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	/* The first growth takes the given first capacity, later ones double. */
	ARRAY_GROW(v, cap, 1, 4);
	assert_int_equal(cap, 4);
	for (uint32_t i = 0; i < 1000; i++) {
		ARRAY_GROW(v, cap, n + 1, 4);
		v[n++] = i * 7;
	}
	assert_int_equal(cap, 1024);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(v[i], i * 7);
	/* No reallocation while it fits. */
	{
		uint32_t *before = v;

		ARRAY_GROW(v, cap, 1024, 4);
		assert_ptr_equal(v, before);
		assert_int_equal(cap, 1024);
	}
	/* A jump past twice the capacity doubles as often as needed. */
	ARRAY_GROW(v, cap, 5000, 4);
	assert_int_equal(cap, 8192);
	free(v);
}

static void test_read_file(void **state)
{
	char path[] = "/tmp/ksmsim-readfile-XXXXXX";
	int fd = mkstemp(path);
	size_t big = 200000, len = 1;
	char *text = malloc(big), *buf = (char *)1;

	(void)state;
	assert_true(fd >= 0 && text);
	/* Larger than the first buffer, so the reader has to grow it. */
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	assert_int_equal(write(fd, text, big), (ssize_t)big);
	close(fd);
	assert_int_equal(sim_read_file(path, &buf, &len), 0);
	assert_int_equal(len, big);
	assert_memory_equal(buf, text, big);
	assert_int_equal(buf[len], '\0');
	free(buf);

	/* Empty file: an empty string, not NULL. */
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	assert_int_equal(sim_read_file(path, &buf, &len), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], '\0');
	free(buf);
	unlink(path);

	/* Missing file, and a directory: -1 with errno, *buf NULL. */
	errno = 0;
	assert_int_equal(sim_read_file(path, &buf, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(buf);
	errno = 0;
	assert_int_equal(sim_read_file("/", &buf, &len), -1);
	assert_int_equal(errno, EISDIR);
	assert_null(buf);
	free(text);
}

static void test_name_index(void **state)
{
	static const char *const names[] = { "full", "indexed", "naive", NULL };
	static const char *const none[] = { NULL };

	(void)state;
	assert_int_equal(sim_name_index(names, "full"), 0);
	assert_int_equal(sim_name_index(names, "naive"), 2);
	assert_int_equal(sim_name_index(names, "nai"), -1);
	assert_int_equal(sim_name_index(names, "naive "), -1);
	assert_int_equal(sim_name_index(names, ""), -1);
	assert_int_equal(sim_name_index(none, "full"), -1);
}

/* Run @fn in a child; return its stderr and how it ended. */
static int run_child(void (*fn)(int), int arg, char *err, size_t errlen)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n, got = 0;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		signal(SIGABRT, SIG_DFL);
		dup2(fds[1], 2);
		close(fds[0]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], err + got, errlen - 1 - (size_t)got)) > 0)
		got += n;
	err[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void bug_on(int x)
{
	SIM_BUG_ON(x + 1 == 2);
}

static int evaluations;

static int count(int x)
{
	evaluations++;
	return x;
}

static void test_bug_on(void **state)
{
	char err[512];
	int status;

	(void)state;
	/* A false condition does nothing and is evaluated once. */
	SIM_BUG_ON(count(0));
	assert_int_equal(evaluations, 1);
	status = run_child(bug_on, 0, err, sizeof(err));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(err, "");

	/* A true one aborts, with NDEBUG defined, naming file, line and condition. */
	status = run_child(bug_on, 1, err, sizeof(err));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(err, "ksmsim: internal error: "));
	assert_non_null(strstr(err, "test_core_helpers.c:"));
	assert_non_null(strstr(err, ": BUG_ON(x + 1 == 2)\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_size),
		cmocka_unit_test(test_array_grow),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_name_index),
		cmocka_unit_test(test_bug_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
